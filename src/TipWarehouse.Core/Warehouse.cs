using System.Text.RegularExpressions;
using DuckDB.NET.Data;

namespace TipWarehouse.Core;

/// <summary>Opens connections to the embedded DuckDB warehouse of a home.</summary>
public static partial class Warehouse
{
    /// <summary>The environment variable that sets <see cref="MemoryLimit"/> for a <c>tipw</c> process: a size such as
    /// <c>1GB</c> or <c>512MB</c>, or <c>default</c> for DuckDB's own (80% of RAM).</summary>
    public const string MemoryLimitVariable = "TIPW_MEMORY_LIMIT";

    /// <summary>The <see cref="MemoryLimit"/> when <see cref="MemoryLimitVariable"/> is not set.</summary>
    public const string DefaultMemoryLimit = "1GB";

    /// <summary>
    /// DuckDB's <c>memory_limit</c> on every connection this class opens (null: DuckDB's default, 80% of RAM). It bounds
    /// the buffer pool (cached blocks, hash tables, sorts, temporary tables), which without it grows with the warehouse:
    /// what does not fit spills to the database's temporary directory (<c>warehouse.duckdb.tmp</c>, DuckDB's default).
    /// Drop-folder loads and linkage set their own, smaller limits while they run.
    /// </summary>
    public static string? MemoryLimit { get; set; } = DefaultMemoryLimit;

    /// <summary>The memory limit a value of <see cref="MemoryLimitVariable"/> asks for: <see cref="DefaultMemoryLimit"/> when
    /// unset or empty, null for <c>default</c>; anything but a size such as 1GB or 512MB is a usage error.</summary>
    public static string? ParseMemoryLimit(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return DefaultMemoryLimit;
        }

        var trimmed = value.Trim();
        if (string.Equals(trimmed, "default", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return SizePattern().IsMatch(trimmed)
            ? trimmed
            : throw new UsageException($"{MemoryLimitVariable}='{value}' is not a size such as 1GB or 512MB (or 'default' for DuckDB's 80% of RAM).");
    }

    /// <summary>Sets <see cref="MemoryLimit"/> on <paramref name="connection"/> (or DuckDB's default when it is null); a
    /// step that changed the limit for itself puts the warehouse's back with this.</summary>
    public static void ApplyMemoryLimit(DuckDBConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        Sql.Execute(connection, MemoryLimit is { } limit ? $"SET memory_limit = {Sql.Literal(limit)}" : "RESET memory_limit");
    }

    [GeneratedRegex("^[0-9]+(\\.[0-9]+)?\\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SizePattern();

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

        try
        {
            ApplyMemoryLimit(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        return connection;
    }
}
