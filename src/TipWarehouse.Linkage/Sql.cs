using System.Data.Common;
using System.Globalization;
using System.Text;
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

    /// <summary>Inserts rows into a (temp) table with multi-row VALUES; values are ints, doubles, bools, strings or null.</summary>
    public static void InsertRows(DuckDBConnection connection, string table, IReadOnlyList<string> columns, IEnumerable<object?[]> rows)
    {
        const int chunk = 500;
        var builder = new StringBuilder();
        var pending = 0;
        void Flush()
        {
            if (pending == 0)
            {
                return;
            }

            Execute(connection, $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES {builder}");
            builder.Clear();
            pending = 0;
        }

        foreach (var row in rows)
        {
            builder.Append(pending == 0 ? "(" : ",(");
            for (var i = 0; i < row.Length; i++)
            {
                if (i > 0)
                {
                    builder.Append(',');
                }

                builder.Append(Literal(row[i]));
            }

            builder.Append(')');
            if (++pending == chunk)
            {
                Flush();
            }
        }

        Flush();
    }

    /// <summary>The day number of a yyyymmdd date key column (NULL for the unknown key -1).</summary>
    public static string DayNumber(string dateKey) =>
        $"(CASE WHEN {dateKey} > 0 THEN date_diff('day', DATE '1970-01-01', CAST(strptime(CAST({dateKey} AS VARCHAR), '%Y%m%d') AS DATE)) END)";

    private static string Literal(object? value) => value switch
    {
        null => "NULL",
        bool b => b ? "TRUE" : "FALSE",
        string s => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'",
        double d => double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "NULL",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => throw new ArgumentException($"Unsupported literal type {value.GetType().Name}."),
    };

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
