using TipWarehouse.Analytics.Reports;
using TipWarehouse.Analytics.Statistics;
using TipWarehouse.Core;

namespace TipWarehouse.Analytics.Tests;

public sealed class EffectTests : IClassFixture<WarehouseFixture>
{
    private readonly SyntheticWarehouse _warehouse;

    public EffectTests(WarehouseFixture fixture) => _warehouse = fixture.Warehouse;

    [Fact]
    public void Training_effect_recovers_the_built_in_effect_per_cohort_and_pooled()
    {
        var table = ReportCatalog.Run(_warehouse.Connection, "training-effect", new ReportRequest { Kpi = "tip_reports" });
        var cohort = table.Rows.Single(r => (string)r[0]! == "trained 2007-04");
        Assert.Equal(2L, cohort[table.IndexOf("treated_directorates")]);
        Assert.Equal(3L, cohort[table.IndexOf("control_directorates")]);
        Assert.Equal("2007-05..2007-08", cohort[table.IndexOf("post_window")]);
        Assert.Equal(SyntheticWarehouse.TrainingEffect, (double)cohort[table.IndexOf("did_estimate")]!, 6);

        var september = table.Rows.Single(r => (string)r[0]! == "trained 2007-09");
        Assert.Equal(SyntheticWarehouse.TrainingEffect, (double)september[table.IndexOf("did_estimate")]!, 6);

        var pooled = table.Rows.Single(r => ((string)r[0]!).StartsWith("pooled", StringComparison.Ordinal));
        var estimate = (double)pooled[table.IndexOf("did_estimate")]!;
        Assert.Equal(SyntheticWarehouse.TrainingEffect, estimate, 6);
        Assert.InRange(SyntheticWarehouse.TrainingEffect, (double)pooled[table.IndexOf("ci_low")]! - 1e-9, (double)pooled[table.IndexOf("ci_high")]! + 1e-9);
        Assert.Contains(table.Notes, n => n.Contains("parallel trends", StringComparison.Ordinal));
        Assert.Contains(table.Notes, n => n.Contains("bootstrap", StringComparison.Ordinal));
    }

    [Fact]
    public void Training_effect_interval_is_the_same_on_every_run()
    {
        var request = new ReportRequest { Kpi = "tip_reports_per_100_tip_calls" };
        var first = ReportCatalog.Run(_warehouse.Connection, "training-effect", request);
        var second = ReportCatalog.Run(_warehouse.Connection, "training-effect", request);
        Assert.Equal(first.Rows.Select(r => string.Join('|', r)), second.Rows.Select(r => string.Join('|', r)));
        var cohort = first.Rows.Single(r => (string)r[0]! == "trained 2007-04");
        Assert.True((double)cohort[first.IndexOf("ci_low")]! <= (double)cohort[first.IndexOf("did_estimate")]!);
        Assert.True((double)cohort[first.IndexOf("ci_high")]! >= (double)cohort[first.IndexOf("did_estimate")]!);
    }

    [Fact]
    public void Directorate_is_trained_when_half_of_its_stations_are()
    {
        Assert.Equal(new YearMonth(2007, 2), TrainingEffectReport.DirectorateTrainingMonth([new YearMonth(2006, 11), new YearMonth(2007, 2), new YearMonth(2007, 3), null]));
        Assert.Null(TrainingEffectReport.DirectorateTrainingMonth([new YearMonth(2006, 11), null, null]));
    }

