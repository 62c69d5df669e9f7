using System.Globalization;
using System.Text;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace TipWarehouse.Benchmarks.Micro;

/// <summary>Runs the hot-path micro-benchmarks with BenchmarkDotNet's short job, in process, and copies the summary into the results folder.</summary>
public static class MicroRunner
{
    /// <summary>Runs every micro-benchmark and writes <c>micro.md</c> under <paramref name="resultsFolder"/>; returns its path.</summary>
    public static string Run(string resultsFolder, string commandLine)
    {
        var loadAtStart = MachineInfo.LoadAverage();
        var artifacts = Directory.CreateTempSubdirectory("tipw-bdn-").FullName;

        // In-process: no generated project to build (it would inherit the repository's analyzers), and the sample is
        // simulated once for all benchmarks.
        var config = DefaultConfig.Instance
            .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
            .WithArtifactsPath(artifacts);
        var summaries = BenchmarkRunner.Run([typeof(ParseAndValidateBenchmarks), typeof(PseudonymizeBenchmarks), typeof(UbigeoConformanceBenchmarks)], config);
        var loadAtEnd = MachineInfo.LoadAverage();

        var text = new StringBuilder();
        text.AppendLine("# TipWarehouse micro-benchmarks (per-row hot paths)");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Run with `{commandLine}`: BenchmarkDotNet short job (3 warm-ups, 3 iterations, 1 launch), in-process toolchain. Each benchmark covers {MicroData.Rows:N0} simulated hotline rows per invocation (UBIGEO: {UbigeoConformanceBenchmarks.Rows:N0}) and reports per row (`OperationsPerInvoke`).");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Load average (1, 5, 15 min) at start: {loadAtStart}; at end: {loadAtEnd} on {Environment.ProcessorCount} cores{(MachineInfo.LoadAverage1() > Environment.ProcessorCount ? " — **measured under load** (other jobs shared the machine)" : "")}.");
        text.AppendLine();
        foreach (var report in Directory.EnumerateFiles(Path.Combine(artifacts, "results"), "*-report-github.md").Order(StringComparer.Ordinal))
        {
            text.AppendLine("## " + Path.GetFileName(report).Replace("-report-github.md", "", StringComparison.Ordinal).Split('.')[^1]);
            text.AppendLine();
            text.AppendLine(File.ReadAllText(report).Trim());
            text.AppendLine();
        }

        if (summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)))
        {
            text.AppendLine("Some benchmarks failed; see the console output of the run.");
        }

        Directory.CreateDirectory(resultsFolder);
        var path = Path.Combine(resultsFolder, "micro.md");
        File.WriteAllText(path, text.ToString());
        TryDelete(artifacts);
        TryDelete(MicroData.Get().Folder);
        return path;
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A scratch folder left in the temp directory is harmless.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }
}
