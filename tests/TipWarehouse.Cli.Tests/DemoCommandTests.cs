using System.Globalization;

namespace TipWarehouse.Cli.Tests;

/// <summary>The README's main command end to end, and the checks made from outside after it.</summary>
public sealed class DemoCommandTests : IDisposable
{
    private readonly string _home = Path.Combine(Path.GetTempPath(), "tipw-demo-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public async Task Demo_builds_the_warehouse_and_the_outside_checks_hold()
    {
        var harness = new CliHarness();
        var demo = await harness.RunAsync("demo", "--home", _home, "--format", "csv");
        Assert.True(demo.ExitCode == 0, demo.Error);

        var monthly = Csv(demo.Out);
        Assert.Equal(36, monthly.Count);
        Assert.Equal("0", monthly.Single(r => r["period"] == "2006-02")["hotline_calls"]);
        foreach (var month in monthly.Where(r => string.CompareOrdinal(r["period"], "2006-04") >= 0))
        {
            var calls = long.Parse(month["hotline_calls"], CultureInfo.InvariantCulture);
            Assert.InRange(calls, 850, 1_150);
            Assert.Equal(calls, long.Parse(month["calls_scored"], CultureInfo.InvariantCulture));
        }

        // Every batch reconciles: read = loaded + rejected + duplicate.
        var runs = Csv((await harness.RunAsync("runs", "--home", _home, "--format", "csv")).Out);
        Assert.NotEmpty(runs);
        foreach (var batch in runs.Where(r => r["batch_id"].Length > 0))
        {
            Assert.Equal(N(batch["rows_read"]), N(batch["rows_loaded"]) + N(batch["rows_rejected"]) + N(batch["rows_duplicate"]));
        }

        // Linkage meets its targets against the simulator's truth.
        var linkage = await harness.RunAsync("evaluate", "linkage", "--home", _home, "--truth", Path.Combine(_home, "sources", "truth"), "--format", "csv");
        Assert.True(linkage.ExitCode == 0, linkage.Error);
        var links = Csv(linkage.Out).ToDictionary(r => r["link_type"]);
        Assert.True(D(links["police_prosecution"]["precision"]) >= 0.98 && D(links["police_prosecution"]["recall"]) >= 0.95, linkage.Out);
        Assert.True(D(links["hotline_police"]["precision"]) >= 0.95 && D(links["hotline_police"]["recall"]) >= 0.90, linkage.Out);

        // The classifier meets its targets on the test months against the true labels. The triage threshold is chosen on the
        // warehouse's own labels for recall 0.90 with a precision floor of 0.85 (issue 16), so against the truth both are lower;
        // trained on the hand-written narratives too, the model trades recall on the simulator's wording (0.81 on the demo
        // world) for precision on unfamiliar wording (README, classifier).
        var classifier = await harness.RunAsync("evaluate", "classifier", "--home", _home, "--truth", Path.Combine(_home, "sources", "truth"), "--format", "csv");
        Assert.True(classifier.ExitCode == 0, classifier.Error);
        var metrics = Csv(classifier.Out).Single();
        Assert.True(D(metrics["auc"]) >= 0.95 && D(metrics["recall"]) >= 0.78 && D(metrics["precision"]) >= 0.80, classifier.Out);

        // The prevalence estimate (tip_share_model) meets issue 16's targets on the demo world: every quarter within 1.5 points
        // of the true share, the true share inside the 95% interval in at least 90% of the months (1.24 points and 22 of 22
        // with the noise-corrected posterior; README, classifier).
        var quarters = await harness.RunAsync("evaluate", "classifier", "--home", _home, "--truth", Path.Combine(_home, "sources", "truth"), "--prevalence", "quarter", "--format", "csv");
        Assert.True(quarters.ExitCode == 0, quarters.Error);
        Assert.All(Csv(quarters.Out), q => Assert.True(Math.Abs(D(q["error"])) <= 0.015, quarters.Out));
        var months = await harness.RunAsync("evaluate", "classifier", "--home", _home, "--truth", Path.Combine(_home, "sources", "truth"), "--prevalence", "month", "--format", "csv");
        var monthRows = Csv(months.Out);
        Assert.True(monthRows.Count >= 20 && monthRows.Count(m => m["covered"] == "true") >= 0.9 * monthRows.Count, months.Out);

        // Every canned report runs on the demo world, raw and published, as a new user would try them: the names are read
        // from the command's own help, so a report added later is covered too.
        var help = await harness.RunAsync("report", "--help");
        var names = System.Text.RegularExpressions.Regex.Match(help.Out, @"<([a-z-]+(?:\|[a-z-]+)+)>").Groups[1].Value.Split('|');
        Assert.Contains("definitions", names);
        foreach (var name in names)
        {
            foreach (var publish in new[] { false, true })
            {
                string[] args = ["report", name, "--home", _home, "--format", "csv", .. publish ? new[] { "--publish" } : []];
                var report = await harness.RunAsync(args);
                Assert.True(report.ExitCode == 0, $"tipw {string.Join(' ', args)}: exit {report.ExitCode}\n{report.Error}");
                Assert.True(Csv(report.Out).Count > 0, $"tipw {string.Join(' ', args)} printed no row");
            }
        }

        // A second demo of the same world simulates nothing, loads nothing and prints the same figures.
        var sourceFile = Directory.GetFiles(Path.Combine(_home, "sources", "hotline")).Order(StringComparer.Ordinal).First();
        var written = File.GetLastWriteTimeUtc(sourceFile);
        var second = await harness.RunAsync("demo", "--home", _home, "--format", "csv");
        Assert.True(second.ExitCode == 0, second.Error);
        Assert.Contains("kept, not simulated again", second.Error, StringComparison.Ordinal);
        Assert.Equal(written, File.GetLastWriteTimeUtc(sourceFile));
        Assert.Equal(demo.Out, second.Out);

        // A second run on the same sources loads nothing new.
        var again = await harness.RunAsync("run", "--all", "--home", _home, "--format", "csv");
        Assert.True(again.ExitCode == 0, again.Error);
        Assert.All(Csv(again.Out), r => Assert.Equal("0", r["rows_loaded"]));
    }

    private static long N(string value) => long.Parse(value, CultureInfo.InvariantCulture);

    private static double D(string value) => double.Parse(value, CultureInfo.InvariantCulture);

    private static List<Dictionary<string, string>> Csv(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        var header = lines[0].Split(',');
        return [.. lines.Skip(1).Select(l => l.Split(',')).Select(f => header.Select((h, i) => (h, i < f.Length ? f[i] : string.Empty)).ToDictionary(x => x.h, x => x.Item2))];
    }
}
