using System.Text;

namespace TipWarehouse.Linkage;

/// <summary>Normalizes police report numbers as prosecutors type them and generates the variants of known typing errors.</summary>
public static class ReportNumber
{
    /// <summary>Upper case with every separator and space removed; null or blank gives null.</summary>
    public static string? Normalize(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        var builder = new StringBuilder(raw.Length);
        foreach (var c in raw)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                builder.Append(char.ToUpperInvariant(c));
            }
        }

        return builder.Length == 0 ? null : builder.ToString();
    }

    /// <summary>
    /// The normalized numbers one known typing error away from <paramref name="normalized"/>: two adjacent digits
    /// transposed, a four-digit year (1990–2039) off by one, or a zero dropped from a run of digits. The input itself
    /// is not included.
    /// </summary>
    public static IReadOnlyList<string> TypingErrorVariants(string normalized)
    {
        ArgumentNullException.ThrowIfNull(normalized);
        var variants = new SortedSet<string>(StringComparer.Ordinal);
        var chars = normalized.ToCharArray();
        for (var i = 0; i + 1 < chars.Length; i++)
        {
            if (char.IsAsciiDigit(chars[i]) && char.IsAsciiDigit(chars[i + 1]) && chars[i] != chars[i + 1])
            {
                (chars[i], chars[i + 1]) = (chars[i + 1], chars[i]);
                variants.Add(new string(chars));
                (chars[i], chars[i + 1]) = (chars[i + 1], chars[i]);
            }
        }

        for (var i = 0; i + 4 <= normalized.Length; i++)
        {
            if (i > 0 && char.IsAsciiDigit(normalized[i - 1]) && !LooksLikeYearBoundary(normalized, i))
            {
                continue;
            }

            if (!int.TryParse(normalized.AsSpan(i, 4), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var year)
                || year is < 1990 or > 2039)
            {
                continue;
            }

            foreach (var other in new[] { year - 1, year + 1 })
            {
                variants.Add(string.Concat(normalized.AsSpan(0, i), other.ToString(System.Globalization.CultureInfo.InvariantCulture), normalized.AsSpan(i + 4)));
            }
        }

        for (var i = 0; i < normalized.Length; i++)
        {
            if (char.IsAsciiDigit(normalized[i]))
            {
                variants.Add(normalized.Insert(i, "0"));
            }
        }

        variants.Remove(normalized);
        return [.. variants];
    }

    // A year glued to digits after a dropped dash ("123452006") is still a year when it closes the number.
    private static bool LooksLikeYearBoundary(string normalized, int start) => start + 4 == normalized.Length;
}
