using TipWarehouse.Core;
using Xunit;

namespace TipWarehouse.Core.Tests;

/// <summary>The warehouse-wide DuckDB memory limit: what <c>TIPW_MEMORY_LIMIT</c> may say, and that every connection opened gets it.</summary>
public sealed class WarehouseMemoryLimitTests
{
    [Theory]
    [InlineData(null, Warehouse.DefaultMemoryLimit)]
    [InlineData("", Warehouse.DefaultMemoryLimit)]
    [InlineData(" 768MB ", "768MB")]
    [InlineData("1.5GiB", "1.5GiB")]
    [InlineData("default", null)]
    [InlineData("DEFAULT", null)]
    public void The_memory_limit_variable_is_a_size_or_default(string? value, string? expected) =>
        Assert.Equal(expected, Warehouse.ParseMemoryLimit(value));

    [Theory]
    [InlineData("lots")]
    [InlineData("80%")]
    [InlineData("1GB; SELECT 1")]
    public void Anything_else_is_a_usage_error_naming_the_variable(string value)
    {
        var error = Assert.Throws<UsageException>(() => Warehouse.ParseMemoryLimit(value));
        Assert.Contains(Warehouse.MemoryLimitVariable, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_connection_the_warehouse_opens_runs_under_the_limit_and_default_leaves_duckdbs_own()
    {
        var folder = Directory.CreateTempSubdirectory("tipw-memory-limit-");
        var path = Path.Combine(folder.FullName, "w.duckdb");
        var before = Warehouse.MemoryLimit;
        try
        {
            Warehouse.MemoryLimit = "256MiB";
            using (var connection = Warehouse.OpenPath(path))
            {
                Assert.Equal("256.0 MiB", Sql.Scalar<string>(connection, "SELECT current_setting('memory_limit')"));
            }

            Warehouse.MemoryLimit = null;
            using (var connection = Warehouse.OpenPath(path, readOnly: true))
            {
                Assert.NotEqual("256.0 MiB", Sql.Scalar<string>(connection, "SELECT current_setting('memory_limit')"));
            }
        }
        finally
        {
            Warehouse.MemoryLimit = before;
            folder.Delete(recursive: true);
        }
    }
}
