namespace TipWarehouse.Cli.Tests;

/// <summary>A small world simulated and initialized once for the <c>tipw run</c> / <c>tipw runs</c> tests.</summary>
public sealed class RunCommandWorld : IDisposable
{
    public RunCommandWorld()
    {
        Root = Directory.CreateTempSubdirectory("tipw-run-cli-").FullName;
        Sources = Path.Combine(Root, "sources");
        var harness = new CliHarness();
        var simulate = harness.RunAsync("simulate", "--out", Sources, "--from", "2006-03-01", "--to", "2006-04-15").GetAwaiter().GetResult();
        if (simulate.ExitCode != 0)
        {
            throw new InvalidOperationException("simulate failed: " + simulate.Error);
        }
    }

    public string Root { get; }

    public string Sources { get; }

    public async Task<string> NewHomeAsync(CliHarness harness, string name)
    {
        var home = Path.Combine(Root, name);
        var init = await harness.RunAsync("init", "--home", home);
        Assert.True(init.ExitCode == 0, init.Error);
        return home;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}

public sealed class RunCommandTests(RunCommandWorld world) : IClassFixture<RunCommandWorld>
{
    private static List<Dictionary<string, string>> ParseCsv(string csv)
    {
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        var header = lines[0].Split(',');
        return [.. lines.Skip(1).Select(l => l.Split(','))
            .Where(f => f.Length >= header.Length)
            .Select(f => header.Select((h, i) => (h, f[i])).ToDictionary(x => x.h, x => x.Item2))];
    }

