using Microsoft.Extensions.Time.Testing;
using TipWarehouse.Cli.Output;
using TipWarehouse.Etl.Engine;

namespace TipWarehouse.Cli.Tests;

/// <summary>The global <c>--columns</c> option of table output, and the progress <c>tipw run</c> writes to a redirected stderr.</summary>
public sealed class ColumnsAndProgressTests(QueryWorld world) : IClassFixture<QueryWorld>
{
    private const string Wide = "SELECT 'hotline' AS pipeline, 1 AS run_id, 'succeeded' AS status, 12 AS batches, 123456 AS rows_read, 123000 AS rows_loaded, 400 AS rows_rejected, 56 AS rows_duplicate, 'a long error message that makes the table wide' AS error";

    [Fact]
    public async Task Columns_keeps_only_the_named_columns_in_their_order_in_every_format()
    {
        var harness = new CliHarness();
        var csv = await harness.RunAsync("query", "--home", world.Home, "--format", "csv", "--columns", "status, pipeline", Wide);
        Assert.True(csv.ExitCode == 0, csv.Error);
        Assert.Equal("status,pipeline\r\nsucceeded,hotline\r\n", csv.Out);

        var json = await harness.RunAsync("query", "--home", world.Home, "--format", "json", "--columns", "rows_read", Wide);
        Assert.Equal("[\n  {\n    \"rows_read\": 123456\n  }\n]", json.Out.Trim().Replace("\r", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_wide_table_fits_an_80_column_terminal_with_columns()
    {
        var harness = new CliHarness();
        var wide = await harness.RunAsync("query", "--home", world.Home, Wide);
        Assert.Contains(wide.Out.Split('\n'), line => line.TrimEnd('\r').Length > 80);

        var narrow = await harness.RunAsync("query", "--home", world.Home, "--columns", "pipeline,status,rows_read,rows_loaded,rows_rejected", Wide);
        Assert.True(narrow.ExitCode == 0, narrow.Error);
        Assert.All(narrow.Out.Split('\n'), line => Assert.True(line.TrimEnd('\r').Length <= 80, $"{line.Length} columns: {line}"));
        Assert.Contains("123456", narrow.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("long error", narrow.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_column_is_a_usage_error_that_names_it_and_lists_the_valid_ones()
    {
        var run = await new CliHarness().RunAsync("query", "--home", world.Home, "--columns", "pipeline,sttus", Wide);
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Out);
        Assert.Contains("no column 'sttus'", run.Error, StringComparison.Ordinal);
        Assert.Contains("pipeline, run_id, status, batches, rows_read, rows_loaded, rows_rejected, rows_duplicate, error", run.Error, StringComparison.Ordinal);

        var empty = await new CliHarness().RunAsync("query", "--home", world.Home, "--columns", " , ", Wide);
        Assert.Equal(2, empty.ExitCode);
    }

    [Fact]
    public void Redirected_lines_carry_the_clock_the_rate_and_an_eta_from_the_known_total_only()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2008, 1, 15, 12, 0, 0, TimeSpan.Zero));
        var error = new StringWriter();
        var progress = new RunProgress(new CliContext(TextWriter.Null, error, time, _ => null));

        progress.Report(new PipelineProgress("hotline", "started", null, 0, 0, 0, 0, 0));
        progress.Report(new PipelineProgress("hotline", "inspecting", null, 0, 0, 0, 0, 0, new WorkCount(0, 4, "files")));
        time.Advance(TimeSpan.FromSeconds(10));
        progress.Report(new PipelineProgress("hotline", "loading", "4 file(s)", 0, 0, 0, 0, 0, new WorkCount(0, 1000, "bytes")));
        time.Advance(TimeSpan.FromSeconds(10));
        progress.Report(new PipelineProgress("hotline", "batch", "llamadas_20060313.csv", 500, 490, 10, 0, 1, new WorkCount(250, 1000, "bytes")));
        time.Advance(TimeSpan.FromSeconds(10));
        progress.Report(new PipelineProgress("police_reports", "started", null, 0, 0, 0, 0, 0));
        time.Advance(TimeSpan.FromSeconds(4));
        progress.Report(new PipelineProgress("police_reports", "batch", "pnp_trata.sqlite", 800, 800, 0, 0, 1));
        progress.Report(new PipelineProgress("call_scoring", "started", null, 0, 0, 0, 0, 0));
        progress.Report(new PipelineProgress("call_scoring", "step", "scoring", 0, 0, 0, 0, 0, new WorkCount(0, 100, "calls")));
        time.Advance(TimeSpan.FromSeconds(5));
        progress.Report(new PipelineProgress("call_scoring", "step", "scoring", 0, 0, 0, 0, 0, new WorkCount(40, 100, "calls")));
        progress.Report(new PipelineProgress("linkage", "started", null, 0, 0, 0, 0, 0));
        time.Advance(TimeSpan.FromSeconds(3));
        progress.Report(new PipelineProgress("linkage", "step", "blocking hotline_police", 0, 0, 0, 0, 0, new WorkCount(1234, null, "pairs")));

        Assert.Equal(
            [
                "2008-01-15T12:00:00Z hotline: started",
                "2008-01-15T12:00:10Z hotline: loading 4 file(s); 0 of 1000 bytes (0%)",
                // 250 of the 1000 bytes in the 10 s since loading began: 750 more take 30 s.
                "2008-01-15T12:00:20Z hotline: batch 1 (llamadas_20060313.csv) done; total 500 read, 490 loaded, 10 rejected, 0 duplicate; 25 rows/s; 250 of 1000 bytes (25%), ETA 0:30",
                "2008-01-15T12:00:30Z police_reports: started",
                // A relational source knows no total: a rate, no share and no ETA.
                "2008-01-15T12:00:34Z police_reports: batch 1 (pnp_trata.sqlite) done; total 800 read, 800 loaded, 0 rejected, 0 duplicate; 200 rows/s",
                "2008-01-15T12:00:34Z call_scoring: started",
                "2008-01-15T12:00:34Z call_scoring: scoring: 0 calls of 100 (0%) after 0.0 s",
                "2008-01-15T12:00:39Z call_scoring: scoring: 40 calls of 100 (40%), ETA 0:07 after 5.0 s",
                "2008-01-15T12:00:39Z linkage: started",
                "2008-01-15T12:00:42Z linkage: blocking hotline_police: 1234 pairs after 3.0 s",
            ],
            error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')));
    }
}
