using System.Collections.Concurrent;
using System.Text.Json;

namespace TipWarehouse.Schema;

/// <summary>
/// The compiled, validated schema and its generated DuckDB DDL, cached per process for each (folder, source hash):
/// compiling with DacFx takes seconds, and many tests initialize warehouses.
/// </summary>
public sealed class WarehouseSchema
{
    private static readonly ConcurrentDictionary<string, Lazy<WarehouseSchema>> s_cache = new(StringComparer.Ordinal);

    private WarehouseSchema(string sqlDirectory, string sourceHash, SchemaDescription description, DuckDbScript duckDb, IReadOnlyList<SchemaError> warnings)
    {
        SqlDirectory = sqlDirectory;
        SourceHash = sourceHash;
        Description = description;
        DuckDb = duckDb;
        Warnings = warnings;
    }

    /// <summary>The compiled folder.</summary>
    public string SqlDirectory { get; }

    /// <summary>The hash of the sources (see <see cref="SchemaCompiler.HashSources"/>).</summary>
    public string SourceHash { get; }

    /// <summary>The schemas, sequences, tables and views of the model.</summary>
    public SchemaDescription Description { get; }

    /// <summary>The generated DuckDB DDL and post-deployment statements.</summary>
    public DuckDbScript DuckDb { get; }

    /// <summary>DacFx's warnings (the schema has no errors, or it would not load).</summary>
    public IReadOnlyList<SchemaError> Warnings { get; }

    /// <summary>Loads (compiling once per process and source version) the schema in <paramref name="sqlDirectory"/>; throws <see cref="SchemaException"/> when invalid.</summary>
    public static WarehouseSchema Load(string? sqlDirectory = null)
    {
        var directory = Path.GetFullPath(sqlDirectory ?? SchemaSources.SqlDirectory);
        var hash = SchemaCompiler.HashSources(SchemaCompiler.ReadSources(directory));
        var key = directory + "|" + hash;
        var lazy = s_cache.GetOrAdd(key, _ => new Lazy<WarehouseSchema>(() => BuildOrReadCache(directory, hash), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch
        {
            // An invalid schema is not cached: the next call compiles again (the author may have fixed it).
            s_cache.TryRemove(new KeyValuePair<string, Lazy<WarehouseSchema>>(key, lazy));
            throw;
        }
    }

    private static WarehouseSchema Build(string directory)
    {
        using var compilation = SchemaCompiler.Compile(directory);
        compilation.ThrowIfInvalid();
        var description = SchemaDescription.FromModel(compilation.Model);
        var duckDb = DuckDbDdl.Generate(description, compilation.PostDeploymentScripts);
        return new WarehouseSchema(directory, compilation.SourceHash, description, duckDb, [.. compilation.Messages.Where(m => m.IsWarning)]);
    }

    /// <summary>
    /// Like <see cref="Load"/>, but first looks for the generated schema in a cache file beside the assemblies, keyed by
    /// the source hash and this assembly's build (so a changed generator never reads a stale entry). Only a schema
    /// that compiled and validated is cached. Each test process would otherwise pay DacFx's cold start.
    /// </summary>
    private static WarehouseSchema BuildOrReadCache(string directory, string hash)
    {
        var cachePath = Path.Combine(AppContext.BaseDirectory, "schema-cache", hash[..16] + "-" + typeof(WarehouseSchema).Assembly.ManifestModule.ModuleVersionId.ToString("N")[..16] + ".json");
        try
        {
            if (File.Exists(cachePath))
            {
                var entry = JsonSerializer.Deserialize<CacheEntry>(File.ReadAllText(cachePath));
                if (entry is not null && entry.SourceHash == hash)
                {
                    return new WarehouseSchema(directory, hash, entry.Description, entry.DuckDb, entry.Warnings);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            // A damaged or unreadable cache only costs a compile.
        }

        var schema = Build(directory);
        if (schema.SourceHash != hash)
        {
            return schema;
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(cachePath)!);
            var temporary = cachePath + "." + Guid.NewGuid().ToString("N") + ".tmp";
            File.WriteAllText(temporary, JsonSerializer.Serialize(new CacheEntry(hash, schema.Description, schema.DuckDb, schema.Warnings)));
            File.Move(temporary, cachePath, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Read-only install folder: no cache, same result.
        }

        return schema;
    }

    private sealed record CacheEntry(string SourceHash, SchemaDescription Description, DuckDbScript DuckDb, IReadOnlyList<SchemaError> Warnings);
}
