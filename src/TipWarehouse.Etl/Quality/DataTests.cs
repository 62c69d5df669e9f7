using System.Globalization;
using DuckDB.NET.Data;
using TipWarehouse.Core;
using TipWarehouse.Etl.Specs;

namespace TipWarehouse.Etl.Quality;

/// <summary>The outcome of one data test: how many rows failed it out of how many tested.</summary>
public sealed record DataTestResult(string Pipeline, string Name, string Test, string Table, string? Column, string Severity, long FailedRows, long TotalRows, string Detail)
{
    /// <summary>True when no row failed.</summary>
    public bool Passed => FailedRows == 0;

    /// <summary>True when the test failed at error level (the run fails).</summary>
    public bool FailsRun => !Passed && Severity == "error";
}

/// <summary>A data test could not be run (its SQL is wrong for the warehouse): named with the spec and line.</summary>
public sealed class DataTestException(string message, Exception inner) : TipwException(message, inner);

/// <summary>
/// Data tests as data (dbt tests, Dagster asset checks): each <see cref="DataTestSpec"/> compiles to one query that counts
/// failing and tested rows; results are recorded in <c>meta.data_quality_result</c> as <c>test:NAME</c>.
/// </summary>
public static class DataTests
{
    /// <summary>The check name a test's result is recorded under in <c>meta.data_quality_result</c>.</summary>
    public static string CheckName(string testName)
    {
        ArgumentNullException.ThrowIfNull(testName);
        var name = "test:" + testName;
        return name.Length <= 80 ? name : name[..80];
    }

    /// <summary>The query that returns one row (failed_rows, total_rows) for <paramref name="test"/>.</summary>
    public static string Sql(DataTestSpec test)
    {
        ArgumentNullException.ThrowIfNull(test);
        var where = test.Where is { } w ? $" WHERE ({w})" : "";
        var column = test.Column is { } c ? $"t.{c}" : "NULL";
        // DuckDB's sum is a HUGEINT: both counts come back as BIGINT.
        return $"SELECT CAST(f AS BIGINT), CAST(n AS BIGINT) FROM ({Count(test, where, column)}) AS counts(f, n)";
    }

    private static string Count(DataTestSpec test, string where, string column)
    {
        return test.Test switch
        {
            DataTestKinds.NotNull => $"SELECT count(*) FILTER (WHERE {column} IS NULL), count(*) FROM {test.Table} AS t{where}",
            DataTestKinds.Unique =>
                $"SELECT coalesce(sum(n) FILTER (WHERE n > 1), 0), coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM {test.Table} AS t{where}{(where.Length > 0 ? " AND" : " WHERE")} {column} IS NOT NULL GROUP BY {column})",
            DataTestKinds.Relationships =>
                $"SELECT count(*) FILTER (WHERE {column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {test.To} AS r WHERE r.{test.Field ?? test.Column} = {column})), count(*) FROM {test.Table} AS t{where}",
            DataTestKinds.AcceptedValues =>
                $"SELECT count(*) FILTER (WHERE {column} IS NOT NULL AND CAST({column} AS VARCHAR) NOT IN ({string.Join(", ", test.Values.Select(Core.Sql.Literal))})), count(*) FROM {test.Table} AS t{where}",
            DataTestKinds.RowCount =>
                $"SELECT CASE WHEN count(*) >= {test.Min ?? 0} AND count(*) <= {test.Max ?? long.MaxValue} THEN 0 ELSE 1 END, count(*) FROM {test.Table} AS t{where}",
            DataTestKinds.Sql => $"SELECT count(*), count(*) FROM ({test.Sql}) AS failures",
            _ => throw new ArgumentException($"unknown data test '{test.Test}'", nameof(test)),
        };
    }

    /// <summary>Runs every test of <paramref name="spec"/> on <paramref name="connection"/>; a test whose SQL fails throws <see cref="DataTestException"/> naming the spec and line.</summary>
    public static IReadOnlyList<DataTestResult> Run(DuckDBConnection connection, PipelineSpec spec)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(spec);
        var results = new List<DataTestResult>();
        foreach (var test in spec.Tests)
        {
            long failed;
            long total;
            try
            {
                using var command = connection.CreateCommand();
                command.CommandText = Sql(test);
                using var reader = command.ExecuteReader();
                reader.Read();
                failed = Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture);
                total = Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture);
            }
            catch (DuckDBException ex)
            {
                throw new DataTestException($"{spec.SpecPath}:{test.Line}: data test {test.Name} could not run: {ex.Message}", ex);
            }

            results.Add(new DataTestResult(spec.Name, test.Name, test.Test, test.Table, test.Column, test.Severity, failed, total, Describe(test, failed, total)));
        }

        return results;
    }

    /// <summary>Records <paramref name="results"/> under <paramref name="batchId"/> in <c>meta.data_quality_result</c> (a re-test of the same batch replaces its rows).</summary>
    public static void Record(DuckDBConnection connection, long batchId, IReadOnlyList<DataTestResult> results, DateTime checkedAt)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(results);
        foreach (var r in results)
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT OR REPLACE INTO meta.data_quality_result (batch_id, check_name, pipeline, table_name, column_name, severity, failed_rows, total_rows, passed, detail, checked_at)
                VALUES ($b, $n, $p, $t, $c, $s, $f, $total, $ok, $d, $at)
                """;
            command.Parameters.Add(new DuckDBParameter("b", batchId));
            command.Parameters.Add(new DuckDBParameter("n", CheckName(r.Name)));
            command.Parameters.Add(new DuckDBParameter("p", r.Pipeline));
            command.Parameters.Add(new DuckDBParameter("t", r.Table));
            command.Parameters.Add(new DuckDBParameter("c", (object?)r.Column ?? DBNull.Value));
            command.Parameters.Add(new DuckDBParameter("s", r.Severity));
            command.Parameters.Add(new DuckDBParameter("f", r.FailedRows));
            command.Parameters.Add(new DuckDBParameter("total", r.TotalRows));
            command.Parameters.Add(new DuckDBParameter("ok", r.Passed));
            command.Parameters.Add(new DuckDBParameter("d", r.Detail.Length <= 400 ? r.Detail : r.Detail[..400]));
            command.Parameters.Add(new DuckDBParameter("at", checkedAt));
            command.ExecuteNonQuery();
        }
    }

    private static string Describe(DataTestSpec test, long failed, long total) => test.Test switch
    {
        DataTestKinds.RowCount => string.Create(CultureInfo.InvariantCulture, $"{total} rows (expected {test.Min?.ToString(CultureInfo.InvariantCulture) ?? "0"} to {test.Max?.ToString(CultureInfo.InvariantCulture) ?? "any"})"),
        DataTestKinds.Sql => string.Create(CultureInfo.InvariantCulture, $"{failed} rows returned by the test query"),
        _ when failed == 0 => string.Create(CultureInfo.InvariantCulture, $"{total} rows passed"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{failed} of {total} rows fail {test.Test}{(test.Column is null ? "" : " on " + test.Column)}"),
    };
}
