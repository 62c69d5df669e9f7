using TipWarehouse.Core.Pipelines;

namespace TipWarehouse.Etl.Specs;

/// <summary>The value types a spec column can declare; every source value is parsed into one of them.</summary>
#pragma warning disable CA1720 // the member names are the spec's own type names (type: string, int, long, ...)
public enum ColumnType
{
    String,
    Int,
    Long,
    Decimal,
    Date,
    DateTime,
    Bool,
}
#pragma warning restore CA1720

/// <summary>The names of the built-in source kinds (<see cref="Sources.SourceKindRegistry.BuiltIn"/>); a kind that is no registered source kind is run by a registered <see cref="IPipelineStep"/>.</summary>
public static class SourceKinds
{
    public const string Csv = "csv";
    public const string Sqlite = "sqlite";
    public const string JsonLines = "jsonl";
    public const string Postgres = "postgres";
}

/// <summary>Incremental strategies: what a run remembers so the next run reads only what is new.</summary>
public static class IncrementalStrategies
{
    public const string FileManifest = "file_manifest";
    public const string Watermark = "watermark";
    public const string Sequence = "sequence";
    public const string None = "none";
}

/// <summary>One declared source column: how to read it, how to type it, where it is staged and which rules it must pass.</summary>
public sealed record ColumnSpec
{
    public required string Name { get; init; }
    public ColumnType Type { get; init; } = ColumnType.String;
    /// <summary>The staging column it goes to; null for a column that is only read (PII inputs, scrub sources).</summary>
    public string? Target { get; init; }
    /// <summary>For JSON sources: the dotted path of the value (default: the name).</summary>
    public string? Path { get; init; }
    /// <summary>Date/time formats accepted (first match wins); default ISO-8601.</summary>
    public IReadOnlyList<string> Formats { get; init; } = [];
    public bool Required { get; init; }
    public bool Pii { get; init; }
    public int? MaxLength { get; init; }
    public string? Min { get; init; }
    public string? Max { get; init; }
    /// <summary>Allowed values (after trimming, case-insensitive).</summary>
    public IReadOnlyList<string> Values { get; init; } = [];
    /// <summary>Digits-only value of exactly this length (codes like UBIGEO, DNI).</summary>
    public int? Digits { get; init; }
    /// <summary>What a failing non-type rule does: reject the row (default) or null the value and flag it.</summary>
    public bool NullOnInvalid { get; init; }
    public int Line { get; init; }
}

/// <summary>A pseudonymized PII field: clear-text source columns in, keyed pseudonyms out.</summary>
public sealed record PiiSpec
{
    /// <summary><c>name</c> or <c>dni</c>.</summary>
    public required string Kind { get; init; }
    public required IReadOnlyList<string> Columns { get; init; }
    public required string Target { get; init; }
    /// <summary>For names: the staging column of the phonetic-key pseudonym.</summary>
    public string? PhoneticTarget { get; init; }
    public int Line { get; init; }
}

/// <summary>A free-text column whose PII (names of the listed columns, DNI-like numbers) is replaced by placeholders before staging.</summary>
public sealed record ScrubSpec
{
    public required string Column { get; init; }
    public IReadOnlyList<string> NamesFrom { get; init; } = [];
    public int Line { get; init; }
}

/// <summary>The duplicate rule: a row repeated within the batch, or already loaded, is counted and not loaded again.</summary>
public sealed record DuplicateSpec
{
    /// <summary>Staging columns that identify a row within a batch; the first (lowest source_row, or highest <see cref="Version"/>) is kept.</summary>
    public required IReadOnlyList<string> Key { get; init; }
    /// <summary>Staging column that orders versions of one key; the latest is kept.</summary>
    public string? Version { get; init; }
    /// <summary>A SQL predicate over the staging row aliased <c>s</c> that is true when the row is already in the warehouse.</summary>
    public string? AlreadyLoaded { get; init; }
}

