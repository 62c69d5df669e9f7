using System.Globalization;
using TipWarehouse.Core;

namespace TipWarehouse.Linkage;

/// <summary>Thresholds and blocking window of one link type; weights are log2 likelihood ratios (bits).</summary>
public sealed record LinkTypeOptions
{
    /// <summary>Pairs scoring at least this are linked.</summary>
    public required double LinkThreshold { get; init; }

    /// <summary>Pairs scoring at least this but below <see cref="LinkThreshold"/> go to the review queue; below it they are non-links.</summary>
    public required double ReviewThreshold { get; init; }

    /// <summary>Blocking: how many days the right record may precede the left one.</summary>
    public required int WindowBeforeDays { get; init; }

    /// <summary>Blocking: how many days the right record may follow the left one.</summary>
    public required int WindowAfterDays { get; init; }

    /// <summary>The match prior λ of the configured model (setting <c>&lt;link_type&gt;.prior</c>; EM estimates its own).</summary>
    public double ConfiguredPrior { get; init; } = 0.01;

    /// <summary>Configured m and u per comparison field (overrides the built-in defaults), by field name.</summary>
    public IReadOnlyDictionary<string, (double[] M, double[] U)> Probabilities { get; init; } = new Dictionary<string, (double[] M, double[] U)>();
}

/// <summary>Settings of the linkage pipeline (from the <c>settings:</c> of <c>pipelines/linkage.yaml</c>).</summary>
public sealed record LinkageOptions
{
    /// <summary>Hotline call → police report.</summary>
    public LinkTypeOptions HotlinePolice { get; init; } = new() { LinkThreshold = 0, ReviewThreshold = -3, WindowBeforeDays = 1, WindowAfterDays = 20 };

    /// <summary>Police report → prosecution case.</summary>
    public LinkTypeOptions PoliceProsecution { get; init; } = new() { LinkThreshold = 10, ReviewThreshold = 4, WindowBeforeDays = 7, WindowAfterDays = 400 };

    /// <summary>Estimate m and u by EM (true) or use the configured values only (false).</summary>
    public bool EstimateByEm { get; init; } = true;

    /// <summary>The EM iteration cap.</summary>
    public int EmIterations { get; init; } = 100;

    /// <summary>Every run re-links the whole warehouse and re-estimates the model (setting <c>full: true</c>); otherwise a run after the first is incremental.</summary>
    public bool Full { get; init; }

    /// <summary>An incremental run re-estimates (runs in full) once the persisted model is this many days old (setting <c>reestimate_days</c>).</summary>
    public int ReestimateDays { get; init; } = 30;

    /// <summary>
    /// DuckDB's <c>memory_limit</c> while linkage runs (setting <c>memory_limit</c>, default <c>512MB</c>): the buffer pool
    /// otherwise grows to DuckDB's default of 80% of RAM with the blocks of every table read; beyond the limit DuckDB
    /// spills to its temp directory.
    /// </summary>
    public string MemoryLimit { get; init; } = "512MB";

    /// <summary>Hotline calls linked to nothing still form a case when the operator flagged them as TIP.</summary>
    public bool CallOnlyCasesForTipCalls { get; init; } = true;

    /// <summary>The options of one link type.</summary>
    public LinkTypeOptions For(string linkType) => linkType switch
    {
        LinkTypes.HotlinePolice => HotlinePolice,
        LinkTypes.PoliceProsecution => PoliceProsecution,
        _ => throw new ArgumentOutOfRangeException(nameof(linkType), linkType, "Unknown link type."),
    };

