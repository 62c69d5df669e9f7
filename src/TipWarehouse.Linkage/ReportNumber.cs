namespace TipWarehouse.Linkage;

/// <summary>Normalizes police report numbers as prosecutors type them and generates the variants of known typing errors.</summary>
public static class ReportNumber
{
    /// <summary>Upper case with every separator and space removed; null or blank gives null.</summary>
    public static string? Normalize(string? raw)
    {
        if (raw is null)
        {
            return null;
        }

        var kept = 0;
        var unchanged = true;
        foreach (var c in raw)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                kept++;
                unchanged &= !char.IsAsciiLetterLower(c);
            }
            else
            {
                unchanged = false;
            }
        }

        return kept == 0 ? null : unchanged ? raw : string.Create(kept, raw, static (target, source) =>
        {
            var at = 0;
            foreach (var c in source)
            {
                if (char.IsAsciiLetterOrDigit(c))
                {
                    target[at++] = char.ToUpperInvariant(c);
                }
            }
        });
    }

    /// <summary>
    /// The normalized numbers one known typing error away from <paramref name="normalized"/>: two adjacent digits
    /// transposed, a four-digit year (1990–2039) off by one, or a zero dropped from a run of digits. The input itself
    /// is not included.
    /// </summary>
    public static IReadOnlyList<string> TypingErrorVariants(string normalized)
    {
        ArgumentNullException.ThrowIfNull(normalized);
        var variants = Transpositions(normalized);
        foreach (var (at, year) in Years(normalized))
        {
            if (year is >= 1990 and <= 2039)
            {
                variants.Add(WithYear(normalized, at, year - 1));
                variants.Add(WithYear(normalized, at, year + 1));
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

    /// <summary>
    /// The inverse of <see cref="TypingErrorVariants"/>: the normalized numbers whose variants hold <paramref name="normalized"/>
    /// (two adjacent digits transposed back, a four-digit year that is one off a year of 1990–2039, a zero of a run of
    /// digits removed), so the numbers typed with one known error for a report are found from the report's number alone.
    /// </summary>
    public static IReadOnlyList<string> TypingErrorOrigins(string normalized)
    {
        ArgumentNullException.ThrowIfNull(normalized);
        var origins = Transpositions(normalized);
        foreach (var (at, typed) in Years(normalized))
        {
            foreach (var year in new[] { typed - 1, typed + 1 })
            {
                if (year is >= 1990 and <= 2039)
                {
                    origins.Add(WithYear(normalized, at, year));
                }
            }
        }

        for (var i = 0; i + 1 < normalized.Length; i++)
        {
            if (normalized[i] == '0' && char.IsAsciiDigit(normalized[i + 1]))
            {
                origins.Add(normalized.Remove(i, 1));
            }
        }

        origins.Remove(normalized);
        return [.. origins];
    }

    // The numbers with two adjacent, different digits swapped: the same set from either side of a transposition.
    private static SortedSet<string> Transpositions(string normalized)
    {
        var result = new SortedSet<string>(StringComparer.Ordinal);
        var chars = normalized.ToCharArray();
        for (var i = 0; i + 1 < chars.Length; i++)
        {
            if (char.IsAsciiDigit(chars[i]) && char.IsAsciiDigit(chars[i + 1]) && chars[i] != chars[i + 1])
            {
                (chars[i], chars[i + 1]) = (chars[i + 1], chars[i]);
                result.Add(new string(chars));
                (chars[i], chars[i + 1]) = (chars[i + 1], chars[i]);
            }
        }

        return result;
    }

    // The four-digit numbers where a year can stand (not glued to a digit before it unless it closes the number), with
    // their positions; a year change keeps the characters around it, so the rule holds on either side of one.
    private static List<(int At, int Value)> Years(string normalized)
    {
        var years = new List<(int At, int Value)>();
        for (var i = 0; i + 4 <= normalized.Length; i++)
        {
            if ((i == 0 || !char.IsAsciiDigit(normalized[i - 1]) || LooksLikeYearBoundary(normalized, i))
                && int.TryParse(normalized.AsSpan(i, 4), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value))
            {
                years.Add((i, value));
            }
        }

        return years;
    }

    private static string WithYear(string normalized, int at, int year) =>
        string.Concat(normalized.AsSpan(0, at), year.ToString(System.Globalization.CultureInfo.InvariantCulture), normalized.AsSpan(at + 4));

    // A year glued to digits after a dropped dash ("123452006") is still a year when it closes the number.
    private static bool LooksLikeYearBoundary(string normalized, int start) => start + 4 == normalized.Length;
}
