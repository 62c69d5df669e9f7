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

    /// <summary>After reaching the recall target on the validation slice, the threshold is lowered into the sparse band of scores
    /// below it, flagging at most this share more validation calls (0 keeps the recall-target threshold).</summary>
    public double GapShare { get; init; }

    /// <summary>The precision the threshold must keep on the validation slice: when the recall-target threshold flags calls
    /// at a lower precision, the threshold is raised to the lowest one that reaches this floor (recall then falls short of
    /// the target, and the metadata says so). 0 disables the floor.</summary>
    public double PrecisionFloor { get; init; } = 0.85;

    /// <summary>The L2 regularisation of the SDCA learner (chosen with the extra narratives' weight by cross-validation within the hand-written tuning narratives, README).</summary>
    public float L2Regularization { get; init; } = 3e-3f;

    /// <summary>How many of the latest months are held out as the test window.</summary>
    public int TestMonths { get; init; } = 6;

    /// <summary>How many months before the test window are the validation slice (threshold choice).</summary>
    public int ValidationMonths { get; init; } = 3;

    /// <summary>Also train on a narrative-only copy of every call, so the model scores narratives without the call's fields
    /// (<c>tipw model predict</c> on an arbitrary file) as well as complete calls.</summary>
    public bool NarrativeOnlyCopies { get; init; } = true;

    /// <summary>Refit on the fit and validation months before testing (the calibration and threshold then come from the
    /// model fitted without the validation months). Off by default: the model shipped is the one its calibration was
    /// fitted for, so its probabilities average to the labelled share (refitting overstated it by about 3 points).</summary>
    public bool Refit { get; init; }

    /// <summary>The MLContext seed; the same data and seed give the same model.</summary>
    public int Seed { get; init; } = 20060313;

    /// <summary>Labelled narratives (no call fields) added to the fit months' calls, e.g. the hand-written tuning narratives
    /// (<see cref="LabelledNarratives.TrainingFileName"/>); never used for calibration, the threshold or the test.</summary>
    public IReadOnlyList<CallFeatures> ExtraNarratives { get; init; } = [];

    /// <summary>Where <see cref="ExtraNarratives"/> came from (a file name, for the metadata); empty when there are none.</summary>
    public string ExtraNarrativesSource { get; init; } = string.Empty;

    /// <summary>The example weight of each extra narrative, against 1 for each warehouse call (and 1 for its narrative-only
    /// copy). Chosen by cross-validation within the hand-written tuning narratives (<c>tipw model crossvalidate</c>, README).</summary>
    public double ExtraNarrativeWeight { get; init; } = DefaultExtraNarrativeWeight;

    /// <summary>The default of <see cref="ExtraNarrativeWeight"/>.</summary>
    public const double DefaultExtraNarrativeWeight = 8;

    /// <summary>At most this many fit-month calls are fitted on: above it, an even stride through the fit months in date
    /// order (every month keeps its share, and with it the label mix of its operators' practice), so training time and
    /// memory stop growing with the warehouse (8.6 GB for the 364k fit calls of a ~1M-call warehouse). 0 fits on all.</summary>
    public int MaxFitCalls { get; init; } = DefaultMaxFitCalls;

    /// <summary>The default of <see cref="MaxFitCalls"/>.</summary>
    public const int DefaultMaxFitCalls = 100_000;
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
    IsotonicCalibration Calibration,
    double PrevalenceSd,
    BinaryMetrics ValidationMetrics,
    BinaryMetrics TestMetrics,
    TimeSpan Duration)
{
    /// <summary>Supervisor decisions used as labels in the fit and validation months.</summary>
    public int SupervisorLabels { get; init; }

    /// <summary>Of those, how many differ from the warehouse label (or label a call that had none).</summary>
    public int SupervisorLabelsChanged { get; init; }

    /// <summary>Supervisor decisions on calls of the test months: not used, the test months are measured against the warehouse labels.</summary>
    public int SupervisorLabelsHeldOut { get; init; }

    /// <summary>Extra labelled narratives fitted on (<see cref="TrainingOptions.ExtraNarratives"/>; 0 when their weight is 0).</summary>
    public int ExtraNarratives { get; init; }

    /// <summary>Labelled calls of the fit months before <see cref="TrainingOptions.MaxFitCalls"/> thinned them (the split's fit count when it did not).</summary>
    public int FitCallsAvailable { get; init; }
}

