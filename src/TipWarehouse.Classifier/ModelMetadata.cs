using System.Text.Json;
using System.Text.Json.Serialization;
using TipWarehouse.Core;

namespace TipWarehouse.Classifier;

/// <summary>What is saved beside <c>model.zip</c> (<c>metadata.json</c>): how the model was trained and how well it did.</summary>
public sealed record ModelMetadata
{
    /// <summary>The model's unique name, e.g. <c>tip-call-sdca-20080115120000</c>.</summary>
    public required string ModelName { get; init; }

    /// <summary>sdca, lightgbm or fasttree.</summary>
    public required string Trainer { get; init; }

    /// <summary>When it was trained (from the injected clock).</summary>
    public required DateTimeOffset TrainedAt { get; init; }

    /// <summary>The probability at or above which a call is flagged.</summary>
    public required double Threshold { get; init; }

    /// <summary>How the threshold was chosen.</summary>
    public string ThresholdRule { get; init; } = string.Empty;

    /// <summary>The recall the threshold was chosen to reach on the validation slice.</summary>
    public required double RecallTarget { get; init; }

    /// <summary>The precision the threshold had to keep on the validation slice (0: none).</summary>
    public double PrecisionFloor { get; init; }

    /// <summary>The Platt calibration of models trained before isotonic calibration (fitted on the validation slice); null
    /// for newer models and for models trained before calibration existed.</summary>
    public PlattCalibration? Calibration { get; init; }

    /// <summary>The isotonic calibration applied to the learner's probabilities (fitted on the validation slice).</summary>
    public IsotonicCalibration? IsotonicCalibration { get; init; }

    /// <summary>The calibration the scorer applies: isotonic, else the older Platt, else none.</summary>
    public IProbabilityCalibration Calibrator() => (IProbabilityCalibration?)IsotonicCalibration ?? Calibration ?? PlattCalibration.Identity;

    /// <summary>The calibration's name, as the model card shows it.</summary>
    public string CalibrationMethod => IsotonicCalibration is not null ? "isotonic (pool adjacent violators), fitted on the validation months"
        : Calibration is not null ? "Platt, fitted on the validation months" : "none";

    /// <summary>The calibration standard deviation of a monthly prevalence estimate (see
    /// <see cref="CallClassifierTrainer.MonthlyResidualSd"/>), measured on the test months.</summary>
    public double PrevalenceSd { get; init; }

    /// <summary>The features the model uses.</summary>
    public required IReadOnlyList<string> Features { get; init; }

    /// <summary>Where the training labels came from.</summary>
    public required string LabelSource { get; init; }

    /// <summary>First day of the training months.</summary>
    public required DateOnly TrainFrom { get; init; }

    /// <summary>Last day of the training months.</summary>
    public required DateOnly TrainTo { get; init; }

    /// <summary>First day of the validation slice (the last training months).</summary>
    public required DateOnly ValidationFrom { get; init; }

    /// <summary>First day of the test months.</summary>
    public required DateOnly TestFrom { get; init; }

    /// <summary>Last day of the test months.</summary>
    public required DateOnly TestTo { get; init; }

    /// <summary>Labelled calls used to fit the final model (all training months).</summary>
    public required int TrainRows { get; init; }

    /// <summary>TIP-labelled calls among them.</summary>
    public required int TrainPositives { get; init; }

    /// <summary>Labelled calls of the validation slice.</summary>
    public required int ValidationRows { get; init; }

    /// <summary>Labelled calls of the test months.</summary>
    public required int TestRows { get; init; }

    /// <summary>Calls without a label (no operator category, no TIP link), left out.</summary>
    public required int UnlabelledExcluded { get; init; }

    /// <summary>Supervisor decisions (<c>meta.call_label_decision</c>) used as labels in the fit and validation months.</summary>
    public int SupervisorLabels { get; init; }

    /// <summary>Of those, how many changed the warehouse label (or labelled a call that had none).</summary>
    public int SupervisorLabelsChanged { get; init; }

    /// <summary>Supervisor decisions on calls of the test months, not used (the test months keep the warehouse labels).</summary>
    public int SupervisorLabelsHeldOut { get; init; }

    /// <summary>Labelled narratives without call fields added to the fit months (the hand-written tuning narratives by default).</summary>
    public int ExtraNarratives { get; init; }

    /// <summary>The example weight of each extra narrative (a warehouse call weighs 1).</summary>
    public double ExtraNarrativeWeight { get; init; }

    /// <summary>The file the extra narratives came from (empty when none).</summary>
    public string ExtraNarrativesSource { get; init; } = string.Empty;

    /// <summary>Labelled calls of the fit months before the cap on fitted calls (<c>train_rows</c> when nothing was left out).</summary>
    public int FitCallsAvailable { get; init; }

    /// <summary>Training calls dropped because their narrative also occurs in the test months.</summary>
    public required int DuplicatesRemoved { get; init; }

    /// <summary>Wall time of the training run, in seconds.</summary>
    public required double TrainingSeconds { get; init; }

    /// <summary>The MLContext seed.</summary>
    public required int Seed { get; init; }

    /// <summary>Metrics on the validation slice (warehouse labels), at the threshold.</summary>
    public required BinaryMetrics ValidationMetrics { get; init; }

    /// <summary>Metrics on the test months (warehouse labels), at the threshold.</summary>
    public required BinaryMetrics TestMetrics { get; init; }

    private static readonly JsonSerializerOptions s_json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes the metadata as indented JSON.</summary>
    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, s_json));

    /// <summary>Reads <c>metadata.json</c>.</summary>
    public static ModelMetadata Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new TipwException($"The model metadata {path} is missing; retrain with 'tipw model train'.");
        }

        try
        {
            return JsonSerializer.Deserialize<ModelMetadata>(File.ReadAllText(path), s_json)
                ?? throw new TipwException($"The model metadata {path} is empty.");
        }
        catch (JsonException ex)
        {
            throw new TipwException($"The model metadata {path} is not valid JSON: {ex.Message}", ex);
        }
    }
}
