using System.Text.RegularExpressions;
using DuckDB.NET.Data;

namespace TipWarehouse.Analytics.Tests;

/// <summary>
/// Creates the dw tables and rpt views of <c>sql/</c> in DuckDB for the analytics tests, by a plain textual translation of
/// the T-SQL files (brackets, types, defaults). Keys are always inserted explicitly, so sequences and constraints are left out.
/// </summary>
internal static partial class SchemaDdl
{
    public static void Create(DuckDBConnection connection)
    {
        Execute(connection, "CREATE SCHEMA IF NOT EXISTS dw; CREATE SCHEMA IF NOT EXISTS rpt; CREATE SCHEMA IF NOT EXISTS meta;");
        foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.SqlDirectory, "dw", "Tables"), "*.sql").Order(StringComparer.Ordinal))
        {
            Execute(connection, TranslateTable(File.ReadAllText(file)));
        }

        foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.SqlDirectory, "rpt", "Views"), "*.sql").Order(StringComparer.Ordinal))
        {
            Execute(connection, Unbracket(StripComments(File.ReadAllText(file))));
        }
    }

    private static string TranslateTable(string tsql)
    {
        var lines = StripComments(tsql).Split('\n')
            .Where(l => !l.TrimStart().StartsWith("CONSTRAINT", StringComparison.Ordinal))
            .Select(l => DefaultPattern().Replace(l, string.Empty))
            .ToArray();
        var text = Unbracket(string.Join('\n', lines));
        text = text.Replace("NVARCHAR(MAX)", "VARCHAR", StringComparison.Ordinal);
        text = SizedTextPattern().Replace(text, "VARCHAR");
        text = text.Replace("DATETIME2(0)", "TIMESTAMP", StringComparison.Ordinal)
            .Replace(" BIT ", " BOOLEAN ", StringComparison.Ordinal)
            .Replace(" FLOAT ", " DOUBLE ", StringComparison.Ordinal);

        // Dropping the constraint lines leaves a trailing comma before the closing parenthesis.
        return TrailingCommaPattern().Replace(text, "\n)");
    }

    private static string StripComments(string sql) => CommentPattern().Replace(sql, string.Empty);

    private static string Unbracket(string sql) => sql.Replace("[", string.Empty, StringComparison.Ordinal).Replace("]", string.Empty, StringComparison.Ordinal);

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    [GeneratedRegex(@"--[^\n]*")]
    private static partial Regex CommentPattern();

    [GeneratedRegex(@"\s*CONSTRAINT \[df_\w+\] DEFAULT \(NEXT VALUE FOR [^)]*\)")]
    private static partial Regex DefaultPattern();

    [GeneratedRegex(@"N?(VAR)?CHAR\(\d+\)")]
    private static partial Regex SizedTextPattern();

    [GeneratedRegex(@",\s*\n\)")]
    private static partial Regex TrailingCommaPattern();
}
