using DuckDB.NET.Data;
using TipWarehouse.Analytics.Disclosure;
using TipWarehouse.Core;

namespace TipWarehouse.Analytics.Reports;

/// <summary>One canned report as <c>tipw docs</c> lists it: its name, what it shows and the relations (<c>rpt</c> views, or a table) its SQL reads.</summary>
public sealed record ReportInfo(string Name, string Description, IReadOnlyList<string> Reads);

/// <summary>The canned reports of <c>tipw report NAME</c>: runs one and applies disclosure control when publishing.</summary>
public static class ReportCatalog
{
    /// <summary>Report names, as typed on the command line.</summary>
    public static readonly IReadOnlyList<string> Names = ["monthly", "funnel", "regions", "referrals", "training-effect", "law-effect", "definitions"];

    /// <summary>Every report with its description and the relations it reads (kept next to each report's SQL; a test checks each exists in the model).</summary>
    public static readonly IReadOnlyList<ReportInfo> Entries =
    [
        new("monthly", "Nationwide figures per period: hotline calls, calls flagged TIP-related, police reports, arrests, the prosecution funnel and the TIP series.", ["rpt.v_monthly_national", "rpt.v_tip_monthly"]),
        new("funnel", "The case funnel over a window: cases reaching each stage, conversion from the previous stage and median days between stages.", ["rpt.v_funnel_cases"]),
        new("regions", "Figures per region (PNP directorate or department) with reference data: districts and poverty rate.", ["rpt.v_regional_monthly", "rpt.v_region_reference"]),
        new("referrals", "Hotline TIP calls referred to police stations per directorate: share referred, hours to referral, share cited by a police report.", ["rpt.v_tip_call_referrals"]),
        new("training-effect", "Difference-in-differences of directorate KPIs before and after their stations were trained.", ["rpt.v_directorate_monthly", "rpt.v_station_training"]),
        new("law-effect", "Interrupted time series of a national monthly KPI around Law 28950 (January 2007): segmented regression with Newey-West standard errors.", ["rpt.v_monthly_national"]),
        new("definitions", "The TIP definition the warehouse was determined by (its version) and the records it counts per level, TIP status and related series.", ["dw.tip_determination"]),
    ];

    /// <summary>Reports that have a PNG chart.</summary>
    public static readonly IReadOnlyList<string> Charted = ["monthly", "funnel", "regions"];

    // The reports whose published cells are cells of the one PublicationCube.
    private static readonly string[] s_cubeReports = ["monthly", "regions", "referrals", "funnel"];

    /// <summary>Runs report <paramref name="name"/>; with <see cref="ReportRequest.Publish"/> the result is disclosure-controlled.</summary>
    public static ResultTable Run(DuckDBConnection connection, string name, ReportRequest request)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(request);
        if (request.Publish && s_cubeReports.Contains(name) && PublicationCube.Grid(connection) is { } grid)
        {
            // A published report is cut from the cube's grid: a default window is the whole grid, never a partial period.
            request = request with { From = request.From ?? grid.First, To = request.To ?? grid.Last };
        }

        var (table, spec) = name switch
        {
            "monthly" => (MonthlyReport.Build(connection, request), MonthlyReport.Disclosure),
            "funnel" => (FunnelReport.Build(connection, request), FunnelReport.Disclosure),
            "regions" => (RegionsReport.Build(connection, request), RegionsReport.Disclosure),
            "referrals" => (ReferralsReport.Build(connection, request), ReferralsReport.Disclosure),
            "training-effect" => (TrainingEffectReport.Build(connection, request), TrainingEffectReport.Disclosure),
            "law-effect" => (LawEffectReport.Build(connection, request), LawEffectReport.Disclosure),
            "definitions" => (DefinitionsReport.Build(connection), DefinitionsReport.Disclosure),
            _ => throw new UsageException($"Unknown report '{name}'. Reports: {string.Join(", ", Names)}."),
        };

        if (!request.Publish)
        {
            return table;
        }

        // Reference counts (a region's number of districts) are not sensitive, but small ones would read like unsuppressed cells.
        var districts = table.IndexOf("districts");
        if (districts >= 0)
        {
            table = new ResultTable(
                table.Columns.Where((_, i) => i != districts).ToArray(),
                table.Rows.Select(r => r.Where((_, i) => i != districts).ToArray()).ToArray(),
                table.Notes);
        }

        var policy = DisclosurePolicy.Default;
        var published = name switch
        {
            "monthly" => MonthlyDisclosure.Publish(connection, table, request, policy),
            "regions" or "referrals" or "funnel" => CubeCut.Publish(connection, name, table, request, policy),
            _ => DisclosureControl.Apply(table, spec, request.K, c => policy.ThresholdOf(c, request.K)).Table,
        };
        published = WithPolicyNote(published, spec, policy, request.K);
        if (spec.CountColumns.Count == 0)
        {
            var notes = published.Notes.Append("This report holds model estimates, not counts of people or records, so no cell is suppressed; its inputs are national or directorate monthly aggregates.").ToArray();
            return new ResultTable(published.Columns, published.Rows, notes);
        }

        return published;
    }

    private static ResultTable WithPolicyNote(ResultTable table, DisclosureSpec spec, DisclosurePolicy policy, int k)
    {
        if (spec.CountColumns.Count == 0)
        {
            return table;
        }

        var persons = spec.CountColumns.Where(c => policy.ClassOf(c) == MeasureClass.Persons).ToArray();
        var unlisted = spec.CountColumns.Where(c => !policy.Lists(c)).ToArray();
        var note = $"Disclosure policy (reference/disclosure_policy.yaml): counts of persons are published from k={k}"
            + (persons.Length > 0 ? $" ({string.Join(", ", persons)})" : "")
            + $", counts of institutional acts from k={policy.ThresholdOf(spec.CountColumns.FirstOrDefault(c => policy.ClassOf(c) == MeasureClass.Institutional) ?? "", k)}; shares and rates of a suppressed count are suppressed."
            + (unlisted.Length > 0 ? $" Not in the policy, so treated as counts of persons: {string.Join(", ", unlisted)}." : "");
        return new ResultTable(table.Columns, table.Rows, table.Notes.Append(note).ToArray());
    }
}
