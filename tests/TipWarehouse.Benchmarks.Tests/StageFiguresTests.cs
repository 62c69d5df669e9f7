using TipWarehouse.Core;

namespace TipWarehouse.Benchmarks.Tests;

public sealed class StageFiguresTests
{
    private static StageMeasurement Stage(string key, double seconds, long? rssMiB = 100, int exit = 0, long? rows = 1000) =>
        new(key, "tipw run " + key, seconds, seconds, rssMiB * 1048576, rows, exit, 1.0, "1.00, 1.00, 1.00", "");

    private static IReadOnlyList<StageMeasurement> Chain(double hotline, double linkage, double incremental, double runAll, double scoring, long rssMiB = 100) =>
    [
        Stage("hotline", hotline), Stage("linkage_full", linkage), Stage("linkage_incremental", incremental),
        Stage("run_all", runAll), Stage("call_scoring", scoring), Stage("load_last_day", 2, rssMiB: rssMiB),
    ];

    private static Figure Find(IReadOnlyList<Figure> figures, string key) => figures.Single(f => f.Key == key);

    [Fact]
    public void Linkage_is_judged_against_twice_the_hotline_ingest_of_the_same_run()
    {
        var pass = StageFigures.Compute(Chain(hotline: 10, linkage: 19, incremental: 1, runAll: 60, scoring: 5), 1, _ => null);
        var miss = StageFigures.Compute(Chain(hotline: 10, linkage: 21, incremental: 1, runAll: 60, scoring: 5), 1, _ => null);

        Assert.Equal(1.9, Find(pass, "linkage_vs_hotline").Value!.Value, 6);
        Assert.True(Find(pass, "linkage_vs_hotline").Pass);
        Assert.False(Find(miss, "linkage_vs_hotline").Pass);
    }

    [Fact]
    public void Run_all_counts_the_scoring_stage_and_the_incremental_day_its_own_seconds()
    {
        var figures = StageFigures.Compute(Chain(hotline: 10, linkage: 10, incremental: 6, runAll: 170, scoring: 11), 1, _ => null);

        Assert.Equal(181, Find(figures, "run_all_seconds").Value);
        Assert.False(Find(figures, "run_all_seconds").Pass);
        Assert.Equal(6, Find(figures, "linkage_incremental_seconds").Value);
        Assert.False(Find(figures, "linkage_incremental_seconds").Pass);
    }

    [Fact]
    public void Largest_peak_rss_names_its_stage_and_a_failed_stage_is_a_miss()
    {
        var stages = Chain(hotline: 10, linkage: 10, incremental: 1, runAll: 60, scoring: 5, rssMiB: 1600);
        var rss = Find(StageFigures.Compute(stages, 1, _ => null), "stage_peak_rss_mib");
        Assert.Equal(1600, rss.Value);
        Assert.StartsWith("load_last_day", rss.Note, StringComparison.Ordinal);
        Assert.False(rss.Pass);

        var failed = stages.Select(s => s.Stage == "linkage_full" ? s with { ExitCode = 137, PeakRssBytes = 10 * 1048576 } : s with { PeakRssBytes = 10 * 1048576 }).ToList();
        var figures = StageFigures.Compute(failed, 1, _ => null);
        Assert.False(Find(figures, "stage_peak_rss_mib").Pass);
        Assert.Null(Find(figures, "linkage_vs_hotline").Value);
        Assert.False(Find(figures, "linkage_vs_hotline").Pass);
    }

    [Fact]
    public void Skipped_stages_give_no_verdict()
    {
        var figures = StageFigures.Compute([Stage("hotline", 10)], 1, _ => null);

        Assert.Null(Find(figures, "linkage_vs_hotline").Pass);
        Assert.Null(Find(figures, "linkage_incremental_seconds").Pass);
        Assert.Null(Find(figures, "run_all_seconds").Pass);
    }

    [Fact]
    public void Growth_needs_both_scales_and_reports_the_worst_stage()
    {
        IReadOnlyList<StageMeasurement> at5 = [Stage("hotline", 2), Stage("linkage_full", 3), Stage("reports", 1)];
        IReadOnlyList<StageMeasurement> at46 = [Stage("hotline", 18), Stage("linkage_full", 39), Stage("simulate", 5)];

        Assert.Null(StageFigures.Growth(at5, 5, _ => null).Value);
        Assert.Contains("46: no", StageFigures.Growth(at5, 5, _ => null).Note, StringComparison.Ordinal);

        var fromThe46Run = StageFigures.Growth(at46, 46, scale => scale == 5 ? at5 : null);
        var fromThe5Run = StageFigures.Growth(at5, 5, scale => scale == 46 ? at46 : null);
        foreach (var growth in new[] { fromThe46Run, fromThe5Run })
        {
            Assert.Equal(13, growth.Value);
            Assert.False(growth.Pass);
            Assert.StartsWith("linkage_full", growth.Note, StringComparison.Ordinal);
            Assert.Contains("2 stages compared", growth.Note, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Skip_takes_stage_keys_and_groups_and_refuses_the_rest()
    {
        Assert.Equal(["linkage_full", "linkage_incremental", "load_last_day", "run_all"], StageCatalog.ParseSkip("linkage, run-all").Order(StringComparer.Ordinal));
        Assert.Throws<UsageException>(() => StageCatalog.ParseSkip("simulate"));
        var unknown = Assert.Throws<UsageException>(() => StageCatalog.ParseSkip("linkag"));
        Assert.Contains("linkage_full", unknown.Message, StringComparison.Ordinal);
        Assert.True(HarnessOptions.Parse(["--hotline-only"]).HotlineOnly);
        Assert.Contains("prosecution", HarnessOptions.Parse(["--skip", "police"]).Skip);
    }

    [Fact]
    public void Phase_result_lines_and_json_output_are_read_back()
    {
        var values = StagePhase.KeyValues("log line\nREPORTS-RESULT calls=21426 monthly_ms=9.3 load=1.0, 2.0, 3.0\n", "REPORTS-RESULT ");
        Assert.Equal(21426, StagePhase.Number(values, "calls"));
        Assert.Equal(9.3, StagePhase.Number(values, "monthly_ms"));
        Assert.Null(StagePhase.Number(values, "funnel_ms"));

        var json = StagePhase.JsonOutput("[{\"pipeline\":\"hotline\",\"rows_read\":5}]\n");
        Assert.Equal(5, json!.Value[0].GetProperty("rows_read").GetInt64());
        Assert.Null(StagePhase.JsonOutput("no json here"));
    }
}
