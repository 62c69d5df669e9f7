using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using TipWarehouse.Analytics.Export;
using TipWarehouse.Cli;

namespace TipWarehouse.Analytics.Tests;

/// <summary>A home with the synthetic warehouse on disk, for running <c>tipw report</c> and <c>tipw export</c> in-process.</summary>
public sealed class HomeFixture : IDisposable
{
    public HomeFixture()
    {
        Directory.CreateDirectory(Root);
        using (new SyntheticWarehouse(path: Path.Combine(Root, "warehouse.duckdb")))
        {
        }
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "tipw-analytics-home-" + Guid.NewGuid().ToString("N"));

    public static async Task<(int ExitCode, string Out, string Error)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var context = new CliContext(stdout, stderr, new FakeTimeProvider(new DateTimeOffset(2008, 1, 15, 12, 0, 0, TimeSpan.Zero)), _ => null);
        var exitCode = await CliApp.RunAsync(args, context);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

public sealed class ReportCommandTests : IClassFixture<HomeFixture>
{
    private static readonly string[] s_countColumns =
    [
        "hotline_calls", "calls_tip_by_operator", "calls_scored", "calls_tip_by_model", "tip_police_reports", "tip_arrests",
        "cases_sent_to_prosecution", "formalizations", "sentences", "convictions",
    ];

    private readonly HomeFixture _home;

    public ReportCommandTests(HomeFixture home) => _home = home;

