using DuckDB.NET.Data;
using TipWarehouse.Analytics.Disclosure;
using TipWarehouse.Analytics.Statistics;
using TipWarehouse.Core;

namespace TipWarehouse.Analytics.Reports;

/// <summary>
/// <c>funnel</c>: for the cases that entered in a window (first contact: call, else report, else prosecution), how many
/// reached each stage (call → report → prosecution → charge → trial → conviction → prison), the share of the previous
/// stage's cases that went on, and the median days between the two stages. Reads <c>rpt.v_funnel_cases</c> through its counts (<c>rpt.funnel_summary</c>, see <see cref="ReportSummary"/>), which the
/// linkage pipeline's case-lifecycle snapshot feeds.
/// </summary>
public static class FunnelReport
{
    /// <summary>The funnel stages, in order, with the <c>rpt.v_funnel_cases</c> column holding each stage's date key.</summary>
    public static readonly IReadOnlyList<(string Stage, string DateColumn)> Stages =
        new[] { "call", "report", "prosecution", "charge", "trial", "conviction", "prison" }.Zip(ReportSummary.FunnelDateColumns).ToArray();

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
        // The counts per entry month, TIP flag, stage and days from the previous stage (ReportSummary.FunnelColumns), not one row per case.
        var counts = ReportSql.Read(connection, $"SELECT entry_year_month, is_tip_related, stage_order, days_from_previous, cases FROM {ReportSummary.FunnelRelation(connection)} AS f").Rows
            .Select(r => (Entry: ReportSql.Month(r[0]), Tip: ReportSql.Flag(r[1]), Stage: (int)ReportSql.Long(r[2]), Days: r[3] is null or DBNull ? (int?)null : (int)ReportSql.Long(r[3]), Cases: ReportSql.Long(r[4])))
            .ToArray();
        var entered = counts.Where(c => c.Stage == ReportSummary.FunnelEnteredStage && c.Days is null && c.Cases > 0).ToArray();

        var notes = new List<string>();
        ReportWindow window;
        if (entered.Length == 0)
        {
            notes.Add("No linked cases yet: the case-lifecycle snapshot (dw.fact_case_lifecycle) is empty; run the linkage pipeline to fill it. Every stage shows 0.");
            var series = MonthlyReport.ReadSeries(connection);
            var (first, last) = MonthlyReport.DataRange(series);
            window = request.From is null && first is null ? new ReportWindow(YearMonth.HotlineOpened, YearMonth.HotlineOpened) : ReportWindow.Resolve(request, first, last);
        }
        else
        {
            window = ReportWindow.Resolve(request, entered.Min(c => c.Entry), entered.Max(c => c.Entry));
        }

        var inWindow = counts.Where(c => window.Contains(c.Entry)).ToArray();
        var selected = request.AllCases ? inWindow : inWindow.Where(c => c.Tip).ToArray();
        var enteredInWindow = inWindow.Where(c => c.Stage == ReportSummary.FunnelEnteredStage).ToArray();
        notes.Insert(0, $"Cases whose first contact (hotline call, else police report, else prosecution) falls in {window}: {enteredInWindow.Sum(c => c.Cases)} linked case(s), {enteredInWindow.Where(c => c.Tip).Sum(c => c.Cases)} of them TIP by the TIP definition; "
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
            var reached = Reached(selected, s);
            if (s == 0)
            {
                rows.Add([Stages[s].Stage, reached, null, null, null, null]);
                continue;
            }

            var previous = Reached(selected, s - 1);
            // Cases that reached both stages, by the days between them: the median of the days, weighted by those counts.
            var days = selected.Where(c => c.Stage == s && c.Days is not null).GroupBy(c => c.Days!.Value).Select(g => (Days: g.Key, Cases: g.Sum(c => c.Cases))).OrderBy(d => d.Days).ToArray();
            var both = days.Sum(d => d.Cases);
            rows.Add([Stages[s].Stage, reached, previous, both, ReportSql.Ratio(both, previous), MedianOf(days, both)]);
        }

        return new ResultTable(columns, rows, notes);
    }

    private static long Reached(IEnumerable<(YearMonth Entry, bool Tip, int Stage, int? Days, long Cases)> counts, int stage) =>
        counts.Where(c => c.Stage == stage && c.Days is null).Sum(c => c.Cases);

    // The median of a multiset given as (value, count) in ascending order: the middle value, or the mean of the two middle ones
    // (Distributions.Median of the expanded values); null when it is empty.
    private static double? MedianOf(IReadOnlyList<(int Days, long Cases)> sortedCounts, long total)
    {
        if (total == 0)
        {
            return null;
        }

        double At(long index)
        {
            foreach (var (days, cases) in sortedCounts)
            {
                if (index < cases)
                {
                    return days;
                }

                index -= cases;
            }

            throw new InvalidOperationException("index beyond the counts");
        }

        var mid = total / 2;
        return total % 2 == 1 ? At(mid) : (At(mid - 1) + At(mid)) / 2;
    }
}
