using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace TipWarehouse.Schema;

/// <summary>One seed of <c>reference/seeds.yaml</c>: the CSV file (relative to <c>reference/</c>), the table it loads, its natural key, its licence, and the manifest lines of its file, table and key.</summary>
public sealed record ReferenceSeed(string File, string Table, IReadOnlyList<string> Key, string Licence, int FileLine, int TableLine, int KeyLine);

/// <summary>A problem of the seed manifest or of a seed's CSV file, located by file and line.</summary>
public sealed record SeedProblem(string File, int Line, string Message)
{
    public override string ToString() => $"{File}:{Line}: {Message}";
}

/// <summary>
/// The reference seeds discovered from <c>reference/seeds.yaml</c>: which CSV file loads which table, keyed on which
/// columns. Adding a seed is a CSV file and a manifest entry, no code. <see cref="Check"/> validates the manifest
/// against the compiled model (used by <c>tipw init</c> before loading and by <c>tipw check</c>).
/// </summary>
public static class ReferenceSeeds
{
    /// <summary>The manifest's file name in the reference folder.</summary>
    public const string ManifestFileName = "seeds.yaml";

    private static readonly string[] s_entryKeys = ["file", "table", "key", "licence"];

    /// <summary>Reads the manifest of <paramref name="referenceDirectory"/>: the seeds it lists and the problems of its own shape (missing or unknown keys, a file listed twice).</summary>
    public static (IReadOnlyList<ReferenceSeed> Seeds, IReadOnlyList<SeedProblem> Problems) Read(string referenceDirectory)
    {
        var path = Path.Combine(referenceDirectory, ManifestFileName);
        var problems = new List<SeedProblem>();
        var seeds = new List<ReferenceSeed>();
        if (!File.Exists(path))
        {
            problems.Add(new SeedProblem(path, 0, "the seed manifest is missing (it lists each reference CSV file, its table and key)"));
            return (seeds, problems);
        }

        var yaml = new YamlStream();
        try
        {
            using var reader = new StringReader(File.ReadAllText(path));
            yaml.Load(reader);
        }
        catch (YamlException ex)
        {
            problems.Add(new SeedProblem(path, (int)ex.Start.Line, "not valid YAML: " + ex.Message));
            return (seeds, problems);
        }

        if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode root
            || !root.Children.TryGetValue(new YamlScalarNode("seeds"), out var list) || list is not YamlSequenceNode entries)
        {
            problems.Add(new SeedProblem(path, 1, "expected 'seeds:' with a list of entries (file, table, key, licence)"));
            return (seeds, problems);
        }

        foreach (var key in root.Children.Keys.OfType<YamlScalarNode>().Where(k => k.Value != "seeds"))
        {
            problems.Add(new SeedProblem(path, (int)key.Start.Line, $"{key.Value}: unknown key (allowed: seeds)"));
        }

        foreach (var node in entries.Children)
        {
            var line = (int)node.Start.Line;
            if (node is not YamlMappingNode entry)
            {
                problems.Add(new SeedProblem(path, line, "a seed is a mapping of file, table, key and licence"));
                continue;
            }

            foreach (var key in entry.Children.Keys.OfType<YamlScalarNode>().Where(k => !s_entryKeys.Contains(k.Value)))
            {
                problems.Add(new SeedProblem(path, (int)key.Start.Line, $"{key.Value}: unknown key (allowed: {string.Join(", ", s_entryKeys)})"));
            }

            string? Scalar(string name) => entry.Children.TryGetValue(new YamlScalarNode(name), out var v) && v is YamlScalarNode s && !string.IsNullOrWhiteSpace(s.Value) ? s.Value.Trim() : null;
            var file = Scalar("file");
            var table = Scalar("table");
            var licence = Scalar("licence");
            var keyColumns = entry.Children.TryGetValue(new YamlScalarNode("key"), out var k)
                ? k switch
                {
                    YamlSequenceNode sequence => sequence.Children.OfType<YamlScalarNode>().Select(c => c.Value ?? "").Where(c => c.Length > 0).ToList(),
                    YamlScalarNode single when !string.IsNullOrWhiteSpace(single.Value) => [single.Value.Trim()],
                    _ => [],
                }
                : [];
            var missing = new[] { ("file", file is null), ("table", table is null), ("key", keyColumns.Count == 0), ("licence", licence is null) }.Where(m => m.Item2).Select(m => m.Item1).ToList();
            if (missing.Count > 0)
            {
                problems.Add(new SeedProblem(path, line, $"a seed needs {string.Join(", ", missing)}"));
                continue;
            }

            if (seeds.Any(s => string.Equals(s.File, file, StringComparison.Ordinal)))
            {
                problems.Add(new SeedProblem(path, LineOf(entry, "file"), $"file: {file} is listed twice"));
                continue;
            }

            seeds.Add(new ReferenceSeed(file!, table!, keyColumns, licence!, LineOf(entry, "file"), LineOf(entry, "table"), LineOf(entry, "key")));
        }

