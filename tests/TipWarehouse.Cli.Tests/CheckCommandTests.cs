namespace TipWarehouse.Cli.Tests;

/// <summary><c>tipw check</c> through the CLI: exit 0 on the shipped pipelines, exit 1 with file:line on a broken one, machine output on request.</summary>
public sealed class CheckCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tipw-check-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Shipped => Path.Combine(AppContext.BaseDirectory, "pipelines");

    [Fact]
    public async Task Check_passes_on_the_shipped_pipelines()
    {
        var run = await new CliHarness().RunAsync("check", "--pipelines", Shipped, "--format", "csv");
        Assert.True(run.ExitCode == CliApp.Success, run.Error);
        Assert.StartsWith("file,line,severity,check,pipeline,message", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(",error,", run.Out, StringComparison.Ordinal);
        Assert.Contains("0 error(s)", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_fails_with_exit_code_1_naming_the_file_and_line_of_a_broken_transform()
    {
        foreach (var file in Directory.EnumerateFiles(Shipped, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(_dir, Path.GetRelativePath(Shipped, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        var sql = Path.Combine(_dir, "police_arrests", "10_fact_arrest.sql");
        var lines = File.ReadAllLines(sql);
        var index = Array.FindIndex(lines, l => l.Contains("dw.dim_person", StringComparison.Ordinal));
        lines[index] = lines[index].Replace("dw.dim_person", "dw.dim_persona", StringComparison.Ordinal);
        File.WriteAllLines(sql, lines);

        var run = await new CliHarness().RunAsync("check", "--pipelines", _dir);
        Assert.Equal(CliApp.Failure, run.ExitCode);
        Assert.Contains($"10_fact_arrest.sql:{index + 1}: error: sql:", run.Error, StringComparison.Ordinal);
        Assert.Contains("dim_persona", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }
}
