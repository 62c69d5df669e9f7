using Microsoft.ML;
using TipWarehouse.Core;

namespace TipWarehouse.Classifier;

/// <summary>Scores calls with a trained model in batches (one IDataView pass, no per-row prediction engine).</summary>
public sealed class CallScorer
{
    private readonly MLContext _ml;
    private readonly ITransformer _model;

    public CallScorer(MLContext ml, ITransformer model, double threshold)
    {
        _ml = ml;
        _model = model;
        Threshold = threshold;
    }

    /// <summary>The probability at or above which a call is flagged as TIP-related.</summary>
    public double Threshold { get; }

    /// <summary>The fitted pipeline (featurization and learner).</summary>
    public ITransformer Model => _model;

    /// <summary>The ML context the model lives in.</summary>
    public MLContext Context => _ml;

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
    public float[] Score(IReadOnlyList<CallFeatures> calls) => Probabilities(_ml, _model, calls);

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

        var scored = model.Transform(ml.Data.LoadFromEnumerable(calls));
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
}
