using System.Data.Common;
using System.Globalization;
using System.Numerics;
using DuckDB.NET.Data;

namespace TipWarehouse.Core;

/// <summary>
/// The one place that runs SQL for every assembly: statements with <c>$name</c> parameters on any ADO.NET connection
/// (DuckDB, the scheduler's SQLite), scalars, row readers, and DuckDB bulk inserts into temp tables.
/// </summary>
public static class Sql
{
    /// <summary>Runs a statement (or several, without parameters) and returns the rows it changed.</summary>
    public static int Execute(DbConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        return command.ExecuteNonQuery();
    }

    /// <summary>The first column of the first row as <typeparamref name="T"/> (default for no row or NULL); HUGEINT values convert too.</summary>
    public static T? Scalar<T>(DbConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        var value = command.ExecuteScalar();
        if (value is null or DBNull)
        {
            return default;
        }

        if (value is T typed)
        {
            return typed;
        }

        var target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        return (T)Convert.ChangeType(value is BigInteger big ? (object)(decimal)big : value, target, CultureInfo.InvariantCulture);
    }

    /// <summary>Every row of the query, mapped by <paramref name="map"/>.</summary>
    public static List<T> Query<T>(DbConnection connection, string sql, Func<DbDataReader, T> map, params (string Name, object? Value)[] parameters)
    {
        ArgumentNullException.ThrowIfNull(map);
        using var command = Command(connection, sql, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    /// <summary>The value as invariant text, or null.</summary>
    public static string? ReadText(DbDataReader reader, int ordinal) => NotNull(reader).IsDBNull(ordinal) ? null : Convert.ToString(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    /// <summary>The value as an int, or <paramref name="missing"/> for NULL.</summary>
    public static int ReadInt(DbDataReader reader, int ordinal, int missing = -1) => NotNull(reader).IsDBNull(ordinal) ? missing : Convert.ToInt32(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    /// <summary>The value as a double, or null.</summary>
    public static double? ReadDouble(DbDataReader reader, int ordinal) => NotNull(reader).IsDBNull(ordinal) ? null : Convert.ToDouble(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    /// <summary>
    /// Appends rows to a (temp) table through DuckDB's appender; <paramref name="columns"/> are all the table's columns
    /// in table order, values are ints, longs, doubles, bools, strings or null.
    /// </summary>
    public static void InsertRows(DuckDBConnection connection, string table, IReadOnlyList<string> columns, IEnumerable<object?[]> rows)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(rows);
        using var appender = connection.CreateAppender(table);
        foreach (var values in rows)
        {
            if (values.Length != columns.Count)
            {
                throw new ArgumentException($"A row for {table} has {values.Length} values for {columns.Count} columns.", nameof(rows));
            }

            var row = appender.CreateRow();
            foreach (var value in values)
            {
                row = value switch
                {
                    null => row.AppendNullValue(),
                    bool b => row.AppendValue(b),
                    string text => row.AppendValue(text),
                    int i => row.AppendValue(i),
                    long l => row.AppendValue(l),
                    double d => double.IsFinite(d) ? row.AppendValue(d) : row.AppendNullValue(),
                    DateOnly date => row.AppendValue((DateOnly?)date),
                    _ => throw new ArgumentException($"Unsupported value type {value.GetType().Name} for {table}.", nameof(rows)),
                };
            }

            row.EndRow();
        }
    }

    /// <summary>A SQL string literal of <paramref name="text"/> (single quotes doubled), for the places a parameter cannot go: file paths in COPY/ATTACH/read_parquet, SET values.</summary>
    public static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>A quoted SQL identifier (double quotes doubled), for a column or table name that may be a keyword or hold any character.</summary>
    public static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>The day number of a yyyymmdd date key column (NULL for the unknown key -1), by integer arithmetic (no text is parsed).</summary>
    public static string DayNumber(string dateKey) =>
        $"(CASE WHEN {dateKey} > 0 THEN date_diff('day', DATE '1970-01-01', make_date({dateKey} // 10000, {dateKey} // 100 % 100, {dateKey} % 100)) END)";

    /// <summary>A command for <paramref name="sql"/> with its <c>$name</c> parameters bound (null as SQL NULL); the caller disposes it.</summary>
    public static DbCommand Command(DbConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(parameters);
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private static DbDataReader NotNull(DbDataReader reader) => reader ?? throw new ArgumentNullException(nameof(reader));
}
