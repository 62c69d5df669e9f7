using System.Globalization;
using System.Text;

namespace TipWarehouse.Simulation.Text;

/// <summary>The noise of hurried operators: dropped accents, abbreviations, typos, capitals.</summary>
internal static class TextNoise
{
    private static readonly (string Word, string[] Short)[] s_abbreviations =
    [
        ("que", ["q", "k"]), ("por", ["x", "xq"]), ("porque", ["xq", "porq"]), ("también", ["tb", "tmb"]), ("señora", ["sra.", "sra"]),
        ("señor", ["sr.", "sr"]), ("aproximadamente", ["aprox.", "aprox"]), ("años", ["a.", "añs"]), ("comisaría", ["cia.", "comis."]),
        ("teléfono", ["telf.", "tlf"]), ("para", ["pa", "p/"]), ("con", ["c/"]), ("menor de edad", ["menor", "m. de edad"]),
        ("usted", ["ud."]), ("número", ["nro.", "n°"]), ("policía", ["PNP"]), ("departamento", ["dpto."]), ("hermana", ["hna."]),
    ];

    /// <summary>Removes Spanish diacritics but keeps ñ most of the time, as Windows-1252 keyboards do.</summary>
    public static string StripAccents(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(c switch
            {
                'á' => 'a', 'é' => 'e', 'í' => 'i', 'ó' => 'o', 'ú' => 'u',
                'Á' => 'A', 'É' => 'E', 'Í' => 'I', 'Ó' => 'O', 'Ú' => 'U',
                _ => c,
            });
        }

        return builder.ToString();
    }

    /// <summary>One spelling swap typical of Peruvian Spanish (b/v, s/z/c, y/ll, h dropped, i/y).</summary>
    public static string PhoneticSwap(Rng rng, string word)
    {
        (string From, string To)[] swaps = [("v", "b"), ("b", "v"), ("z", "s"), ("s", "z"), ("ll", "y"), ("y", "ll"), ("hu", "gu"), ("h", ""), ("ce", "se"), ("ci", "si"), ("qu", "k"), ("x", "j"), ("ñ", "n"), ("i", "y")];
        var start = rng.Next(swaps.Length);
        for (var k = 0; k < swaps.Length; k++)
        {
            var (from, to) = swaps[(start + k) % swaps.Length];
            var at = word.IndexOf(from, StringComparison.OrdinalIgnoreCase);
            if (at >= 0)
            {
                var replacement = char.IsUpper(word[at]) && to.Length > 0 ? char.ToUpperInvariant(to[0]) + to[1..] : to;
                return word[..at] + replacement + word[(at + from.Length)..];
            }
        }

        return word;
    }

    /// <summary>Applies an operator's habits to a finished narrative.</summary>
    public static string Apply(Rng rng, string text, OperatorStyle style)
    {
        if (text.Length == 0)
        {
            return text;
        }

        var result = text;
        if (rng.Chance(style.AbbreviationRate))
        {
            foreach (var (word, shorts) in s_abbreviations)
            {
                if (rng.Chance(0.5))
                {
                    result = ReplaceWord(result, word, shorts[rng.Next(shorts.Length)]);
                }
            }
        }

        if (rng.Chance(style.AccentDropRate))
        {
            result = StripAccents(result);
        }

        if (style.TypoRate > 0)
        {
            result = Typos(rng, result, style.TypoRate);
        }

        if (style.UpperCase)
        {
            result = result.ToUpper(CultureInfo.InvariantCulture);
        }
        else if (rng.Chance(0.08))
        {
            result = result.ToLower(CultureInfo.InvariantCulture);
        }

        return result;
    }

    private static string ReplaceWord(string text, string word, string replacement)
    {
        var builder = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var at = text.IndexOf(word, i, StringComparison.Ordinal);
            if (at < 0)
            {
                builder.Append(text, i, text.Length - i);
                break;
            }

            var before = at == 0 || !char.IsLetter(text[at - 1]);
            var after = at + word.Length >= text.Length || !char.IsLetter(text[at + word.Length]);
            builder.Append(text, i, at - i);
            builder.Append(before && after ? replacement : word);
            i = at + word.Length;
        }

        return builder.ToString();
    }

    private static string Typos(Rng rng, string text, double rate)
    {
        var words = text.Split(' ');
        for (var w = 0; w < words.Length; w++)
        {
            var word = words[w];
            if (word.Length < 4 || !rng.Chance(rate))
            {
                continue;
            }

            var kind = rng.Next(4);
            var at = rng.Between(1, word.Length - 2);
            words[w] = kind switch
            {
                0 => word[..at] + word[at + 1] + word[at] + word[(at + 2)..],
                1 => word.Remove(at, 1),
                2 => word.Insert(at, word[at].ToString()),
                _ => PhoneticSwap(rng, word),
            };
        }

        return string.Join(' ', words);
    }
}

/// <summary>How one hotline operator writes and categorises calls.</summary>
internal sealed record OperatorStyle(int Id, bool UpperCase, double AccentDropRate, double AbbreviationRate, double TypoRate, double Brevity, double MissingCategoryRate, double WrongCategoryRate);
