using System.Runtime.ExceptionServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using TipWarehouse.Core;

namespace TipWarehouse.Classifier;

/// <summary>Scores calls with a trained model in batches: partitions scored in parallel, each featurizing its calls as one
/// IDataView cursor passes them through the learner (no per-row prediction engine).</summary>
public sealed class CallScorer
{
    private const int ParallelChunk = 4096;

    // Calls per scoring partition: small enough that both cores stay busy to the end (and a busy neighbour process only
    // delays one partition), large enough that building a data view and cursor per partition costs nothing measurable.
    private const int PartitionSize = 8192;

    // Partitions per core read from the list before they are scored: a 50,000-call page of the scoring step is one round.
    private const int RoundPartitions = 4;

    public CallScorer(MLContext ml, ITransformer model, double threshold, IProbabilityCalibration? calibration = null)
    {
        Context = ml;
        Model = model;
        Threshold = threshold;
        Calibration = calibration ?? PlattCalibration.Identity;
    }

    /// <summary>The calibration applied to the learner's probabilities (identity for models trained before it existed).</summary>
    public IProbabilityCalibration Calibration { get; }

    /// <summary>The probability at or above which a call is flagged as TIP-related.</summary>
    public double Threshold { get; }

    /// <summary>The fitted learner (it reads the <c>Features</c> vector of <see cref="TextFeaturizer"/>).</summary>
    public ITransformer Model { get; }

    /// <summary>The ML context the model lives in.</summary>
    public MLContext Context { get; }

    /// <summary>Loads a saved model zip (<c>model.zip</c>) with its threshold.</summary>
    public static CallScorer Load(string modelPath, double threshold, IProbabilityCalibration? calibration = null, int seed = 20060313)
    {
        if (!File.Exists(modelPath))
        {
            throw new TipwException($"The model file {modelPath} is missing; retrain with 'tipw model train' or activate another model.");
        }

        var ml = new MLContext(seed);
        try
        {
            var model = ml.Model.Load(modelPath, out _);
            return new CallScorer(ml, model, threshold, calibration);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or InvalidDataException or IOException)
        {
            throw new TipwException($"The model file {modelPath} cannot be read ({ex.Message}); retrain with 'tipw model train'.", ex);
        }
    }

    /// <summary>The calibrated TIP probability of each call, in input order.</summary>
    public float[] Score(IReadOnlyList<CallFeatures> calls)
    {
        var raw = Probabilities(Context, Model, calls);
        for (var i = 0; i < raw.Length; i++)
        {
            raw[i] = Calibration.Apply(raw[i]);
        }

        return raw;
    }

    /// <summary>True when <paramref name="probability"/> reaches the threshold.</summary>
    public bool IsFlagged(float probability) => probability >= Threshold;

    /// <summary>Runs <paramref name="model"/> over <paramref name="calls"/> and reads the <c>Probability</c> column, in input order.</summary>
    /// <remarks>The calls are cut into partitions scored concurrently (a transformer's <c>Transform</c> is safe to call from
    /// several threads; each partition has its own data view and cursor). Each partition featurizes its calls as its cursor
    /// reaches them, into buffers it reuses, so no featurized row outlives its turn (holding every call's vector at once made
    /// the garbage collector, not the model, set the pace).</remarks>
    public static float[] Probabilities(MLContext ml, ITransformer model, IReadOnlyList<CallFeatures> calls) =>
        Probabilities(ml, model, calls, PartitionSize);

    /// <summary><see cref="Probabilities(MLContext, ITransformer, IReadOnlyList{CallFeatures})"/> with a chosen partition size
    /// (tests cut a few hundred calls into many partitions).</summary>
    internal static float[] Probabilities(MLContext ml, ITransformer model, IReadOnlyList<CallFeatures> calls, int partitionSize) =>
        Probabilities(ml, model, calls, partitionSize, onRound: null);

    /// <summary>The probabilities of <paramref name="calls"/> with their labels and date keys, read in the same single pass
    /// over them (for a window read from the warehouse page by page, one read of it).</summary>
    internal static ScoredCalls ScoreWithLabels(MLContext ml, ITransformer model, IReadOnlyList<CallFeatures> calls)
    {
        ArgumentNullException.ThrowIfNull(calls);
        var labels = new bool[calls.Count];
        var dateKeys = new int[calls.Count];
        var probabilities = Probabilities(ml, model, calls, PartitionSize, (round, offset) =>
        {
            for (var i = 0; i < round.Length; i++)
            {
                labels[offset + i] = round[i].Label;
                dateKeys[offset + i] = round[i].CallDateKey;
            }
        });
        return new ScoredCalls(probabilities, labels, dateKeys);
    }

