using System.Data.Common;
using System.Globalization;
using DuckDB.NET.Data;

namespace TipWarehouse.Linkage;

/// <summary>Small DuckDB helpers: statements with <c>$name</c> parameters, row readers, and bulk inserts into temp tables.</summary>
internal static class Sql
{
    public static int Execute(DuckDBConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        return command.ExecuteNonQuery();
    }

    public static T? Scalar<T>(DuckDBConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        var value = command.ExecuteScalar();
        return value is null or DBNull ? default : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), CultureInfo.InvariantCulture);
    }

    public static List<T> Query<T>(DuckDBConnection connection, string sql, Func<DbDataReader, T> map, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    public static string? String(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : Convert.ToString(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    public static int Int(DbDataReader reader, int ordinal, int missing = -1) => reader.IsDBNull(ordinal) ? missing : Convert.ToInt32(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    public static double? Double(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : Convert.ToDouble(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    /// <summary>
    /// Appends rows to a (temp) table through DuckDB's appender; <paramref name="columns"/> are all the table's columns
    /// in table order, values are ints, longs, doubles, bools, strings or null.
    /// </summary>
    public static void InsertRows(DuckDBConnection connection, string table, IReadOnlyList<string> columns, IEnumerable<object?[]> rows)
    {
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

    /// <summary>The day number of a yyyymmdd date key column (NULL for the unknown key -1).</summary>
    public static string DayNumber(string dateKey) =>
        $"(CASE WHEN {dateKey} > 0 THEN date_diff('day', DATE '1970-01-01', CAST(strptime(CAST({dateKey} AS VARCHAR), '%Y%m%d') AS DATE)) END)";

    private static DuckDBCommand Command(DuckDBConnection connection, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(new DuckDBParameter(name, value ?? DBNull.Value));
        }

        return command;
    }
}
