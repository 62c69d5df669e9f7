using DuckDB.NET.Data;
using TipWarehouse.Analytics.Disclosure;
using TipWarehouse.Analytics.Statistics;
using TipWarehouse.Core;

namespace TipWarehouse.Analytics.Reports;

/// <summary>
/// <c>referrals</c>: hotline-to-police referrals of TIP calls per directorate: share referred, median hours to referral,
/// share of referred calls that a police report cites. Reads <c>rpt.v_tip_call_referrals</c>.
/// </summary>
public static class ReferralsReport
{
    /// <summary>Disclosure rules: directorate rows add up to national totals; shares and medians derive from the counts.</summary>
    public static readonly DisclosureSpec Disclosure = new(
        ["tip_calls", "referred_calls", "referred_became_report"],
        [
            new DerivedColumn("share_referred", ["referred_calls", "tip_calls"]),
            new DerivedColumn("median_hours_to_referral", ["referred_calls"]),
            new DerivedColumn("share_referred_became_report", ["referred_became_report", "referred_calls"]),
        ]);

    /// <summary>Builds the report for <paramref name="request"/>.</summary>
    public static ResultTable Build(DuckDBConnection connection, ReportRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var calls = ReportSql.Read(connection, "SELECT directorate, year_month, is_referred, hours_to_referral, became_report, call_count FROM rpt.v_tip_call_referrals").Rows
            .Select(r => (Directorate: (string?)r[0] ?? "Desconocida", Month: ReportSql.Month(r[1]), Referred: ReportSql.Flag(r[2]), Hours: ReportSql.Double(r[3]), Report: ReportSql.Flag(r[4]), Count: ReportSql.Long(r[5])))
            .ToArray();
        var window = calls.Length == 0
            ? ReportWindow.Resolve(request, null, null)
            : ReportWindow.Resolve(request, calls.Min(c => c.Month), calls.Max(c => c.Month));
        var selected = calls.Where(c => window.Contains(c.Month)).ToArray();

        var columns = new ResultColumn[]
        {
            new("directorate", typeof(string)),
            new("tip_calls", typeof(long)),
            new("referred_calls", typeof(long)),
            new("share_referred", typeof(double)),
            new("median_hours_to_referral", typeof(double)),
            new("referred_became_report", typeof(long)),
            new("share_referred_became_report", typeof(double)),
        };
        // Directorate names differ between the police system and the geography reference: group by a normalized key
        // and show the most frequent spelling.
        var rows = selected.GroupBy(c => DirectorateName.Key(c.Directorate), StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var name = g.GroupBy(c => c.Directorate, StringComparer.Ordinal).OrderByDescending(n => n.Count()).ThenBy(n => n.Key, StringComparer.Ordinal).First().Key;
            var tip = g.Sum(c => c.Count);
            var referred = g.Where(c => c.Referred).Sum(c => c.Count);
            var reported = g.Where(c => c.Referred && c.Report).Sum(c => c.Count);
            var hours = g.Where(c => c.Referred && c.Hours is not null).Select(c => c.Hours!.Value).ToArray();
            var median = Distributions.Median(hours);
            return new object?[] { name, tip, referred, ReportSql.Ratio(referred, tip), median is { } m ? Math.Round(m, 2) : null, reported, ReportSql.Ratio(reported, referred) };
        }).ToArray();

        var notes = new List<string>
        {
            $"Hotline calls flagged TIP-related by operators, {window}, per directorate of the police station they were referred to (the caller's district's directorate when not referred).",
            "A referred call 'became a report' when a police report cites it (source_call_id).",
        };
        if (selected.Length > 0 && !selected.Any(c => c.Report))
        {
            notes.Add("No police report cites a hotline call in this window yet: share_referred_became_report is 0 until police reports with source call ids are loaded.");
        }

        return new ResultTable(columns, rows, notes);
    }
}