    // Enumerates the calls once, in rounds of RoundPartitions partitions per core, and scores each round's partitions in
    // parallel: only a round of calls is held at a time, whatever the list (onRound sees each round with its offset).
    private static float[] Probabilities(MLContext ml, ITransformer model, IReadOnlyList<CallFeatures> calls, int partitionSize, Action<CallFeatures[], int>? onRound)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partitionSize);
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(calls);
        var result = new float[calls.Count];
        if (calls.Count == 0)
        {
            return result;
        }

        // The single-view path registered one data view on the caller's context, which draws once from its random source,
        // and a trainer created on that context afterwards seeds itself from the next draw (CallClassifierTrainer scores the
        // validation slice, then fits). Drawing exactly once here and building the partitions' views on a context of their
        // own keeps every model trained with a given seed what it was, however many partitions a batch has.
        _ = ((IHostEnvironment)ml).Register(nameof(CallScorer));
        var views = new MLContext(seed: 0);
        var roundSize = (int)Math.Min(calls.Count, (long)partitionSize * RoundPartitions * Environment.ProcessorCount);
        var offset = 0;
        foreach (var round in calls.Chunk(roundSize))
        {
            onRound?.Invoke(round, offset);
            ScoreRound(views, model, round, offset, partitionSize, result);
            offset += round.Length;
        }

        if (offset != calls.Count)
        {
            throw new InvalidOperationException($"The list of {calls.Count} calls to score enumerated {offset}.");
        }

        return result;
    }

    // Scores round into result[offset..], its partitions in parallel.
    private static void ScoreRound(MLContext views, ITransformer model, CallFeatures[] round, int offset, int partitionSize, float[] result)
    {
        var partitions = (int)(((long)round.Length + partitionSize - 1) / partitionSize);
        if (partitions <= 1)
        {
            ScorePartition(views, model, round, 0, round.Length, result, offset);
            return;
        }

        try
        {
            Parallel.For(0, partitions, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, partition =>
            {
                var start = (int)((long)partition * partitionSize);
                ScorePartition(views, model, round, start, (int)Math.Min(round.Length, (long)start + partitionSize), result, offset);
            });
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
        {
            // A model that cannot score (wrong input schema, no Probability column) fails every partition alike: surface its
            // own exception, as one pass would, rather than the thread pool's wrapper.
            ExceptionDispatchInfo.Throw(ex.InnerExceptions[0]);
        }
    }

    // Scores calls[start..end) into result[offset + start..offset + end) through one data view and one cursor.
    private static void ScorePartition(MLContext ml, ITransformer model, CallFeatures[] calls, int start, int end, float[] result, int offset)
    {
        var scored = model.Transform(ToDataView(ml, Stream(calls, start, end)));
        var column = scored.Schema["Probability"];
        using var cursor = scored.GetRowCursor([column]);
        var getter = cursor.GetGetter<float>(column);
        var i = start;
        float value = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            result[offset + i++] = float.IsNaN(value) ? 0f : value;
        }

        if (i != end)
        {
            throw new InvalidOperationException($"The model returned {i - start} probabilities for {end - start} calls.");
        }
    }

    // Featurizes calls[start..end) one at a time into one reused row and reused buffers; the data view copies the vector out
    // of the row when its cursor reads it, before the next call overwrites the buffers.
    private static IEnumerable<FeatureRow> Stream(CallFeatures[] calls, int start, int end)
    {
        var indices = new int[512];
        var values = new float[512];
        var row = new FeatureRow();
        for (var i = start; i < end; i++)
        {
            var n = TextFeaturizer.Featurize(calls[i], ref indices, ref values);
            row.Features = new VBuffer<float>(TextFeaturizer.Size, n, values, indices);
            row.Label = calls[i].Label;
            yield return row;
        }
    }

    /// <summary>Featurizes the calls chunk after chunk, each chunk in parallel (the featurizer is a pure function), and yields
    /// the rows in input order with example weight <paramref name="weight"/>: only one chunk's rows are held until their
    /// reader (a training cache) has copied them. Each enumeration featurizes again.</summary>
    internal static IEnumerable<FeatureRow> Featurize(IReadOnlyList<CallFeatures> calls, float weight = 1f)
    {
        var rows = new FeatureRow[Math.Min(calls.Count, ParallelChunk * Environment.ProcessorCount)];
        for (var start = 0; start < calls.Count; start += rows.Length)
        {
            var count = Math.Min(rows.Length, calls.Count - start);
            var chunks = (count + ParallelChunk - 1) / ParallelChunk;
            Parallel.For(0, chunks, chunk =>
            {
                var indices = new int[512];
                var values = new float[512];
                var end = Math.Min(count, (chunk + 1) * ParallelChunk);
                for (var i = chunk * ParallelChunk; i < end; i++)
                {
                    var call = calls[start + i];
                    var n = TextFeaturizer.Featurize(call, ref indices, ref values);
                    rows[i] = new FeatureRow
                    {
                        Features = new VBuffer<float>(TextFeaturizer.Size, n, values.AsSpan(0, n).ToArray(), indices.AsSpan(0, n).ToArray()),
                        Label = call.Label,
                        Weight = weight,
                    };
                }
            });
            for (var i = 0; i < count; i++)
            {
                yield return rows[i];
                rows[i] = null!;
            }
        }
    }

    /// <summary>A data view over featurized rows, with the vector size the learner expects.</summary>
    internal static IDataView ToDataView(MLContext ml, IEnumerable<FeatureRow> rows)
    {
        var definition = SchemaDefinition.Create(typeof(FeatureRow));
        definition[FeatureRow.FeaturesColumn].ColumnType = new VectorDataViewType(NumberDataViewType.Single, TextFeaturizer.Size);
        return ml.Data.LoadFromEnumerable(rows, definition);
    }
}

/// <summary>Calls' probabilities with their labels and date keys, in the order of the list they were scored from.</summary>
internal sealed record ScoredCalls(float[] Probabilities, bool[] Labels, int[] DateKeys);
