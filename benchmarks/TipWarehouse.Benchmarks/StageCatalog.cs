using TipWarehouse.Core;

namespace TipWarehouse.Benchmarks;

/// <summary>The stages the harness times each in its own process, in run order, and the names <c>--skip</c> accepts.</summary>
public static class StageCatalog
{
    /// <summary>The source pipelines of <c>tipw run --all</c>, upstream first (each its own stage).</summary>
    public static readonly IReadOnlyList<string> LoadPipelines = ["police_stations", "hotline", "police_reports", "police_persons", "police_arrests", "prosecution"];

    /// <summary>Every stage key, in the order the harness runs them.</summary>
    public static readonly IReadOnlyList<string> Keys =
    [
        "simulate_held_back", .. LoadPipelines, "model_train", "call_scoring", "linkage_full", "tip_determination", "reports",
        "simulate", "load_last_day", "linkage_incremental", "run_all",
    ];

    /// <summary>Names that skip several stages at once.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Groups = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        ["linkage"] = ["linkage_full", "load_last_day", "linkage_incremental"],
        ["police"] = ["police_reports", "police_persons", "police_arrests", "prosecution"],
        ["scoring"] = ["model_train", "call_scoring"],
    };

    /// <summary>Stages that every other measurement needs (the sources), which cannot be skipped.</summary>
    public static readonly IReadOnlyList<string> Required = ["simulate_held_back", "simulate"];

    /// <summary>The stage keys named by a comma-separated <c>--skip</c> value (stage keys or group names; '-' may stand for '_').</summary>
    public static IReadOnlySet<string> ParseSkip(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var skipped = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var name = raw.Replace('-', '_').ToLowerInvariant();
            if (Groups.TryGetValue(name, out var members))
            {
                skipped.UnionWith(members);
            }
            else if (Required.Contains(name))
            {
                throw new UsageException($"--skip {raw}: the simulation is what every other stage reads; it cannot be skipped.");
            }
            else if (Keys.Contains(name))
            {
                skipped.Add(name);
            }
            else
            {
                throw new UsageException($"--skip {raw}: not a stage. Stages: {string.Join(", ", Keys.Except(Required))}; groups: {string.Join(", ", Groups.Select(g => $"{g.Key} ({string.Join(", ", g.Value)})"))}.");
            }
        }

        return skipped;
    }
}
