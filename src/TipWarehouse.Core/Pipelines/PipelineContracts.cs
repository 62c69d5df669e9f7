using DuckDB.NET.Data;

namespace TipWarehouse.Core.Pipelines;

/// <summary>How often and how patiently a pipeline is retried after a transient failure (source locked or busy, I/O).</summary>
public sealed record RetryPolicy(int MaxAttempts, TimeSpan InitialDelay, TimeSpan MaxDelay)
{
    /// <summary>Three attempts, 30 s doubling up to 10 min.</summary>
    public static RetryPolicy Default { get; } = new(3, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(10));
}

/// <summary>What the scheduler and the CLI need to know about one pipeline spec in <c>pipelines/</c>.</summary>
public sealed record PipelineDescriptor(
    string Name,
    string Kind,
    string Cron,
    string TimeZone,
    IReadOnlyList<string> Upstream,
    RetryPolicy Retry,
    string SpecPath);

/// <summary>One request to run a pipeline: where the sources are, who triggered it, an optional backfill window, and whether to sweep the whole source (full compare) now.</summary>
public sealed record PipelineRunRequest(string Pipeline, string SourcesDirectory, string TriggerKind = "cli", DateOnly? From = null, DateOnly? To = null, bool FullCompare = false)
{
    /// <summary>Whether the run refreshes the report summaries (<see cref="ReportSummary"/>) when it ends; false when the
    /// caller runs several pipelines and refreshes them once after the last.</summary>
    public bool RefreshSummaries { get; init; } = true;

    /// <summary>Whether the run checkpoints the warehouse (folds its write-ahead log into the file) when it ends; false when
    /// the caller runs several pipelines and checkpoints once after the last.</summary>
    public bool Checkpoint { get; init; } = true;
}

/// <summary>The outcome of one pipeline run, with its reconciliation counts summed over its batches.</summary>
public sealed record PipelineRunResult(
    string Pipeline,
    long RunId,
    string Status,
    int Batches,
    long RowsRead,
    long RowsLoaded,
    long RowsRejected,
    long RowsDuplicate,
    string? Error)
{
    /// <summary>True when the run finished without a failure (rejected rows with reasons still count as success).</summary>
    public bool Succeeded => Status == PipelineRunStatus.Succeeded;
}

/// <summary>The status values of runs and batches in <c>meta.pipeline_run</c> and <c>meta.batch</c>.</summary>
public static class PipelineRunStatus
{
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
}

/// <summary>Runs pipelines by name; implemented by the ETL engine and used by the CLI and the Quartz host alike.</summary>
public interface IPipelineRunner
{
    /// <summary>Every pipeline spec found, in dependency order (upstream first).</summary>
    IReadOnlyList<PipelineDescriptor> Pipelines { get; }

    /// <summary>Runs one pipeline to completion; a transient source failure throws <see cref="TransientSourceException"/>.</summary>
    Task<PipelineRunResult> RunAsync(PipelineRunRequest request, CancellationToken cancellationToken = default);
}

/// <summary>A failure worth retrying later (source file locked, database busy, I/O error); data errors are never transient.</summary>
public sealed class TransientSourceException : TipwException
{
    public TransientSourceException(string message) : base(message) { }

    public TransientSourceException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>Everything a pipeline step gets: the open warehouse connection (inside the batch transaction) and the batch identity.</summary>
public sealed record PipelineStepContext(
    TipwHome Home,
    DuckDBConnection Connection,
    string Pipeline,
    long RunId,
    long BatchId,
    TimeProvider Time,
    IReadOnlyDictionary<string, string> Settings)
{
    /// <summary>Where the step reports its phases and counts (the engine passes them on to the CLI's bars and log lines); null = silent.</summary>
    public IProgress<StepProgress>? Progress { get; init; }

    /// <summary>What started the run (<see cref="PipelineRunRequest.TriggerKind"/>: <c>cli</c>, <c>schedule</c>, <c>chain</c>, <c>retry</c>,
    /// <see cref="RebuildTrigger"/>): a step re-derives everything it owns on a rebuild, not only what is new.</summary>
    public string TriggerKind { get; init; } = "cli";

    /// <summary>The trigger kind of <c>tipw rebuild</c>.</summary>
    public const string RebuildTrigger = "rebuild";

    /// <summary>True when the run is a <c>tipw rebuild</c>.</summary>
    public bool IsRebuild => TriggerKind == RebuildTrigger;
}

/// <summary>
/// Progress of a pipeline step: the phase it is in (linkage: blocking, candidates, EM, assign; scoring: scoring) and how
/// much of it is done, in <paramref name="Unit"/>; <paramref name="Total"/> only when the step really knows it (an ETA is
/// computed from it), never guessed.
/// </summary>
public sealed record StepProgress(string Phase, long Done, long? Total, string Unit);

/// <summary>The reconciliation counts of one step's batch: read = loaded + rejected + duplicate.</summary>
public sealed record StepOutcome(long RowsRead, long RowsLoaded, long RowsRejected, long RowsDuplicate, string? WatermarkAfter = null);

/// <summary>A downstream pipeline kind implemented outside the ETL assembly (linkage, scoring); the engine runs it inside one batch transaction.</summary>
public interface IPipelineStep
{
    /// <summary>The <c>source.kind</c> value of the specs this step runs (e.g. <c>linkage</c>, <c>scoring</c>).</summary>
    string Kind { get; }

    /// <summary>The warehouse tables (<c>schema.name</c>) the step reads, for the lineage of <c>tipw docs</c>; none by default.</summary>
    IReadOnlyList<string> Reads => [];

    /// <summary>The warehouse tables (<c>schema.name</c>) the step writes, for the lineage of <c>tipw docs</c> and for the report
    /// summaries (the monthly rows are kept after a batch of a step that writes none of <see cref="ReportSummary.MonthlyInputs"/>),
    /// so every <c>dw</c> table it writes; none (the default) declares nothing and assumes nothing.</summary>
    IReadOnlyList<string> Writes => [];

    /// <summary>Does the step's work inside the batch transaction the engine opened on <see cref="PipelineStepContext.Connection"/>.</summary>
    Task<StepOutcome> RunAsync(PipelineStepContext context, CancellationToken cancellationToken = default);
}
