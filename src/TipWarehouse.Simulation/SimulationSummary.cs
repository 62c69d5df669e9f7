namespace TipWarehouse.Simulation;

/// <summary>Progress of a simulation stage (hotline days, police rows, prosecution months).</summary>
public sealed record SimulationProgress(string Stage, long Done, long Total);

/// <summary>Counts of the defects actually injected into what was materialized.</summary>
public sealed record DefectCounts
{
    public int DuplicateCallLines { get; init; }

    public int MissingUbigeo { get; init; }

    public int InvalidUbigeo { get; init; }

    public int IneiUbigeo { get; init; }

    public int MalformedDates { get; init; }

    public int TruncatedLines { get; init; }

    public IReadOnlyList<string> Utf8Files { get; init; } = [];

    public int MistypedReportNumbers { get; init; }

    public int MissingReportNumbers { get; init; }

    public int LateEvents { get; init; }

    public int PoliceLateCorrections { get; init; }
}

/// <summary>What a simulation run materialized, with the calibration figures it can be checked against.</summary>
public sealed record SimulationSummary
{
    [System.Text.Json.Serialization.JsonIgnore]
    public string OutputDirectory { get; init; } = "";

    public required DateOnly From { get; init; }

    public required DateOnly To { get; init; }

    public required DateOnly AsOf { get; init; }

    public required long Seed { get; init; }

    public required double Scale { get; init; }

    public int HotlineCalls { get; init; }

    public int TipCalls { get; init; }

    public double TipShare => HotlineCalls == 0 ? 0 : (double)TipCalls / HotlineCalls;

    public IReadOnlyDictionary<string, int> CallsByMonth { get; init; } = new Dictionary<string, int>();

    public int HotlineFilesWritten { get; init; }

    public int HotlineFilesKept { get; init; }

    public int Stations { get; init; }

    public int PoliceReports { get; init; }

    public int TipPoliceReports { get; init; }

    public int HotlinePoliceReports { get; init; }

    public int Persons { get; init; }

    public int Arrests { get; init; }

    public int PoliceRowsInserted { get; init; }

    public int PoliceRowsUpdated { get; init; }

    public int ProsecutionCases { get; init; }

    public int TipProsecutionCases { get; init; }

    public int ProsecutionEvents { get; init; }

    public int ProsecutionFilesWritten { get; init; }

    public int ProsecutionFilesKept { get; init; }

    /// <summary>TIP-related cases received by prosecutors, by calibration period ("2005", "2006-01..07", "2006-08..12", "2007").</summary>
    public IReadOnlyDictionary<string, int> TipCasesPassed { get; init; } = new Dictionary<string, int>();

    /// <summary>People formally charged with pimping (article 181) in 2006.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("pimping_charged_2006")]
    public int PimpingChargedIn2006 { get; init; }

    /// <summary>TIP convictions by year of sentence.</summary>
    public IReadOnlyDictionary<string, int> TipConvictions { get; init; } = new Dictionary<string, int>();

    public DefectCounts Defects { get; init; } = new();
}
