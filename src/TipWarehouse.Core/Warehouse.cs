using DuckDB.NET.Data;

namespace TipWarehouse.Core;

/// <summary>Opens connections to the embedded DuckDB warehouse of a home.</summary>
public static class Warehouse
{
    /// <summary>Opens the warehouse of <paramref name="home"/>; it must exist (created by <c>tipw init</c>).</summary>
    public static DuckDBConnection Open(TipwHome home, bool readOnly = false)
    {
        ArgumentNullException.ThrowIfNull(home);
        if (!File.Exists(home.WarehousePath))
        {
            throw new WarehouseException($"No warehouse at {home.WarehousePath}. Run 'tipw init --home {home.Root}' first.");
        }

        return OpenPath(home.WarehousePath, readOnly);
    }

    /// <summary>Opens (creating if needed) a DuckDB database file, or an in-memory database for ":memory:".</summary>
    public static DuckDBConnection OpenPath(string path, bool readOnly = false)
    {
        var connectionString = path == ":memory:"
            ? "Data Source=:memory:"
            : $"Data Source={path}" + (readOnly ? ";ACCESS_MODE=READ_ONLY" : string.Empty);
        var connection = new DuckDBConnection(connectionString);
        try
        {
            connection.Open();
        }
        catch (DuckDBException ex)
        {
            connection.Dispose();
            throw new WarehouseException($"Cannot open the warehouse {path}: {ex.Message} (is another tipw process, such as 'tipw serve', writing to it?)", ex);
        }

        return connection;
    }
}
