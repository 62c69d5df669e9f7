using System.Text;
using System.Text.Json;
using DuckDB.NET.Data;
using TipWarehouse.Etl.Privacy;

namespace TipWarehouse.Etl.Tests.Privacy;

/// <summary>
/// The privacy reviewer's audit of stored free text: how many warehouse narratives contain, as a whole word after
/// folding accents, a given name of any person in the sources (hotline victims, police persons, prosecution
/// defendants). Reads the source files (never the simulator's truth) and the warehouse; a test tool, not a pipeline.
/// </summary>
public static class NarrativePrivacyAudit
{
    /// <summary>The result: narratives scanned, narratives with a source given name, and the names found with their counts.</summary>
    public sealed record Result(long Narratives, long WithName, IReadOnlyDictionary<string, int> Names, IReadOnlyList<string> Examples);

    /// <summary>Folded given names of every person in the sources (the given-name part: all but the two surnames of a hotline full name).</summary>
    public static HashSet<string> SourceGivenNames(string sources)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var hotline = Path.Combine(sources, "hotline");
        if (Directory.Exists(hotline))
        {
            foreach (var file in Directory.GetFiles(hotline, "*.csv"))
            {
                foreach (var line in File.ReadLines(file, Encoding.Latin1).Skip(1))
                {
                    var f = line.Split(';');
                    if (f.Length > 5)
                    {
                        var tokens = NameNormalizer.Tokens(f[5]);
                        var given = tokens.Length >= 3 ? tokens[..^2] : tokens.Take(1).ToArray();
                        foreach (var t in given)
                        {
                            Add(names, t);
                        }
                    }
                }
            }
        }

        var police = Path.Combine(sources, "police", "pnp_trata.sqlite");
        if (File.Exists(police))
        {
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={police};Mode=ReadOnly");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT nombres FROM personas WHERE nombres IS NOT NULL";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                foreach (var t in NameNormalizer.Tokens(reader.GetString(0)))
                {
                    Add(names, t);
                }
            }
        }

        var prosecution = Path.Combine(sources, "prosecution");
        if (Directory.Exists(prosecution))
        {
            foreach (var file in Directory.GetFiles(prosecution, "*.jsonl", SearchOption.AllDirectories))
            {
                foreach (var line in File.ReadLines(file))
                {
                    if (!line.Contains("imputados", StringComparison.Ordinal))
                    {
                        continue;
                    }

                    using var doc = JsonDocument.Parse(line);
                    if (doc.RootElement.TryGetProperty("imputados", out var defendants) && defendants.ValueKind == JsonValueKind.Array)
                    {
                        foreach (var d in defendants.EnumerateArray())
                        {
                            if (d.TryGetProperty("nombres", out var n) && n.ValueKind == JsonValueKind.String)
                            {
                                foreach (var t in NameNormalizer.Tokens(n.GetString()))
                                {
                                    Add(names, t);
                                }
                            }
                        }
                    }
                }
            }
        }

        return names;
    }

    /// <summary>The words the README lists as exceptions: names that are also places or common nouns (the scrubber's ambiguous, place and common classes).</summary>
    public static bool IsListedException(string folded)
    {
        var lexicon = NameLexicon.Default;
        Span<char> buffer = stackalloc char[64];
        var n = NameLexicon.Fold(folded, buffer);
        var cls = lexicon.Classify(buffer[..n]);
        if (cls == WordClass.None && folded.Contains('N', StringComparison.Ordinal))
        {
            // The audit folds Ñ to N; the lexicon keeps it: try the name with Ñ (NINO is NIÑO typed without its tilde).
            cls = lexicon.Classify(folded.Replace('N', 'Ñ'));
        }

        return (cls & (WordClass.Ambiguous | WordClass.Common | WordClass.Place)) != 0;
    }

    /// <summary>Counts the warehouse narratives (every <c>narrative</c> column of dw and stg) containing a source given name; <paramref name="exclude"/> drops listed words.</summary>
    public static Result Audit(string warehousePath, HashSet<string> givenNames, Func<string, bool> exclude)
    {
        ArgumentNullException.ThrowIfNull(exclude);
        var watched = givenNames.Where(n => !exclude(n)).ToHashSet(StringComparer.Ordinal);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var examples = new List<string>();
        long narratives = 0, withName = 0;
        using var connection = new DuckDBConnection($"Data Source={warehousePath};ACCESS_MODE=READ_ONLY");
        connection.Open();
        var columns = new List<string>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT table_schema || '.' || table_name FROM information_schema.columns WHERE column_name = 'narrative' AND table_schema IN ('dw', 'stg')";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                columns.Add(reader.GetString(0));
            }
        }

        foreach (var table in columns)
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT narrative FROM {table} WHERE narrative IS NOT NULL";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                narratives++;
                var text = reader.GetString(0);
                var hit = false;
                foreach (var word in WordsOutsidePlaceNames(text))
                {
                    if (watched.Contains(word))
                    {
                        counts[word] = counts.GetValueOrDefault(word) + 1;
                        hit = true;
                    }
                }

                if (hit)
                {
                    withName++;
                    if (examples.Count < 20)
                    {
                        examples.Add(text);
                    }
                }
            }
        }

        return new Result(narratives, withName, counts, examples);
    }

    /// <summary>The accent-folded words of a text, leaving out the words of UBIGEO place names ("San Juan de Lurigancho", "Tingo María") and the saint after San/Santa/Santo: a name inside a place name is the place.</summary>
    public static IEnumerable<string> WordsOutsidePlaceNames(string text)
    {
        var words = System.Text.RegularExpressions.Regex.Matches(text, @"\p{L}[\p{L}\p{Mn}]*").Select(m => m.Value).ToArray();
        var folded = words.Select(w => { Span<char> b = stackalloc char[64]; return new string(b[..NameLexicon.Fold(w, b)]); }).ToArray();
        var lexicon = NameLexicon.Default;
        for (var i = 0; i < words.Length; i++)
        {
            var skip = 0;
            for (var len = Math.Min(lexicon.PlacePhraseLength(folded[i]), words.Length - i); len >= 2 && skip == 0; len--)
            {
                if (lexicon.IsPlacePhrase(string.Join(' ', folded, i, len)))
                {
                    skip = len;
                }
            }

            if (skip == 0 && folded[i] is "SAN" or "SANTA" or "SANTO" && i + 1 < words.Length)
            {
                skip = 2;
            }

            if (skip > 0)
            {
                i += skip - 1;
                continue;
            }

            foreach (var token in NameNormalizer.Tokens(words[i]))
            {
                yield return token;
            }
        }
    }

    private static void Add(HashSet<string> names, string token)
    {
        if (token.Length >= 2)
        {
            names.Add(token);
        }
    }
}
