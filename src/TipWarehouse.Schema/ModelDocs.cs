using System.Text.RegularExpressions;
using Microsoft.SqlServer.Dac.Model;

namespace TipWarehouse.Schema;

/// <summary>The descriptions <c>sql/</c> gives a table or view and its columns (MS_Description extended properties, else comments); empty when it gives none.</summary>
public sealed record ObjectDescription(string? Text, IReadOnlyDictionary<string, string> Columns);

/// <summary>What <c>tipw docs</c> reads from the compiled model beyond <see cref="SchemaDescription"/>: the relations each view reads and the descriptions written in the sources.</summary>
public static partial class ModelDocs
{
    /// <summary>Each view (<c>schema.name</c>, lower case) → the tables and views it references in the compiled model, lower case and sorted.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> ViewReads(TSqlModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var view in model.GetObjects(DacQueryScopes.UserDefined, View.TypeClass))
        {
            result[string.Join('.', view.Name.Parts).ToLowerInvariant()] = [.. view.GetReferenced()
                .Where(r => r.ObjectType == Table.TypeClass || r.ObjectType == View.TypeClass)
                .Select(r => string.Join('.', r.Name.Parts).ToLowerInvariant())
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal)];
        }

        return result;
    }

    /// <summary>
    /// Each table and view (<c>schema.name</c>, lower case) of <paramref name="sources"/> → its description: the
    /// MS_Description extended properties when the sources declare them, else the comment lines just above
    /// <c>CREATE</c> (the object) and a column's trailing <c>--</c> comment or the comment lines just above it.
    /// </summary>
    public static IReadOnlyDictionary<string, ObjectDescription> Descriptions(IEnumerable<SchemaSourceFile> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var objects = new Dictionary<string, (string? Text, Dictionary<string, string> Columns)>(StringComparer.Ordinal);
        (string? Text, Dictionary<string, string> Columns) Entry(string name) =>
            objects.TryGetValue(name, out var e) ? e : objects[name] = (null, new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase));

        var extended = new List<(string Object, string? Column, string Text)>();
        foreach (var source in sources)
        {
            var lines = source.Text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
            string? current = null;
            var pending = new List<string>();
            foreach (var line in lines)
            {
                var trimmed = line.Trim();
                if (CreateRegex().Match(line) is { Success: true } create)
                {
                    current = $"{create.Groups["schema"].Value}.{create.Groups["name"].Value}".ToLowerInvariant();
                    var entry = Entry(current);
                    objects[current] = (pending.Count > 0 ? string.Join(' ', pending) : entry.Text, entry.Columns);
                    pending.Clear();
                    continue;
                }

                if (trimmed.StartsWith("--", StringComparison.Ordinal))
                {
                    pending.Add(trimmed.TrimStart('-').Trim());
                    continue;
                }

                if (current is not null && ColumnRegex().Match(line) is { Success: true } column)
                {
                    var text = column.Groups["comment"].Success ? column.Groups["comment"].Value.Trim() : pending.Count > 0 ? string.Join(' ', pending) : null;
                    if (!string.IsNullOrEmpty(text))
                    {
                        Entry(current).Columns[column.Groups["column"].Value] = text;
                    }
                }

                pending.Clear();
            }

            foreach (Match m in ExtendedPropertyRegex().Matches(source.Text))
            {
                var name = $"{m.Groups["schema"].Value}.{m.Groups["object"].Value}".ToLowerInvariant();
                extended.Add((name, m.Groups["column"].Success ? m.Groups["column"].Value : null, m.Groups["value"].Value.Replace("''", "'", StringComparison.Ordinal)));
            }
        }

        // An MS_Description, where one is declared, is the description: it wins over a comment.
        foreach (var (name, column, text) in extended)
        {
            var entry = Entry(name);
            if (column is null)
            {
                objects[name] = (text, entry.Columns);
            }
            else
            {
                entry.Columns[column] = text;
            }
        }

        return objects.ToDictionary(o => o.Key, o => new ObjectDescription(o.Value.Text, o.Value.Columns), StringComparer.Ordinal);
    }

    [GeneratedRegex(@"^\s*CREATE\s+(?:TABLE|VIEW)\s+\[?(?<schema>\w+)\]?\.\[?(?<name>\w+)\]?", RegexOptions.IgnoreCase)]
    private static partial Regex CreateRegex();

    [GeneratedRegex(@"^\s*\[(?<column>\w+)\]\s+\w+[^-]*?(?:--(?<comment>.*))?$")]
    private static partial Regex ColumnRegex();

    [GeneratedRegex(@"sp_addextendedproperty\s+@name\s*=\s*N?'MS_Description'\s*,\s*@value\s*=\s*N?'(?<value>(?:[^']|'')*)'.*?@level0name\s*=\s*N?'\[?(?<schema>\w+)\]?'.*?@level1name\s*=\s*N?'\[?(?<object>\w+)\]?'(?:\s*,\s*@level2type\s*=\s*N?'COLUMN'\s*,\s*@level2name\s*=\s*N?'\[?(?<column>\w+)\]?')?", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex ExtendedPropertyRegex();
}
