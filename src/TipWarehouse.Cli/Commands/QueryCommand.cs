using System.CommandLine;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using DuckDB.NET.Native;
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
        var timeout = new Option<int>("--timeout")
        {
            Description = "Stop the query after this many seconds (default 60; 0 = no limit)",
            DefaultValueFactory = _ => (int)ReadOnlyQuery.DefaultTimeout.TotalSeconds,
        };
        timeout.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && int.TryParse(result.Tokens[^1].Value, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds < 0)
            {
                result.AddError("--timeout expects a number of seconds, 0 or more.");
            }
        });
        var sql = new Argument<string>("sql") { Description = "One read-only statement (SELECT, WITH, FROM, SHOW, DESCRIBE, SUMMARIZE, EXPLAIN)" };
        var command = new Command("query", "Run one read-only SQL query against the warehouse") { home, format, output, timeout, sql };
        command.SetAction(parseResult =>
        {
            var seconds = parseResult.GetValue(timeout);
            var table = ReadOnlyQuery.Run(TipwHome.At(parseResult.GetValue(home)), parseResult.GetValue(sql)!, seconds == 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(seconds), context.Time);
            ResultWriter.WriteTo(table, parseResult.GetValue(format)!, parseResult.GetValue(output), context.Out);
            return CliApp.Success;
        });
        return command;
    }
}

/// <summary>Runs analyst SQL on a read-only connection after refusing anything that is not a single read statement.</summary>
public static partial class ReadOnlyQuery
{
    /// <summary>How long a query may run unless <c>--timeout</c> says otherwise.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private static readonly string[] s_readKeywords = ["SELECT", "WITH", "FROM", "VALUES", "TABLE", "SHOW", "DESCRIBE", "DESC", "SUMMARIZE", "EXPLAIN", "PIVOT", "UNPIVOT", "("];

    // Statements DuckDB knows that change data, settings or the catalog, or reach outside the warehouse.
    private static readonly string[] s_writeKeywords =
    [
        "INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "TRUNCATE", "CREATE", "DROP", "ALTER", "COPY", "EXPORT", "IMPORT",
        "ATTACH", "DETACH", "USE", "INSTALL", "LOAD", "FORCE", "SET", "RESET", "PRAGMA", "CALL", "VACUUM", "ANALYZE",
        "CHECKPOINT", "BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "PREPARE", "EXECUTE", "DEALLOCATE",
        "COMMENT", "GRANT", "REVOKE", "UPDATE_EXTENSIONS",
    ];

    /// <summary>Runs <paramref name="sql"/> with the default timeout and returns its rows; throws <see cref="UsageException"/> for a write.</summary>
    public static ResultTable Run(TipwHome home, string sql) => Run(home, sql, DefaultTimeout, TimeProvider.System);

