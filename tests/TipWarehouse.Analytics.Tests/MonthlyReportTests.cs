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

        // tip_share_model is the mean noise-corrected posterior: the view's SQL must give what Prevalence.Posterior gives for
        // the same calls, noise rates measured on the same confident sets (every score is 0.9 flagged or 0.1, so the confident
        // sets are the flags), and its interval the Bernoulli, noise-rate and monthly excess terms, per month of the year.
        var posteriors = Posteriors(warehouse);
        PosteriorSums Sums(IEnumerable<SyntheticWarehouse.HotlineCall> calls)
        {
            var scored = calls.Where(c => posteriors.ContainsKey(c.Id)).ToList();
            var q = scored.Select(c => posteriors[c.Id]).ToList();
            return new PosteriorSums(scored.Count, scored.Count, scored.Count(c => c.IsTip), q.Sum(x => x.Q), q.Sum(x => x.Q * (1 - x.Q)), q.Sum(x => x.RateShift), q.Sum(x => x.FalseRateShift));
        }

        var scoredMonths = warehouse.Calls.Where(c => warehouse.Scores.ContainsKey(c.Id)).GroupBy(c => (c.Date.Year, c.Date.Month)).ToList();
        var excess = Prevalence.PosteriorExcessVariance(scoredMonths.Select(m => Sums(m)));
        foreach (var row in table.Rows.Where(r => Cell(table, r, "calls_scored") > 0))
        {
            var year = int.Parse(Sql(row, table, "period")[..4], System.Globalization.CultureInfo.InvariantCulture);
            var sums = Sums(warehouse.Calls.Where(c => c.Date.Year == year));
            var expected = Prevalence.FromPosteriorSums(sums, excess, scoredMonths.Count(m => m.Key.Year == year));
            var flagged = warehouse.Calls.Count(c => c.Date.Year == year && warehouse.Scores.TryGetValue(c.Id, out var f) && f);
            Assert.Equal(expected.Share, (double)row[table.IndexOf("tip_share_model")]!, 6);
            Assert.Equal(expected.Low, (double)row[table.IndexOf("tip_share_model_low")]!, 6);
            Assert.Equal(expected.High, (double)row[table.IndexOf("tip_share_model_high")]!, 6);
            Assert.True(expected.Low < expected.Share && expected.Share < expected.High);
            // The correction moves the estimate off the flag count: it is a prevalence, not a count of flags.
            Assert.NotEqual((double)flagged / sums.Calls, expected.Share, 3);
        }
    }

    /// <summary>Each scored call's noise-corrected posterior by <see cref="Prevalence.Posterior"/> (and with a, or b, one SD
    /// higher), from noise rates measured on the synthetic scores' confident sets: the reference the views are checked against.</summary>
    internal static Dictionary<string, (double Q, double RateShift, double FalseRateShift)> Posteriors(SyntheticWarehouse warehouse)
    {
        var scored = warehouse.Calls.Where(c => warehouse.Scores.ContainsKey(c.Id)).ToList();
        double P(SyntheticWarehouse.HotlineCall c) => warehouse.Scores[c.Id] ? 0.9 : 0.1;
        var tipThreshold = scored.Where(c => c.IsTip).Average(P);
        var notThreshold = scored.Where(c => !c.IsTip).Average(c => 1 - P(c));
        bool SureTip(SyntheticWarehouse.HotlineCall c) => P(c) >= tipThreshold && 1 - P(c) < notThreshold;
        bool SureNot(SyntheticWarehouse.HotlineCall c) => P(c) < tipThreshold && 1 - P(c) >= notThreshold;
        var counts = new ConfidentCounts(
            scored.Count(c => !c.IsTip), scored.Count(c => !c.IsTip && SureTip(c)), scored.Count(c => !c.IsTip && SureNot(c)),
            scored.Count(c => c.IsTip), scored.Count(c => c.IsTip && SureTip(c)), scored.Count(c => c.IsTip && SureNot(c)));
        var rates = NoiseRates.FromConfidentCounts(counts);
        Assert.True(rates.Usable);
        var rateUp = rates with { TipLabelRate = Math.Min(1, rates.TipLabelRate + rates.TipLabelRateSd) };
        var falseRateUp = rates with { FalseTipLabelRate = rates.FalseTipLabelRate + rates.FalseTipLabelRateSd };
        return scored.ToDictionary(c => c.Id, c => (Prevalence.Posterior(P(c), c.IsTip, rates), Prevalence.Posterior(P(c), c.IsTip, rateUp), Prevalence.Posterior(P(c), c.IsTip, falseRateUp)));
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
