using TipWarehouse.Core;

namespace TipWarehouse.Analytics.Reports;

/// <summary>
/// Matches PNP directorate names written differently by different sources ("VII DIRTEPOL LIMA" in the police system,
/// "DIRTEPOL Lima" in the geography reference): upper case, no accents, no leading Roman numeral.
/// </summary>
public static class DirectorateName
{
    private static readonly string[] s_numerals = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV"];

    /// <summary>The comparison key of a directorate name.</summary>
    public static string Key(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return string.Empty;
        }

        var words = TextFolding.RemoveAccents(name.Trim()).ToUpperInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var start = words.Length > 1 && s_numerals.Contains(words[0], StringComparer.Ordinal) ? 1 : 0;
        return string.Join(' ', words.Skip(start));
    }
}