/// <summary>What the fit sample and the supervisor labels were before <see cref="TrainingOptions.MaxFitCalls"/> thinned the fit months,
/// and how many test-month calls a supervisor decided (measured against the warehouse label instead).</summary>
public sealed record FitSampleSummary(int FitCallsAvailable, int SupervisorLabels, int SupervisorLabelsChanged, int SupervisorLabelsHeldOut);

/// <summary>A fitted, calibrated learner with its triage threshold, before the test months are scored.</summary>
internal sealed record CalibratedFit(ITransformer Model, IsotonicCalibration Calibration, double Threshold, BinaryMetrics ValidationMetrics);

/// <summary>Trains the TIP call classifier: Spanish text n-grams plus call fields, a time-based split and a recall-targeted threshold.</summary>
public sealed class CallClassifierTrainer
{
    /// <summary>The features the model uses, as recorded in the metadata.</summary>
    public static IReadOnlyList<string> FeatureDescriptions { get; } =
    [
        $"featurizer {TextFeaturizer.Version}: narrative lower-cased, accents and n-tilde folded, digits and punctuation removed",
        $"narrative word 1-2 grams (Spanish stop words removed, negations kept), 1+ln(tf), L2, hashed into 2^{TextFeaturizer.WordBits}",
        $"narrative character 3-, 4- and 5-grams, 1+ln(tf), L2, hashed into 2^{TextFeaturizer.CharBits}",
        $"trafficking indicators ({IndicatorLexicon.Concepts.Count} concepts: recruitment, false promises, movement, the CTDC means of control, exploitation types, explicit terms, minors, freedom to leave, inquiries), each pair of the act/movement/means/purpose groups, and act + means + purpose together",
        "caller type, victim age band (one-hot, hashed); victim age and minor flag with missing indicators (sex, department, hour and duration are not used)",
        "trained on each call and on a narrative-only copy of it, so narratives without fields score on the same scale",
        "plus labelled narratives without fields (by default the hand-written tuning narratives, reference/handwritten_training_narratives.csv), each with the example weight extra_narrative_weight",
    ];

    private readonly TimeProvider _time;

    public CallClassifierTrainer(TimeProvider time)
    {
        _time = time;
    }

    /// <summary>Splits <paramref name="labelled"/> by time, fits on the early months, picks the threshold on the validation
    /// slice, refits on all training months and measures the held-out test months.</summary>
    public TrainingResult Train(IReadOnlyList<CallFeatures> labelled, TrainingOptions options, CancellationToken cancellationToken = default) =>
        Train(labelled, options, supervisorDecided: null, cancellationToken);

    /// <summary>As <see cref="Train(IReadOnlyList{CallFeatures}, TrainingOptions, CancellationToken)"/>, where the calls of
    /// <paramref name="supervisorDecided"/> carry a supervisor's decision as their label (see <see cref="LabelledCalls.SupervisorDecided"/>):
    /// used as such in the fit and validation months; in the test months the call gets back the warehouse label it had (and
    /// is left out when it had none), so a model is never measured on labels the review of its own flags produced.</summary>
    public TrainingResult Train(IReadOnlyList<CallFeatures> labelled, TrainingOptions options, IReadOnlyDictionary<string, bool?>? supervisorDecided, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(labelled);
        ArgumentNullException.ThrowIfNull(options);
        if (!ClassifierTrainers.All.Contains(options.Trainer))
        {
            throw new UsageException($"Unknown trainer '{options.Trainer}'; use one of {string.Join(", ", ClassifierTrainers.All)}.");
        }

        var started = _time.GetTimestamp();
        var split = TimeSplit.Create(labelled, options.TestMonths, options.ValidationMonths);
        var (supervisorLabels, supervisorChanged) = CountSupervisorLabels(split.Train.Select(c => (c.CallId, c.Label)), supervisorDecided);
        var (test, heldOut) = WithWarehouseLabels(split.Test, static c => c.CallId, static (c, label) => c.WithLabel(label), supervisorDecided);
        split = split with { Test = test };
        var fitCallsAvailable = split.Fit.Count;
        if (options.MaxFitCalls > 0 && split.Fit.Count > options.MaxFitCalls)
        {
            split = split with { Fit = EvenStride(split.Fit, options.MaxFitCalls, static c => c.CallDateKey, static c => c.CallId) };
        }

        return TrainSampled(split, new FitSampleSummary(fitCallsAvailable, supervisorLabels, supervisorChanged, heldOut), options, started, cancellationToken);
    }

