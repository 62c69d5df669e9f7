using System.Globalization;

namespace TipWarehouse.Benchmarks;

/// <summary>Issue 20's done-when figures computed from the stages of one run (and, for the growth, the stages of the run at the other scale).</summary>
public static class StageFigures
{
    /// <summary>Peak RSS target of every stage: 1.5 GiB.</summary>
    public const double PeakRssTargetMiB = 1536;

    /// <summary>Largest allowed growth of a stage's time from scale 5 to scale 46 (×9.2 in volume).</summary>
    public const double GrowthTarget = 12;

    /// <summary>The figures; <paramref name="stagesAt"/> returns the stages of the committed run at a scale, or null.</summary>
    public static IReadOnlyList<Figure> Compute(IReadOnlyList<StageMeasurement> stages, double scale, Func<double, IReadOnlyList<StageMeasurement>?> stagesAt)
    {
        ArgumentNullException.ThrowIfNull(stages);
        ArgumentNullException.ThrowIfNull(stagesAt);
        var byKey = stages.ToDictionary(s => s.Stage, StringComparer.Ordinal);
        StageMeasurement? Get(string key) => byKey.GetValueOrDefault(key);
        string Missing(params string[] keys) => string.Join(", ", keys.Select(k => Get(k) is { } s ? (s.Succeeded ? null : $"{k} failed (exit {s.ExitCode})") : $"{k} not run").Where(t => t is not null));
        bool AnyFailed(params string[] keys) => keys.Any(k => Get(k) is { Succeeded: false });

        var figures = new List<Figure>();
        var hotline = Get("hotline");
        var linkage = Get("linkage_full");
        figures.Add(hotline is { Succeeded: true } && linkage is { Succeeded: true }
            ? new("linkage_vs_hotline", "Full linkage time ÷ hotline ingest time", linkage.Seconds / hotline.Seconds, "", "≤ 2", linkage.Seconds / hotline.Seconds <= 2,
                Invariant($"tipw run linkage {linkage.Seconds:0.00} s (first run: full) vs tipw run hotline {hotline.Seconds:0.00} s, same warehouse"))
            : new("linkage_vs_hotline", "Full linkage time ÷ hotline ingest time", null, "", "≤ 2", AnyFailed("hotline", "linkage_full") ? false : null, Missing("hotline", "linkage_full")));

        var incremental = Get("linkage_incremental");
        figures.Add(incremental is { Succeeded: true }
            ? new("linkage_incremental_seconds", "Incremental linkage, one day", incremental.Seconds, "s", "≤ 5 s", incremental.Seconds <= 5,
                Invariant($"tipw run linkage after loading the world's last day ({Get("load_last_day")?.Rows:N0} rows read) into the linked warehouse"))
            : new("linkage_incremental_seconds", "Incremental linkage, one day", null, "s", "≤ 5 s", AnyFailed("linkage_incremental") ? false : null, Missing("linkage_incremental")));

        var runAll = Get("run_all");
        var scoring = Get("call_scoring");
        figures.Add(runAll is { Succeeded: true } && scoring is { Succeeded: true }
            ? new("run_all_seconds", "Whole tipw run --all of the world (with call scoring)", runAll.Seconds + scoring.Seconds, "s", "≤ 180 s", runAll.Seconds + scoring.Seconds <= 180,
                Invariant($"tipw run --all into a fresh warehouse {runAll.Seconds:0.00} s (no model active yet, so it scores nothing, as on a first run) + the call_scoring stage {scoring.Seconds:0.00} s"))
            : new("run_all_seconds", "Whole tipw run --all of the world (with call scoring)", null, "s", "≤ 180 s", AnyFailed("run_all", "call_scoring") ? false : null, Missing("run_all", "call_scoring")));

        var withRss = stages.Where(s => s.PeakRssMiB is not null).ToList();
        var largest = withRss.MaxBy(s => s.PeakRssMiB);
        figures.Add(largest is null
            ? new("stage_peak_rss_mib", "Largest peak RSS of a stage", null, "MiB", "≤ 1,536 MiB (1.5 GiB)", null, "no stage measured (peak RSS is read on Linux only)")
            : new("stage_peak_rss_mib", "Largest peak RSS of a stage", largest.PeakRssMiB, "MiB", "≤ 1,536 MiB (1.5 GiB)", largest.PeakRssMiB <= PeakRssTargetMiB && stages.All(s => s.Succeeded),
                Invariant($"{largest.Stage}; {withRss.Count} stages measured") + (stages.All(s => s.Succeeded) ? "" : "; failed: " + string.Join(", ", stages.Where(s => !s.Succeeded).Select(s => s.Stage)))));

        figures.Add(Growth(stages, scale, stagesAt));
        return figures;
    }

    /// <summary>The largest ratio of a stage's seconds at scale 46 over scale 5, over the stages that succeeded in both runs.</summary>
    public static Figure Growth(IReadOnlyList<StageMeasurement> stages, double scale, Func<double, IReadOnlyList<StageMeasurement>?> stagesAt)
    {
        ArgumentNullException.ThrowIfNull(stagesAt);
        IReadOnlyList<StageMeasurement>? At(double s) => s == scale ? stages : stagesAt(s);
        const string name = "Largest growth of a stage's time, scale 5 → 46";
        const string target = "≤ 12 ×";
        var small = At(5);
        var large = At(46);
        if (small is null || large is null)
        {
            return new("stage_growth_5_to_46", name, null, "×", target, null,
                $"needs stage timings at --scale 5 and --scale 46 on this machine (have 5: {(small is null ? "no" : "yes")}, 46: {(large is null ? "no" : "yes")})");
        }

        var ratios = small.Where(s => s.Succeeded && s.Seconds > 0)
            .Join(large.Where(l => l.Succeeded), s => s.Stage, l => l.Stage, (s, l) => (s.Stage, Ratio: l.Seconds / s.Seconds, Small: s.Seconds, Large: l.Seconds), StringComparer.Ordinal)
            .OrderByDescending(r => r.Ratio)
            .ToList();
        if (ratios.Count == 0)
        {
            return new("stage_growth_5_to_46", name, null, "×", target, null, "no stage succeeded at both scales");
        }

        var worst = ratios[0];
        var failedAt46 = large.Where(l => !l.Succeeded).Select(l => l.Stage).ToList();
        return new("stage_growth_5_to_46", name, worst.Ratio, "×", target, worst.Ratio <= GrowthTarget && failedAt46.Count == 0,
            Invariant($"{worst.Stage}: {worst.Small:0.00} s → {worst.Large:0.00} s; next: ") + string.Join(", ", ratios.Skip(1).Take(3).Select(r => Invariant($"{r.Stage} {r.Ratio:0.0} ×")))
            + Invariant($"; {ratios.Count} stages compared") + (failedAt46.Count == 0 ? "" : "; failed at 46: " + string.Join(", ", failedAt46)));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
