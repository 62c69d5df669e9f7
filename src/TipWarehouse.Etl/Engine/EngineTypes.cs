using TipWarehouse.Core;

namespace TipWarehouse.Etl.Engine;

/// <summary>A test hook: throws at a named point of a batch (after staging, after a transform, before commit) to prove atomicity.</summary>
public interface IFaultInjector
{
    /// <summary>Called at <paramref name="point"/> (<c>staged</c>, <c>transform:FILE</c>, <c>before_commit</c>) of a batch of <paramref name="pipeline"/>; throws to inject a fault.</summary>
    void At(string pipeline, string point);
}

/// <summary>Injects a fault at one point of one pipeline, parsed from <c>PIPELINE:POINT</c> (tests set it on the CLI context; the shipped CLI has no way to); fires a given number of times.</summary>
public sealed class PointFaultInjector : IFaultInjector
{
    private readonly string _pipeline;
    private readonly string _point;
    private int _remaining;

    public PointFaultInjector(string pipeline, string point, int times = 1)
    {
        _pipeline = pipeline;
        _point = point;
        _remaining = times;
    }

    /// <summary>How many faults are left to inject.</summary>
    public int Remaining => _remaining;

    /// <summary>Parses <c>pipeline:point</c>; null for an empty or malformed value.</summary>
    public static PointFaultInjector? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var parts = value.Split(':', 2);
        return parts.Length == 2 ? new PointFaultInjector(parts[0], parts[1]) : null;
    }

    public void At(string pipeline, string point)
    {
        ArgumentNullException.ThrowIfNull(point);
        if (_remaining > 0 && pipeline == _pipeline && (point == _point || point.StartsWith(_point + ":", StringComparison.Ordinal)))
        {
            _remaining--;
            throw new InjectedFaultException($"Injected fault in pipeline {pipeline} at {point}.");
        }
    }
}

/// <summary>The failure an <see cref="IFaultInjector"/> throws.</summary>
public sealed class InjectedFaultException(string message) : Exception(message);

/// <summary>
/// Progress of a run, reported after each batch, when a run starts and ends, while a drop folder's files are inspected
/// (<c>inspecting</c>) and at each phase of a step (<c>step</c>, the phase in <see cref="Source"/>). <see cref="Work"/> is how
/// far the run is through work of a known size (the bytes of the pending files, the calls to score), when it is known.
/// </summary>
public sealed record PipelineProgress(string Pipeline, string Stage, string? Source, long RowsRead, long RowsLoaded, long RowsRejected, long RowsDuplicate, int Batches, WorkCount? Work = null);

/// <summary>How much of a run's work is done, in <see cref="Unit"/> (bytes, files, calls, pairs, ...); <see cref="Total"/> when known (then an ETA can be given).</summary>
public sealed record WorkCount(long Done, long? Total, string Unit);

/// <summary>Engine options: fault injection (tests), environment lookup (key), progress, DuckDB write tuning.</summary>
public sealed record PipelineEngineOptions
{
    /// <summary>
    /// DuckDB's <c>checkpoint_threshold</c> while a pipeline runs: the write-ahead log size that triggers a checkpoint.
    /// DuckDB's 16 MB default checkpoints after nearly every batch of a bulk load and rewrites the same tables over and
    /// over; a larger log is checkpointed a few times per run and once at its end, and bounds the memory it holds.
    /// </summary>
    public string CheckpointThreshold { get; init; } = "256MB";

    /// <summary>
    /// DuckDB's <c>memory_limit</c> while a drop-folder pipeline loads (a kind whose <see cref="Sources.ISourceKind.BoundedLoadMemory"/> is true: csv); the others run under the warehouse's
    /// <see cref="Core.Warehouse.MemoryLimit"/> (<c>TIPW_MEMORY_LIMIT</c>, default 1GB), because a relational or JSON-lines source
    /// loads everything after its watermark in one transaction (at ~10M calls the police persons ran out of memory under 512MB). A drop-folder load streams in batches bounded by files,
    /// megabytes and rows, so a small buffer pool costs it no time, while the default lets the cache of blocks it has
    /// read grow with the warehouse: at ~10M calls, 1.9 GiB of RSS against 1.0 GiB.
    /// </summary>
    public string LoadMemoryLimit { get; init; } = "512MB";

    /// <summary>How long a run waits for another process (a DuckDB shell, <c>tipw query</c>) to release the warehouse before it fails as transient ("the warehouse is busy").</summary>
    public TimeSpan LockWait { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often a waiting run tries to lock the warehouse again.</summary>
    public TimeSpan LockRetryInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The wait between lock attempts (default: a delay on the engine's <see cref="TimeProvider"/>); tests pass one that returns at once.</summary>
    public Func<TimeSpan, CancellationToken, Task>? Delay { get; init; }

    public IFaultInjector? Faults { get; init; }

    public Func<string, string?>? Environment { get; init; }

    public IProgress<PipelineProgress>? Progress { get; init; }

    /// <summary>
    /// What a run of several pipelines (<c>tipw run --all</c>) does after each pipeline it ran, before the next one and the
    /// report summaries: by default <see cref="ManagedMemory.ReleaseUnused"/>, so that no pipeline runs beside the garbage the
    /// earlier ones left on the .NET heap (linkage leaves ~370 MB at scale 46, which stayed committed while the TIP
    /// determination filled DuckDB's buffer pool). Tests pass a recorder.
    /// </summary>
    public Action ReleaseMemoryBetweenPipelines { get; init; } = ManagedMemory.ReleaseUnused;

    /// <summary>When given, the loading thread's time is summed per phase here (staging, duplicate rule, each transform, commit, ...).</summary>
    public LoadTimings? Timings { get; init; }
}