    [Fact]
    public async Task Run_all_reconciles_every_batch_and_a_second_run_loads_nothing()
    {
        var harness = new CliHarness();
        var home = await world.NewHomeAsync(harness, "all");
        var run = await harness.RunAsync("run", "--all", "--home", home, "--sources", world.Sources, "--format", "csv");
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("hotline: batch 1", run.Error, StringComparison.Ordinal);
        var first = ParseCsv(run.Out);
        // The six source pipelines plus the downstream linkage, call-scoring and TIP determination steps.
        Assert.Equal(9, first.Count);
        Assert.All(first, r => Assert.Equal("succeeded", r["status"]));
        Assert.True(long.Parse(first.Single(r => r["pipeline"] == "hotline")["rows_loaded"], System.Globalization.CultureInfo.InvariantCulture) > 100);

        var runs = await harness.RunAsync("runs", "--home", home, "--format", "csv");
        Assert.Equal(0, runs.ExitCode);
        var header = runs.Out.Split('\n')[0].Trim();
        foreach (var column in new[] { "run_id", "batch_id", "pipeline", "source", "status", "rows_read", "rows_loaded", "rows_rejected", "rows_duplicate", "watermark_before", "watermark_after", "started_at", "duration_ms", "error" })
        {
            Assert.Contains(column, header.Split(','));
        }

        foreach (var batch in ParseCsv(runs.Out).Where(r => r["batch_id"].Length > 0))
        {
            long N(string c) => long.Parse(batch[c], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(N("rows_read"), N("rows_loaded") + N("rows_rejected") + N("rows_duplicate"));
        }

        var again = await harness.RunAsync("run", "--all", "--home", home, "--sources", world.Sources, "--format", "csv");
        Assert.True(again.ExitCode == 0, again.Error);
        Assert.All(ParseCsv(again.Out), r => Assert.Equal("0", r["rows_loaded"]));

        var hotlineOnly = await harness.RunAsync("runs", "--home", home, "--pipeline", "hotline", "--format", "csv");
        Assert.All(ParseCsv(hotlineOnly.Out), r => Assert.Equal("hotline", r["pipeline"]));
    }

    [Fact]
    public async Task Schedule_shows_a_source_stale_once_its_cadence_passes_without_new_data()
    {
        var harness = new CliHarness();
        var home = await world.NewHomeAsync(harness, "schedule-freshness");
        var run = await harness.RunAsync("run", "police_stations", "hotline", "--home", home, "--sources", world.Sources);
        Assert.True(run.ExitCode == 0, run.Error);

        async Task<Dictionary<string, string?>> Freshness(params string[] args)
        {
            var result = await harness.RunAsync([.. args, "--home", home, "--format", "json"]);
            Assert.True(result.ExitCode == 0, result.Error);
            using var json = System.Text.Json.JsonDocument.Parse(result.Out);
            return json.RootElement.EnumerateArray().ToDictionary(
                r => r.GetProperty("pipeline").GetString()!,
                r => (r.TryGetProperty("freshness", out var f) ? f : r.GetProperty("status")).GetString());
        }

        // Just loaded: hotline (daily) is fresh; police_reports (hourly) never loaded anything; linkage declares no cadence.
        var now = await Freshness("schedule");
        Assert.Equal("fresh", now["hotline"]);
        Assert.Equal("stale", now["police_reports"]);
        Assert.Null(now["linkage"]);

        harness.Time.Advance(TimeSpan.FromDays(2));
        var later = await Freshness("schedule");
        Assert.Equal("stale", later["hotline"]);
        // The same evaluation as 'tipw runs --freshness', for every source that declares a cadence.
        var runs = await Freshness("runs", "--freshness");
        Assert.Equal(runs.OrderBy(r => r.Key), later.Where(r => r.Value is not null).OrderBy(r => r.Key));
    }

    [Fact]
    public async Task Injected_fault_fails_the_run_with_exit_code_1_and_the_next_run_completes()
    {
        var harness = new CliHarness();
        var home = await world.NewHomeAsync(harness, "fault");
        harness.Fault = "hotline:staged";
        var failed = await harness.RunAsync("run", "police_stations", "hotline", "--home", home, "--sources", world.Sources);
        Assert.Equal(1, failed.ExitCode);
        Assert.Contains("pipeline hotline failed: Injected fault", failed.Error, StringComparison.Ordinal);

        harness.Fault = null;
        var resumed = await harness.RunAsync("run", "hotline", "--home", home, "--sources", world.Sources, "--format", "csv");
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        var failedBatches = await harness.RunAsync("query", "--home", home, "--format", "csv", "SELECT count(*) AS n FROM meta.batch WHERE status = 'failed'");
        Assert.Equal("n\n1", failedBatches.Out.Trim().Replace("\r", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_all_on_a_terminal_holds_downstream_pipelines_back_when_their_upstream_fails()
    {
        var harness = new CliHarness { ErrorIsTerminal = true };
        var home = await world.NewHomeAsync(harness, "terminal-fault");
        harness.Fault = "police_stations:staged";
        var run = await harness.RunAsync("run", "--all", "--home", home, "--sources", world.Sources, "--format", "csv");

        Assert.Equal(1, run.ExitCode);
        var rows = ParseCsv(run.Out);
        Assert.Equal(9, rows.Count);
        Assert.Equal("failed", rows.Single(r => r["pipeline"] == "police_stations")["status"]);
        Assert.Contains("not run: upstream pipeline police_stations failed", rows.Single(r => r["pipeline"] == "hotline")["error"], StringComparison.Ordinal);
        Assert.All(rows.Where(r => r["pipeline"] != "police_stations"), r => Assert.Equal("0", r["run_id"]));
        var started = await harness.RunAsync("query", "--home", home, "--format", "csv", "SELECT count(DISTINCT pipeline) AS n FROM meta.pipeline_run");
        Assert.Equal("n\n1", started.Out.Trim().Replace("\r", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Fault_variable_does_nothing_in_the_shipped_cli()
    {
        var harness = new CliHarness();
        var home = await world.NewHomeAsync(harness, "fault-variable");
        harness.Environment["TIPW_FAULT"] = "police_stations:staged";
        var run = await harness.RunAsync("run", "police_stations", "--home", home, "--sources", world.Sources);
        Assert.True(run.ExitCode == 0, run.Error);
    }

    [Fact]
    public async Task Redirected_progress_lines_carry_the_injected_clock_and_a_rate()
    {
        var harness = new CliHarness();
        var home = await world.NewHomeAsync(harness, "progress-lines");
        var run = await harness.RunAsync("run", "police_stations", "--home", home, "--sources", world.Sources);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("2008-01-15T12:00:00Z police_stations: started", run.Error, StringComparison.Ordinal);
        Assert.Contains("rows/s", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Usage_errors_exit_with_code_2()
    {
        var harness = new CliHarness();
        Assert.Equal(2, (await harness.RunAsync("run", "--home", Path.Combine(world.Root, "none"), "--sources", world.Sources)).ExitCode);
        Assert.Equal(2, (await harness.RunAsync("run", "--all", "hotline", "--sources", world.Sources)).ExitCode);
        var window = await harness.RunAsync("run", "--all", "--sources", world.Sources, "--from", "2006-03-01");
        Assert.Equal(2, window.ExitCode);
        Assert.Contains("--to", window.Error, StringComparison.Ordinal);
        var sweepInWindow = await harness.RunAsync("run", "--all", "--sources", world.Sources, "--full-compare", "--from", "2006-03-01", "--to", "2006-03-31");
        Assert.Equal(2, sweepInWindow.ExitCode);
        Assert.Contains("--full-compare reads the whole source", sweepInWindow.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Spec_error_names_file_line_and_field_and_runs_nothing()
    {
        var harness = new CliHarness();
        var home = await world.NewHomeAsync(harness, "badspec");
        var specs = Directory.CreateDirectory(Path.Combine(world.Root, "bad-pipelines")).FullName;
        File.WriteAllText(Path.Combine(specs, "calls.yaml"), "kind: csv\nschedule:\n  cron: \"every day\"\n");
        harness.Environment["TIPW_PIPELINES_DIR"] = specs;
        var run = await harness.RunAsync("run", "--all", "--home", home, "--sources", world.Sources);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("calls.yaml:3: schedule.cron", run.Error, StringComparison.Ordinal);
        var runs = await harness.RunAsync("runs", "--home", home, "--format", "csv");
        Assert.Single(runs.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Rebuild_of_a_source_pipeline_replays_its_archive_then_the_pipelines_downstream_and_refuses_what_it_cannot()
    {
        var harness = new CliHarness();
        var home = await world.NewHomeAsync(harness, "rebuild-source");
        var run = await harness.RunAsync("run", "--all", "--home", home, "--sources", world.Sources);
        Assert.True(run.ExitCode == 0, run.Error);

        var stations = await harness.RunAsync("rebuild", "police_stations", "--home", home);
        Assert.Equal(2, stations.ExitCode);
        Assert.Contains("declares no rebuild: section", stations.Error, StringComparison.Ordinal);

        var rebuild = await harness.RunAsync("rebuild", "hotline", "--home", home, "--format", "csv");
        Assert.True(rebuild.ExitCode == 0, rebuild.Error);
        Assert.Contains("note: call_scoring, linkage, tip_determination are re-derived too", rebuild.Error, StringComparison.Ordinal);
        Assert.Contains("dw.fact_hotline_call", rebuild.Error, StringComparison.Ordinal);
        var figures = ParseCsv(rebuild.Out);
        Assert.NotEmpty(figures);
        Assert.All(figures, f => Assert.Equal("0", f["change"]));

        Directory.Delete(Path.Combine(home, "archive", "hotline"), recursive: true);
        var legacy = await harness.RunAsync("rebuild", "--all", "--home", home);
        Assert.Equal(2, legacy.ExitCode);
        Assert.Contains("Pipeline hotline:", legacy.Error, StringComparison.Ordinal);
        Assert.Contains("have no archive", legacy.Error, StringComparison.Ordinal);
    }
}
