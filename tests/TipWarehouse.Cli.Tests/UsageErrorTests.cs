namespace TipWarehouse.Cli.Tests;

/// <summary>Usage errors in words: the hint keeps the whole command, unknown words get a did-you-mean, typed options say what they expect.</summary>
public sealed class UsageErrorTests(QueryWorld world) : IClassFixture<QueryWorld>
{
    [Theory]
    [InlineData("Run 'tipw schedule pause --help'", "schedule", "pause")]
    [InlineData("Run 'tipw evaluate linkage --help'", "evaluate", "linkage")]
    [InlineData("Run 'tipw runs --help'", "runs", "--last", "abc")]
    public async Task Hint_names_the_command_with_its_parents(string hint, params string[] args)
    {
        var run = await new CliHarness().RunAsync(args);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(hint, run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("reprot", "Did you mean 'report'?")]
    [InlineData("qeury", "Did you mean 'query'?")]
    public async Task Unknown_command_suggests_the_nearest_one(string word, string suggestion)
    {
        var run = await new CliHarness().RunAsync(word);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(suggestion, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_word_far_from_every_command_gets_no_suggestion()
    {
        var run = await new CliHarness().RunAsync("xyzzyplugh");
        Assert.Equal(2, run.ExitCode);
        Assert.DoesNotContain("Did you mean", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Typed_option_error_says_what_it_expects_in_words()
    {
        var run = await new CliHarness().RunAsync("runs", "--home", world.Home, "--last", "abc");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--last expects a whole number, not 'abc'.", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Out_naming_a_folder_is_a_usage_error_not_an_exception()
    {
        var run = await new CliHarness().RunAsync("query", "--home", world.Home, "--format", "csv", "--out", world.Home, "SELECT 1 AS n");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("is a folder; name a file in it", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("UnauthorizedAccess", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kpi_on_a_report_without_kpis_is_refused_with_the_reports_that_take_one()
    {
        var run = await new CliHarness().RunAsync("report", "monthly", "--home", world.Home, "--kpi", "x");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("only training-effect", run.Error, StringComparison.Ordinal);
        Assert.Contains("law-effect", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_pipeline_in_runs_is_refused_with_the_known_ones()
    {
        var run = await new CliHarness().RunAsync("runs", "--home", world.Home, "--pipeline", "hotlin");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Unknown pipeline 'hotlin'. Did you mean 'hotline'?", run.Error, StringComparison.Ordinal);
        Assert.Contains("police_stations", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_window_advises_about_the_window_not_about_scoring()
    {
        var run = await new CliHarness().RunAsync("report", "monthly", "--home", world.Home, "--from", "2005-01", "--to", "2005-03");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("has no hotline calls", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("tipw model score", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tipw_home_names_the_default_home_and_home_overrides_it()
    {
        var harness = new CliHarness();
        harness.Environment["TIPW_HOME"] = world.Home;
        var fromEnvironment = await harness.RunAsync("query", "--format", "csv", "SELECT 1 AS n");
        Assert.True(fromEnvironment.ExitCode == 0, fromEnvironment.Error);

        var elsewhere = Path.Combine(world.Home, "no-such-home");
        var overridden = await harness.RunAsync("query", "--home", elsewhere, "SELECT 1 AS n");
        Assert.Equal(1, overridden.ExitCode);
        Assert.Contains(elsewhere, overridden.Error, StringComparison.Ordinal);
    }
}
