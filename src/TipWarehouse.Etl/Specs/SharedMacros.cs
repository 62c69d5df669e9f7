using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using TipWarehouse.Etl.Checking;

namespace TipWarehouse.Etl.Specs;

/// <summary>One macro of <c>pipelines/macros.sql</c>: its name, the statement that creates it, the line its text starts on (DuckDB's "LINE n" counts from it) and the line of its code.</summary>
public sealed record SharedMacro(string Name, string Sql, int TextLine, int Line);

/// <summary>
/// The shared SQL of the transforms: the DuckDB macros of <c>pipelines/macros.sql</c> (age bands, inferred police units),
/// created as TEMP macros on a connection before any transform runs, by the engine and by <c>tipw check</c>. Only
/// <c>CREATE [OR REPLACE] TEMP MACRO</c> statements are allowed, so the file can never create or write a table; a
/// transform that calls a macro is taken to read the tables the macro's body reads (upstream inference, lineage).
/// </summary>
public sealed partial class SharedMacros
{
    /// <summary>The file name of the shared macros in a pipelines folder.</summary>
    public const string FileName = "macros.sql";

    private SharedMacros(string? path, IReadOnlyList<SharedMacro> macros)
    {
        Path = path;
        Macros = macros;
    }

    /// <summary>No shared macros (a pipelines folder without <c>macros.sql</c>).</summary>
    public static SharedMacros None { get; } = new(null, []);

    /// <summary>The macros file; null when the folder has none.</summary>
    public string? Path { get; }

    /// <summary>The macros in file order.</summary>
    public IReadOnlyList<SharedMacro> Macros { get; }

    /// <summary>Reads <c>macros.sql</c> of <paramref name="pipelinesDirectory"/> (none when it has no such file); throws <see cref="SpecException"/> (file:line) for a statement that is not a TEMP macro, or a macro defined twice.</summary>
    public static SharedMacros Load(string pipelinesDirectory)
    {
        var path = System.IO.Path.Combine(pipelinesDirectory, FileName);
        if (!File.Exists(path))
        {
            return None;
        }

        var macros = new List<SharedMacro>();
        var errors = new List<SpecError>();
        foreach (var statement in TransformSql.Split(File.ReadAllText(path)))
        {
            var match = MacroRegex().Match(TransformSql.Code(statement.Text));
            if (!match.Success)
            {
                errors.Add(new SpecError(path, statement.CodeLine, "macro", "only 'CREATE OR REPLACE TEMP MACRO name(...) AS ...' statements belong here (shared SQL creates no table and writes nothing)"));
                continue;
            }

            var name = match.Groups["name"].Value.ToLowerInvariant();
            if (macros.Any(m => m.Name == name))
            {
                errors.Add(new SpecError(path, statement.CodeLine, "macro", $"macro '{name}' is defined twice"));
                continue;
            }

            macros.Add(new SharedMacro(name, statement.Text, statement.Line, statement.CodeLine));
        }

        return errors.Count > 0 ? throw new SpecException(errors) : new SharedMacros(path, macros);
    }

    /// <summary>Creates every macro on <paramref name="connection"/> (TEMP: it lives as long as the connection, nothing is stored in the warehouse).</summary>
    public void Create(DuckDBConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        foreach (var macro in Macros)
        {
            using var command = connection.CreateCommand();
            command.CommandText = macro.Sql;
            command.ExecuteNonQuery();
        }
    }

    /// <summary>The tables read by the macros that <paramref name="sql"/> calls (and the macros they call in turn), each at the line of the call.</summary>
    internal IEnumerable<TableReference> ReadsOfCalls(string sql, Func<string, bool> isTable)
    {
        if (Macros.Count == 0)
        {
            yield break;
        }

        var code = TransformSql.Code(sql);
        foreach (Match call in CallRegex().Matches(code))
        {
            var line = TransformSql.LineAt(code, call.Index);
            foreach (var table in TablesRead(call.Groups["name"].Value.ToLowerInvariant(), isTable, []))
            {
                yield return new TableReference(table, line);
            }
        }
    }

    private IEnumerable<string> TablesRead(string name, Func<string, bool> isTable, HashSet<string> seen)
    {
        var macro = Macros.FirstOrDefault(m => m.Name == name);
        if (macro is null || !seen.Add(name))
        {
            yield break;
        }

        var body = TransformSql.Code(macro.Sql);
        var asIndex = MacroRegex().Match(body) is { Success: true } header ? header.Index + header.Length : 0;
        foreach (var reference in TransformSql.Reads(macro.Sql[asIndex..], isTable))
        {
            yield return reference.Table;
        }

        foreach (Match call in CallRegex().Matches(body[asIndex..]))
        {
            foreach (var table in TablesRead(call.Groups["name"].Value.ToLowerInvariant(), isTable, seen))
            {
                yield return table;
            }
        }
    }

    [GeneratedRegex(@"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?TEMP(?:ORARY)?\s+(?:MACRO|FUNCTION)\s+(?<name>[A-Za-z_][A-Za-z0-9_]*)\s*\(", RegexOptions.IgnoreCase)]
    private static partial Regex MacroRegex();

    // A name followed by '(' that is a shared macro; checked against the list, so functions such as coalesce( are skipped.
    [GeneratedRegex(@"(?<![A-Za-z0-9_.])(?<name>[A-Za-z_][A-Za-z0-9_]*)\s*\(")]
    private static partial Regex CallRegex();
}
