using TipWarehouse.Analytics.Reports;
using TipWarehouse.Analytics.Statistics;
using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;

namespace TipWarehouse.Analytics.Tests;

public sealed class ReportSummaryTests
{
    private static readonly ReportRequest[] Requests =
    [
        new() { From = new(2005, 1), To = new(2007, 12) },
        new() { From = new(2006, 1), To = new(2007, 12), By = PeriodGrain.Quarter },
        new() { By = PeriodGrain.Year },
    ];

    [Fact]
    public void Reports_read_from_the_summary_give_the_figures_and_notes_computed_from_the_views()
    {
        using var warehouse = new SyntheticWarehouse(withActiveModel: true);
        var connection = warehouse.Connection;
        Assert.False(ReportSummary.IsFresh(connection));
        Assert.StartsWith("(", ReportSummary.MonthlyRelation(connection), StringComparison.Ordinal);
        var fromViews = Requests.Select(r => MonthlyReport.Build(connection, r)).ToArray();
        // The prevalence estimate is among the figures compared (the summary carries its posterior sums and noise rates).
        var share = fromViews[0].Columns.ToList().FindIndex(c => c.Name == "tip_share_model");
        Assert.Contains(fromViews[0].Rows, r => r[share] is double);

        Assert.True(ReportSummary.RefreshIfStale(connection));
        Assert.True(ReportSummary.IsFresh(connection));
        Assert.Equal(ReportSummary.MonthlyTable, ReportSummary.MonthlyRelation(connection));
        Assert.False(ReportSummary.RefreshIfStale(connection));
        Assert.True(Sql.Scalar<long>(connection, $"SELECT COUNT(*) FROM {ReportSummary.MonthlyTable} WHERE calls_scored > 0") > 0);
        for (var i = 0; i < Requests.Length; i++)
        {
            AssertSame(fromViews[i], MonthlyReport.Build(connection, Requests[i]));
        }
    }

    [Fact]
    public void Funnel_from_the_summary_counts_equals_the_funnel_of_every_case()
    {
        using var warehouse = new SyntheticWarehouse(withActiveModel: true);
        var connection = warehouse.Connection;
        ReportRequest[] requests = [new(), new() { AllCases = true }, new() { From = new(2006, 6), To = new(2007, 3) }, new() { From = new(2006, 6), To = new(2007, 3), AllCases = true }];
        var fromViews = requests.Select(r => FunnelReport.Build(connection, r)).ToArray();
        Assert.True(ReportSummary.RefreshIfStale(connection));
        Assert.Equal(ReportSummary.FunnelTable, ReportSummary.FunnelRelation(connection));
        Assert.True(Sql.Scalar<long>(connection, $"SELECT COUNT(*) FROM {ReportSummary.FunnelTable} WHERE days_from_previous IS NOT NULL") > 0);
        for (var i = 0; i < requests.Length; i++)
        {
            var summary = FunnelReport.Build(connection, requests[i]);
            AssertSame(fromViews[i], summary);
            AssertSame(FunnelOfEveryCase(warehouse, requests[i], summary), summary);
        }
    }

    // The funnel computed case by case from the synthetic cases: reached, previous, both and the median days of both.
    private static ResultTable FunnelOfEveryCase(SyntheticWarehouse warehouse, ReportRequest request, ResultTable like)
    {
        static YearMonth MonthOf(DateOnly date) => new(date.Year, date.Month);
        var entries = warehouse.Cases.Where(c => c.Entry is not null).ToArray();
        var from = request.From ?? entries.Min(c => MonthOf(c.Entry!.Value));
        var to = request.To ?? entries.Max(c => MonthOf(c.Entry!.Value));
        var selected = entries.Where(c => MonthOf(c.Entry!.Value).CompareTo(from) >= 0 && MonthOf(c.Entry!.Value).CompareTo(to) <= 0 && (request.AllCases || c.IsTip)).ToArray();
        DateOnly?[] Dates(SyntheticWarehouse.Lifecycle c) => [c.Call, c.Report, c.Prosecution, c.Charge, c.Trial, c.Outcome == "CONDENA" ? c.Sentence : null, c.Prison];
        var rows = new List<object?[]>();
        for (var s = 0; s < FunnelReport.Stages.Count; s++)
        {
            var reached = (long)selected.Count(c => Dates(c)[s] is not null);
            if (s == 0)
            {
                rows.Add([FunnelReport.Stages[s].Stage, reached, null, null, null, null]);
                continue;
            }

            var previous = (long)selected.Count(c => Dates(c)[s - 1] is not null);
            var days = selected.Where(c => Dates(c)[s - 1] is not null && Dates(c)[s] is not null).Select(c => (double)(Dates(c)[s]!.Value.DayNumber - Dates(c)[s - 1]!.Value.DayNumber)).ToArray();
            double? conversion = previous == 0 ? null : Math.Round((double)days.Length / previous, 4);
            rows.Add([FunnelReport.Stages[s].Stage, reached, previous, (long)days.Length, conversion, Distributions.Median(days)]);
        }

        return new ResultTable(like.Columns, rows, like.Notes);
    }