    /// <summary>The test months' calls with the warehouse label back on every call a supervisor decided (and without those
    /// that had none), and how many were decided: a model is never measured on labels the review of its own flags produced.
    /// Works on any row shape (the calls, or <see cref="WarehouseCalls.ReadSplit"/>'s keys before their features are read).</summary>
    public static (List<T> Test, int SupervisorHeldOut) WithWarehouseLabels<T>(IEnumerable<T> test, Func<T, string> callId, Func<T, bool, T> withLabel, IReadOnlyDictionary<string, bool?>? supervisorDecided)
    {
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(callId);
        ArgumentNullException.ThrowIfNull(withLabel);
        var kept = new List<T>();
        var heldOut = 0;
        foreach (var call in test)
        {
            if (supervisorDecided is null || !supervisorDecided.TryGetValue(callId(call), out var warehouseLabel))
            {
                kept.Add(call);
                continue;
            }

            heldOut++;
            if (warehouseLabel is { } label)
            {
                kept.Add(withLabel(call, label));
            }
        }

        return (kept, heldOut);
    }

    /// <summary>As <see cref="Train(IReadOnlyList{CallFeatures}, TrainingOptions, IReadOnlyDictionary{string, bool?}?, CancellationToken)"/>
    /// on a split whose fit months are already sampled (<see cref="TrainingOptions.MaxFitCalls"/>), as
    /// <see cref="WarehouseCalls.ReadSplit"/> reads it: <paramref name="summary"/> says what the sample and the supervisor
    /// labels were before it, and the test months already carry the warehouse labels (<see cref="WithWarehouseLabels"/>).</summary>
    public TrainingResult Train(TimeSplit split, FitSampleSummary summary, TrainingOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(options);
        if (!ClassifierTrainers.All.Contains(options.Trainer))
        {
            throw new UsageException($"Unknown trainer '{options.Trainer}'; use one of {string.Join(", ", ClassifierTrainers.All)}.");
        }

        return TrainSampled(split, summary, options, _time.GetTimestamp(), cancellationToken);
    }

    /// <summary>How many of <paramref name="train"/> (call id, label used) carry a supervisor's decision, and how many of those
    /// differ from the warehouse label they replaced.</summary>
    public static (int Labels, int Changed) CountSupervisorLabels(IEnumerable<(string CallId, bool Label)> train, IReadOnlyDictionary<string, bool?>? supervisorDecided)
    {
        ArgumentNullException.ThrowIfNull(train);
        int labels = 0, changed = 0;
        if (supervisorDecided is not { Count: > 0 })
        {
            return (labels, changed);
        }

        foreach (var (callId, label) in train)
        {
            if (supervisorDecided.TryGetValue(callId, out var warehouseLabel))
            {
                labels++;
                changed += warehouseLabel != label ? 1 : 0;
            }
        }

        return (labels, changed);
    }