/// <summary>A nested array of each JSON record staged into its own table (e.g. the defendants of a prosecution event).</summary>
public sealed record ChildSpec
{
    public required string Path { get; init; }
    public required string Target { get; init; }
    /// <summary>Staging column that receives the element's position in the array.</summary>
    public string? IndexColumn { get; init; }
    /// <summary>Staging column → parent column whose typed value is copied into each child row.</summary>
    public IReadOnlyDictionary<string, string> ParentColumns { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<ColumnSpec> Columns { get; init; } = [];
    public IReadOnlyList<PiiSpec> Pii { get; init; } = [];
}

/// <summary>The data test kinds a spec can declare (dbt's generic tests, a row-count range, and custom SQL).</summary>
public static class DataTestKinds
{
    public const string NotNull = "not_null";
    public const string Unique = "unique";
    public const string Relationships = "relationships";
    public const string AcceptedValues = "accepted_values";
    public const string RowCount = "row_count";
    public const string Sql = "sql";

    /// <summary>Every kind, in the order the docs list them.</summary>
    public static IReadOnlyList<string> All { get; } = [NotNull, Unique, Relationships, AcceptedValues, RowCount, Sql];
}

/// <summary>One data test of a spec (<c>tests:</c>): run after each load and by <c>tipw test</c>; an error-level failure fails the run.</summary>
public sealed record DataTestSpec
{
    /// <summary>Unique within the spec; default <c>TEST:TABLE.COLUMN</c>.</summary>
    public required string Name { get; init; }
    public required string Test { get; init; }
    /// <summary>The table tested (schema-qualified), e.g. <c>dw.fact_hotline_call</c>.</summary>
    public required string Table { get; init; }
    public string? Column { get; init; }
    /// <summary><c>error</c> (fails the run) or <c>warning</c> (shown in <c>tipw runs</c>).</summary>
    public string Severity { get; init; } = "error";
    /// <summary>Optional SQL predicate restricting the rows tested.</summary>
    public string? Where { get; init; }
    /// <summary>For accepted_values: the allowed values.</summary>
    public IReadOnlyList<string> Values { get; init; } = [];
    /// <summary>For relationships: the referenced table and column.</summary>
    public string? To { get; init; }
    public string? Field { get; init; }
    /// <summary>For row_count: the allowed range (inclusive).</summary>
    public long? Min { get; init; }
    public long? Max { get; init; }
    /// <summary>For sql: a query whose rows are the failures.</summary>
    public string? Sql { get; init; }
    public int Line { get; init; }
}

/// <summary>Where and how the source is read.</summary>
public sealed record SourceSpec
{
    /// <summary>File, folder or database path relative to <c>--sources</c>.</summary>
    public string? Path { get; init; }
    /// <summary>File name pattern inside the folder (e.g. <c>llamadas_*.csv</c>).</summary>
    public string? Pattern { get; init; }
    /// <summary>Regex with one group capturing the file's date (for backfill windows), e.g. <c>(\d{8})</c>.</summary>
    public string? FileDateRegex { get; init; }
    public string? FileDateFormat { get; init; }
    public string Encoding { get; init; } = "utf-8";
    /// <summary>When true, a file that is not in the declared encoding but is valid UTF-8 is loaded as UTF-8 and flagged.</summary>
    public bool DetectEncoding { get; init; } = true;
    public char Delimiter { get; init; } = ',';
    public string Culture { get; init; } = "invariant";
    /// <summary>For drop folders: how many new files one batch (one transaction) takes; default 1.</summary>
    public int FilesPerBatch { get; init; } = 1;
    /// <summary>For drop folders: a batch also closes before its files pass this many megabytes, so its memory does not grow with the daily volume; null for no limit.</summary>
    public int? MaxMegabytesPerBatch { get; init; }

