using System.Globalization;
using DuckDB.NET.Data;
using TipWarehouse.Core;

namespace TipWarehouse.Schema.Tests;

/// <summary>The schema compiled once per test class.</summary>
public sealed class CompiledSchemaFixture : IDisposable
{
    public CompiledSchemaFixture()
    {
        Compilation = SchemaCompiler.Compile(SchemaSources.SqlDirectory);
        Schema = WarehouseSchema.Load();
    }

    public SchemaCompilation Compilation { get; }

    public WarehouseSchema Schema { get; }

    public void Dispose() => Compilation.Dispose();
}

/// <summary>A fresh in-memory warehouse initialized once per test class.</summary>
public sealed class InitializedWarehouseFixture : IDisposable
{
    public InitializedWarehouseFixture()
    {
        Connection = Warehouse.OpenPath(":memory:");
        Result = WarehouseInitializer.Initialize(Connection);
        Schema = WarehouseSchema.Load();
    }

    public DuckDBConnection Connection { get; }

    public InitResult Result { get; }

    public WarehouseSchema Schema { get; }

    public void Dispose() => Connection.Dispose();
}

/// <summary>A writable copy of sql/ in a temporary folder, deleted afterwards.</summary>
public sealed class TempSqlCopy : IDisposable
{
    public TempSqlCopy()
    {
        Root = Path.Combine(Path.GetTempPath(), "tipw-schema-test-" + Guid.NewGuid().ToString("N"));
        Sql = Path.Combine(Root, "sql");
        foreach (var file in Directory.EnumerateFiles(SchemaSources.SqlDirectory, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(Sql, Path.GetRelativePath(SchemaSources.SqlDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public string Root { get; }

    public string Sql { get; }

    public string PathOf(string relative) => Path.Combine(Sql, relative);

    public void Write(string relative, string text)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    public void Replace(string relative, string oldText, string newText)
    {
        var text = File.ReadAllText(PathOf(relative));
        Assert.Contains(oldText, text, StringComparison.Ordinal);
        File.WriteAllText(PathOf(relative), text.Replace(oldText, newText, StringComparison.Ordinal));
    }

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}

internal static class Db
{
    public static long Scalar(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        var value = command.ExecuteScalar();
        return value is System.Numerics.BigInteger big ? (long)big : Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }

    public static string? Text(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        var value = command.ExecuteScalar();
        return value is null or DBNull ? null : Convert.ToString(value, CultureInfo.InvariantCulture);
    }

    public static List<string> Column(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(reader.IsDBNull(0) ? "<null>" : Convert.ToString(reader.GetValue(0), CultureInfo.InvariantCulture)!);
        }

        return values;
    }

    /// <summary>Row count and an order-independent content hash of every table: equal snapshots mean nothing changed.</summary>
    public static string Snapshot(DuckDBConnection connection, SchemaDescription schema)
    {
        var text = new System.Text.StringBuilder();
        foreach (var table in schema.Tables)
        {
            text.Append(table.QualifiedName).Append(' ')
                .Append(Text(connection, $"SELECT count(*) || ':' || coalesce(sum(hash(t)), 0) FROM {table.Schema}.{table.Name} AS t"))
                .Append('\n');
        }

        foreach (var row in Column(connection, "SELECT schema_name || '.' || view_name || ':' || hash(sql) FROM duckdb_views() WHERE NOT internal ORDER BY 1"))
        {
            text.Append(row).Append('\n');
        }

        return text.ToString();
    }
}
