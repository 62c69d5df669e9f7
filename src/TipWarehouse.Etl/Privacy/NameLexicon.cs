using System.Globalization;
using System.Reflection;
using System.Text;
using TipWarehouse.Core;

namespace TipWarehouse.Etl.Privacy;

/// <summary>What the lexicon knows about one folded word.</summary>
[Flags]
public enum WordClass
{
    /// <summary>Not a known word.</summary>
    None = 0,

    /// <summary>A given name that is not also a common word: replaced wherever it appears.</summary>
    GivenName = 1,

    /// <summary>A surname: replaced in a name context only (many Spanish surnames are also words: Paredes, Calle, Mata).</summary>
    Surname = 2,

    /// <summary>A name that is also a common noun, month or place (Rosa, Luz, Paz): replaced in a name context only.</summary>
    Ambiguous = 4,

    /// <summary>A word that is never a name (articles, prepositions, frequent verbs, kinship nouns, acronyms).</summary>
    Common = 8,

    /// <summary>A one-word UBIGEO place (district, province, department): replaced in a name context only.</summary>
    Place = 16,
}

/// <summary>
/// The shipped name lexicon of the narrative scrubber: given names and surnames (INE's most frequent, reference/names/),
/// the reviewed common-word and ambiguous-name lists, and the UBIGEO place names; looked up by folded word without allocating.
/// </summary>
public sealed class NameLexicon
{
    private static readonly Lazy<NameLexicon> s_default = new(LoadEmbedded);

    private readonly Dictionary<string, WordClass> _words = new(StringComparer.Ordinal);
    private readonly Dictionary<string, WordClass>.AlternateLookup<ReadOnlySpan<char>> _wordLookup;
    private readonly HashSet<string> _phonetic = new(StringComparer.Ordinal);
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _phoneticLookup;
    private readonly HashSet<string> _phoneticDeletes = new(StringComparer.Ordinal);
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _phoneticDeleteLookup;
    private readonly HashSet<string> _placePhrases = new(StringComparer.Ordinal);
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _placePhraseLookup;
    private readonly Dictionary<string, int> _placeStarts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _placeStartLookup;

    /// <summary>The shortest phonetic key that typo-tolerant matching tries (shorter keys collide with common words).</summary>
    public const int MinFuzzyLength = 5;

