namespace TipWarehouse.Benchmarks.Tests;

public sealed class ResultsWriterTests
{
    [Fact]
    public void The_host_probe_runs_its_fixed_workload_and_each_stage_row_shows_the_probe_before_it()
    {
        Assert.True(HostProbe.Milliseconds() > 0);

        var folder = Directory.CreateTempSubdirectory("tipw-results-").FullName;
        try
        {
            StageMeasurement Stage(string key, double? probe) => new(key, "tipw run " + key, 1, 1, 1048576, 10, 0, 1, "1.00, 1.00, 1.00", "", probe);
            var report = new HarnessReport(
                "2026-12-03 17:00 UTC", 1, 42, 10, new MachineInfo("vm", "cpu", 2, 1, "os", "runtime", "duckdb"), "1, 1, 1", "1, 1, 1", false, null,
                [], [], null, new Dictionary<string, double>(), "harness", [Stage("hotline", 700.4), Stage("linkage_full", 512.2), Stage("reports", null), Stage("run_all", 650)]);

            var markdown = File.ReadAllText(ResultsWriter.Write(folder, report));

            Assert.Contains("512 ms fastest, 650 ms median, 700 ms slowest.", markdown, StringComparison.Ordinal);
            Assert.Contains("| linkage_full | 1.00 | 1.00 | 10 | 10.0 | 1.00 | 1.0 | 512 | 0 |", markdown, StringComparison.Ordinal);
            Assert.Contains("| reports | 1.00 | 1.00 | 10 | 10.0 | 1.00 | 1.0 |  | 0 |", markdown, StringComparison.Ordinal);
            Assert.Equal(650, ResultsWriter.TryRead(Path.Combine(folder, "scale-1.json"))!.Stages![3].HostProbeMs);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
