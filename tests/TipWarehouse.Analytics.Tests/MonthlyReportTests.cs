using TipWarehouse.Analytics.Reports;
using TipWarehouse.Core;

namespace TipWarehouse.Analytics.Tests;

public sealed class MonthlyReportTests : IClassFixture<WarehouseFixture>
{
    private readonly SyntheticWarehouse _warehouse;

    public MonthlyReportTests(WarehouseFixture fixture) => _warehouse = fixture.Warehouse;

    [Fact]
    public void Monthly_figures_reconcile_with_the_fact_tables_month_by_month()
    {
        var table = ReportCatalog.Run(_warehouse.Connection, "monthly", new ReportRequest { From = new(2005, 1), To = new(2007, 12) });
        Assert.Equal(36, table.Rows.Count);
        foreach (var row in table.Rows)
        {
            var month = Sql(row, table, "period");
            bool In(YearMonth m) => m.ToString() == month;
            Assert.Equal((long)_warehouse.Calls.Count(c => In(c.Month)), Cell(table, row, "hotline_calls"));
            Assert.Equal((long)_warehouse.Calls.Count(c => In(c.Month) && c.IsTip), Cell(table, row, "calls_tip_by_operator"));
            Assert.Equal((long)_warehouse.Reports.Count(r => In(r.Month) && r.IsTip), Cell(table, row, "tip_police_reports"));
            Assert.Equal((long)_warehouse.Arrests.Count(a => In(a.Month) && a.ReportIsTip), Cell(table, row, "tip_arrests"));
            Assert.Equal((long)_warehouse.Events.Count(e => In(e.Month) && e.IsTip && e.Stage == "COMPLAINT_RECEIVED"), Cell(table, row, "cases_sent_to_prosecution"));
            Assert.Equal((long)_warehouse.Events.Count(e => In(e.Month) && e.IsTip && e.Stage == "FORMALIZATION"), Cell(table, row, "formalizations"));
            Assert.Equal((long)_warehouse.Events.Count(e => In(e.Month) && e.IsTip && e.Stage == "SENTENCE"), Cell(table, row, "sentences"));
            Assert.Equal((long)_warehouse.Events.Count(e => In(e.Month) && e.IsTip && e.Outcome == "CONDENA"), Cell(table, row, "convictions"));
        }
    }

