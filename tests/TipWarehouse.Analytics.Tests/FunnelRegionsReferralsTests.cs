using TipWarehouse.Analytics.Reports;
using TipWarehouse.Analytics.Statistics;
using TipWarehouse.Core;

namespace TipWarehouse.Analytics.Tests;

public sealed class FunnelRegionsReferralsTests : IClassFixture<WarehouseFixture>
{
    private readonly SyntheticWarehouse _warehouse;

    public FunnelRegionsReferralsTests(WarehouseFixture fixture) => _warehouse = fixture.Warehouse;

    [Fact]
    public void Funnel_counts_conversions_and_median_days_match_the_lifecycle_snapshot()
    {
        var request = new ReportRequest { From = new(2006, 1), To = new(2006, 12), AllCases = true };
        var table = ReportCatalog.Run(_warehouse.Connection, "funnel", request);
        var cases = _warehouse.Cases.Where(c => c.Entry is { } e && e.Year == 2006).ToArray();
        Func<SyntheticWarehouse.Lifecycle, DateOnly?>[] stages =
        [
            c => c.Call, c => c.Report, c => c.Prosecution, c => c.Charge, c => c.Trial, c => c.Outcome == "CONDENA" ? c.Sentence : null, c => c.Prison,
        ];
        Assert.Equal(["call", "report", "prosecution", "charge", "trial", "conviction", "prison"], table.Rows.Select(r => (string)r[0]!));
        for (var s = 0; s < stages.Length; s++)
        {
            var row = table.Rows[s];
            Assert.Equal((long)cases.Count(c => stages[s](c) is not null), MonthlyReportTests.Cell(table, row, "cases"));
            if (s == 0)
            {
                continue;
            }

            var both = cases.Where(c => stages[s - 1](c) is not null && stages[s](c) is not null).ToArray();
            Assert.Equal((long)both.Length, MonthlyReportTests.Cell(table, row, "cases_from_previous"));
            var previous = cases.Count(c => stages[s - 1](c) is not null);
            Assert.Equal(previous == 0 ? null : Math.Round((double)both.Length / previous, 4), (double?)row[table.IndexOf("conversion_from_previous")]);
            var days = both.Select(c => (double)(stages[s](c)!.Value.DayNumber - stages[s - 1](c)!.Value.DayNumber)).ToArray();
            Assert.Equal(Distributions.Median(days), (double?)row[table.IndexOf("median_days_from_previous")]);
        }

        Assert.True(MonthlyReportTests.Cell(table, table.Rows[0], "cases") > 0);
        Assert.True(MonthlyReportTests.Cell(table, table.Rows[5], "cases") > 0);
    }

    [Fact]
    public void Funnel_counts_only_tip_cases_unless_all_cases_is_asked()
    {
        var window = new ReportRequest { From = new(2006, 1), To = new(2007, 12) };
        var tipOnly = ReportCatalog.Run(_warehouse.Connection, "funnel", window);
        var all = ReportCatalog.Run(_warehouse.Connection, "funnel", window with { AllCases = true });
        var entered = _warehouse.Cases.Where(c => c.Entry is { } e && e.Year is 2006 or 2007).ToArray();

        Assert.Equal((long)entered.Count(c => c.IsTip && c.Call is not null), MonthlyReportTests.Cell(tipOnly, tipOnly.Rows[0], "cases"));
        Assert.Equal((long)entered.Count(c => c.Call is not null), MonthlyReportTests.Cell(all, all.Rows[0], "cases"));
        Assert.Contains(tipOnly.Notes, n => n.Contains("the funnel counts the TIP cases", StringComparison.Ordinal));
    }

    [Fact]
    public void Funnel_without_linked_cases_says_so()
    {
        using var warehouse = new SyntheticWarehouse();
        warehouse.Execute("DELETE FROM dw.fact_case_lifecycle");
        var table = ReportCatalog.Run(warehouse.Connection, "funnel", new ReportRequest { From = new(2006, 1), To = new(2006, 12) });
        Assert.Contains(table.Notes, n => n.Contains("No linked cases yet", StringComparison.Ordinal));
        Assert.All(table.Rows, r => Assert.Equal(0L, r[1]));
    }

