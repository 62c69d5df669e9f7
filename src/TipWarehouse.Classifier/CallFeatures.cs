using Microsoft.ML.Data;

namespace TipWarehouse.Classifier;

/// <summary>One hotline call as the model sees it: the narrative and the structured fields, plus the label when training.</summary>
/// <remarks>Build rows with <see cref="Create"/>, which derives the bands; missing numbers are NaN and missing categories
/// empty strings, so a CSV with only a narrative scores too.</remarks>
public sealed class CallFeatures
{
    /// <summary>The hotline's call identifier (not a feature).</summary>
    public string CallId { get; set; } = string.Empty;

    /// <summary>The call date as yyyymmdd (not a feature; drives the time-based split).</summary>
    public int CallDateKey { get; set; }

    /// <summary>The PII-scrubbed narrative (relato).</summary>
    public string Narrative { get; set; } = string.Empty;

    /// <summary>Caller type code (victim, relative, witness, anonymous, institution).</summary>
    public string CallerType { get; set; } = string.Empty;

    /// <summary>Victim sex (M, F or empty).</summary>
    public string Sex { get; set; } = string.Empty;

    /// <summary>Department (region) of the caller's district.</summary>
    public string Department { get; set; } = string.Empty;

    /// <summary>Part of the day of the call (madrugada, manana, tarde, noche) or empty.</summary>
    public string HourBand { get; set; } = string.Empty;

    /// <summary>Victim age band (nino, adolescente, joven, adulto) or empty.</summary>
    public string AgeBand { get; set; } = string.Empty;

    /// <summary>Victim age in years, NaN when unknown.</summary>
    public float VictimAge { get; set; } = float.NaN;

    /// <summary>1 when the victim is a minor, 0 when not, NaN when unknown.</summary>
    public float IsMinor { get; set; } = float.NaN;

    /// <summary>log(1 + call duration in seconds), NaN when unknown.</summary>
    public float LogDuration { get; set; } = float.NaN;

    /// <summary>The training label: TIP-related or not (ignored when scoring).</summary>
    public bool Label { get; set; }

    /// <summary>A copy of this row with another label.</summary>
    public CallFeatures WithLabel(bool label)
    {
        var copy = (CallFeatures)MemberwiseClone();
        copy.Label = label;
        return copy;
    }

    /// <summary>Builds a row from raw values, deriving the hour and age bands and the log duration.</summary>
    public static CallFeatures Create(
        string? callId,
        int callDateKey,
        string? narrative,
        string? callerType = null,
        string? sex = null,
        string? department = null,
        int? hour = null,
        int? victimAge = null,
        bool? isMinor = null,
        int? durationSec = null,
        bool label = false) => new()
        {
            CallId = callId ?? string.Empty,
            CallDateKey = callDateKey,
            Narrative = narrative ?? string.Empty,
            CallerType = (callerType ?? string.Empty).Trim().ToUpperInvariant(),
            Sex = (sex ?? string.Empty).Trim().ToUpperInvariant(),
            Department = (department ?? string.Empty).Trim().ToUpperInvariant(),
            HourBand = hour switch
            {
                null or < 0 or > 23 => string.Empty,
                < 6 => "madrugada",
                < 12 => "manana",
                < 18 => "tarde",
                _ => "noche",
            },
            AgeBand = victimAge switch
            {
                null or < 0 or > 120 => string.Empty,
                < 12 => "nino",
                < 18 => "adolescente",
                < 25 => "joven",
                _ => "adulto",
            },
            VictimAge = victimAge is >= 0 and <= 120 ? victimAge.Value : float.NaN,
            IsMinor = isMinor switch { true => 1f, false => 0f, null => victimAge is >= 0 and <= 120 ? (victimAge < 18 ? 1f : 0f) : float.NaN },
            LogDuration = durationSec is >= 0 ? MathF.Log(1f + durationSec.Value) : float.NaN,
            Label = label,
        };
}

/// <summary>What the model adds to a <see cref="CallFeatures"/> row.</summary>
public sealed class CallPrediction
{
    /// <summary>The calibrated probability that the call is TIP-related.</summary>
    public float Probability { get; set; }

    /// <summary>The raw margin of the trainer.</summary>
    public float Score { get; set; }

    /// <summary>The call identifier carried through.</summary>
    public string CallId { get; set; } = string.Empty;
}

/// <summary>A featurized call as ML.NET sees it: the sparse vector of <see cref="TextFeaturizer"/> and the label.</summary>
internal sealed class FeatureRow
{
    public const string FeaturesColumn = "Features";

    public VBuffer<float> Features { get; set; }

    public bool Label { get; set; }

    /// <summary>The example weight in training (1 for a warehouse call; <see cref="TrainingOptions.ExtraNarrativeWeight"/> for an extra narrative).</summary>
    public float Weight { get; set; } = 1f;
}