    [Fact]
    public void Every_grain_ends_with_the_tip_series_and_says_when_the_determination_has_not_run()
    {
        foreach (var by in new[] { PeriodGrain.Month, PeriodGrain.Quarter, PeriodGrain.Year })
        {
            var table = ReportCatalog.Run(_warehouse.Connection, "monthly", new ReportRequest { From = new(2006, 1), To = new(2007, 12), By = by });

            Assert.Equal(MonthlyReport.TipColumns, table.Columns.TakeLast(4).Select(c => c.Name));
            Assert.All(table.Rows, r => Assert.All(MonthlyReport.TipColumns, c => Assert.Equal(0L, Cell(table, r, c))));
            Assert.Contains(table.Notes, n => n.StartsWith("TIP determination: not run yet", StringComparison.Ordinal));
            Assert.Contains(table.Notes, n => n.StartsWith("calls_tip_by_operator counts the operator categories mapped to TIP", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Quarterly_and_yearly_rows_add_up_to_the_monthly_totals()
    {
        var request = new ReportRequest { From = new(2005, 1), To = new(2007, 12) };
        var monthly = ReportCatalog.Run(_warehouse.Connection, "monthly", request);
        var quarterly = ReportCatalog.Run(_warehouse.Connection, "monthly", request with { By = PeriodGrain.Quarter });
        var yearly = ReportCatalog.Run(_warehouse.Connection, "monthly", request with { By = PeriodGrain.Year });
        Assert.Equal(12, quarterly.Rows.Count);
        Assert.Equal(["2005", "2006", "2007"], yearly.Rows.Select(r => (string)r[0]!));
        Assert.Equal("2006-Q1", quarterly.Rows[4][0]);
        foreach (var column in MonthlyReport.CountColumns.Where(c => c is not "calls_scored" and not "calls_tip_by_model"))
        {
            var total = monthly.Rows.Sum(r => Cell(monthly, r, column));
            Assert.Equal(total, quarterly.Rows.Sum(r => Cell(quarterly, r, column)));
            Assert.Equal(total, yearly.Rows.Sum(r => Cell(yearly, r, column)));
        }

        Assert.Equal((long)_warehouse.Calls.Count, yearly.Rows.Sum(r => Cell(yearly, r, "hotline_calls")));
    }

    [Fact]
    public void Year_2006_has_twelve_months_and_no_calls_before_the_hotline_opened()
    {
        var table = ReportCatalog.Run(_warehouse.Connection, "monthly", new ReportRequest { From = new(2006, 1), To = new(2006, 12) });
        Assert.Equal(12, table.Rows.Count);
        Assert.Equal(0L, Cell(table, table.Rows[0], "hotline_calls"));
        Assert.Equal(0L, Cell(table, table.Rows[1], "hotline_calls"));
        Assert.True(Cell(table, table.Rows[2], "hotline_calls") > 0);
        Assert.Null(table.Rows[0][table.IndexOf("tip_share_operator")]);
    }

    [Fact]
    public void Without_an_active_model_model_columns_are_empty_and_a_note_says_so()
    {
        var table = ReportCatalog.Run(_warehouse.Connection, "monthly", new ReportRequest { From = new(2006, 1), To = new(2006, 12) });
        Assert.All(table.Rows, r => Assert.Null(r[table.IndexOf("calls_tip_by_model")]));
        Assert.Contains(table.Notes, n => n.Contains("No active model", StringComparison.Ordinal));
    }

    [Fact]
    public void With_an_active_model_only_its_scores_count()
    {
        using var warehouse = new SyntheticWarehouse(withActiveModel: true);
        var table = ReportCatalog.Run(warehouse.Connection, "monthly", new ReportRequest { From = new(2006, 1), To = new(2007, 12), By = PeriodGrain.Year });
        Assert.Equal((long)warehouse.Scores.Count, table.Rows.Sum(r => Cell(table, r, "calls_scored")));
        Assert.Equal((long)warehouse.Scores.Count(s => s.Value), table.Rows.Sum(r => Cell(table, r, "calls_tip_by_model")));
        Assert.DoesNotContain(table.Notes, n => n.Contains("No active model", StringComparison.Ordinal));

        // Every active score is 0.9 (flagged) or 0.1 and the flags mostly agree with the operators, so the model is confident
        // about every call: within each operator label the confident split is the flag split, tip_share_model is the
        // flagged share of the scored calls (not their mean probability), and its interval is the binomial one of the two splits
        // plus the months' excess dispersion of the correction, per month of the year.
        ConfidentCounts Counts(IEnumerable<SyntheticWarehouse.HotlineCall> calls)
        {
            var scored = calls.Where(c => warehouse.Scores.ContainsKey(c.Id)).ToList();
            long Count(bool tip, bool flagged) => scored.Count(c => c.IsTip == tip && warehouse.Scores[c.Id] == flagged);
            return new ConfidentCounts(Count(false, true) + Count(false, false), Count(false, true), Count(false, false), Count(true, true) + Count(true, false), Count(true, true), Count(true, false));
        }

        var all = Counts(warehouse.Calls);
        var scoredMonths = warehouse.Calls.Where(c => warehouse.Scores.ContainsKey(c.Id)).GroupBy(c => (c.Date.Year, c.Date.Month)).ToList();
        var excess = Prevalence.MonthlyExcessVariance(scoredMonths.Select(m => Counts(m)), all);
        foreach (var row in table.Rows.Where(r => Cell(table, r, "calls_scored") > 0))
        {
            var year = int.Parse(Sql(row, table, "period")[..4], System.Globalization.CultureInfo.InvariantCulture);
            var n = Cell(table, row, "calls_scored");
            var expected = Prevalence.FromConfidentCounts(n, Counts(warehouse.Calls.Where(c => c.Date.Year == year)), all, excess, scoredMonths.Count(m => m.Key.Year == year));
            var flagged = warehouse.Calls.Count(c => c.Date.Year == year && warehouse.Scores.TryGetValue(c.Id, out var f) && f);
            Assert.Equal((double)flagged / n, (double)row[table.IndexOf("tip_share_model")]!, 6);
            Assert.Equal(expected.Low, (double)row[table.IndexOf("tip_share_model_low")]!, 6);
            Assert.Equal(expected.High, (double)row[table.IndexOf("tip_share_model_high")]!, 6);
            Assert.True(expected.Low < expected.Share && expected.Share < expected.High);
        }
    }

    [Fact]
    public void Default_window_is_the_months_with_data()
    {
        var table = ReportCatalog.Run(_warehouse.Connection, "monthly", new ReportRequest());
        Assert.Equal("2005-01", table.Rows[0][0]);
        Assert.Equal("2007-12", table.Rows[^1][0]);
    }

    [Fact]
    public void A_window_that_ends_before_it_starts_is_a_usage_error()
    {
        var ex = Assert.Throws<UsageException>(() => ReportCatalog.Run(_warehouse.Connection, "monthly", new ReportRequest { From = new(2007, 1), To = new(2006, 1) }));
        Assert.Contains("--from", ex.Message, StringComparison.Ordinal);
    }

    internal static long Cell(ResultTable table, object?[] row, string column) => Convert.ToInt64(row[table.IndexOf(column)], System.Globalization.CultureInfo.InvariantCulture);

    private static string Sql(object?[] row, ResultTable table, string column) => (string)row[table.IndexOf(column)]!;
}

/// <summary>One synthetic warehouse shared by the tests of a class.</summary>
public sealed class WarehouseFixture : IDisposable
{
    public SyntheticWarehouse Warehouse { get; } = new();

    public void Dispose() => Warehouse.Dispose();
}