        return (seeds, problems);
    }

    /// <summary>
    /// The manifest's problems and, for each seed, those of its file against <paramref name="schema"/>: a file that is missing, a table the model
    /// lacks, a header column the table lacks (at the CSV's line 1), a key column the header lacks, a NOT NULL column without default the header lacks.
    /// </summary>
    public static IReadOnlyList<SeedProblem> Check(string referenceDirectory, SchemaDescription schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var (seeds, problems) = Read(referenceDirectory);
        var all = new List<SeedProblem>(problems);
        var manifest = Path.Combine(referenceDirectory, ManifestFileName);
        foreach (var seed in seeds)
        {
            var csv = Path.Combine(referenceDirectory, seed.File);
            var definition = schema.Table(seed.Table);
            if (definition is null)
            {
                all.Add(new SeedProblem(manifest, seed.TableLine, $"table: {seed.Table} is not a table of the model compiled from sql/"));
            }

            if (!File.Exists(csv))
            {
                all.Add(new SeedProblem(manifest, seed.FileLine, $"file: {seed.File} does not exist in {referenceDirectory}"));
                continue;
            }

            var header = ReadHeader(csv);
            if (header.Count == 0)
            {
                all.Add(new SeedProblem(csv, 1, "empty: the first line must name the columns of " + seed.Table));
                continue;
            }

            foreach (var key in seed.Key.Where(k => !header.Contains(k, StringComparer.OrdinalIgnoreCase)))
            {
                all.Add(new SeedProblem(manifest, seed.KeyLine, $"key: column '{key}' is not in the header of {seed.File} ({string.Join(", ", header)})"));
            }

            if (definition is null)
            {
                continue;
            }

            foreach (var column in header.Where(c => definition.Column(c) is null))
            {
                all.Add(new SeedProblem(csv, 1, $"column '{column}' is not a column of {definition.QualifiedName}"));
            }

            foreach (var column in definition.Columns.Where(c => !c.Nullable && c.DefaultExpression is null && c.DefaultSequence is null && !header.Contains(c.Name, StringComparer.OrdinalIgnoreCase)))
            {
                all.Add(new SeedProblem(csv, 1, $"the header lacks column '{column.Name}', which {definition.QualifiedName} declares NOT NULL without a default"));
            }
        }

        return [.. all.OrderBy(p => p.File, StringComparer.Ordinal).ThenBy(p => p.Line)];
    }

    /// <summary>The column names of a CSV file's header row (UTF-8, comma-separated), empty for an empty file.</summary>
    public static IReadOnlyList<string> ReadHeader(string csvPath)
    {
        using var reader = new StreamReader(csvPath, Encoding.UTF8);
        var header = reader.ReadLine();
        return header is null ? [] : [.. header.Split(',').Select(h => h.Trim())];
    }

    private static int LineOf(YamlMappingNode entry, string key) =>
        entry.Children.Keys.OfType<YamlScalarNode>().FirstOrDefault(k => k.Value == key) is { } node ? (int)node.Start.Line : (int)entry.Start.Line;
}