    [Fact]
    public void A_batch_after_the_refresh_makes_the_summary_stale_and_the_reports_compute_from_the_views()
    {
        using var warehouse = new SyntheticWarehouse(withActiveModel: true);
        var connection = warehouse.Connection;
        ReportSummary.RefreshIfStale(connection);
        var request = new ReportRequest { From = new(2006, 3), To = new(2007, 12), By = PeriodGrain.Year };
        var before = MonthlyReport.Build(connection, request);

        // A batch that relabels one call: the warehouse moved on, the summary did not.
        var call = warehouse.Calls.First(c => !c.IsTip && c.Date.Year == 2007);
        warehouse.Execute($"UPDATE dw.fact_hotline_call SET is_tip_by_operator = 1 WHERE call_key = {call.Index}");
        warehouse.Execute("""
            INSERT INTO meta.batch (batch_id, run_id, pipeline, source, status, rows_read, rows_loaded, rows_rejected, rows_duplicate, started_at)
            VALUES ((SELECT COALESCE(MAX(batch_id), 0) + 1 FROM meta.batch), 1, 'hotline', 'test', 'succeeded', 1, 1, 0, 0, TIMESTAMP '2008-01-15 12:00:00')
            """);
        Assert.False(ReportSummary.IsFresh(connection));
        var stale = MonthlyReport.Build(connection, request);
        Assert.Equal(MonthlyReportTests.Cell(before, before.Rows[1], "calls_tip_by_operator") + 1, MonthlyReportTests.Cell(stale, stale.Rows[1], "calls_tip_by_operator"));

        Assert.True(ReportSummary.RefreshIfStale(connection));
        AssertSame(stale, MonthlyReport.Build(connection, request));
    }

    [Fact]
    public void A_batch_of_a_pipeline_that_writes_no_monthly_input_keeps_the_monthly_rows_and_recomputes_the_funnel()
    {
        using var warehouse = new SyntheticWarehouse(withActiveModel: true);
        var connection = warehouse.Connection;
        ReportSummary.RefreshIfStale(connection);
        // A marker no recomputation would give: the monthly rows are kept only when the marker survives a refresh.
        warehouse.Execute($"UPDATE {ReportSummary.MonthlyTable} SET hotline_calls = -7");
        IReadOnlyList<string>? Writes(string pipeline) => pipeline switch
        {
            "linkage" => ["dw.bridge_case_link", "dw.case_membership", "dw.fact_case_lifecycle"],
            "tip_determination" => ["dw.tip_determination", "dw.fact_case_lifecycle"],
            _ => null,
        };

        // A linkage batch that moved a case: the funnel follows it, the monthly rows hold and are re-stamped.
        var entered = $"SELECT SUM(cases) FROM {ReportSummary.FunnelTable} WHERE stage_order = {ReportSummary.FunnelEnteredStage}";
        var enteredBefore = Sql.Scalar<long>(connection, entered);
        warehouse.Execute("DELETE FROM dw.fact_case_lifecycle WHERE case_id = (SELECT MIN(case_id) FROM rpt.v_funnel_cases)");
        AddBatch(warehouse, "linkage");
        Assert.True(ReportSummary.RefreshIfStale(connection, Writes));
        Assert.True(ReportSummary.IsFresh(connection));
        Assert.Equal(0, Sql.Scalar<long>(connection, $"SELECT COUNT(*) FROM {ReportSummary.MonthlyTable} WHERE hotline_calls <> -7"));
        Assert.Equal(enteredBefore - 1, Sql.Scalar<long>(connection, entered));
        var stored = $"(SELECT * EXCLUDE (source_stamp) FROM {ReportSummary.FunnelTable})";
        var live = $"({ReportSummary.FunnelLiveSql})";
        Assert.Equal(0, Sql.Scalar<long>(connection, $"SELECT COUNT(*) FROM (({stored} EXCEPT ALL {live}) UNION ALL ({live} EXCEPT ALL {stored}))"));

        // Then a batch of a pipeline that writes a monthly input (declared), one that declares nothing, and a linkage batch
        // with a new active model: each recomputes the monthly rows.
        foreach (var (pipeline, change) in new[] { ("tip_determination", ""), ("hotline", ""), ("linkage", "UPDATE dw.dim_model SET is_active = false") })
        {
            warehouse.Execute($"UPDATE {ReportSummary.MonthlyTable} SET hotline_calls = -7");
            if (change.Length > 0)
            {
                warehouse.Execute(change);
            }

            AddBatch(warehouse, pipeline);
            Assert.True(ReportSummary.RefreshIfStale(connection, Writes));
            Assert.Equal(0, Sql.Scalar<long>(connection, $"SELECT COUNT(*) FROM {ReportSummary.MonthlyTable} WHERE hotline_calls = -7"));
        }
    }