    /// <summary>For drop folders: a file is taken only once its last write is at least this old (null: taken when its size and write time did not change while it was read).</summary>
    public TimeSpan? StableFor { get; init; }
    /// <summary>For drop folders: a file is taken only when this companion file exists (<c>{file}</c> is replaced by the file name, e.g. <c>{file}.done</c>); null for no marker.</summary>
    public string? CompletionMarker { get; init; }
    /// <summary>What a column the spec declares but the source lacks does: <c>fail</c> (default: the run fails, naming the columns) or <c>flag</c> (loaded as null and flagged). Extra and retyped columns are always flagged.</summary>
    public string SchemaDrift { get; init; } = "fail";

    /// <summary>For relational sources: the table (or view) read; for postgres <c>schema.table</c> is allowed.</summary>
    public string? Table { get; init; }

    /// <summary>For postgres: a SELECT read instead of a table (the watermark and key columns must be among its columns).</summary>
    public string? Query { get; init; }

    /// <summary>For postgres: the environment variable that holds the connection string (never the connection string itself).</summary>
    public string? ConnectionEnv { get; init; }
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();
}

/// <summary>The incremental strategy and its column.</summary>
public sealed record IncrementalSpec
{
    public string Strategy { get; init; } = IncrementalStrategies.None;
    /// <summary>The watermark or sequence source column.</summary>
    public string? Column { get; init; }
    /// <summary>The source column a backfill window (<c>--from/--to</c>) filters on.</summary>
    public string? WindowColumn { get; init; }
    /// <summary>Relational and JSON-lines sources: rows per batch (one transaction each, the watermark moving with each), so memory does not grow with the backlog.</summary>
    public int ChunkRows { get; init; } = 100_000;
    /// <summary>A watermark value later than now plus this tolerance is rejected (<c>future_watermark</c>) and does not move the watermark.</summary>
    public TimeSpan FutureTolerance { get; init; } = TimeSpan.FromDays(1);
    /// <summary>How often a run sweeps the whole source and loads the rows whose content changed without a newer watermark value (null: never, unless requested).</summary>
    public TimeSpan? FullCompareEvery { get; init; }
}

/// <summary>End-to-end reconciliation: every staged row must reach <see cref="Table"/>; one a transform drops is a reject with the transform's reason.</summary>
public sealed record ReconcileSpec
{
    /// <summary>The table the staged rows end in (<c>dw.fact_arrest</c>).</summary>
    public required string Table { get; init; }
    /// <summary>The staging column that identifies a row.</summary>
    public required string Key { get; init; }
    /// <summary>The column of <see cref="Table"/> that holds <see cref="Key"/> (default: the same name).</summary>
    public string? TableKey { get; init; }
    /// <summary>The reject reason when the transform recorded no flag for the row.</summary>
    public string Reason { get; init; } = "the transforms did not load the row";
}

/// <summary>A data-quality condition carried by a boolean column of a loaded table and counted per batch (<c>flag:NAME</c> in <c>meta.data_quality_result</c>) instead of one <c>meta.data_quality_flag</c> row per row: for a condition that holds for a large share of rows.</summary>
public sealed record CountedFlagSpec
{
    /// <summary>The flag's name (<c>ubigeo_ambiguous</c>).</summary>
    public required string Flag { get; init; }
    /// <summary>The loaded table that holds the column and a <c>batch_id</c> (<c>dw.fact_hotline_call</c>).</summary>
    public required string Table { get; init; }
    /// <summary>The boolean column that is true for a flagged row.</summary>
    public required string Column { get; init; }
    /// <summary>What the flag means, recorded with the count.</summary>
    public required string Detail { get; init; }
    /// <summary>The line of the entry in the spec file.</summary>
    public int Line { get; init; }
}

/// <summary>
/// One table a source pipeline's transforms own (spec <c>rebuild:</c>): <c>tipw rebuild</c> deletes its rows (those matching
/// <see cref="Where"/>) and re-derives them by replaying the archived batches, then gives every row whose <see cref="Key"/> is
/// reproduced its old <see cref="Surrogate"/> key back, so the rows in <see cref="ReferencedBy"/> keep pointing at it.
/// </summary>
public sealed record RebuildTableSpec
{
    /// <summary>The owned table (<c>dw.fact_hotline_call</c>).</summary>
    public required string Table { get; init; }
    /// <summary>The natural key of a row of <see cref="Table"/> (for an SCD2 dimension: the key and <c>valid_from</c>).</summary>
    public required IReadOnlyList<string> Key { get; init; }
    /// <summary>The surrogate key column that other rows reference, or null when nothing references the table's rows by key.</summary>
    public string? Surrogate { get; init; }
    /// <summary>A SQL condition on the table's columns: the rows this pipeline owns (null: all rows).</summary>
    public string? Where { get; init; }
    /// <summary>Every column (<c>schema.table.column</c>) that holds a <see cref="Surrogate"/> value (the schema's foreign keys to it).</summary>
    public IReadOnlyList<string> ReferencedBy { get; init; } = [];
    /// <summary>Columns a downstream pipeline rewrites (the TIP determination's <c>is_tip_related</c>): left out when the rebuild counts changed rows, since the transforms reset them until it runs again.</summary>
    public IReadOnlyList<string> Downstream { get; init; } = [];
    /// <summary>The line of the entry in the spec file.</summary>
    public int Line { get; init; }
}

/// <summary>One pipeline spec from <c>pipelines/NAME.yaml</c>, validated.</summary>
public sealed record PipelineSpec
{
    public required string Name { get; init; }
    public required string Kind { get; init; }
    public string? Description { get; init; }
    public required string SpecPath { get; init; }
    public string Cron { get; init; } = "0 0 6 * * ?";
    public string TimeZone { get; init; } = "America/Lima";
    public RetryPolicy Retry { get; init; } = RetryPolicy.Default;
    public IReadOnlyList<string> Upstream { get; init; } = [];
    public SourceSpec Source { get; init; } = new();
    public IncrementalSpec Incremental { get; init; } = new();
    public int BatchSize { get; init; } = 65_536;
    /// <summary>The staging table (<c>stg.x</c>).</summary>
    public string? Target { get; init; }
    public IReadOnlyList<string> NaturalKey { get; init; } = [];
    public IReadOnlyList<ColumnSpec> Columns { get; init; } = [];
    public IReadOnlyList<PiiSpec> Pii { get; init; } = [];
    public IReadOnlyList<ScrubSpec> Scrub { get; init; } = [];
    public ChildSpec? Child { get; init; }
    public DuplicateSpec? Duplicates { get; init; }
    /// <summary>The end-to-end reconciliation of staged rows with their final table, or null.</summary>
    public ReconcileSpec? Reconcile { get; init; }
    /// <summary>Flags counted per batch from a column of a loaded table (the flag table is for exceptions).</summary>
    public IReadOnlyList<CountedFlagSpec> CountedFlags { get; init; } = [];
    /// <summary>The tables the transforms own, which <c>tipw rebuild</c> re-derives from the archive (empty: the pipeline is not rebuilt from its archive).</summary>
    public IReadOnlyList<RebuildTableSpec> Rebuild { get; init; } = [];
    /// <summary>Transform SQL files, absolute paths, in order.</summary>
    public IReadOnlyList<string> Transforms { get; init; } = [];
    /// <summary>The source's expected cadence: new data arrives at least this often, else <c>tipw runs</c> shows it stale; null when not declared.</summary>
    public TimeSpan? Freshness { get; init; }
    /// <summary>Data tests run after each load and by <c>tipw test</c>.</summary>
    public IReadOnlyList<DataTestSpec> Tests { get; init; } = [];

    /// <summary>The descriptor the scheduler and CLI read.</summary>
    public PipelineDescriptor ToDescriptor() => new(Name, Kind, Cron, TimeZone, Upstream, Retry, SpecPath);

    /// <summary>The index of a declared column by name, or -1.</summary>
    public int ColumnIndex(string name)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (string.Equals(Columns[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}
