using DuckDB.NET.Data;
using TipWarehouse.Analytics.Disclosure;
using TipWarehouse.Analytics.Statistics;
using TipWarehouse.Core;

namespace TipWarehouse.Analytics.Reports;

/// <summary>
/// <c>funnel</c>: for the cases that entered in a window (first contact: call, else report, else prosecution), how many
/// reached each stage (call → report → prosecution → charge → trial → conviction → prison), the share of the previous
/// stage's cases that went on, and the median days between the two stages. Reads <c>rpt.v_funnel_cases</c>, which the
/// linkage pipeline's case-lifecycle snapshot feeds.
/// </summary>
public static class FunnelReport
{
    /// <summary>The funnel stages, in order, with the <c>rpt.v_funnel_cases</c> column holding each stage's date key.</summary>
    public static readonly IReadOnlyList<(string Stage, string DateColumn)> Stages =
    [
        ("call", "call_date_key"),
        ("report", "report_date_key"),
        ("prosecution", "prosecution_date_key"),
        ("charge", "charge_date_key"),
        ("trial", "trial_date_key"),
        ("conviction", "conviction_date_key"),
        ("prison", "prison_date_key"),
    ];

    /// <summary>Disclosure rules: stage counts are not additive, conversions and medians derive from the counts.</summary>
    public static readonly DisclosureSpec Disclosure = new(
        ["cases", "previous_stage_cases", "cases_from_previous"],
        [
            new DerivedColumn("conversion_from_previous", ["cases_from_previous", "previous_stage_cases"]),
            new DerivedColumn("median_days_from_previous", ["cases_from_previous"]),
        ],
        ColumnTotalsPublished: false);

    /// <summary>Builds the report for <paramref name="request"/>.</summary>
    public static ResultTable Build(DuckDBConnection connection, ReportRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var dateColumns = string.Join(", ", Stages.Select(s => s.DateColumn));
        var cases = ReportSql.Read(connection, $"SELECT entry_year_month, is_tip_related, {dateColumns} FROM rpt.v_funnel_cases").Rows
            .Select(r => (Entry: ReportSql.Month(r[0]), Tip: ReportSql.Flag(r[1]), Dates: r.Skip(2).Select(ReportSql.DateKey).ToArray()))
            .ToArray();

        var notes = new List<string>();
        ReportWindow window;
        if (cases.Length == 0)
        {
            notes.Add("No linked cases yet: the case-lifecycle snapshot (dw.fact_case_lifecycle) is empty; run the linkage pipeline to fill it. Every stage shows 0.");
            var series = MonthlyReport.ReadSeries(connection);
            var (first, last) = MonthlyReport.DataRange(series);
            window = request.From is null && first is null ? new ReportWindow(YearMonth.HotlineOpened, YearMonth.HotlineOpened) : ReportWindow.Resolve(request, first, last);
        }
        else
        {
            window = ReportWindow.Resolve(request, cases.Min(c => c.Entry), cases.Max(c => c.Entry));
        }

        var inWindow = cases.Where(c => window.Contains(c.Entry)).ToArray();
        var selected = request.AllCases ? inWindow : inWindow.Where(c => c.Tip).ToArray();
        notes.Insert(0, $"Cases whose first contact (hotline call, else police report, else prosecution) falls in {window}: {inWindow.Length} linked case(s), {inWindow.Count(c => c.Tip)} of them TIP by the TIP definition; "
            + (request.AllCases ? "the funnel counts all of them (--all-cases)." : "the funnel counts the TIP cases (--all-cases for every case).")
            + " 'charge' is the formalization of the investigation; 'conviction' a sentence with outcome CONDENA.");
        notes.Add("conversion_from_previous = cases that reached both the previous stage and this one / cases that reached the previous stage; median_days_from_previous is over those cases (stages on the same day count 0 days).");

        var columns = new ResultColumn[]
        {
            new("stage", typeof(string)),
            new("cases", typeof(long)),
            new("previous_stage_cases", typeof(long)),
            new("cases_from_previous", typeof(long)),
            new("conversion_from_previous", typeof(double)),
            new("median_days_from_previous", typeof(double)),
        };

        var rows = new List<object?[]>();
        for (var s = 0; s < Stages.Count; s++)
        {
            var reached = selected.LongCount(c => c.Dates[s] is not null);
            if (s == 0)
            {
                rows.Add([Stages[s].Stage, reached, null, null, null, null]);
                continue;
            }

            var previous = selected.LongCount(c => c.Dates[s - 1] is not null);
            var both = selected.Where(c => c.Dates[s - 1] is not null && c.Dates[s] is not null).ToArray();
            var days = both.Select(c => (double)(c.Dates[s]!.Value.DayNumber - c.Dates[s - 1]!.Value.DayNumber)).ToArray();
            rows.Add([Stages[s].Stage, reached, previous, (long)both.Length, ReportSql.Ratio(both.Length, previous), Distributions.Median(days)]);
        }

        return new ResultTable(columns, rows, notes);
    }
}
