using System.Text;
using System.Text.RegularExpressions;

namespace TipWarehouse.Etl.Checking;

/// <summary>One statement of a transform SQL file: its text from the previous ';', the line that text starts on (DuckDB's "LINE n" counts from it) and the line of its first code.</summary>
internal sealed record SqlStatement(string Text, int Line, int CodeLine);

/// <summary>A table a statement names, with the line of the file it is named on.</summary>
internal sealed record TableReference(string Table, int Line);

/// <summary>
/// Lexical reading of DuckDB transform SQL for <c>tipw check</c>: splits a file into statements (respecting strings,
/// quoted identifiers and comments) and lists the schema-qualified tables each reads and writes.
/// </summary>
internal static partial class TransformSql
{
    /// <summary>The statements of <paramref name="sql"/>, each with its starting line; empty statements are dropped.</summary>
    public static IReadOnlyList<SqlStatement> Split(string sql)
    {
        var code = Blank(sql);
        var result = new List<SqlStatement>();
        var start = 0;
        for (var i = 0; i <= code.Length; i++)
        {
            if (i < code.Length && code[i] != ';')
            {
                continue;
            }

            if (code[start..i].Trim().Length > 0)
            {
                // The statement's first code character, after any comments before it: where a message without a line points.
                var first = start;
                while (first < i && char.IsWhiteSpace(code[first]))
                {
                    first++;
                }

                result.Add(new SqlStatement(sql[start..i], LineAt(sql, start), LineAt(sql, first)));
            }

            start = i + 1;
        }

        return result;
    }

    /// <summary>The 1-based line of character <paramref name="offset"/>.</summary>
    public static int LineAt(string text, int offset)
    {
        var line = 1;
        for (var i = 0; i < offset && i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                line++;
            }
        }

        return line;
    }

    /// <summary>Tables read (after FROM, JOIN or USING) by <paramref name="sql"/>; <paramref name="isTable"/> filters out aliases such as <c>EXTRACT(year FROM s.col)</c>.</summary>
    public static IReadOnlyList<TableReference> Reads(string sql, Func<string, bool> isTable) => Find(ReadRegex(), sql, isTable);

    /// <summary>Tables read by <paramref name="sql"/> itself and, at the line of each call, by the shared macros it calls (<see cref="Specs.SharedMacros"/>), in line order.</summary>
    public static IReadOnlyList<TableReference> Reads(string sql, Func<string, bool> isTable, Specs.SharedMacros macros) =>
        [.. Reads(sql, isTable).Concat(macros.ReadsOfCalls(sql, isTable)).OrderBy(r => r.Line)];

    /// <summary>Tables written (INSERT INTO, MERGE INTO, UPDATE, DELETE FROM, CREATE TABLE) by <paramref name="sql"/>.</summary>
    public static IReadOnlyList<TableReference> Writes(string sql, Func<string, bool> isTable) => Find(WriteRegex(), sql, isTable);

    private static List<TableReference> Find(Regex regex, string sql, Func<string, bool> isTable)
    {
        var code = Blank(sql);
        var list = new List<TableReference>();
        foreach (Match m in regex.Matches(code))
        {
            var table = m.Groups["table"].Value.ToLowerInvariant();
            if (isTable(table))
            {
                list.Add(new TableReference(table, LineAt(code, m.Groups["table"].Index)));
            }
        }

        return list;
    }

    /// <summary>The text with comments and string literals replaced by spaces (line breaks kept), so only code is matched.</summary>
    public static string Code(string sql) => Blank(sql);

    private static string Blank(string sql)
    {
        var b = new StringBuilder(sql);
        var i = 0;
        while (i < sql.Length)
        {
            if (sql[i] == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
            {
                while (i < sql.Length && sql[i] != '\n')
                {
                    b[i++] = ' ';
                }
            }
            else if (sql[i] == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? sql.Length : end + 2;
                for (; i < end; i++)
                {
                    b[i] = sql[i] == '\n' ? '\n' : ' ';
                }
            }
            else if (sql[i] == '\'')
            {
                // A string literal ('' escapes a quote): blanked, so a ';' or 'FROM x.y' inside it is not code.
                b[i++] = ' ';
                while (i < sql.Length)
                {
                    if (sql[i] == '\'' && i + 1 < sql.Length && sql[i + 1] == '\'')
                    {
                        b[i++] = ' ';
                        b[i++] = ' ';
                    }
                    else if (sql[i] == '\'')
                    {
                        b[i++] = ' ';
                        break;
                    }
                    else
                    {
                        b[i] = sql[i] == '\n' ? '\n' : ' ';
                        i++;
                    }
                }
            }
            else
            {
                i++;
            }
        }

        return b.ToString();
    }

    [GeneratedRegex(@"\b(?:FROM|JOIN|USING)\s+(?<table>[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ReadRegex();

    [GeneratedRegex(@"\b(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|MERGE\s+INTO|UPDATE|DELETE\s+FROM|CREATE\s+(?:OR\s+REPLACE\s+)?TABLE)\s+(?<table>[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*)\b", RegexOptions.IgnoreCase)]
    private static partial Regex WriteRegex();
}
