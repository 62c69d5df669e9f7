using System.Globalization;
using DuckDB.NET.Data;
using TipWarehouse.Core;

namespace TipWarehouse.Analytics.Export;

/// <summary>A table or view of the warehouse that can be exported.</summary>
public sealed record WarehouseObject(string Schema, string Name, string Kind)
{
    /// <summary>The quoted two-part name, safe to put in SQL text.</summary>
    public string QuotedName => Sql.Identifier(Schema) + "." + Sql.Identifier(Name);

    public override string ToString() => $"{Schema}.{Name}";
}

/// <summary>Exports warehouse tables, views and report tables as Parquet (DuckDB's writer) or Arrow IPC files.</summary>
public static class WarehouseExport
{
    private static readonly string[] s_schemaSearchOrder = ["dw", "rpt", "meta", "stg"];

    /// <summary>Every table and view in the warehouse schemas (dw, rpt, meta, stg).</summary>
    public static IReadOnlyList<WarehouseObject> ListObjects(DuckDBConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT table_schema, table_name, table_type
            FROM information_schema.tables
            WHERE table_catalog = current_database() AND table_schema IN ('dw', 'rpt', 'meta', 'stg')
            ORDER BY table_schema, table_name
            """;
        using var reader = command.ExecuteReader();
        var result = new List<WarehouseObject>();
        while (reader.Read())
        {
            result.Add(new WarehouseObject(reader.GetString(0), reader.GetString(1), reader.GetString(2) == "VIEW" ? "view" : "table"));
        }

        return result;
    }

    /// <summary>Resolves <c>schema.name</c> or a bare name (searched in dw, rpt, meta, stg); unknown names are a usage error that lists a few.</summary>
    public static WarehouseObject Resolve(DuckDBConnection connection, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var objects = ListObjects(connection);
        var parts = name.Split('.', 2);
        var match = parts.Length == 2
            ? objects.FirstOrDefault(o => string.Equals(o.Schema, parts[0], StringComparison.OrdinalIgnoreCase) && string.Equals(o.Name, parts[1], StringComparison.OrdinalIgnoreCase))
            : s_schemaSearchOrder.Select(s => objects.FirstOrDefault(o => o.Schema == s && string.Equals(o.Name, name, StringComparison.OrdinalIgnoreCase))).FirstOrDefault(o => o is not null);
        if (match is not null)
        {
            return match;
        }

        var examples = string.Join(", ", objects.Where(o => o.Name.StartsWith("fact_", StringComparison.Ordinal) || o.Name.StartsWith("v_", StringComparison.Ordinal)).Take(8));
        throw new UsageException($"No table or view '{name}' in the warehouse. Use schema.name, e.g. {examples}; list them with: tipw query \"SELECT table_schema, table_name FROM information_schema.tables\"");
    }

    /// <summary>Writes every row of <paramref name="source"/> to a Parquet file with DuckDB's writer; returns the row count.</summary>
    public static long ToParquet(DuckDBConnection connection, WarehouseObject source, string path)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(source);
        // Parquet has no 128-bit integer: DuckDB would write its HUGEINT (the type of SUM over integers) as DOUBLE, so
        // counts are cast to BIGINT (an overflow fails the export instead of rounding).
        var hugeints = ColumnTypes(connection, source).Where(c => c.Value is "HUGEINT" or "UHUGEINT").Select(c => c.Key).Order(StringComparer.Ordinal).ToList();
        var replace = hugeints.Count == 0 ? "" : $" REPLACE ({string.Join(", ", hugeints.Select(c => $"CAST({Sql.Identifier(c)} AS BIGINT) AS {Sql.Identifier(c)}"))})";
        return Copy(connection, $"SELECT *{replace} FROM {source.QuotedName}", path);
    }

    /// <summary>Writes every row of <paramref name="source"/> to an Arrow IPC file; returns the row count.</summary>
    public static async Task<long> ToArrowAsync(DuckDBConnection connection, WarehouseObject source, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(source);
        var types = ColumnTypes(connection, source);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM {source.QuotedName}";
        using var reader = command.ExecuteReader();
        return await ArrowExport.WriteAsync(reader, path, types, cancellationToken);
    }

    /// <summary>The DuckDB type of each column of <paramref name="source"/> (e.g. <c>DECIMAL(6,2)</c>), by column name.</summary>
    public static IReadOnlyDictionary<string, string> ColumnTypes(DuckDBConnection connection, WarehouseObject source)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(source);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT column_name, data_type FROM information_schema.columns WHERE table_catalog = current_database() AND table_schema = $schema AND table_name = $name ORDER BY ordinal_position";
        command.Parameters.Add(new DuckDBParameter("schema", source.Schema));
        command.Parameters.Add(new DuckDBParameter("name", source.Name));
        using var reader = command.ExecuteReader();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            types[reader.GetString(0)] = reader.GetString(1);
        }

        return types;
    }

    /// <summary>Reads every row of <paramref name="source"/> (for CSV output through the CLI's writer).</summary>
    public static ResultTable ReadAll(DuckDBConnection connection, WarehouseObject source)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(source);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM {source.QuotedName}";
        using var reader = command.ExecuteReader();
        return ResultTable.FromReader(reader);
    }

    /// <summary>Writes a report table to a Parquet file: the rows go into an in-memory DuckDB table that DuckDB's writer copies out.</summary>
    public static void ToParquet(ResultTable table, string path)
    {
        ArgumentNullException.ThrowIfNull(table);
        using var connection = Warehouse.OpenPath(":memory:");
        var columns = string.Join(", ", table.Columns.Select(c => $"\"{c.Name}\" {DuckDbType(c.Type)}"));
        Sql.Execute(connection, $"CREATE TABLE report ({columns})");
        using (var insert = connection.CreateCommand())
        {
            insert.CommandText = $"INSERT INTO report VALUES ({string.Join(", ", table.Columns.Select((_, i) => "$p" + i.ToString(CultureInfo.InvariantCulture)))})";
            var parameters = table.Columns.Select((_, i) => new DuckDBParameter("p" + i.ToString(CultureInfo.InvariantCulture), DBNull.Value)).ToArray();
            insert.Parameters.AddRange(parameters);
            foreach (var row in table.Rows)
            {
                for (var i = 0; i < row.Length; i++)
                {
                    parameters[i].Value = row[i] ?? DBNull.Value;
                }

                insert.ExecuteNonQuery();
            }
        }

        Copy(connection, "SELECT * FROM report", path);
    }

    private static long Copy(DuckDBConnection connection, string select, string path)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        using var command = connection.CreateCommand();
        command.CommandText = $"COPY ({select}) TO {Sql.Literal(full)} (FORMAT parquet)";
        try
        {
            command.ExecuteNonQuery();
            using var count = connection.CreateCommand();
            count.CommandText = $"SELECT COUNT(*) FROM read_parquet({Sql.Literal(full)})";
            return Convert.ToInt64(count.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
        catch (DuckDBException ex)
        {
            throw new TipwException($"Cannot write the Parquet file {full}: {ex.Message}", ex);
        }
    }

    private static string DuckDbType(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t == typeof(long) || t == typeof(int) || t == typeof(short) || t == typeof(System.Numerics.BigInteger) ? "BIGINT"
            : t == typeof(double) || t == typeof(float) || t == typeof(decimal) ? "DOUBLE"
            : t == typeof(bool) ? "BOOLEAN"
            : t == typeof(DateTime) ? "TIMESTAMP"
            : t == typeof(DateOnly) ? "DATE"
            : "VARCHAR";
    }
}