    [Fact]
    public async Task Monthly_csv_for_2006_has_12_rows_and_no_calls_in_January_and_February()
    {
        var run = await HomeFixture.RunAsync("report", "monthly", "--home", _home.Root, "--from", "2006-01", "--to", "2006-12", "--format", "csv");
        Assert.Equal(0, run.ExitCode);
        var lines = run.Out.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(13, lines.Length);
        var header = lines[0].Split(',');
        var calls = Array.IndexOf(header, "hotline_calls");
        Assert.Equal("2006-01", lines[1].Split(',')[0]);
        Assert.Equal("0", lines[1].Split(',')[calls]);
        Assert.Equal("0", lines[2].Split(',')[calls]);
        Assert.NotEqual("0", lines[3].Split(',')[calls]);
        Assert.Contains("No active model", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Published_csv_has_no_count_between_1_and_9_and_a_footer_on_stderr()
    {
        var run = await HomeFixture.RunAsync("report", "monthly", "--home", _home.Root, "--from", "2006-01", "--to", "2006-12", "--format", "csv", "--publish");
        Assert.Equal(0, run.ExitCode);
        var lines = run.Out.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(13, lines.Length);
        var header = lines[0].Split(',');
        Assert.Equal("suppressed_cells", header[^1]);
        var suppressed = 0;
        foreach (var line in lines.Skip(1))
        {
            var cells = line.Split(',');
            foreach (var column in s_countColumns)
            {
                var cell = cells[Array.IndexOf(header, column)];
                if (cell.Length == 0)
                {
                    suppressed++;
                    continue;
                }

                var value = long.Parse(cell, CultureInfo.InvariantCulture);
                var k = TipWarehouse.Analytics.Disclosure.DisclosurePolicy.Default.ThresholdOf(column, 10);
                Assert.False(value >= 1 && value < k, $"{column} = {value} (k={k}) in {line}");
            }
        }

        Assert.True(suppressed > 0);
        Assert.Contains("Disclosure control: every figure is a cell of one cube per measure", run.Error, StringComparison.Ordinal);
        Assert.Contains("counts of persons are published from k=10", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Published_table_marks_suppressed_cells_and_counts_them_in_the_footer()
    {
        var run = await HomeFixture.RunAsync("report", "regions", "--home", _home.Root, "--from", "2006-03", "--to", "2006-03", "--publish", "--k", "20");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains(" x ", run.Out, StringComparison.Ordinal);
        Assert.Contains("Disclosure control: every figure is a cell of one cube per measure", run.Out, StringComparison.Ordinal);
        Assert.Contains("counts of persons are published from k=20", run.Out, StringComparison.Ordinal);

        // Two months are not one period of the grid: a usage error naming the allowed windows.
        var unaligned = await HomeFixture.RunAsync("report", "regions", "--home", _home.Root, "--from", "2006-03", "--to", "2006-04", "--publish");
        Assert.Equal(2, unaligned.ExitCode);
        Assert.Contains("one month", unaligned.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Binary_formats_without_out_are_a_usage_error()
    {
        var run = await HomeFixture.RunAsync("report", "monthly", "--home", _home.Root, "--format", "parquet");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--out", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task K_without_publish_and_a_bad_month_are_usage_errors()
    {
        Assert.Equal(2, (await HomeFixture.RunAsync("report", "monthly", "--home", _home.Root, "--k", "5")).ExitCode);
        var bad = await HomeFixture.RunAsync("report", "monthly", "--home", _home.Root, "--from", "2006-13");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("YYYY-MM", bad.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Png_arrow_and_parquet_reports_are_written_to_out()
    {
        var png = Path.Combine(_home.Root, "out", "monthly.png");
        Assert.Equal(0, (await HomeFixture.RunAsync("report", "monthly", "--home", _home.Root, "--format", "png", "--out", png)).ExitCode);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], (await File.ReadAllBytesAsync(png))[..4]);

        var arrow = Path.Combine(_home.Root, "out", "funnel.arrow");
        Assert.Equal(0, (await HomeFixture.RunAsync("report", "funnel", "--home", _home.Root, "--format", "arrow", "--out", arrow)).ExitCode);
        Assert.Equal(7, (await ArrowExport.ReadAsync(arrow)).Rows.Count);

        var parquet = Path.Combine(_home.Root, "out", "law.parquet");
        var run = await HomeFixture.RunAsync("report", "law-effect", "--home", _home.Root, "--format", "parquet", "--out", parquet);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Newey-West", run.Error, StringComparison.Ordinal);
        Assert.True(new FileInfo(parquet).Length > 0);
    }

    [Fact]
    public async Task Export_writes_an_arrow_file_that_reads_back_every_row()
    {
        var path = Path.Combine(_home.Root, "out", "calls.arrow");
        var run = await HomeFixture.RunAsync("export", "dw.fact_hotline_call", "--home", _home.Root, "--format", "arrow", "--out", path);
        Assert.Equal(0, run.ExitCode);
        var table = await ArrowExport.ReadAsync(path);
        using var warehouse = Core.Warehouse.OpenPath(Path.Combine(_home.Root, "warehouse.duckdb"), readOnly: true);
        using var command = warehouse.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM dw.fact_hotline_call";
        Assert.Equal(Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture), table.Rows.Count);
        Assert.Contains("Exported dw.fact_hotline_call", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_csv_goes_to_stdout_and_parquet_defaults_to_the_exports_folder()
    {
        var csv = await HomeFixture.RunAsync("export", "v_region_reference", "--home", _home.Root, "--format", "csv");
        Assert.Equal(0, csv.ExitCode);
        Assert.StartsWith("region_level,region_name,districts,poverty_rate_pct", csv.Out, StringComparison.Ordinal);

        var parquet = await HomeFixture.RunAsync("export", "dw.fact_police_report", "--home", _home.Root);
        Assert.Equal(0, parquet.ExitCode);
        Assert.True(File.Exists(Path.Combine(_home.Root, "exports", "dw.fact_police_report.parquet")));
    }

    [Fact]
    public async Task Export_of_an_unknown_table_is_a_usage_error()
    {
        var run = await HomeFixture.RunAsync("export", "dw.nothing", "--home", _home.Root, "--format", "csv");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("No table or view", run.Error, StringComparison.Ordinal);
    }
}