    /// <summary>
    /// Runs <paramref name="sql"/> and returns its rows. Refused with <see cref="UsageException"/> (exit 2): more than one
    /// statement, a write, a syntax error. Stopped after <paramref name="timeout"/> on <paramref name="time"/>'s clock.
    /// </summary>
    public static ResultTable Run(TipwHome home, string sql, TimeSpan timeout, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(home);
        ArgumentNullException.ThrowIfNull(sql);
        ArgumentNullException.ThrowIfNull(time);
        var statements = SqlStatements.Split(sql);
        if (statements.Count == 0)
        {
            throw new UsageException("The query is empty. Example: tipw query \"SELECT count(*) AS n FROM dw.fact_hotline_call\"");
        }

        if (statements.Count > 1)
        {
            throw new UsageException($"'tipw query' runs one statement at a time; this has {statements.Count}. Run them one by one.");
        }

        var statement = statements[0];
        var firstWord = FirstWordRegex().Match(statement).Value.ToUpperInvariant();
        if (s_writeKeywords.Contains(firstWord, StringComparer.Ordinal))
        {
            throw new UsageException($"'tipw query' is read-only: {Article(firstWord)} {firstWord} statement is refused. Data changes go through pipelines ('tipw run').");
        }

        using var connection = OpenReadOnly(home);
        using (var guard = connection.CreateCommand())
        {
            // Analysts read the warehouse; they do not write files or reach out of it from here.
            guard.CommandText = "SET enable_external_access = false";
            guard.ExecuteNonQuery();
        }

        using var command = connection.CreateCommand();
        command.CommandText = statement;
        var timedOut = 0;
        using var timer = timeout == Timeout.InfiniteTimeSpan
            ? null
            : time.CreateTimer(_ => Interrupt(command, ref timedOut), null, timeout, Timeout.InfiniteTimeSpan);
        try
        {
            using var reader = command.ExecuteReader();
            return ResultTable.FromReader(reader);
        }
        catch (Exception ex) when (ex is DuckDBException or OperationCanceledException && Volatile.Read(ref timedOut) == 1)
        {
            throw new TipwException($"The query was stopped after {timeout.TotalSeconds:0} s (--timeout). Narrow it (a WHERE on a date key, a LIMIT) or pass a longer --timeout.");
        }
        catch (DuckDBException ex) when (ex.ErrorType == DuckDBErrorType.Parser || ex.Message.StartsWith("Parser Error", StringComparison.Ordinal))
        {
            throw new UsageException($"The query has a syntax error: {ex.Message}");
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

    private static void Interrupt(DuckDBCommand command, ref int timedOut)
    {
        Interlocked.Exchange(ref timedOut, 1);
        try
        {
            // DuckDB interrupts the running statement; ExecuteReader or Read then throws.
            command.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The query finished as the timer fired.
        }
    }

    /// <summary>"a" or "an" before a statement keyword, by its first letter's sound (an INSERT, an UPDATE, a DROP).</summary>
    internal static string Article(string word) => word.Length > 0 && "AEIOU".Contains(word[0], StringComparison.Ordinal) ? "an" : "a";

    private static DuckDBConnection OpenReadOnly(TipwHome home)
    {
        try
        {
            return Warehouse.Open(home, readOnly: true);
        }
        catch (WarehouseException ex) when (ex.InnerException is DuckDBException inner && inner.Message.Contains("lock", StringComparison.OrdinalIgnoreCase))
        {
            var pid = PidRegex().Match(inner.Message);
            throw new TipwException(
                $"The warehouse is busy: another process{(pid.Success ? $" (PID {pid.Groups[1].Value})" : "")} is writing to {home.WarehousePath} " +
                "(a 'tipw run', 'tipw demo' or 'tipw serve'). Try again when it has finished; while 'tipw serve' runs, read its snapshot or API instead.",
                ex);
        }
    }

    [GeneratedRegex(@"^[A-Za-z_]+|^\(")]
    private static partial Regex FirstWordRegex();

    [GeneratedRegex(@"PID (\d+)")]
    private static partial Regex PidRegex();
}

/// <summary>Splits SQL text into statements at the semicolons outside strings, quoted names, comments and dollar quotes.</summary>
public static class SqlStatements
{
    /// <summary>The non-empty statements of <paramref name="sql"/>, trimmed, without their semicolons (comment-only parts are dropped).</summary>
    public static IReadOnlyList<string> Split(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var statements = new List<string>();
        var start = 0;
        var hasCode = false;
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (c is '\'' or '"')
            {
                i = sql.IndexOf(c, i + 1) is var end and >= 0 ? end + 1 : sql.Length;
                hasCode = true;
            }
            else if (c == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
            {
                i = sql.IndexOf('\n', i) is var end and >= 0 ? end + 1 : sql.Length;
            }
            else if (c == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                i = sql.IndexOf("*/", i + 2, StringComparison.Ordinal) is var end and >= 0 ? end + 2 : sql.Length;
            }
            else if (c == '$' && DollarTag(sql, i) is { } tag)
            {
                i = sql.IndexOf(tag, i + tag.Length, StringComparison.Ordinal) is var end and >= 0 ? end + tag.Length : sql.Length;
                hasCode = true;
            }
            else if (c == ';')
            {
                if (hasCode)
                {
                    statements.Add(sql[start..i].Trim());
                }

                start = i + 1;
                hasCode = false;
                i++;
            }
            else
            {
                hasCode |= !char.IsWhiteSpace(c);
                i++;
            }
        }

        if (hasCode)
        {
            statements.Add(sql[start..].Trim());
        }

        return statements;
    }

    private static string? DollarTag(string sql, int at)
    {
        var end = at + 1;
        while (end < sql.Length && (char.IsLetterOrDigit(sql[end]) || sql[end] == '_'))
        {
            end++;
        }

        return end < sql.Length && sql[end] == '$' && (end == at + 1 || !char.IsDigit(sql[at + 1])) ? sql[at..(end + 1)] : null;
    }
}
