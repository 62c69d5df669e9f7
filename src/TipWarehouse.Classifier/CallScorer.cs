using Microsoft.ML;
using Microsoft.ML.Data;
using TipWarehouse.Core;

namespace TipWarehouse.Classifier;

/// <summary>Scores calls with a trained model in batches: parallel featurization, then one IDataView pass through the learner
/// (no per-row prediction engine).</summary>
public sealed class CallScorer
{
    private const int ParallelChunk = 4096;

    public CallScorer(MLContext ml, ITransformer model, double threshold)
    {
        Context = ml;
        Model = model;
        Threshold = threshold;
    }

    /// <summary>The probability at or above which a call is flagged as TIP-related.</summary>
    public double Threshold { get; }

    /// <summary>The fitted learner (it reads the <c>Features</c> vector of <see cref="TextFeaturizer"/>).</summary>
    public ITransformer Model { get; }

    /// <summary>The ML context the model lives in.</summary>
    public MLContext Context { get; }

    /// <summary>Loads a saved model zip (<c>model.zip</c>) with its threshold.</summary>
    public static CallScorer Load(string modelPath, double threshold, int seed = 20060313)
    {
        if (!File.Exists(modelPath))
        {
            throw new TipwException($"The model file {modelPath} is missing; retrain with 'tipw model train' or activate another model.");
        }

        var ml = new MLContext(seed);
        try
        {
            var model = ml.Model.Load(modelPath, out _);
            return new CallScorer(ml, model, threshold);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or InvalidDataException or IOException)
        {
            throw new TipwException($"The model file {modelPath} cannot be read ({ex.Message}); retrain with 'tipw model train'.", ex);
        }
    }

    /// <summary>The TIP probability of each call, in input order.</summary>
    public float[] Score(IReadOnlyList<CallFeatures> calls) => Probabilities(Context, Model, calls);

    /// <summary>True when <paramref name="probability"/> reaches the threshold.</summary>
    public bool IsFlagged(float probability) => probability >= Threshold;

    /// <summary>Runs <paramref name="model"/> over <paramref name="calls"/> and reads the <c>Probability</c> column.</summary>
    public static float[] Probabilities(MLContext ml, ITransformer model, IReadOnlyList<CallFeatures> calls)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(calls);
        var result = new float[calls.Count];
        if (calls.Count == 0)
        {
            return result;
        }

        var scored = model.Transform(ToDataView(ml, Featurize(calls)));
        var column = scored.Schema["Probability"];
        using var cursor = scored.GetRowCursor([column]);
        var getter = cursor.GetGetter<float>(column);
        var i = 0;
        float value = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            result[i++] = float.IsNaN(value) ? 0f : value;
        }

        return result;
    }

    /// <summary>Featurizes the calls in parallel chunks (the featurizer is a pure function).</summary>
    internal static FeatureRow[] Featurize(IReadOnlyList<CallFeatures> calls)
    {
        var rows = new FeatureRow[calls.Count];
        var chunks = (calls.Count + ParallelChunk - 1) / ParallelChunk;
        Parallel.For(0, chunks, chunk =>
        {
            var indices = new int[512];
            var values = new float[512];
            var end = Math.Min(calls.Count, (chunk + 1) * ParallelChunk);
            for (var i = chunk * ParallelChunk; i < end; i++)
            {
                var n = TextFeaturizer.Featurize(calls[i], ref indices, ref values);
                rows[i] = new FeatureRow
                {
                    Features = new VBuffer<float>(TextFeaturizer.Size, n, values.AsSpan(0, n).ToArray(), indices.AsSpan(0, n).ToArray()),
                    Label = calls[i].Label,
                };
            }
        });
        return rows;
    }

    /// <summary>A data view over featurized rows, with the vector size the learner expects.</summary>
    internal static IDataView ToDataView(MLContext ml, IEnumerable<FeatureRow> rows)
    {
        var definition = SchemaDefinition.Create(typeof(FeatureRow));
        definition[FeatureRow.FeaturesColumn].ColumnType = new VectorDataViewType(NumberDataViewType.Single, TextFeaturizer.Size);
        return ml.Data.LoadFromEnumerable(rows, definition);
    }
}
