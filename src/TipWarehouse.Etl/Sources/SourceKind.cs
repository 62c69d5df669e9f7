using DuckDB.NET.Data;
using TipWarehouse.Core.Pipelines;
using TipWarehouse.Etl.Engine;
using TipWarehouse.Etl.Loading;
using TipWarehouse.Etl.Specs;

namespace TipWarehouse.Etl.Sources;

/// <summary>
/// A source kind the engine extracts itself (<c>csv</c>, <c>sqlite</c>, <c>jsonl</c>, <c>postgres</c>): the keys its <c>source:</c> takes and
/// their checks, the incremental strategies it supports, and how its rows are read into batches. Registered with
/// <see cref="SpecLoader.LoadDirectory"/>, <see cref="Checking.PipelineChecker.Check"/> and <see cref="PipelineEngine"/> the way step kinds are.
/// </summary>
public interface ISourceKind
{
    /// <summary>The spec's <c>kind</c>.</summary>
    string Kind { get; }

    /// <summary>The keys allowed under <c>source:</c>.</summary>
    IReadOnlyList<string> SourceKeys { get; }

    /// <summary>The <c>incremental.strategy</c> values this kind supports (<c>none</c> included when supported).</summary>
    IReadOnlyList<string> Strategies { get; }

    /// <summary>True when the kind's batches are bounded by the source itself (files, megabytes, rows per batch), so its loads run under <see cref="PipelineEngineOptions.LoadMemoryLimit"/>; false runs them under the warehouse's <see cref="Core.Warehouse.MemoryLimit"/>.</summary>
    bool BoundedLoadMemory { get; }

    /// <summary>Checks the source keys without touching the source (no file read, no connection): each problem names its key under <c>source:</c>.</summary>
    IEnumerable<(string Key, string Message)> Validate(SourceSpec source);

    /// <summary>Reads the source in batches, each one committed through <see cref="SourceRun.ExecuteBatch"/> with its incremental state.</summary>
    void Run(SourceRun run, CancellationToken cancellationToken = default);
}

/// <summary>The source kinds built into the engine, and the registry a host extends.</summary>
public static class SourceKindRegistry
{
    /// <summary>csv, sqlite, jsonl and postgres.</summary>
    public static IReadOnlyList<ISourceKind> BuiltIn { get; } = [new CsvSourceKind(), new SqliteSourceKind(), new JsonLinesSourceKind(), new PostgresSourceKind()];

    /// <summary>The built-in kinds plus <paramref name="extra"/> (a later kind of the same name replaces an earlier one), by kind.</summary>
    public static IReadOnlyDictionary<string, ISourceKind> With(IEnumerable<ISourceKind>? extra)
    {
        var kinds = new Dictionary<string, ISourceKind>(StringComparer.Ordinal);
        foreach (var kind in BuiltIn.Concat(extra ?? []))
        {
            kinds[kind.Kind] = kind;
        }

        return kinds;
    }
}

/// <summary>What a source kind needs from the engine for one run: the spec, the request, the staging writer and one transaction per batch.</summary>
public sealed class SourceRun
{
    private readonly Action<string, string?, Func<BatchScope, BatchCounts>> _executeBatch;
    private readonly Action<string, string?, WorkCount?> _report;
    private readonly Action<WorkCount> _setWork;

    internal SourceRun(PipelineSpec spec, PipelineRunRequest request, DuckDBConnection connection, MetaStore meta, StagingWriter staging, TimeProvider time,
        Func<string, string?> environment, Action<string, string?, Func<BatchScope, BatchCounts>> executeBatch, Action<string, string?, WorkCount?> report, Action<WorkCount> setWork)
    {
        _setWork = setWork;
        Spec = spec;
        Request = request;
        Connection = connection;
        Meta = meta;
        Staging = staging;
        Time = time;
        Environment = environment;
        _executeBatch = executeBatch;
        _report = report;
    }

    /// <summary>The pipeline's spec.</summary>
    public PipelineSpec Spec { get; }

    /// <summary>The run request (sources folder, backfill window).</summary>
    public PipelineRunRequest Request { get; }

    /// <summary>The engine's clock.</summary>
    public TimeProvider Time { get; }

    /// <summary>True when the run re-reads a window (<c>--from/--to</c>), or the whole source for a full compare, without moving the watermark.</summary>
    public bool Backfill => Request.From is not null || Request.To is not null || FullCompare;

    /// <summary>True when this run sweeps the whole source and loads the rows whose content hash changed (<c>incremental.full_compare_every</c>, or requested).</summary>
    public bool FullCompare { get; init; }

    /// <summary><c>source.path</c> resolved against the sources folder.</summary>
    public string SourcePath => Path.GetFullPath(Path.Combine(Request.SourcesDirectory, Spec.Source.Path!));

    internal DuckDBConnection Connection { get; }

    internal MetaStore Meta { get; }

    internal StagingWriter Staging { get; }

    /// <summary>Reads an environment variable (the engine's <see cref="PipelineEngineOptions.Environment"/>, else the process's).</summary>
    internal Func<string, string?> Environment { get; }

    /// <summary>Runs <paramref name="work"/> as one batch: its own transaction, reconciliation (read = loaded + rejected + duplicate) and <c>meta.batch</c> row.</summary>
    internal void ExecuteBatch(string source, string? watermarkBefore, Func<BatchScope, BatchCounts> work) => _executeBatch(source, watermarkBefore, work);

    /// <summary>
    /// Records how far the run will be through work of a known size once the next batch commits (e.g. the bytes of the
    /// pending files up to that batch's last file): the batch's progress report, and every later one, carries it.
    /// </summary>
    internal void SetWork(WorkCount work) => _setWork(work);

    /// <summary>Reports progress (<c>waiting</c>, <c>inspecting</c>, ...) for this pipeline, with <paramref name="work"/> when given.</summary>
    internal void Report(string stage, string? source, WorkCount? work = null) => _report(stage, source, work);
}

/// <summary>What one batch read, and the watermark it leaves.</summary>
internal sealed record BatchCounts(long Read, string? WatermarkAfter);
