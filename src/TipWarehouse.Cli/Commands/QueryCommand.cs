using System.CommandLine;
using DuckDB.NET.Data;
using TipWarehouse.Cli.Output;
using TipWarehouse.Core;

namespace TipWarehouse.Cli.Commands;

/// <summary><c>tipw query "SQL"</c>: one read-only ad-hoc query against the warehouse.</summary>
internal static class QueryCommand
{
    public static Command Create(CliContext context)
    {
        var home = CommonOptions.Home();
        var format = CommonOptions.Format("table", "csv", "json");
        var output = CommonOptions.Out();
        var sql = new Argument<string>("sql") { Description = "One read-only statement (SELECT, WITH, FROM, SHOW, DESCRIBE, SUMMARIZE, EXPLAIN)" };
        var command = new Command("query", "Run one read-only SQL query against the warehouse") { home, format, output, sql };
        command.SetAction(parseResult =>
        {
            var table = ReadOnlyQuery.Run(TipwHome.At(parseResult.GetValue(home)), parseResult.GetValue(sql)!);
            ResultWriter.WriteTo(table, parseResult.GetValue(format)!, parseResult.GetValue(output), context.Out);
            return CliApp.Success;
        });
        return command;
    }
}

/// <summary>Runs analyst SQL on a read-only connection after refusing anything that is not a single read statement.</summary>
public static class ReadOnlyQuery
{
    private static readonly string[] s_readKeywords = ["SELECT", "WITH", "FROM", "VALUES", "TABLE", "SHOW", "DESCRIBE", "DESC", "SUMMARIZE", "EXPLAIN", "PIVOT", "UNPIVOT", "("];

    /// <summary>Runs <paramref name="sql"/> and returns its rows; throws <see cref="UsageException"/> for a write.</summary>
    public static ResultTable Run(TipwHome home, string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var statement = sql.Trim().TrimEnd(';').Trim();
        if (statement.Length == 0)
        {
            throw new UsageException("The query is empty. Example: tipw query \"SELECT count(*) AS n FROM dw.fact_hotline_call\"");
        }

        var firstWord = statement.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries)[0].ToUpperInvariant();
        if (!s_readKeywords.Any(k => firstWord.StartsWith(k, StringComparison.Ordinal)))
        {
            throw new UsageException($"'tipw query' is read-only: a {firstWord} statement is refused. Data changes go through pipelines ('tipw run').");
        }

        using var connection = Warehouse.Open(home, readOnly: true);
        using (var guard = connection.CreateCommand())
        {
            // Analysts read the warehouse; they do not write files or reach out of it from here.
            guard.CommandText = "SET enable_external_access = false";
            guard.ExecuteNonQuery();
        }

        using var command = connection.CreateCommand();
        command.CommandText = statement;
        try
        {
            using var reader = command.ExecuteReader();
            return ResultTable.FromReader(reader);
        }
        catch (DuckDBException ex) when (ex.Message.Contains("read-only", StringComparison.OrdinalIgnoreCase))
        {
            throw new UsageException($"'tipw query' is read-only and the statement tried to write: {ex.Message}");
        }
        catch (DuckDBException ex)
        {
            throw new TipwException($"The query failed: {ex.Message}");
        }
    }
}
