namespace TipWarehouse.Linkage;

/// <summary>The comparison vector of each link type, in column order (<c>v0</c>, <c>v1</c>, …), with the fallback m and u.</summary>
public static class ComparisonFields
{
    /// <summary>Hotline call vs police report (the call reference on the report is not a comparison: a reference links at once).</summary>
    public static IReadOnlyList<ComparisonField> HotlinePolice { get; } =
    [
        new("dni", 2, [0.05, 0.95], [0.999, 0.001]),
        new("name", 2, [0.15, 0.85], [0.99, 0.01]),
        new("age", 4, [0.05, 0.05, 0.10, 0.80], [0.70, 0.15, 0.10, 0.05]),
        new("sex", 2, [0.03, 0.97], [0.40, 0.60]),
        new("date", 3, [0.10, 0.20, 0.70], [0.60, 0.25, 0.15]),
        new("place", 3, [0.05, 0.15, 0.80], [0.60, 0.30, 0.10]),
        new("police_unit", 2, [0.10, 0.90], [0.80, 0.20]),
        new("tip_call", 2, [0.20, 0.80], [0.85, 0.15]),
        // Level 9 - min(9, floor(log2 n)) of n, the free calls whose broad block holds the report: 9 = one call, 0 = 512 or
        // more. Among matches a report counts once, among non-matches once per competing call, so the configured m is
        // flat and u grows with n (the estimated m is the reports' distribution over the levels, see LinkageEngine).
        new("competition", CompetitionLevels, [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1],
            [0.50065, 0.25033, 0.12516, 0.06258, 0.03129, 0.01565, 0.00782, 0.00391, 0.00196, 0.00065]),
    ];

    /// <summary>The levels of the hotline competition comparison: the report's competing calls in powers of two, 1 to 512 or more.</summary>
    public const int CompetitionLevels = 10;

    /// <summary>Police report vs prosecution case.</summary>
    public static IReadOnlyList<ComparisonField> PoliceProsecution { get; } =
    [
        new("report_number", 3, [0.05, 0.05, 0.90], [0.998, 0.0015, 0.0005]),
        new("dni", 2, [0.05, 0.95], [0.999, 0.001]),
        new("name", 2, [0.15, 0.85], [0.99, 0.01]),
        new("age", 4, [0.05, 0.05, 0.10, 0.80], [0.70, 0.15, 0.10, 0.05]),
        new("sex", 2, [0.03, 0.97], [0.40, 0.60]),
        new("date", 3, [0.10, 0.20, 0.70], [0.50, 0.30, 0.20]),
        new("place", 3, [0.10, 0.20, 0.70], [0.60, 0.30, 0.10]),
        new("crime_type", 2, [0.30, 0.70], [0.70, 0.30]),
    ];

    /// <summary>The fields of <paramref name="linkType"/>.</summary>
    public static IReadOnlyList<ComparisonField> For(string linkType) => linkType switch
    {
        LinkTypes.HotlinePolice => HotlinePolice,
        LinkTypes.PoliceProsecution => PoliceProsecution,
        _ => throw new ArgumentOutOfRangeException(nameof(linkType), linkType, "Unknown link type."),
    };

    /// <summary>The fields of <paramref name="linkType"/> with the configured probabilities of <paramref name="options"/> applied.</summary>
    public static IReadOnlyList<ComparisonField> For(string linkType, LinkTypeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return [.. For(linkType).Select(f => options.Probabilities.TryGetValue(f.Name, out var p) ? f with { DefaultM = p.M, DefaultU = p.U } : f)];
    }
}
