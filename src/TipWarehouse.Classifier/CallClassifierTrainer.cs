using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using TipWarehouse.Core;

namespace TipWarehouse.Classifier;

/// <summary>Options of one training run (<c>tipw model train</c>).</summary>
public sealed record TrainingOptions
{
    /// <summary>sdca (logistic regression, default), lightgbm or fasttree.</summary>
    public string Trainer { get; init; } = ClassifierTrainers.Sdca;

    /// <summary>The recall the threshold is chosen to reach on the validation slice.</summary>
    public double RecallTarget { get; init; } = 0.9;

    /// <summary>How many of the latest months are held out as the test window.</summary>
    public int TestMonths { get; init; } = 6;

    /// <summary>How many months before the test window are the validation slice (threshold choice).</summary>
    public int ValidationMonths { get; init; } = 3;

    /// <summary>Also train on a narrative-only copy of every call, so the model scores narratives without the call's fields
    /// (<c>tipw model predict</c> on an arbitrary file) as well as complete calls.</summary>
    public bool NarrativeOnlyCopies { get; init; } = true;

    /// <summary>The MLContext seed; the same data and seed give the same model.</summary>
    public int Seed { get; init; } = 20060313;
}

/// <summary>The trainer names accepted by <c>--trainer</c>.</summary>
public static class ClassifierTrainers
{
    public const string Sdca = "sdca";
    public const string LightGbm = "lightgbm";
    public const string FastTree = "fasttree";

    /// <summary>All accepted names.</summary>
    public static IReadOnlyList<string> All { get; } = [Sdca, LightGbm, FastTree];
}

/// <summary>The outcome of a training run: the fitted model, the threshold and the metrics on the held-out months.</summary>
public sealed record TrainingResult(
    ITransformer Model,
    DataViewSchema InputSchema,
    TimeSplit Split,
    double Threshold,
    BinaryMetrics ValidationMetrics,
    BinaryMetrics TestMetrics,
    TimeSpan Duration);

/// <summary>Trains the TIP call classifier: Spanish text n-grams plus call fields, a time-based split and a recall-targeted threshold.</summary>
public sealed class CallClassifierTrainer
{
    /// <summary>The features the model uses, as recorded in the metadata.</summary>
    public static IReadOnlyList<string> FeatureDescriptions { get; } =
    [
        $"featurizer {TextFeaturizer.Version}: narrative lower-cased, accents and n-tilde folded, digits and punctuation removed",
        $"narrative word 1-2 grams (Spanish stop words removed, negations kept), 1+ln(tf), L2, hashed into 2^{TextFeaturizer.WordBits}",
        $"narrative character 3-, 4- and 5-grams, 1+ln(tf), L2, hashed into 2^{TextFeaturizer.CharBits}",
        "caller type, victim sex, department, hour band, victim age band (one-hot, hashed)",
        "victim age, minor flag, log(1 + duration), each with a missing indicator",
        "trained on each call and on a narrative-only copy of it, so narratives without fields score on the same scale",
    ];

    private readonly TimeProvider _time;

    public CallClassifierTrainer(TimeProvider time)
    {
        _time = time;
    }