    [Fact]
    public void Unknown_kpi_is_a_usage_error_listing_the_choices()
    {
        var ex = Assert.Throws<UsageException>(() => ReportCatalog.Run(_warehouse.Connection, "training-effect", new ReportRequest { Kpi = "happiness" }));
        Assert.Contains("referral_to_report_rate", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Law_effect_recovers_level_and_slope_changes_of_a_seasonal_series()
    {
        var points = new List<(YearMonth, double)>();
        var noise = new Random(7);
        for (var m = new YearMonth(2004, 1); m <= new YearMonth(2007, 12); m = m.AddMonths(1))
        {
            var t = m.Index - new YearMonth(2004, 1).Index;
            var post = m >= YearMonth.LawEnacted;
            var y = 20 + (0.3 * t) + (post ? 8 + (0.5 * (m.Index - YearMonth.LawEnacted.Index)) : 0) + (m.Month == 12 ? 6 : 0) + (m.Month == 2 ? -4 : 0) + (noise.NextDouble() - 0.5);
            points.Add((m, y));
        }

        var table = LawEffectReport.Fit(points, "tip_police_reports", new ReportWindow(new(2004, 1), new(2007, 12)));
        object?[] Term(string name) => table.Rows.Single(r => (string)r[0]! == name);
        var level = Term("law_level_change_2007_01");
        var slope = Term("law_slope_change_per_month");
        Assert.InRange((double)level[1]!, 7, 9);
        Assert.InRange((double)slope[1]!, 0.4, 0.6);
        Assert.InRange(8.0, (double)level[3]!, (double)level[4]!);
        Assert.InRange(0.5, (double)slope[3]!, (double)slope[4]!);
        Assert.Contains(table.Notes, n => n.Contains("Newey-West", StringComparison.Ordinal));
        Assert.Contains(table.Notes, n => n.Contains("Assumptions", StringComparison.Ordinal));
    }

    [Fact]
    public void Law_effect_runs_on_the_warehouse_with_a_hotline_step()
    {
        var table = ReportCatalog.Run(_warehouse.Connection, "law-effect", new ReportRequest { Kpi = "calls_tip_by_operator" });
        Assert.Contains(table.Rows, r => (string)r[0]! == "hotline_opening_step_2006_03");
        Assert.Contains(table.Rows, r => (string)r[0]! == "law_level_change_2007_01");
    }

    [Fact]
    public void Law_effect_needs_months_on_both_sides_of_the_law()
    {
        var ex = Assert.Throws<UsageException>(() => ReportCatalog.Run(_warehouse.Connection, "law-effect", new ReportRequest { From = new(2005, 1), To = new(2006, 12) }));
        Assert.Contains("January 2007", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Least_squares_recovers_exact_coefficients_and_student_t_matches_tables()
    {
        var x = new double[20, 3];
        var y = new double[20];
        for (var i = 0; i < 20; i++)
        {
            x[i, 0] = 1;
            x[i, 1] = i;
            x[i, 2] = i * i % 7;
            y[i] = 2 + (3 * i) - (0.5 * x[i, 2]);
        }

        var fit = LeastSquares.Fit(x, y);
        Assert.Equal(2, fit.Coefficients[0], 9);
        Assert.Equal(3, fit.Coefficients[1], 9);
        Assert.Equal(-0.5, fit.Coefficients[2], 9);
        Assert.Equal(2.228, Distributions.StudentT975(10), 3);
        Assert.Equal(2.042, Distributions.StudentT975(30), 3);
        Assert.Equal(3.182, Distributions.StudentT975(3), 2);
        Assert.Throws<InvalidOperationException>(() => LeastSquares.Fit(new double[,] { { 1, 2 }, { 2, 4 }, { 3, 6 } }, [1, 2, 3]));
    }
}

public sealed class DirectorateNameTests
{
    [Theory]
    [InlineData("VII DIRTEPOL LIMA", "DIRTEPOL Lima")]
    [InlineData("DIRTEPOL Huánuco", "DIRTEPOL HUANUCO")]
    [InlineData(" III  DIRTEPOL Trujillo ", "DIRTEPOL TRUJILLO")]
    public void Spellings_of_one_directorate_share_a_key(string left, string right) =>
        Assert.Equal(DirectorateName.Key(right), DirectorateName.Key(left));

    [Fact]
    public void Different_directorates_keep_different_keys() =>
        Assert.NotEqual(DirectorateName.Key("DIRTEPOL Cusco"), DirectorateName.Key("DIRTEPOL Puno"));
}
