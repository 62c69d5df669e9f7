using System.Globalization;
using System.Text;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace TipWarehouse.Schema;

/// <summary>T-SQL text helpers built on ScriptDom: view queries, statement splitting, and the rewrite to DuckDB's dialect.</summary>
public static class TSqlText
{
    /// <summary>The query of a <c>CREATE VIEW ... AS query</c> script, or null when the script holds no view.</summary>
    public static string? ViewQuery(string createViewScript)
    {
        var script = Parse(createViewScript, "(view)");
        var finder = new ViewFinder();
        script.Accept(finder);
        var select = finder.Query;
        return select is null ? null : createViewScript.Substring(select.StartOffset, select.FragmentLength).Trim();
    }

    /// <summary>The DEFAULT expression of each column of the CREATE TABLE in <paramref name="createTableScript"/>, by column name.</summary>
    public static Dictionary<string, string> DefaultExpressions(string createTableScript)
    {
        ArgumentNullException.ThrowIfNull(createTableScript);
        var parsed = Parse(createTableScript, "(table)");
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var table in parsed.Batches.SelectMany(b => b.Statements).OfType<CreateTableStatement>())
        {
            foreach (var column in table.Definition.ColumnDefinitions.Where(c => c.DefaultConstraint is not null))
            {
                var expression = column.DefaultConstraint.Expression;
                result[column.ColumnIdentifier.Value] = createTableScript.Substring(expression.StartOffset, expression.FragmentLength).Trim();
            }
        }

        return result;
    }

    /// <summary>Splits a T-SQL script into its statements (comments between statements are dropped).</summary>
    public static IReadOnlyList<string> SplitStatements(string sql, string sourceName)
    {
        var script = Parse(sql, sourceName);
        return [.. script.Batches.SelectMany(b => b.Statements).Select(s => sql.Substring(s.StartOffset, s.FragmentLength))];
    }

    /// <summary>
    /// Rewrites T-SQL written in the shared subset to DuckDB: bracket quoting removed (or turned into double quotes),
    /// data types in CAST/CONVERT mapped through <see cref="DuckDbTypes"/>, one string per statement.
    /// </summary>
    public static IReadOnlyList<string> ToDuckDbStatements(string sql, string sourceName)
    {
        var script = Parse(sql, sourceName);
        var statements = new List<string>();
        foreach (var statement in script.Batches.SelectMany(b => b.Statements))
        {
            statements.Add(Rewrite(statement));
        }

        return statements;
    }

    /// <summary>Rewrites one query (a view body) to DuckDB; see <see cref="ToDuckDbStatements"/>.</summary>
    public static string ToDuckDbQuery(string query, string sourceName)
    {
        var statements = ToDuckDbStatements(query, sourceName);
        return statements.Count == 1
            ? statements[0]
            : throw new SchemaException($"{sourceName}: expected one query, found {statements.Count} statements.");
    }

    private static TSqlScript Parse(string sql, string sourceName)
    {
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        using var reader = new StringReader(sql);
        var fragment = parser.Parse(reader, out var errors);
        if (errors.Count > 0)
        {
            var first = errors[0];
            throw new SchemaException(string.Create(CultureInfo.InvariantCulture, $"{sourceName}({first.Line},{first.Column}): error SQL{first.Number}: {first.Message}"));
        }

        return (TSqlScript)fragment;
    }

    private static string Rewrite(TSqlFragment fragment)
    {
        var types = new DataTypeCollector();
        fragment.Accept(types);
        var tokens = fragment.ScriptTokenStream;
        var text = new StringBuilder();
        var index = fragment.FirstTokenIndex;
        while (index <= fragment.LastTokenIndex)
        {
            if (types.ByFirstToken.TryGetValue(index, out var type))
            {
                text.Append(DuckDbTypes.Map(ToDefinition(type)));
                index = type.LastTokenIndex + 1;
                continue;
            }

            var token = tokens[index];
            text.Append(token.TokenType == TSqlTokenType.QuotedIdentifier ? Unquote(token.Text) : token.Text);
            index++;
        }

        return text.ToString().Trim();
    }

    private static string Unquote(string quoted)
    {
        if (quoted.Length < 2 || quoted[0] != '[')
        {
            return quoted;
        }

        var name = quoted[1..^1].Replace("]]", "]", StringComparison.Ordinal);
        return DuckDbKeywords.Quote(name);
    }

    /// <summary>True for lower-case identifiers DuckDB takes without quotes (letters, digits, underscores; not a keyword).</summary>
    public static bool IsPlainIdentifier(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || !(char.IsAsciiLetterLower(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return !DuckDbKeywords.IsReserved(name);
    }

    private static SqlTypeDefinition ToDefinition(SqlDataTypeReference type)
    {
        var name = type.Name.BaseIdentifier.Value.ToLowerInvariant();
        var numbers = type.Parameters
            .Select(p => p is MaxLiteral ? -1 : int.TryParse(p.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0)
            .ToList();
        var isMax = numbers.Contains(-1);
        return name switch
        {
            "decimal" or "numeric" => new SqlTypeDefinition(name, 0, numbers.Count > 0 ? numbers[0] : 18, numbers.Count > 1 ? numbers[1] : 0, false),
            "datetime2" or "datetimeoffset" or "time" => new SqlTypeDefinition(name, 0, 0, numbers.Count > 0 ? numbers[0] : 7, false),
            _ => new SqlTypeDefinition(name, numbers.Count > 0 ? Math.Max(numbers[0], 0) : 0, 0, 0, isMax),
        };
    }

    private sealed class ViewFinder : TSqlFragmentVisitor
    {
        public SelectStatement? Query { get; private set; }

        public override void ExplicitVisit(CreateViewStatement node) => Query ??= node.SelectStatement;

        public override void ExplicitVisit(CreateOrAlterViewStatement node) => Query ??= node.SelectStatement;
    }

    private sealed class DataTypeCollector : TSqlFragmentVisitor
    {
        public Dictionary<int, SqlDataTypeReference> ByFirstToken { get; } = [];

        public override void ExplicitVisit(SqlDataTypeReference node) => ByFirstToken[node.FirstTokenIndex] = node;
    }
}
