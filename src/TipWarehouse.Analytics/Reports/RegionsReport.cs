using DuckDB.NET.Data;
using TipWarehouse.Analytics.Disclosure;
using TipWarehouse.Core;

namespace TipWarehouse.Analytics.Reports;

/// <summary>
/// <c>regions</c>: per PNP directorate (or department) over a window: hotline calls, TIP calls, TIP-related police
/// reports and prosecution cases, conversion rates, with the region's mean poverty rate from the reference data; ranked
/// by TIP calls. Reads <c>rpt.v_regional_monthly</c> and <c>rpt.v_region_reference</c>.
/// </summary>
public static class RegionsReport
{
    /// <summary>Disclosure rules: region rows add up to the national totals, which are published.</summary>
    public static readonly DisclosureSpec Disclosure = new(
        ["hotline_calls", "tip_calls", "tip_reports", "tip_cases"],
        [
            new DerivedColumn("tip_share_of_calls", ["tip_calls", "hotline_calls"]),
            new DerivedColumn("reports_per_100_tip_calls", ["tip_reports", "tip_calls"]),
            new DerivedColumn("cases_per_report", ["tip_cases", "tip_reports"]),
        ]);

    /// <summary>Builds the report for <paramref name="request"/>.</summary>
    public static ResultTable Build(DuckDBConnection connection, ReportRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var nameColumn = request.Level == RegionLevel.Department ? "department_name" : "pnp_directorate";
        var level = request.Level == RegionLevel.Department ? "department" : "directorate";
        var facts = ReportSql.Read(connection, $"SELECT {nameColumn}, year_month, hotline_calls, tip_calls, tip_reports, tip_cases FROM rpt.v_regional_monthly").Rows
            .Select(r => (Region: (string)r[0]!, Month: ReportSql.Month(r[1]), Counts: r.Skip(2).Select(ReportSql.Long).ToArray()))
            .ToArray();
        var window = facts.Length == 0
            ? ReportWindow.Resolve(request, null, null)
            : ReportWindow.Resolve(request, facts.Min(f => f.Month), facts.Max(f => f.Month));

        var reference = ReportSql.Read(connection, "SELECT region_name, districts, poverty_rate_pct FROM rpt.v_region_reference WHERE region_level = $level", ("level", level)).Rows
            .ToDictionary(r => (string)r[0]!, r => (Districts: ReportSql.Long(r[1]), Poverty: ReportSql.Double(r[2])), StringComparer.Ordinal);

        var totals = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var region in reference.Keys)
        {
            totals[region] = new long[4];
        }

        foreach (var fact in facts.Where(f => window.Contains(f.Month)))
        {
            if (!totals.TryGetValue(fact.Region, out var sum))
            {
                totals[fact.Region] = sum = new long[4];
            }

            for (var i = 0; i < 4; i++)
            {
                sum[i] += fact.Counts[i];
            }
        }

        var ranked = totals.OrderByDescending(t => t.Value[1]).ThenByDescending(t => t.Value[2]).ThenBy(t => t.Key, StringComparer.Ordinal).ToArray();
        var columns = new ResultColumn[]
        {
            new("rank", typeof(int)),
            new(level, typeof(string)),
            new("hotline_calls", typeof(long)),
            new("tip_calls", typeof(long)),
            new("tip_share_of_calls", typeof(double)),
            new("tip_reports", typeof(long)),
            new("reports_per_100_tip_calls", typeof(double)),
            new("tip_cases", typeof(long)),
            new("cases_per_report", typeof(double)),
            new("poverty_rate_pct", typeof(double)),
            new("districts", typeof(long)),
        };
        var rows = ranked.Select((t, i) =>
        {
            var c = t.Value;
            reference.TryGetValue(t.Key, out var refData);
            return new object?[]
            {
                i + 1, t.Key, c[0], c[1], ReportSql.Ratio(c[1], c[0]), c[2], ReportSql.Ratio(c[2], c[1], 100), c[3], ReportSql.Ratio(c[3], c[2]),
                refData.Poverty is { } p ? Math.Round(p, 2) : null, refData.Districts,
            };
        }).ToArray();

        var notes = new List<string>
        {
            $"Per {level}, {window}, ranked by TIP calls (then TIP reports). Calls are placed by the caller's district, reports by the report's district, cases by the prosecution case's district; unknown locations are kept so regions add up to the national totals.",
            "poverty_rate_pct is the unweighted mean of the region's districts' poverty rates (reference data), not population-weighted.",
        };
        return new ResultTable(columns, rows, notes);
    }
}