    private NameLexicon()
    {
        _wordLookup = _words.GetAlternateLookup<ReadOnlySpan<char>>();
        _phoneticLookup = _phonetic.GetAlternateLookup<ReadOnlySpan<char>>();
        _phoneticDeleteLookup = _phoneticDeletes.GetAlternateLookup<ReadOnlySpan<char>>();
        _placePhraseLookup = _placePhrases.GetAlternateLookup<ReadOnlySpan<char>>();
        _placeStartLookup = _placeStarts.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The lexicon built from the files embedded in this assembly (reference/names/ and the UBIGEO district list).</summary>
    public static NameLexicon Default => s_default.Value;

    /// <summary>Number of distinct given names (folded tokens, ambiguous ones included).</summary>
    public int GivenNameCount { get; private set; }

    /// <summary>Number of distinct surnames (folded tokens).</summary>
    public int SurnameCount { get; private set; }

    /// <summary>Builds a lexicon from the text of its files: pipe- or space-separated names, one-word-per-token lists, and the district CSV.</summary>
    public static NameLexicon Build(string givenNames, string surnames, string commonWords, string ambiguousNames, string? ubigeoDistricts)
    {
        ArgumentNullException.ThrowIfNull(givenNames);
        ArgumentNullException.ThrowIfNull(surnames);
        ArgumentNullException.ThrowIfNull(commonWords);
        ArgumentNullException.ThrowIfNull(ambiguousNames);
        var lexicon = new NameLexicon();
        var buffer = new char[64];
        foreach (var word in Words(commonWords))
        {
            // Operators often drop the tilde: a common word written with ñ also stands for its spelling with n.
            var folded = Folded(word, buffer);
            lexicon.Add(folded, WordClass.Common, buffer);
            lexicon.Add(folded.Replace('Ñ', 'N'), WordClass.Common, buffer);
        }

        var ambiguous = new HashSet<string>(StringComparer.Ordinal);
        foreach (var word in Words(ambiguousNames))
        {
            ambiguous.Add(Folded(word, buffer));
        }

        var given = new HashSet<string>(StringComparer.Ordinal);
        foreach (var word in Words(givenNames))
        {
            var folded = Folded(word, buffer);
            if (folded.Length >= 2 && given.Add(folded))
            {
                lexicon.Add(folded, ambiguous.Contains(folded) ? WordClass.GivenName | WordClass.Ambiguous : WordClass.GivenName, buffer);
            }
        }

        var surnameCount = 0;
        foreach (var word in Words(surnames))
        {
            var folded = Folded(word, buffer);
            if (folded.Length >= 2 && lexicon.Add(folded, ambiguous.Contains(folded) ? WordClass.Surname | WordClass.Ambiguous : WordClass.Surname, buffer))
            {
                surnameCount++;
            }
        }

        if (ubigeoDistricts is not null)
        {
            lexicon.AddPlaces(ubigeoDistricts, buffer);
        }

        // Typo tolerance: phonetic keys (Spanish sound classes, doubled letters collapsed) of the given names that are
        // replaced on their own, plus every key with one letter deleted, so KARYNA, YESEENIA or YESENA find their name.
        foreach (var (word, cls) in lexicon._words)
        {
            if ((cls & (WordClass.GivenName | WordClass.Ambiguous | WordClass.Common | WordClass.Place)) == WordClass.GivenName)
            {
                var key = NameNormalizer.Phonetic(word);
                if (key.Length >= MinFuzzyLength)
                {
                    lexicon._phonetic.Add(key);
                    for (var i = 0; i < key.Length; i++)
                    {
                        lexicon._phoneticDeletes.Add(string.Concat(key.AsSpan(0, i), key.AsSpan(i + 1)));
                    }
                }
            }
        }

        lexicon.GivenNameCount = given.Count;
        lexicon.SurnameCount = surnameCount;
        return lexicon;
    }

    /// <summary>The classes of a folded word (<see cref="Fold"/>); <see cref="WordClass.None"/> when unknown.</summary>
    public WordClass Classify(ReadOnlySpan<char> folded) => _wordLookup.TryGetValue(folded, out var cls) ? cls : WordClass.None;

    /// <summary>True when a folded word that is not itself in the lexicon sounds like a given name, allowing one letter more or less.</summary>
    public bool SoundsLikeGivenName(ReadOnlySpan<char> folded)
    {
        if (folded.Length < MinFuzzyLength || folded.Length > 24)
        {
            return false;
        }

        Span<char> key = stackalloc char[32];
        var n = NameNormalizer.Phonetic(folded, key);
        if (n < MinFuzzyLength)
        {
            return false;
        }

        var k = key[..n];
        if (_phoneticLookup.Contains(k) || _phoneticDeleteLookup.Contains(k))
        {
            return true;
        }

        if (n < MinFuzzyLength + 1)
        {
            return false;
        }

        Span<char> shorter = stackalloc char[32];
        for (var i = 0; i < n; i++)
        {
            k[..i].CopyTo(shorter);
            k[(i + 1)..].CopyTo(shorter[i..]);
            if (_phoneticLookup.Contains(shorter[..(n - 1)]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The longest number of words of a UBIGEO place name that starts with this folded word (0 when none of two or more words does).</summary>
    public int PlacePhraseLength(ReadOnlySpan<char> foldedFirst) => _placeStartLookup.TryGetValue(foldedFirst, out var n) ? n : 0;

    /// <summary>True when the folded words joined by single spaces are a UBIGEO place name of two or more words.</summary>
    public bool IsPlacePhrase(ReadOnlySpan<char> foldedPhrase) => _placePhraseLookup.Contains(foldedPhrase);

    /// <summary>Folds a word for lookup: upper case, accents removed except the tilde of Ñ (niña is not Nina); returns the length written.</summary>
    public static int Fold(ReadOnlySpan<char> word, Span<char> destination)
    {
        var n = 0;
        foreach (var c in word)
        {
            if (n == destination.Length)
            {
                break;
            }

            var f = c < FoldTable.Length ? FoldTable[c] : FoldOther(c);
            if (f != '\0')
            {
                destination[n++] = f;
            }
        }

        return n;
    }

    private static readonly char[] FoldTable = BuildFoldTable();

    private static char[] BuildFoldTable()
    {
        var table = new char[0x250];
        for (var c = 0; c < table.Length; c++)
        {
            table[c] = FoldOther((char)c);
        }

        return table;
    }

    private static char FoldOther(char c)
    {
        if (c is 'ñ' or 'Ñ')
        {
            return 'Ñ';
        }

        if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
        {
            return '\0';
        }

        if (!char.IsLetter(c))
        {
            return '\0';
        }

        return char.ToUpperInvariant(TextFolding.RemoveAccent(c));
    }

    private static string Folded(string word, char[] buffer) => new(buffer, 0, Fold(word, buffer));

    private bool Add(string word, WordClass cls, char[] buffer)
    {
        var folded = Folded(word, buffer);
        if (folded.Length == 0)
        {
            return false;
        }

        if (_words.TryGetValue(folded, out var existing))
        {
            // A common word stays common; a given name that is also a surname is a given name.
            if ((existing & WordClass.Common) != 0 || cls == WordClass.Common)
            {
                _words[folded] = WordClass.Common;
                return false;
            }

            _words[folded] = existing | cls;
            return false;
        }

        _words[folded] = cls;
        return true;
    }

    private void AddPlaces(string csv, char[] buffer)
    {
        var tokens = new List<string>();
        foreach (var line in csv.Split('\n'))
        {
            // inei,reniec,departamento,provincia,distrito,...: only rows that start with a district code (a quoted
            // capital may span two lines).
            var fields = line.Split(',');
            if (fields.Length < 5 || fields[0].Length != 6 || !fields[0].All(char.IsAsciiDigit))
            {
                continue;
            }

            // Department, province, district and the district's capital (Puerto Maldonado is Tambopata's).
            foreach (var f in (ReadOnlySpan<int>)[2, 3, 4, 10])
            {
                if (f >= fields.Length)
                {
                    continue;
                }

                tokens.Clear();
                foreach (var part in fields[f].Trim('"').Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    var folded = Folded(part, buffer);
                    if (folded.Length > 0)
                    {
                        tokens.Add(folded);
                    }
                }

                if (tokens.Count == 1)
                {
                    // A given name stays a name (María is also a district of Amazonas); a surname or unknown word becomes a place.
                    var cls = _words.GetValueOrDefault(tokens[0]);
                    if ((cls & (WordClass.Common | WordClass.GivenName)) == 0 || (cls & WordClass.Ambiguous) != 0)
                    {
                        _words[tokens[0]] = cls | WordClass.Place;
                    }
                }
                else if (tokens.Count > 1)
                {
                    _placePhrases.Add(string.Join(' ', tokens));
                    _placeStarts[tokens[0]] = Math.Max(_placeStarts.GetValueOrDefault(tokens[0]), tokens.Count);
                }
            }
        }
    }

    private static IEnumerable<string> Words(string text)
    {
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            foreach (var word in line.Split([' ', '|', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries))
            {
                yield return word;
            }
        }
    }

    private static NameLexicon LoadEmbedded()
    {
        var assembly = typeof(NameLexicon).Assembly;
        return Build(
            Resource(assembly, "given_names_female.txt") + "\n" + Resource(assembly, "given_names_male.txt"),
            Resource(assembly, "surnames.txt"),
            Resource(assembly, "common_words.txt"),
            Resource(assembly, "ambiguous_names.txt"),
            Resource(assembly, "ubigeo_distrito.csv"));
    }

    private static string Resource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream("TipWarehouse.Etl.Privacy." + name)
            ?? throw new InvalidOperationException($"The embedded lexicon file {name} is missing from {assembly.GetName().Name}.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
