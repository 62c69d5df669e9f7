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
        new("competition", 3, [0.20, 0.30, 0.50], [0.70, 0.20, 0.10]),
    ];

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