    [Fact]
    public void The_monthly_inputs_are_the_tables_the_monthly_views_read()
    {
        using var compilation = TipWarehouse.Schema.SchemaCompiler.Compile(RepoPaths.SqlDirectory);
        var reads = TipWarehouse.Schema.ModelDocs.ViewReads(compilation.Model);
        var tables = new SortedSet<string>(StringComparer.Ordinal) { "dw.tip_determination", "dw.dim_date" };
        var pending = new Stack<string>(["rpt.v_monthly_national", "rpt.v_tip_monthly", "rpt.v_model_noise_rates"]);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (pending.TryPop(out var view))
        {
            if (!seen.Add(view))
            {
                continue;
            }

            foreach (var read in reads[view])
            {
                if (reads.ContainsKey(read))
                {
                    pending.Push(read);
                }
                else
                {
                    tables.Add(read);
                }
            }
        }

        Assert.Equal(tables, ReportSummary.MonthlyInputs.Order(StringComparer.Ordinal));
        Assert.Contains("rpt.v_monthly_national", ReportSummary.MonthlyLiveSql, StringComparison.Ordinal);
    }

    private static void AddBatch(SyntheticWarehouse warehouse, string pipeline, string status = PipelineRunStatus.Succeeded) => warehouse.Execute($"""
        INSERT INTO meta.batch (batch_id, run_id, pipeline, source, status, rows_read, rows_loaded, rows_rejected, rows_duplicate, started_at)
        VALUES ((SELECT COALESCE(MAX(batch_id), 0) + 1 FROM meta.batch), 1, '{pipeline}', 'test', '{status}', 1, 1, 0, 0, TIMESTAMP '2008-01-15 12:00:00')
        """);

    [Fact]
    public void A_failed_batch_after_the_refresh_leaves_the_summary_fresh_and_the_next_committed_one_does_not()
    {
        using var warehouse = new SyntheticWarehouse(withActiveModel: true);
        var connection = warehouse.Connection;
        ReportSummary.RefreshIfStale(connection);
        var stamp = ReportSummary.Stamp(connection);

        // A failed batch is recorded after its rollback: it wrote nothing a summary reads.
        AddBatch(warehouse, "linkage", PipelineRunStatus.Failed);
        AddBatch(warehouse, "hotline", PipelineRunStatus.Failed);
        Assert.Equal(stamp, ReportSummary.Stamp(connection));
        Assert.True(ReportSummary.IsFresh(connection));
        Assert.Equal(ReportSummary.MonthlyTable, ReportSummary.MonthlyRelation(connection));
        Assert.False(ReportSummary.RefreshIfStale(connection));

        AddBatch(warehouse, "hotline");
        Assert.False(ReportSummary.IsFresh(connection));
        Assert.StartsWith("(", ReportSummary.MonthlyRelation(connection), StringComparison.Ordinal);
    }

    [Fact]
    public void Activating_another_model_or_scoring_outside_a_batch_makes_the_summary_stale()
    {
        using var warehouse = new SyntheticWarehouse(withActiveModel: true);
        var connection = warehouse.Connection;
        ReportSummary.RefreshIfStale(connection);
        warehouse.Execute("DELETE FROM dw.fact_call_score WHERE call_key = (SELECT MIN(call_key) FROM dw.fact_call_score)");
        Assert.False(ReportSummary.IsFresh(connection));

        ReportSummary.RefreshIfStale(connection);
        warehouse.Execute("UPDATE dw.dim_model SET is_active = false");
        Assert.False(ReportSummary.IsFresh(connection));
        var table = MonthlyReport.Build(connection, new ReportRequest { By = PeriodGrain.Year });
        Assert.Contains(table.Notes, n => n.StartsWith("No active model", StringComparison.Ordinal));
    }

    private static void AssertSame(ResultTable expected, ResultTable actual)
    {
        Assert.Equal(expected.Columns.Select(c => c.Name), actual.Columns.Select(c => c.Name));
        Assert.Equal(expected.Notes, actual.Notes);
        Assert.Equal(expected.Rows.Count, actual.Rows.Count);
        for (var r = 0; r < expected.Rows.Count; r++)
        {
            // Counts may come back as HUGEINT from the views and BIGINT from the table: compared as the values they print.
            Assert.Equal(expected.Rows[r].Select(Text), actual.Rows[r].Select(Text));
        }
    }

    private static string? Text(object? value) => value is double d ? d.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
}