    /// <summary>Splits <paramref name="labelled"/> by time, fits on the early months, picks the threshold on the validation
    /// slice, refits on all training months and measures the held-out test months.</summary>
    public TrainingResult Train(IReadOnlyList<CallFeatures> labelled, TrainingOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(labelled);
        ArgumentNullException.ThrowIfNull(options);
        if (!ClassifierTrainers.All.Contains(options.Trainer))
        {
            throw new UsageException($"Unknown trainer '{options.Trainer}'; use one of {string.Join(", ", ClassifierTrainers.All)}.");
        }

        var started = _time.GetTimestamp();
        var split = TimeSplit.Create(labelled, options.TestMonths, options.ValidationMonths);
        RequireBothClasses(split.Fit, "training");
        RequireBothClasses(split.Validation, "validation");

        var ml = new MLContext(options.Seed);
        cancellationToken.ThrowIfCancellationRequested();
        var probe = Fit(ml, split.Fit, options);
        var validationScores = CallScorer.Probabilities(ml, probe, split.Validation);
        var validationLabels = split.Validation.Select(c => c.Label).ToArray();
        var threshold = BinaryMetrics.ThresholdForRecall(validationScores, validationLabels, options.RecallTarget);
        var validationMetrics = BinaryMetrics.Compute(validationScores, validationLabels, threshold);

        cancellationToken.ThrowIfCancellationRequested();
        var train = split.Train;
        var model = Fit(ml, train, options);
        var testScores = CallScorer.Probabilities(ml, model, split.Test);
        var testMetrics = BinaryMetrics.Compute(testScores, split.Test.Select(c => c.Label).ToArray(), threshold);
        var schema = InputSchema(ml);
        return new TrainingResult(model, schema, split, threshold, validationMetrics, testMetrics, _time.GetElapsedTime(started));
    }

    /// <summary>Featurizes <paramref name="rows"/> and fits the learner on them.</summary>
    public static ITransformer Fit(MLContext ml, IReadOnlyList<CallFeatures> rows, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<CallFeatures> training = options.NarrativeOnlyCopies
            ? [.. rows, .. rows.Select(c => CallFeatures.Create(c.CallId, c.CallDateKey, c.Narrative, label: c.Label))]
            : rows;
        var data = ml.Data.Cache(CallScorer.ToDataView(ml, CallScorer.Featurize(training)));
        return Learner(ml, options).Fit(data);
    }

    /// <summary>The schema of the learner's input (what <c>model.zip</c> records).</summary>
    public static DataViewSchema InputSchema(MLContext ml)
    {
        ArgumentNullException.ThrowIfNull(ml);
        return CallScorer.ToDataView(ml, Array.Empty<FeatureRow>()).Schema;
    }

    private static IEstimator<ITransformer> Learner(MLContext ml, TrainingOptions options)
    {
        var binary = ml.BinaryClassification.Trainers;
        return options.Trainer switch
        {
            // One thread keeps SDCA deterministic; it is fast enough on sparse text features.
            ClassifierTrainers.Sdca => binary.SdcaLogisticRegression(new SdcaLogisticRegressionBinaryTrainer.Options
            {
                LabelColumnName = nameof(FeatureRow.Label),
                FeatureColumnName = FeatureRow.FeaturesColumn,
                // No L1: a dense model spreads weight over many n-grams, which holds up better on unseen wording.
                L1Regularization = 0f,
                L2Regularization = 1e-4f,
                MaximumNumberOfIterations = 30,
                NumberOfThreads = 1,
            }),
            ClassifierTrainers.LightGbm => binary.LightGbm(new LightGbmBinaryTrainer.Options
            {
                LabelColumnName = nameof(FeatureRow.Label),
                FeatureColumnName = FeatureRow.FeaturesColumn,
                NumberOfLeaves = 16,
                NumberOfIterations = 200,
                LearningRate = 0.1,
                MinimumExampleCountPerLeaf = 20,
                Seed = options.Seed,
                NumberOfThreads = 1,
                Verbose = false,
                Silent = true,
            }),
            _ => binary.FastTree(new FastTreeBinaryTrainer.Options
            {
                LabelColumnName = nameof(FeatureRow.Label),
                FeatureColumnName = FeatureRow.FeaturesColumn,
                NumberOfLeaves = 16,
                NumberOfTrees = 150,
                MinimumExampleCountPerLeaf = 20,
                LearningRate = 0.15,
                NumberOfThreads = 1,
            }),
        };
    }

    private static void RequireBothClasses(IReadOnlyList<CallFeatures> rows, string what)
    {
        var positives = rows.Count(r => r.Label);
        if (positives == 0 || positives == rows.Count)
        {
            throw new TipwException($"The {what} months have {rows.Count} labelled call(s) of which {positives} TIP-related; both classes are needed. Load more hotline data first.");
        }
    }
}
