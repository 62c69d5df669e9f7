using System.Diagnostics;
using TipWarehouse.Cli.Commands;
using TipWarehouse.Core;

namespace TipWarehouse.Cli.Tests;

/// <summary>An initialized, empty warehouse shared by the <c>tipw query</c> tests.</summary>
public sealed class QueryWorld : IDisposable
{
    public QueryWorld()
    {
        Home = Directory.CreateTempSubdirectory("tipw-query-cli-").FullName;
        var init = new CliHarness().RunAsync("init", "--home", Home).GetAwaiter().GetResult();
        if (init.ExitCode != 0)
        {
            throw new InvalidOperationException("init failed: " + init.Error);
        }
    }

    public string Home { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Home, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}

public sealed class QueryCommandTests(QueryWorld world) : IClassFixture<QueryWorld>
{
    [Theory]
    [InlineData("SELECT 1", 1)]
    [InlineData("SELECT 1;", 1)]
    [InlineData("SELECT ';' AS semi; -- a comment; not a statement", 1)]
    [InlineData("SELECT 'a;b', \"odd;name\" FROM t /* ; */", 1)]
    [InlineData("SELECT $$;$$, $tag$ ; $tag$", 1)]
    [InlineData("SELECT 1; DROP TABLE dw.fact_hotline_call", 2)]
    [InlineData("SELECT 'it''s'; SELECT 2;;", 2)]
    [InlineData(" ; -- nothing", 0)]
    public void Statements_are_split_at_semicolons_outside_strings_and_comments(string sql, int count) =>
        Assert.Equal(count, SqlStatements.Split(sql).Count);

    [Fact]
    public async Task More_than_one_statement_is_refused_with_exit_code_2_and_nothing_runs()
    {
        var harness = new CliHarness();
        var run = await harness.RunAsync("query", "--home", world.Home, "SELECT 1; DROP TABLE dw.fact_hotline_call");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("one statement at a time; this has 2", run.Error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Out);
        var still = await harness.RunAsync("query", "--home", world.Home, "--format", "csv", "SELECT count(*) AS n FROM dw.fact_hotline_call");
        Assert.Equal(0, still.ExitCode);
    }

    [Fact]
    public async Task Syntax_error_is_reported_as_a_syntax_error_not_as_a_refused_write()
    {
        var run = await new CliHarness().RunAsync("query", "--home", world.Home, "SELEC 1");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("syntax error", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("refused", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("INSERT INTO meta.batch VALUES (1)", "an INSERT statement is refused")]
    [InlineData("update dw.dim_date SET year = 1", "an UPDATE statement is refused")]
    [InlineData("DROP TABLE dw.dim_date", "a DROP statement is refused")]
    [InlineData("SET enable_external_access = true", "a SET statement is refused")]
    public async Task Write_is_refused_with_exit_code_2_and_the_right_article(string sql, string message)
    {
        var run = await new CliHarness().RunAsync("query", "--home", world.Home, sql);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_past_its_timeout_is_stopped_with_a_clear_message()
    {
        var harness = new CliHarness();
        var query = Task.Run(() => harness.RunAsync("query", "--home", world.Home, "--timeout", "5", "SELECT count(*) FROM range(100000000000000) t(a) WHERE a % 7 = 3"));

        // The timeout runs on the harness's fake clock: move it past 5 s until the query gives up (bounded patience).
        var patience = Stopwatch.StartNew();
        while (!query.IsCompleted && patience.Elapsed < TimeSpan.FromSeconds(60))
        {
            harness.Time.Advance(TimeSpan.FromSeconds(6));
            await Task.WhenAny(query, Task.Delay(100));
        }

        Assert.True(query.IsCompleted, "the query was not stopped");
        var run = await query;
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("stopped after 5 s (--timeout)", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    public async Task Timeout_that_is_not_a_number_of_seconds_is_a_usage_error(string value)
    {
        var run = await new CliHarness().RunAsync("query", "--home", world.Home, "--timeout", value, "SELECT 1");
        Assert.Equal(2, run.ExitCode);
    }

    [Fact]
    public async Task Warehouse_held_by_another_process_is_reported_busy_not_as_a_duckdb_exception()
    {
        // This process holds the warehouse for writing, as a running 'tipw run' would; a second process queries it.
        using var writer = Warehouse.Open(new TipwHome(world.Home));
        var tipw = Path.Combine(AppContext.BaseDirectory, "tipw.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { tipw, "query", "--home", world.Home, "SELECT 1" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));

        Assert.Equal(1, process.ExitCode);
        var error = await stderr;
        Assert.Contains("The warehouse is busy: another process (PID ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("DuckDBException", error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, await stdout);
    }
}
