using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using Microsoft.ML.Transforms;
using Microsoft.ML.Transforms.Text;
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
        "narrative: lower-cased, accents folded, punctuation and digits removed",
        "narrative word 1-2 grams (Spanish stop words removed), TF-IDF, L2",
        "narrative character 3-, 4- and 5-grams, TF-IDF, L2",
        "caller type, victim sex, department, hour band, victim age band (one-hot)",
        "victim age, minor flag, log(1 + duration) (missing -> mean, standardized)",
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
        var schema = ml.Data.LoadFromEnumerable(Array.Empty<CallFeatures>()).Schema;
        return new TrainingResult(model, schema, split, threshold, validationMetrics, testMetrics, _time.GetElapsedTime(started));
    }

    /// <summary>Fits the feature pipeline and the learner on <paramref name="rows"/>.</summary>
    public static ITransformer Fit(MLContext ml, IReadOnlyList<CallFeatures> rows, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(options);
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = FeaturePipeline(ml).Append(Learner(ml, options));
        return pipeline.Fit(data);
    }

    /// <summary>The featurization: the narrative's word and character n-grams plus the call's fields, into one <c>Features</c> vector.</summary>
    public static IEstimator<ITransformer> FeaturePipeline(MLContext ml)
    {
        ArgumentNullException.ThrowIfNull(ml);
        var text = ml.Transforms.Text;
        const string normalized = "NarrativeNormalized";
        const string tokens = "NarrativeTokens";
        const string tokenKeys = "NarrativeTokenKeys";
        const string charKeys = "NarrativeCharKeys";
        var weighting = NgramExtractingEstimator.WeightingCriteria.TfIdf;
        return text.NormalizeText(normalized, nameof(CallFeatures.Narrative), TextNormalizingEstimator.CaseMode.Lower,
                keepDiacritics: false, keepPunctuations: false, keepNumbers: false)
            .Append(text.TokenizeIntoWords(tokens, normalized))
            .Append(text.RemoveDefaultStopWords(tokens, tokens, StopWordsRemovingEstimator.Language.Spanish))
            .Append(ml.Transforms.Conversion.MapValueToKey(tokenKeys, tokens))
            .Append(text.ProduceNgrams(FeatureColumns.Words, tokenKeys, ngramLength: 2, skipLength: 0, useAllLengths: true, maximumNgramsCount: 100_000, weighting: weighting))
            .Append(text.TokenizeIntoCharactersAsKeys(charKeys, normalized, useMarkerCharacters: true))
            .Append(text.ProduceNgrams(FeatureColumns.Char3, charKeys, ngramLength: 3, skipLength: 0, useAllLengths: false, maximumNgramsCount: 50_000, weighting: weighting))
            .Append(text.ProduceNgrams(FeatureColumns.Char4, charKeys, ngramLength: 4, skipLength: 0, useAllLengths: false, maximumNgramsCount: 50_000, weighting: weighting))
            .Append(text.ProduceNgrams(FeatureColumns.Char5, charKeys, ngramLength: 5, skipLength: 0, useAllLengths: false, maximumNgramsCount: 50_000, weighting: weighting))
            .Append(ml.Transforms.NormalizeLpNorm(FeatureColumns.Words))
            .Append(ml.Transforms.NormalizeLpNorm(FeatureColumns.Char3))
            .Append(ml.Transforms.NormalizeLpNorm(FeatureColumns.Char4))
            .Append(ml.Transforms.NormalizeLpNorm(FeatureColumns.Char5))
            .Append(ml.Transforms.Categorical.OneHotEncoding(
            [
                new InputOutputColumnPair("CallerTypeOneHot", nameof(CallFeatures.CallerType)),
                new InputOutputColumnPair("SexOneHot", nameof(CallFeatures.Sex)),
                new InputOutputColumnPair("DepartmentOneHot", nameof(CallFeatures.Department)),
                new InputOutputColumnPair("HourBandOneHot", nameof(CallFeatures.HourBand)),
                new InputOutputColumnPair("AgeBandOneHot", nameof(CallFeatures.AgeBand)),
            ]))
            .Append(ml.Transforms.Concatenate(FeatureColumns.Categories, "CallerTypeOneHot", "SexOneHot", "DepartmentOneHot", "HourBandOneHot", "AgeBandOneHot"))
            .Append(ml.Transforms.ReplaceMissingValues(
            [
                new InputOutputColumnPair("VictimAgeFilled", nameof(CallFeatures.VictimAge)),
                new InputOutputColumnPair("IsMinorFilled", nameof(CallFeatures.IsMinor)),
                new InputOutputColumnPair("LogDurationFilled", nameof(CallFeatures.LogDuration)),
            ], MissingValueReplacingEstimator.ReplacementMode.Mean))
            .Append(ml.Transforms.Concatenate(FeatureColumns.Numbers, "VictimAgeFilled", "IsMinorFilled", "LogDurationFilled"))
            .Append(ml.Transforms.NormalizeMeanVariance(FeatureColumns.Numbers))
            .Append(ml.Transforms.Concatenate(FeatureColumns.Features, [.. FeatureColumns.Blocks]));
    }

    private static IEstimator<ITransformer> Learner(MLContext ml, TrainingOptions options)
    {
        var binary = ml.BinaryClassification.Trainers;
        return options.Trainer switch
        {
            // One thread keeps SDCA deterministic; it is fast enough on sparse text features.
            ClassifierTrainers.Sdca => binary.SdcaLogisticRegression(new SdcaLogisticRegressionBinaryTrainer.Options
            {
                LabelColumnName = nameof(CallFeatures.Label),
                FeatureColumnName = FeatureColumns.Features,
                L2Regularization = 1e-4f,
                MaximumNumberOfIterations = 30,
                NumberOfThreads = 1,
            }),
            ClassifierTrainers.LightGbm => binary.LightGbm(new LightGbmBinaryTrainer.Options
            {
                LabelColumnName = nameof(CallFeatures.Label),
                FeatureColumnName = FeatureColumns.Features,
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
                LabelColumnName = nameof(CallFeatures.Label),
                FeatureColumnName = FeatureColumns.Features,
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
