using System.Globalization;
using System.Text;

namespace TipWarehouse.Core;

/// <summary>The one accent folder: text compared without its diacritics ("Huánuco" ~ "HUANUCO", "Peña" ~ "PENA").</summary>
public static class TextFolding
{
    /// <summary>The text decomposed (Unicode form D) without its combining marks; case and everything else kept. Not recomposed: pseudonyms are keyed on this form.</summary>
    public static string RemoveAccents(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var decomposed = text.Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>The base letter of one character without its accent (<c>á</c> → <c>a</c>, <c>Ñ</c> → <c>N</c>); the character itself when it has none.</summary>
    public static char RemoveAccent(char c)
    {
        if (c < 0x80)
        {
            return c;
        }

        var decomposed = c.ToString().Normalize(NormalizationForm.FormD);
        return decomposed.Length > 0 && CharUnicodeInfo.GetUnicodeCategory(decomposed[0]) != UnicodeCategory.NonSpacingMark ? decomposed[0] : c;
    }
}
