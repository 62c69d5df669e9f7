namespace TipWarehouse.Cli.Tests;

/// <summary><c>tipw test</c> through the CLI: the specs' data tests and the integrity checks on a warehouse.</summary>
public sealed class TestCommandTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("tipw-test-cli-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public async Task Test_on_an_empty_warehouse_fails_only_the_row_count_warning_and_exits_0()
    {
        var harness = new CliHarness();
        var init = await harness.RunAsync("init", "--home", _home);
        Assert.True(init.ExitCode == CliApp.Success, init.Error);

        var run = await harness.RunAsync("test", "--home", _home, "--pipelines", Path.Combine(AppContext.BaseDirectory, "pipelines"), "--format", "csv");
        Assert.True(run.ExitCode == CliApp.Success, run.Error);
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("pipeline,test,kind,table,column,severity,failed_rows,total_rows,passed,detail", lines[0].TrimEnd('\r'));
        var failing = lines.Skip(1).Where(l => l.Contains(",false,", StringComparison.Ordinal)).ToList();
        var warning = Assert.Single(failing);
        Assert.StartsWith("hotline,row_count:dw.fact_hotline_call,row_count,", warning, StringComparison.Ordinal);
        Assert.Contains(",warning,1,0,false,", warning, StringComparison.Ordinal);
        Assert.Contains("integrity:", run.Error, StringComparison.Ordinal);
        Assert.Contains("0 violated", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_of_an_unknown_pipeline_is_a_usage_error()
    {
        var harness = new CliHarness();
        await harness.RunAsync("init", "--home", _home);
        var run = await harness.RunAsync("test", "--home", _home, "--pipeline", "nope", "--pipelines", Path.Combine(AppContext.BaseDirectory, "pipelines"));
        Assert.Equal(CliApp.UsageError, run.ExitCode);
        Assert.Contains("Unknown pipeline 'nope'", run.Error, StringComparison.Ordinal);
    }
}

/// <summary><c>tipw runs</c> names the sources whose declared cadence passed without new data.</summary>
public sealed class RunsFreshnessTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("tipw-runs-fresh-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public async Task Runs_on_a_warehouse_that_never_loaded_shows_every_cadenced_source_stale()
    {
        var harness = new CliHarness();
        Assert.Equal(CliApp.Success, (await harness.RunAsync("init", "--home", _home)).ExitCode);
        var pipelines = Path.Combine(AppContext.BaseDirectory, "pipelines");
        var runs = await harness.RunAsync("runs", "--home", _home, "--pipelines", pipelines);
        Assert.True(runs.ExitCode == CliApp.Success, runs.Error);
        Assert.Contains("hotline: stale (no data loaded yet; expected every 1d)", runs.Out, StringComparison.Ordinal);

        var fresh = await harness.RunAsync("runs", "--home", _home, "--pipelines", pipelines, "--freshness", "--format", "csv");
        Assert.Equal(CliApp.Success, fresh.ExitCode);
        Assert.Contains("hotline,86400,,stale", fresh.Out, StringComparison.Ordinal);
        Assert.Contains("prosecution,2678400,,stale", fresh.Out, StringComparison.Ordinal);
    }
}