    private TrainingResult TrainSampled(TimeSplit split, FitSampleSummary summary, TrainingOptions options, long started, CancellationToken cancellationToken)
    {
        RequireBothClasses(split.Fit.Select(c => c.Label), "training");

        var ml = new MLContext(options.Seed);
        cancellationToken.ThrowIfCancellationRequested();
        var (probe, calibration, threshold, validationMetrics) = FitAndCalibrate(ml, split, options);

        cancellationToken.ThrowIfCancellationRequested();
        var model = options.Refit ? Fit(ml, split.Train, options) : probe;
        // One pass over the test months (read page by page when they come from the warehouse).
        var test = CallScorer.ScoreWithLabels(ml, model, split.Test);
        var testScores = test.Probabilities.Select(calibration.Apply).ToArray();
        var testMetrics = BinaryMetrics.Compute(testScores, test.Labels, threshold);
        var prevalenceSd = MonthlyResidualSd(test.DateKeys, test.Labels, testScores);
        var schema = InputSchema(ml);
        return new TrainingResult(model, schema, split, threshold, calibration, prevalenceSd, validationMetrics, testMetrics, _time.GetElapsedTime(started))
        {
            SupervisorLabels = summary.SupervisorLabels,
            SupervisorLabelsChanged = summary.SupervisorLabelsChanged,
            SupervisorLabelsHeldOut = summary.SupervisorLabelsHeldOut,
            ExtraNarratives = options.ExtraNarrativeWeight > 0 ? options.ExtraNarratives.Count : 0,
            FitCallsAvailable = summary.FitCallsAvailable,
        };
    }

    /// <summary><paramref name="count"/> calls at an even stride through <paramref name="calls"/> in date (then call id) order.</summary>
    public static List<T> EvenStride<T>(IReadOnlyList<T> calls, int count, Func<T, int> dateKey, Func<T, string> callId)
    {
        ArgumentNullException.ThrowIfNull(calls);
        var ordered = calls.OrderBy(dateKey).ThenBy(callId, StringComparer.Ordinal).ToList();
        return [.. Enumerable.Range(0, count).Select(i => ordered[(int)((long)i * ordered.Count / count)])];
    }

    /// <summary>Fits on the fit months (plus the extra narratives), calibrates on the validation months and picks the
    /// threshold there: what <see cref="Train(IReadOnlyList{CallFeatures}, TrainingOptions, CancellationToken)"/> and the
    /// cross-validation of the extra narratives' weight share.</summary>
    internal static CalibratedFit FitAndCalibrate(MLContext ml, TimeSplit split, TrainingOptions options)
    {
        var probe = Fit(ml, split.Fit, options);
        var validation = CallScorer.ScoreWithLabels(ml, probe, split.Validation);
        var rawValidation = validation.Probabilities;
        var validationLabels = validation.Labels;
        // Checked on the labels the scoring pass read, so a validation window read from the warehouse is read once.
        RequireBothClasses(validationLabels, "validation");
        var calibration = IsotonicCalibration.Fit(rawValidation, validationLabels);
        var validationScores = rawValidation.Select(calibration.Apply).ToArray();
        var threshold = ChooseThreshold(validationScores, validationLabels, options);
        return new CalibratedFit(probe, calibration, threshold, BinaryMetrics.Compute(validationScores, validationLabels, threshold));
    }

    /// <summary>The triage threshold: the highest reaching the recall target, raised if needed to keep the precision floor.</summary>
    public static double ChooseThreshold(IReadOnlyList<float> scores, IReadOnlyList<bool> labels, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var threshold = BinaryMetrics.ThresholdForRecall(scores, labels, options.RecallTarget);
        if (options.GapShare > 0)
        {
            threshold = BinaryMetrics.CenterInGap(scores, threshold, options.GapShare);
        }

        if (options.PrecisionFloor <= 0 || BinaryMetrics.Compute(scores, labels, threshold).Precision >= options.PrecisionFloor)
        {
            return threshold;
        }

        // Raise the threshold through the distinct scores above it until the precision floor holds (one sorted pass, not a
        // full metrics computation per candidate: that was quadratic in the validation calls).
        return BinaryMetrics.LowestThresholdReachingPrecision(scores, labels, threshold, options.PrecisionFloor) ?? threshold;
    }

