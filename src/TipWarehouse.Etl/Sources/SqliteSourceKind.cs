using Microsoft.Data.Sqlite;
using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;
using TipWarehouse.Etl.Extraction;
using TipWarehouse.Etl.Specs;

namespace TipWarehouse.Etl.Sources;

/// <summary>A SQLite database (<c>kind: sqlite</c>, the police source): a table read read-only, in chunks after an <c>updated_at</c>-style watermark.</summary>
public sealed class SqliteSourceKind : ISourceKind
{
    /// <inheritdoc/>
    public string Kind => SourceKinds.Sqlite;

    /// <inheritdoc/>
    public IReadOnlyList<string> SourceKeys { get; } = ["kind", "path", "table", "culture", "schema_drift", "settings"];

    /// <inheritdoc/>
    public bool BoundedLoadMemory => false;

    /// <inheritdoc/>
    public IReadOnlyList<string> Strategies { get; } = [IncrementalStrategies.Watermark, IncrementalStrategies.None];

    /// <inheritdoc/>
    public IEnumerable<(string Key, string Message)> Validate(SourceSpec source) => FileSourceChecks.Validate(source, needsTable: true, textFiles: false);

    /// <inheritdoc/>
    public void Run(SourceRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var (spec, request, database) = (run.Spec, run.Request, run.SourcePath);
        if (!File.Exists(database))
        {
            throw new TipwException($"Pipeline {spec.Name}: the source database {database} does not exist (check --sources).");
        }

        var backfill = run.Backfill;
        try
        {
            using var source = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadOnly, DefaultTimeout = 5 }.ToString());
            source.Open();
            var drift = CheckSchema(source, spec, database);
            RelationalWatermark.Run(run, spec.Source.Table!, drift,
                (cursor, cursorKey, limit) => new DbRowSource(source, spec, cursor, cursorKey, backfill ? request.From : null, backfill ? request.To : null, limit), cancellationToken);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode is 5 or 6)
        {
            throw new TransientSourceException($"Pipeline {spec.Name}: the source database {database} is busy or locked: {ex.Message}", ex);
        }
        catch (SqliteException ex) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException($"Pipeline {spec.Name}: cancelled while reading {database}", ex, cancellationToken);
        }
        catch (SqliteException ex)
        {
            throw new TipwException($"Pipeline {spec.Name}: cannot read the source database {database}: {ex.Message} (SQLite error {ex.SqliteErrorCode}{(ex.SqliteErrorCode is 11 or 26 ? ": the file is corrupt or not a SQLite database" : "")})", ex);
        }
    }

    /// <summary>Schema drift of a relational source: a declared column the table lacks fails the run (or, with <c>schema_drift: flag</c>, is loaded as null and flagged); extra and retyped columns are flagged.</summary>
    private static SchemaDrift CheckSchema(SqliteConnection source, PipelineSpec spec, string database)
    {
        var drift = DbRowSource.CompareSchema(source, spec);
        if (drift.TableMissing)
        {
            throw new TipwException($"Pipeline {spec.Name}: the source database {database} has no table {spec.Source.Table} (schema drift).");
        }

        if (drift.Missing.Count > 0 && spec.Source.SchemaDrift == "fail")
        {
            throw new TipwException($"Pipeline {spec.Name}: schema drift in {database}, table {spec.Source.Table}: the spec's column(s) {string.Join(", ", drift.Missing)} are missing (set source.schema_drift: flag in {spec.SpecPath} to load them as null).");
        }

        return drift;
    }
}
