namespace TipWarehouse.Cli.Tests;

public sealed class CommandLineContractTests
{
    [Fact]
    public async Task Unknown_option_is_a_usage_error_with_exit_code_2()
    {
        var run = await new CliHarness().RunAsync("query", "--home", "x", "--format", "xml", "SELECT 1");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("xml", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_without_a_warehouse_says_to_run_init_and_exits_1()
    {
        var home = Path.Combine(Path.GetTempPath(), "tipw-test-" + Guid.NewGuid().ToString("N"));
        var run = await new CliHarness().RunAsync("query", "--home", home, "SELECT 1");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("tipw init", run.Error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Out);
    }
}