    /// <summary>
    /// Reads settings such as <c>estimate: em|configured</c>, <c>em_iterations</c>, <c>memory_limit: 1GB</c>, <c>full: true|false</c>, <c>reestimate_days</c>, <c>call_only_cases: tip|none</c>,
    /// <c>hotline_police.link_threshold</c>, <c>hotline_police.review_threshold</c>, <c>hotline_police.window_before_days</c>,
    /// <c>hotline_police.window_after_days</c>, <c>hotline_police.prior: 0.01</c>, <c>hotline_police.m.dni: 0.05,0.95</c>, <c>hotline_police.u.dni: 0.999,0.001</c>
    /// (same keys for <c>police_prosecution</c>); unknown keys are refused.
    /// </summary>
    public static LinkageOptions FromSettings(IReadOnlyDictionary<string, string> settings, string source = "pipelines/linkage.yaml")
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = new LinkageOptions();
        var perType = LinkTypes.All.ToDictionary(t => t, options.For);
        var probabilities = LinkTypes.All.ToDictionary(t => t, _ => new Dictionary<string, (double[] M, double[] U)>(StringComparer.Ordinal));
        foreach (var (key, value) in settings.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            switch (key)
            {
                case "estimate":
                    options = options with
                    {
                        EstimateByEm = value switch
                        {
                            "em" => true,
                            "configured" => false,
                            _ => throw new TipwException($"{source}: settings.estimate '{value}' is not valid; use 'em' or 'configured'."),
                        },
                    };
                    continue;
                case "full":
                    options = options with
                    {
                        Full = value switch
                        {
                            "true" => true,
                            "false" => false,
                            _ => throw new TipwException($"{source}: settings.full '{value}' is not valid; use 'true' or 'false'."),
                        },
                    };
                    continue;
                case "reestimate_days":
                    options = options with { ReestimateDays = (int)Number(key, value, source, 0, 3650) };
                    continue;
                case "memory_limit":
                    if (!System.Text.RegularExpressions.Regex.IsMatch(value, "^[0-9]+(\\.[0-9]+)?\\s*(KB|MB|GB|KiB|MiB|GiB)$", System.Text.RegularExpressions.RegexOptions.IgnoreCase))
                    {
                        throw new TipwException($"{source}: settings.memory_limit '{value}' is not a size such as 1GB or 512MB.");
                    }

                    options = options with { MemoryLimit = value };
                    continue;
                case "em_iterations":
                    options = options with { EmIterations = (int)Number(key, value, source, 0, 10_000) };
                    continue;
                case "call_only_cases":
                    options = options with
                    {
                        CallOnlyCasesForTipCalls = value switch
                        {
                            "tip" => true,
                            "none" => false,
                            _ => throw new TipwException($"{source}: settings.call_only_cases '{value}' is not valid; use 'tip' or 'none'."),
                        },
                    };
                    continue;
            }

            var dot = key.IndexOf('.', StringComparison.Ordinal);
            var linkType = dot > 0 ? key[..dot] : string.Empty;
            if (!perType.TryGetValue(linkType, out var typeOptions))
            {
                throw new TipwException($"{source}: unknown linkage setting '{key}'. Known: estimate, em_iterations, call_only_cases, full, reestimate_days, memory_limit, <link_type>.link_threshold|review_threshold|window_before_days|window_after_days|prior|m.<field>|u.<field> with link_type hotline_police or police_prosecution.");
            }

            var name = key[(dot + 1)..];
            if (name.StartsWith("m.", StringComparison.Ordinal) || name.StartsWith("u.", StringComparison.Ordinal))
            {
                var field = name[2..];
                var fields = ComparisonFields.For(linkType);
                var definition = fields.FirstOrDefault(f => f.Name == field)
                    ?? throw new TipwException($"{source}: setting '{key}' names no comparison field of {linkType}; fields: {string.Join(", ", fields.Select(f => f.Name))}.");
                var values = value.Split(',', StringSplitOptions.TrimEntries).Select(v => Number(key, v, source, 0, 1)).ToArray();
                if (values.Length != definition.Levels)
                {
                    throw new TipwException($"{source}: setting '{key}' needs {definition.Levels} comma-separated probabilities (levels 0..{definition.Levels - 1}).");
                }

                var current = probabilities[linkType].TryGetValue(field, out var pair) ? pair : ([.. definition.DefaultM], [.. definition.DefaultU]);
                probabilities[linkType][field] = name[0] == 'm' ? (values, current.U) : (current.M, values);
                continue;
            }

            perType[linkType] = name switch
            {
                "link_threshold" => typeOptions with { LinkThreshold = Number(key, value, source, -100, 100) },
                "review_threshold" => typeOptions with { ReviewThreshold = Number(key, value, source, -100, 100) },
                "window_before_days" => typeOptions with { WindowBeforeDays = (int)Number(key, value, source, 0, 3650) },
                "window_after_days" => typeOptions with { WindowAfterDays = (int)Number(key, value, source, 0, 3650) },
                "prior" => typeOptions with { ConfiguredPrior = Number(key, value, source, 1e-9, 0.999) },
                _ => throw new TipwException($"{source}: unknown linkage setting '{key}'."),
            };
        }

        foreach (var linkType in LinkTypes.All)
        {
            var typeOptions = perType[linkType] with { Probabilities = probabilities[linkType] };
            if (typeOptions.ReviewThreshold > typeOptions.LinkThreshold)
            {
                throw new TipwException($"{source}: {linkType}.review_threshold ({typeOptions.ReviewThreshold}) is above {linkType}.link_threshold ({typeOptions.LinkThreshold}).");
            }

            perType[linkType] = typeOptions;
        }

        return options with { HotlinePolice = perType[LinkTypes.HotlinePolice], PoliceProsecution = perType[LinkTypes.PoliceProsecution] };
    }

    private static double Number(string key, string value, string source, double min, double max)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || number < min || number > max)
        {
            throw new TipwException($"{source}: setting '{key}' = '{value}' is not a number from {min} to {max}.");
        }

        return number;
    }
}
