using System.Globalization;
using System.Security.Cryptography;
using DuckDB.NET.Data;
using TipWarehouse.Core;

namespace TipWarehouse.Schema;

/// <summary>Options of <see cref="WarehouseInitializer"/>: where the sources are, the clock, whether to load reference data.</summary>
public sealed record InitOptions
{
    /// <summary>The <c>sql/</c> folder; default <see cref="SchemaSources.SqlDirectory"/>.</summary>
    public string? SqlDirectory { get; init; }

    /// <summary>The <c>reference/</c> folder; default <see cref="SchemaSources.ReferenceDirectory"/>.</summary>
    public string? ReferenceDirectory { get; init; }

    /// <summary>The clock for <c>meta.schema_version.applied_at</c>; default the system clock.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Whether to upsert the reference dimensions (dates, geography, crime types, ...); default true.</summary>
    public bool LoadReferenceData { get; init; } = true;

    /// <summary>Receives one line per step (for stderr); null for silence.</summary>
    public Action<string>? Progress { get; init; }
}

/// <summary>What <see cref="WarehouseInitializer.Initialize"/> did.</summary>
public sealed record InitResult(
    string SchemaHash,
    bool IsNewWarehouse,
    IReadOnlyList<MigrationStep> SchemaChanges,
    long UnknownMembersInserted,
    IReadOnlyList<ReferenceLoadResult> ReferenceData)
{
    /// <summary>True when nothing at all changed (schema, unknown members and reference rows as they were).</summary>
    public bool ChangedNothing => SchemaChanges.Count == 0 && UnknownMembersInserted == 0 && ReferenceData.All(r => r.RowsChanged == 0);
}

/// <summary>What <see cref="WarehouseInitializer.InitializeHome"/> did, on top of <see cref="InitResult"/>.</summary>
public sealed record HomeInitResult(InitResult Warehouse, string WarehousePath, string? PseudonymKeyPath, bool PseudonymKeyCreated);

/// <summary>
/// Creates or upgrades a DuckDB warehouse from the compiled model: schemas, sequences, tables, views (additive changes
/// only), the unknown members (post-deployment script), the reference dimensions, and a <c>meta.schema_version</c> row.
/// Idempotent: a second run changes nothing. Everything happens in one transaction.
/// </summary>
public static class WarehouseInitializer
{
    /// <summary>Environment variable that holds the pseudonymization key (then no key file is written).</summary>
    public const string PseudonymKeyVariable = "TIPW_PSEUDONYM_KEY";

    /// <summary>The key file name under the home's secrets folder.</summary>
    public const string PseudonymKeyFileName = "pseudonym.key";

    /// <summary>Initializes the warehouse behind <paramref name="connection"/> (a file or <c>:memory:</c>).</summary>
    public static InitResult Initialize(DuckDBConnection connection, InitOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        options ??= new InitOptions();
        var progress = options.Progress;
        progress?.Invoke("compiling the schema (DacFx)");
        var schema = WarehouseSchema.Load(options.SqlDirectory);
        cancellationToken.ThrowIfCancellationRequested();

        var lastHash = LastSchemaHash(connection);
        var plan = DuckDbMigrator.Plan(connection, schema, replaceViews: lastHash != schema.SourceHash);

        using var transaction = connection.BeginTransaction();
        try
        {
            DuckDbMigrator.Apply(connection, plan, progress);
            cancellationToken.ThrowIfCancellationRequested();

            progress?.Invoke("unknown members");
            long unknownMembers = 0;
            foreach (var statement in schema.DuckDb.PostDeployment)
            {
                unknownMembers += Execute(connection, statement, "post-deployment script");
            }

            IReadOnlyList<ReferenceLoadResult> reference = [];
            if (options.LoadReferenceData)
            {
                reference = ReferenceData.Load(connection, schema.Description, options.ReferenceDirectory ?? SchemaSources.ReferenceDirectory, progress);
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (lastHash != schema.SourceHash)
            {
                RecordVersion(connection, schema, plan, options.Time);
            }

            transaction.Commit();
            return new InitResult(schema.SourceHash, plan.IsNewWarehouse, plan.Steps, unknownMembers, reference);
        }
        catch
        {
            transaction.Rollback();
            throw;
        }
    }

    /// <summary>
    /// <c>tipw init</c>: creates the home's folders, creates or upgrades <c>warehouse.duckdb</c>, and writes an owner-only
    /// pseudonymization key unless one exists or <c>TIPW_PSEUDONYM_KEY</c> is set.
    /// </summary>
    public static HomeInitResult InitializeHome(
        TipwHome home,
        TimeProvider time,
        InitOptions? options = null,
        Func<string, string?>? getEnvironmentVariable = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(home);
        ArgumentNullException.ThrowIfNull(time);
        home.EnsureCreated();
        var effective = (options ?? new InitOptions()) with { Time = time };
        InitResult result;
        using (var connection = Warehouse.OpenPath(home.WarehousePath))
        {
            result = Initialize(connection, effective, cancellationToken);
        }

        var keyFromEnvironment = (getEnvironmentVariable ?? Environment.GetEnvironmentVariable)(PseudonymKeyVariable);
        if (!string.IsNullOrEmpty(keyFromEnvironment))
        {
            return new HomeInitResult(result, home.WarehousePath, null, false);
        }

        var keyPath = Path.Combine(home.SecretsDirectory, PseudonymKeyFileName);
        var created = CreateKeyIfMissing(keyPath);
        return new HomeInitResult(result, home.WarehousePath, keyPath, created);
    }

    private static bool CreateKeyIfMissing(string keyPath)
    {
        if (File.Exists(keyPath))
        {
            return false;
        }

        var key = RandomNumberGenerator.GetBytes(32);
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var stream = new FileStream(keyPath, options);
            stream.Write(key);
        }
        catch (IOException) when (File.Exists(keyPath))
        {
            // Another process created it first: never overwrite a key, pseudonyms depend on it.
            return false;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return true;
    }

    private static string? LastSchemaHash(DuckDBConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'meta' AND table_name = 'schema_version'";
        if (Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) == 0)
        {
            return null;
        }

        command.CommandText = "SELECT schema_hash FROM meta.schema_version ORDER BY version_id DESC LIMIT 1";
        return command.ExecuteScalar() as string;
    }

    private static void RecordVersion(DuckDBConnection connection, WarehouseSchema schema, MigrationPlan plan, TimeProvider time)
    {
        if (schema.Description.Table("meta.schema_version") is null)
        {
            return;
        }

        using var command = connection.CreateCommand();
        command.CommandText =
            "INSERT INTO meta.schema_version (version_id, schema_hash, applied_at, engine, changes) " +
            "SELECT coalesce(max(version_id), 0) + 1, $hash, $applied_at, 'duckdb', $changes FROM meta.schema_version";
        command.Parameters.Add(new DuckDBParameter("hash", schema.SourceHash));
        command.Parameters.Add(new DuckDBParameter("applied_at", time.GetUtcNow().UtcDateTime));
        command.Parameters.Add(new DuckDBParameter("changes", plan.Steps.Count == 0 ? "views refreshed" : string.Join("; ", plan.Steps.Select(s => s.Description))));
        command.ExecuteNonQuery();
    }

    private static long Execute(DuckDBConnection connection, string sql, string origin)
    {
        try
        {
            return Sql.Execute(connection, sql);
        }
        catch (DuckDBException ex)
        {
            throw new WarehouseException($"The {origin} failed on DuckDB: {ex.Message}\nStatement: {sql}", ex);
        }
    }
}
