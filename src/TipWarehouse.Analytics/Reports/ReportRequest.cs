namespace TipWarehouse.Analytics.Reports;

/// <summary>What a report is asked for: window, grouping, KPI and disclosure control.</summary>
public sealed record ReportRequest
{
    /// <summary>First month of the window (inclusive); null means the first month with data.</summary>
    public YearMonth? From { get; init; }

    /// <summary>Last month of the window (inclusive); null means the last month with data.</summary>
    public YearMonth? To { get; init; }

    /// <summary>Period grouping of time-series reports.</summary>
    public PeriodGrain By { get; init; } = PeriodGrain.Month;

    /// <summary>Level of the regions report.</summary>
    public RegionLevel Level { get; init; } = RegionLevel.Directorate;

    /// <summary>The KPI of training-effect and law-effect; null means the report's default.</summary>
    public string? Kpi { get; init; }

    /// <summary>Funnel: count every linked case, not only the TIP ones (<c>--all-cases</c>).</summary>
    public bool AllCases { get; init; }

    /// <summary>Apply disclosure control (primary and secondary suppression under <see cref="K"/>).</summary>
    public bool Publish { get; init; }

    /// <summary>The disclosure threshold: published counts are 0 or at least k.</summary>
    public int K { get; init; } = 10;

    /// <summary>Bootstrap replications of the training-effect confidence intervals.</summary>
    public int BootstrapReplications { get; init; } = 999;

    /// <summary>Seed of the bootstrap, so the same data always gives the same interval.</summary>
    public int BootstrapSeed { get; init; } = 20070401;
}