    /// <summary>The calibration part of a monthly prevalence interval: the root mean square, over the months of the calls
    /// (given by their date keys and labels), of the difference between the mean probability and the labelled share, less
    /// the part the months' own Bernoulli variance explains (at least 0.005).</summary>
    public static double MonthlyResidualSd(IReadOnlyList<int> dateKeys, IReadOnlyList<bool> labels, IReadOnlyList<float> probabilities)
    {
        ArgumentNullException.ThrowIfNull(dateKeys);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(probabilities);
        var months = dateKeys.Select((d, i) => (Month: d / 100, Label: labels[i], P: (double)probabilities[i])).GroupBy(r => r.Month).ToList();
        if (months.Count == 0)
        {
            return 0.005;
        }

        double excess = 0;
        foreach (var month in months)
        {
            var n = month.Count();
            var difference = (month.Sum(r => r.P) - month.Count(r => r.Label)) / n;
            var noise = month.Sum(r => r.P * (1 - r.P)) / ((double)n * n);
            excess += (difference * difference) - noise;
        }

        return Math.Max(0.005, Math.Sqrt(Math.Max(0, excess / months.Count)));
    }

    /// <summary>Featurizes <paramref name="rows"/> and fits the learner on them.</summary>
    public static ITransformer Fit(MLContext ml, IReadOnlyList<CallFeatures> rows, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<CallFeatures> training = options.NarrativeOnlyCopies
            ? [.. rows, .. rows.Select(c => CallFeatures.Create(c.CallId, c.CallDateKey, c.Narrative, label: c.Label))]
            : rows;
        // Featurized chunk by chunk as the cache reads them: only the cache holds every row's vector.
        var featurized = CallScorer.Featurize(training);
        if (options.ExtraNarrativeWeight > 0 && options.ExtraNarratives.Count > 0)
        {
            featurized = featurized.Concat(CallScorer.Featurize(options.ExtraNarratives, (float)options.ExtraNarrativeWeight));
        }

        var data = ml.Data.Cache(CallScorer.ToDataView(ml, featurized));
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
                ExampleWeightColumnName = nameof(FeatureRow.Weight),
                // No L1: a dense model spreads weight over many n-grams, which holds up better on unseen wording.
                L1Regularization = 0f,
                L2Regularization = options.L2Regularization,
                MaximumNumberOfIterations = 30,
                NumberOfThreads = 1,
            }),
            // Trees cannot afford 2^19 hashed slots: keep only slots active in at least 20 training calls.
            ClassifierTrainers.LightGbm => ml.Transforms.FeatureSelection.SelectFeaturesBasedOnCount(FeatureRow.FeaturesColumn, count: 20).Append(binary.LightGbm(new LightGbmBinaryTrainer.Options
            {
                LabelColumnName = nameof(FeatureRow.Label),
                FeatureColumnName = FeatureRow.FeaturesColumn,
                ExampleWeightColumnName = nameof(FeatureRow.Weight),
                NumberOfLeaves = 16,
                NumberOfIterations = 200,
                LearningRate = 0.1,
                MinimumExampleCountPerLeaf = 20,
                Seed = options.Seed,
                NumberOfThreads = 1,
                Verbose = false,
                Silent = true,
            })),
            _ => ml.Transforms.FeatureSelection.SelectFeaturesBasedOnCount(FeatureRow.FeaturesColumn, count: 20).Append(binary.FastTree(new FastTreeBinaryTrainer.Options
            {
                LabelColumnName = nameof(FeatureRow.Label),
                FeatureColumnName = FeatureRow.FeaturesColumn,
                ExampleWeightColumnName = nameof(FeatureRow.Weight),
                NumberOfLeaves = 16,
                NumberOfTrees = 150,
                MinimumExampleCountPerLeaf = 20,
                LearningRate = 0.15,
                NumberOfThreads = 1,
            })),
        };
    }

    private static void RequireBothClasses(IEnumerable<bool> labels, string what)
    {
        int count = 0, positives = 0;
        foreach (var label in labels)
        {
            count++;
            positives += label ? 1 : 0;
        }

        if (positives == 0 || positives == count)
        {
            throw new TipwException($"The {what} months have {count} labelled call(s) of which {positives} TIP-related; both classes are needed. Load more hotline data first.");
        }
    }
}
