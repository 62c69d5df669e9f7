using System.Globalization;
using DuckDB.NET.Data;
using TipWarehouse.Core;

namespace TipWarehouse.Schema.Tests;

public sealed class WarehouseInitializerTests
{
    [Fact]
    public void Fresh_in_memory_warehouse_gets_every_table_unknown_members_and_reference_data()
    {
        using var connection = Warehouse.OpenPath(":memory:");
        var result = WarehouseInitializer.Initialize(connection);

        Assert.True(result.IsNewWarehouse);
        var schema = WarehouseSchema.Load();
        foreach (var table in schema.Description.Tables)
        {
            Assert.Equal(1L, Scalar(connection, $"SELECT count(*) FROM duckdb_tables() WHERE schema_name = '{table.Schema}' AND table_name = '{table.Name}'"));
        }

        Assert.Equal(1893L, Scalar(connection, "SELECT count(*) FROM dw.dim_geography WHERE geography_key > 0"));
        Assert.Equal(1L, Scalar(connection, "SELECT count(*) FROM dw.dim_geography WHERE geography_key = -1"));
        Assert.Equal(13149L, Scalar(connection, "SELECT count(*) FROM dw.dim_date WHERE date_key > 0"));
        Assert.Equal(1L, Scalar(connection, "SELECT count(*) FROM dw.dim_caller_type WHERE caller_type_key = -1"));
    }

    [Fact]
    public void Init_twice_changes_nothing()
    {
        using var connection = Warehouse.OpenPath(":memory:");
        WarehouseInitializer.Initialize(connection);
        var before = Snapshot(connection);

        var second = WarehouseInitializer.Initialize(connection);

        Assert.True(second.ChangedNothing);
        Assert.Empty(second.SchemaChanges);
        Assert.Equal(before, Snapshot(connection));
    }

    private static string Snapshot(DuckDBConnection connection)
    {
        var text = new System.Text.StringBuilder();
        foreach (var table in WarehouseSchema.Load().Description.Tables)
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT count(*), coalesce(sum(hash(t)), 0) FROM {table.Schema}.{table.Name} AS t";
            using var reader = command.ExecuteReader();
            reader.Read();
            text.Append(table.QualifiedName).Append(' ').Append(Convert.ToString(reader.GetValue(0), CultureInfo.InvariantCulture))
                .Append(' ').Append(Convert.ToString(reader.GetValue(1), CultureInfo.InvariantCulture)).Append('\n');
        }

        return text.ToString();
    }

    private static long Scalar(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
