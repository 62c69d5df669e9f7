using DuckDB.NET.Data;
using TipWarehouse.Analytics.Disclosure;
using TipWarehouse.Core;

namespace TipWarehouse.Analytics.Reports;

/// <summary>
/// <c>regions</c>: per PNP directorate (or department) over a window: hotline calls, TIP calls, TIP-related police
/// reports and prosecution cases, conversion rates, with the region's mean poverty rate from the reference data; ranked
/// by TIP calls; with an active model, its prevalence estimate per region (<c>tip_share_model</c> with its 95% interval,
/// from the same calibrated probabilities as the monthly report). Reads <c>rpt.v_regional_monthly</c> and <c>rpt.v_region_reference</c>.
/// </summary>
public static class RegionsReport
{
    /// <summary>Disclosure rules: region rows add up to the national totals, which are published.</summary>
    public static readonly DisclosureSpec Disclosure = new(
        ["hotline_calls", "tip_calls", "calls_scored", "tip_reports", "tip_cases"],
        [
            new DerivedColumn("tip_share_of_calls", ["tip_calls", "hotline_calls"]),
            new DerivedColumn("tip_share_model", ["calls_scored"]),
            new DerivedColumn("tip_share_model_low", ["calls_scored"]),
            new DerivedColumn("tip_share_model_high", ["calls_scored"]),
            new DerivedColumn("reports_per_100_tip_calls", ["tip_reports", "tip_calls"]),
            new DerivedColumn("cases_per_report", ["tip_cases", "tip_reports"]),
        ]);

    /// <summary>Builds the report for <paramref name="request"/>.</summary>
    public static ResultTable Build(DuckDBConnection connection, ReportRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var nameColumn = request.Level == RegionLevel.Department ? "department_name" : "pnp_directorate";
        var level = request.Level == RegionLevel.Department ? "department" : "directorate";
        var facts = ReportSql.Read(connection, $"""
            SELECT {nameColumn}, year_month, hotline_calls, tip_calls, tip_reports, tip_cases, {MonthlyReport.PosteriorColumns}
            FROM rpt.v_regional_monthly
            """).Rows
            .Select(r => (
                Region: (string)r[0]!,
                Month: ReportSql.Month(r[1]),
                Counts: r.Skip(2).Take(5).Select(ReportSql.Long).ToArray(),
                Posterior: MonthlyReport.ReadPosteriorSums(r, 6)))
            .ToArray();
        var window = facts.Length == 0
            ? ReportWindow.Resolve(request, null, null)
            : ReportWindow.Resolve(request, facts.Min(f => f.Month), facts.Max(f => f.Month));

        var reference = ReportSql.Read(connection, "SELECT region_name, districts, poverty_rate_pct FROM rpt.v_region_reference WHERE region_level = $level", ("level", level)).Rows
            .ToDictionary(r => (string)r[0]!, r => (Districts: ReportSql.Long(r[1]), Poverty: ReportSql.Double(r[2])), StringComparer.Ordinal);

        // Per region: the four counts and the scored calls, and the posterior sums of the model's estimate.
        var totals = new Dictionary<string, long[]>(StringComparer.Ordinal);
        var model = new Dictionary<string, PosteriorSums>(StringComparer.Ordinal);
        var usable = NoiseRates.Read(connection)?.Usable == true;
        foreach (var region in reference.Keys)
        {
            totals[region] = new long[5];
        }

        foreach (var fact in facts.Where(f => window.Contains(f.Month)))
        {
            if (!totals.TryGetValue(fact.Region, out var sum))
            {
                totals[fact.Region] = sum = new long[5];
            }

            for (var i = 0; i < 5; i++)
            {
                sum[i] += fact.Counts[i];
            }

            model[fact.Region] = model.GetValueOrDefault(fact.Region) + fact.Posterior;
        }

        var hasModel = totals.Values.Any(t => t[4] > 0);

        var ranked = totals.OrderByDescending(t => t.Value[1]).ThenByDescending(t => t.Value[2]).ThenBy(t => t.Key, StringComparer.Ordinal).ToArray();
        var columns = new ResultColumn[]
        {
            new("rank", typeof(int)),
            new(level, typeof(string)),
            new("hotline_calls", typeof(long)),
            new("tip_calls", typeof(long)),
            new("tip_share_of_calls", typeof(double)),
            new("calls_scored", typeof(long)),
            new("tip_share_model", typeof(double)),
            new("tip_share_model_low", typeof(double)),
            new("tip_share_model_high", typeof(double)),
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
            PrevalenceEstimate? estimate = c[4] > 0 && usable ? Prevalence.FromPosteriorSums(model.GetValueOrDefault(t.Key)) : null;
            return new object?[]
            {
                i + 1, t.Key, c[0], c[1], ReportSql.Ratio(c[1], c[0]),
                hasModel ? c[4] : null, Finite(estimate?.Share), Finite(estimate?.Low), Finite(estimate?.High),
                c[2], ReportSql.Ratio(c[2], c[1], 100), c[3], ReportSql.Ratio(c[3], c[2]),
                refData.Poverty is { } p ? Math.Round(p, 2) : null, refData.Districts,
            };
        }).ToArray();

        var notes = new List<string>
        {
            $"Per {level}, {window}, ranked by TIP calls (then TIP reports). Calls are placed by the caller's district, reports by the report's district, cases by the prosecution case's district; unknown locations are kept so regions add up to the national totals.",
            "poverty_rate_pct is the unweighted mean of the region's districts' poverty rates (reference data), not population-weighted.",
        };
        notes.Add(hasModel
            ? "tip_share_model is the active model's prevalence estimate for the region's scored calls, as in the monthly report (the mean of each call's chance of being TIP given its calibrated probability and operator category, correcting the operators' label noise; not the flag count); tip_share_model_low/high bound its 95% interval (Bernoulli variance and the noise rates' uncertainty; the month-to-month dispersion is measured nationally and not added)."
            : "tip_share_model is empty: no call in the window has been scored by an active model ('tipw model train --activate', 'tipw model score').");
        return new ResultTable(columns, rows, notes);
    }

    // Rounded like the report's other shares (ReportSql.Ratio); an estimate that cannot be made is left empty.
    private static double? Finite(double? value) => value is { } v && !double.IsNaN(v) ? Math.Round(v, 4) : null;
}