    [Fact]
    public void Regions_add_up_to_the_national_totals_and_carry_poverty_rates()
    {
        var request = new ReportRequest { From = new(2006, 1), To = new(2007, 12) };
        var regions = ReportCatalog.Run(_warehouse.Connection, "regions", request);
        var national = ReportCatalog.Run(_warehouse.Connection, "monthly", request with { By = PeriodGrain.Year });
        Assert.Equal(national.Rows.Sum(r => MonthlyReportTests.Cell(national, r, "hotline_calls")), regions.Rows.Sum(r => MonthlyReportTests.Cell(regions, r, "hotline_calls")));
        Assert.Equal(national.Rows.Sum(r => MonthlyReportTests.Cell(national, r, "calls_tip_by_operator")), regions.Rows.Sum(r => MonthlyReportTests.Cell(regions, r, "tip_calls")));
        Assert.Equal(national.Rows.Sum(r => MonthlyReportTests.Cell(national, r, "tip_police_reports")), regions.Rows.Sum(r => MonthlyReportTests.Cell(regions, r, "tip_reports")));
        Assert.Equal(national.Rows.Sum(r => MonthlyReportTests.Cell(national, r, "cases_sent_to_prosecution")), regions.Rows.Sum(r => MonthlyReportTests.Cell(regions, r, "tip_cases")));

        var lima = regions.Rows.Single(r => (string)r[1]! == "VII DIRTEPOL LIMA");
        Assert.Equal(17.5, (double?)lima[regions.IndexOf("poverty_rate_pct")]);
        Assert.Equal((long)_warehouse.Calls.Count(c => c.IsTip && c.GeographyKey is 1 or 2 && c.Date.Year >= 2006), MonthlyReportTests.Cell(regions, lima, "tip_calls"));

        var ranks = regions.Rows.Select(r => MonthlyReportTests.Cell(regions, r, "tip_calls")).ToArray();
        Assert.Equal(ranks.OrderDescending(), ranks);
        Assert.Equal(Enumerable.Range(1, regions.Rows.Count), regions.Rows.Select(r => (int)r[0]!));
        Assert.Contains(regions.Rows, r => (string)r[1]! == "Desconocida");
    }

    [Fact]
    public void Regions_carry_the_model_prevalence_of_their_scored_calls_and_none_without_a_model()
    {
        using var warehouse = new SyntheticWarehouse(withActiveModel: true);
        var request = new ReportRequest { From = new(2006, 1), To = new(2007, 12), Level = RegionLevel.Department };
        var table = ReportCatalog.Run(warehouse.Connection, "regions", request);

        // A region's tip_share_model is the mean noise-corrected posterior of its scored calls (Prevalence.Posterior, as in the
        // monthly report), with the Bernoulli and noise-rate terms of its interval, and it lies inside that interval.
        var posteriors = MonthlyReportTests.Posteriors(warehouse);
        foreach (var row in table.Rows.Where(r => MonthlyReportTests.Cell(table, r, "calls_scored") > 0))
        {
            var department = (string)row[1]!;
            var scored = warehouse.Calls.Where(c => SyntheticWarehouse.DepartmentOf(c.GeographyKey) == department && c.Date.Year >= 2006 && warehouse.Scores.ContainsKey(c.Id)).ToList();
            Assert.Equal((long)scored.Count, MonthlyReportTests.Cell(table, row, "calls_scored"));
            var q = scored.Select(c => posteriors[c.Id]).ToList();
            var expected = Prevalence.FromPosteriorSums(new PosteriorSums(scored.Count, scored.Count, scored.Count(c => c.IsTip), q.Sum(x => x.Q), q.Sum(x => x.Q * (1 - x.Q)), q.Sum(x => x.RateShift), q.Sum(x => x.FalseRateShift)));
            var share = (double)row[table.IndexOf("tip_share_model")]!;
            Assert.Equal(Math.Round(expected.Share, 4), share, 6);
            Assert.Equal(Math.Round(expected.Low, 4), (double)row[table.IndexOf("tip_share_model_low")]!, 6);
            Assert.Equal(Math.Round(expected.High, 4), (double)row[table.IndexOf("tip_share_model_high")]!, 6);
            Assert.InRange(share, (double)row[table.IndexOf("tip_share_model_low")]!, (double)row[table.IndexOf("tip_share_model_high")]!);
        }

        var withoutModel = ReportCatalog.Run(_warehouse.Connection, "regions", request);
        Assert.All(withoutModel.Rows, r => Assert.Null(r[withoutModel.IndexOf("tip_share_model")]));
        Assert.Contains(withoutModel.Notes, n => n.StartsWith("tip_share_model is empty", StringComparison.Ordinal));
    }

    [Fact]
    public void Regions_by_department_split_a_directorate_into_its_departments()
    {
        var table = ReportCatalog.Run(_warehouse.Connection, "regions", new ReportRequest { From = new(2006, 1), To = new(2007, 12), Level = RegionLevel.Department });
        Assert.Equal("department", table.Columns[1].Name);
        var callao = table.Rows.Single(r => (string)r[1]! == "CALLAO");
        Assert.Equal(15.0, (double?)callao[table.IndexOf("poverty_rate_pct")]);
        Assert.Equal((long)_warehouse.Reports.Count(r => r.IsTip && r.GeographyKey == 2 && r.Date.Year >= 2006), MonthlyReportTests.Cell(table, callao, "tip_reports"));
    }

    [Fact]
    public void Referrals_per_directorate_match_the_calls_and_the_reports_that_cite_them()
    {
        var table = ReportCatalog.Run(_warehouse.Connection, "referrals", new ReportRequest { From = new(2006, 1), To = new(2007, 12) });
        var cited = _warehouse.Reports.Where(r => r.SourceCallId is not null).Select(r => r.SourceCallId!).ToHashSet();
        foreach (var row in table.Rows)
        {
            var directorate = (string)row[0]!;
            var calls = _warehouse.Calls.Where(c => c.IsTip && SyntheticWarehouse.DirectorateOf(c.ReferredUnit > 0 ? c.ReferredUnit : c.GeographyKey) == directorate).ToArray();
            var referred = calls.Where(c => c.ReferredUnit > 0).ToArray();
            Assert.Equal((long)calls.Length, MonthlyReportTests.Cell(table, row, "tip_calls"));
            Assert.Equal((long)referred.Length, MonthlyReportTests.Cell(table, row, "referred_calls"));
            Assert.Equal((long)referred.Count(c => cited.Contains(c.Id)), MonthlyReportTests.Cell(table, row, "referred_became_report"));
            var median = Distributions.Median(referred.Select(c => c.HoursToReferral!.Value).ToArray());
            Assert.Equal(median is { } m ? Math.Round(m, 2) : null, (double?)row[table.IndexOf("median_hours_to_referral")]);
        }

        Assert.Equal((long)_warehouse.Calls.Count(c => c.IsTip), table.Rows.Sum(r => MonthlyReportTests.Cell(table, r, "tip_calls")));
        Assert.True(table.Rows.Sum(r => MonthlyReportTests.Cell(table, r, "referred_became_report")) > 0);
    }

    [Fact]
    public void Every_report_view_runs_on_duckdb()
    {
        var views = Directory.GetFiles(Path.Combine(RepoPaths.SqlDirectory, "rpt", "Views"), "*.sql").Select(Path.GetFileNameWithoutExtension).ToArray();
        Assert.Contains("v_monthly_national", views);
        Assert.Contains("v_case_funnel", views);
        // With an active model, so the per-call views of its scores (rpt.v_model_call_posterior) have rows too.
        using var warehouse = new SyntheticWarehouse(withActiveModel: true);
        foreach (var view in views)
        {
            using var command = warehouse.Connection.CreateCommand();
            command.CommandText = $"SELECT COUNT(*) FROM rpt.{view}";
            Assert.True(Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0, view);
        }
    }

    [Fact]
    public void Unknown_report_is_a_usage_error_that_lists_the_reports()
    {
        var ex = Assert.Throws<UsageException>(() => ReportCatalog.Run(_warehouse.Connection, "weekly", new ReportRequest()));
        Assert.Contains("training-effect", ex.Message, StringComparison.Ordinal);
    }
}
