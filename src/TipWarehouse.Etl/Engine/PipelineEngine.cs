using System.Globalization;
using DuckDB.NET.Data;
using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;
using TipWarehouse.Etl.Loading;
using TipWarehouse.Etl.Privacy;
using TipWarehouse.Etl.Quality;
using TipWarehouse.Etl.Sources;
using TipWarehouse.Etl.Specs;

namespace TipWarehouse.Etl.Engine;

/// <summary>The pipeline engine: runs specs from <c>pipelines/</c> (extract → validate → pseudonymize → stage → transform), one transaction per batch, with run history in <c>meta</c>.</summary>
public sealed class PipelineEngine : IPipelineRunner
{
    private static readonly SemaphoreSlim s_writer = new(1, 1);
    private readonly TipwHome _home;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, IPipelineStep> _steps;
    private readonly IReadOnlyDictionary<string, ISourceKind> _sources;
    private readonly PipelineEngineOptions _options;
    private readonly IReadOnlyList<PipelineSpec> _specs;
    private readonly SharedMacros _macros;
    private Pseudonymizer? _pseudonymizer;

    /// <summary>Loads and validates every spec of <paramref name="pipelinesDirectory"/> and its shared macros (<see cref="SharedMacros"/>); throws <see cref="SpecException"/> (file, line, field) before anything runs. <paramref name="extraSources"/> adds source kinds to the built-in ones (<see cref="SourceKindRegistry.BuiltIn"/>).</summary>
    public PipelineEngine(TipwHome home, string pipelinesDirectory, TimeProvider time, IEnumerable<IPipelineStep>? extraSteps = null, PipelineEngineOptions? options = null, IEnumerable<ISourceKind>? extraSources = null)
    {
        ArgumentNullException.ThrowIfNull(home);
        ArgumentNullException.ThrowIfNull(time);
        _home = home;
        _time = time;
        _options = options ?? new PipelineEngineOptions();
        _steps = (extraSteps ?? []).ToDictionary(s => s.Kind, StringComparer.Ordinal);
        // Step kinds are checked when such a pipeline runs, so a spec added for a step that this host does not
        // register (e.g. scoring without a model) does not stop the other pipelines.
        _sources = SourceKindRegistry.With(extraSources);
        _specs = SpecLoader.LoadDirectory(pipelinesDirectory, null, _sources.Values);
        _macros = SharedMacros.Load(pipelinesDirectory);
        Pipelines = [.. _specs.Select(s => s.ToDescriptor())];
    }

    /// <summary>Every pipeline, upstream first.</summary>
    public IReadOnlyList<PipelineDescriptor> Pipelines { get; }

    /// <summary>Every validated spec, upstream first.</summary>
    public IReadOnlyList<PipelineSpec> Specs => _specs;

    /// <summary>The environment variable that points at another pipelines folder.</summary>
    public const string PipelinesDirectoryVariable = "TIPW_PIPELINES_DIR";

    /// <summary>Finds the pipelines folder: <paramref name="explicitDirectory"/>, else <c>TIPW_PIPELINES_DIR</c>, else <c>./pipelines</c>, else the copy beside the tool.</summary>
    public static string LocatePipelinesDirectory(string? explicitDirectory = null, Func<string, string?>? environment = null)
    {
        if (!string.IsNullOrWhiteSpace(explicitDirectory))
        {
            return Path.GetFullPath(explicitDirectory);
        }

        var fromEnvironment = (environment ?? Environment.GetEnvironmentVariable)(PipelinesDirectoryVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return Path.GetFullPath(fromEnvironment);
        }

        var local = Path.GetFullPath("pipelines");
        if (Directory.Exists(local) && Directory.EnumerateFiles(local, "*.yaml").Any())
        {
            return local;
        }

        return Path.Combine(AppContext.BaseDirectory, "pipelines");
    }

    /// <summary>Runs <paramref name="names"/> (or every pipeline) upstream first; a pipeline whose upstream failed is not run.</summary>
    public async Task<IReadOnlyList<PipelineRunResult>> RunManyAsync(IReadOnlyCollection<string>? names, string sourcesDirectory, string triggerKind = "cli", DateOnly? from = null, DateOnly? to = null, bool fullCompare = false, CancellationToken cancellationToken = default)
    {
        var wanted = names is { Count: > 0 } ? new HashSet<string>(names, StringComparer.Ordinal) : null;
        foreach (var name in wanted ?? [])
        {
            _ = Spec(name);
        }

        var failed = new HashSet<string>(StringComparer.Ordinal);
        var results = new List<PipelineRunResult>();
        var selected = _specs.Where(s => wanted is null || wanted.Contains(s.Name)).ToList();
        foreach (var spec in selected)
        {
            var blocked = spec.Upstream.FirstOrDefault(failed.Contains);
            if (blocked is not null)
            {
                failed.Add(spec.Name);
                results.Add(new PipelineRunResult(spec.Name, 0, PipelineRunStatus.Failed, 0, 0, 0, 0, 0, $"not run: upstream pipeline {blocked} failed"));
                continue;
            }

            PipelineRunResult result;
            try
            {
                // Several pipelines refresh the report summaries and checkpoint once, after the last (below), not after each.
                result = await RunAsync(new PipelineRunRequest(spec.Name, sourcesDirectory, triggerKind, from, to, fullCompare) { RefreshSummaries = selected.Count == 1, Checkpoint = selected.Count == 1 }, cancellationToken);
            }
            catch (TransientSourceException ex)
            {
                result = new PipelineRunResult(spec.Name, 0, PipelineRunStatus.Failed, 0, 0, 0, 0, 0, ex.Message);
            }

            if (!result.Succeeded)
            {
                failed.Add(spec.Name);
            }

            results.Add(result);
            if (selected.Count > 1)
            {
                // The next pipeline starts with the .NET heap this one left: its garbage would stay committed beside DuckDB's buffer pool.
                _options.ReleaseMemoryBetweenPipelines();
            }
        }

        if (selected.Count > 1)
        {
            // After a failure too: the summaries then follow what the other pipelines committed.
            await RefreshSummariesAndCheckpointAsync(selected[^1].Name, results[^1].RunId, cancellationToken);
        }

        return results;
    }

    /// <summary>
    /// Re-derives <paramref name="names"/> for <c>tipw rebuild</c>, upstream first, each in one transaction: a source pipeline by
    /// replaying its archived batches through its current transforms (<see cref="RebuildBlocker"/> says when it cannot be), any other
    /// by running it with the trigger <c>rebuild</c> (linkage in full, the TIP determination). A pipeline whose upstream failed is not run.
    /// </summary>
    public async Task<IReadOnlyList<RebuildResult>> RebuildManyAsync(IReadOnlyCollection<string> names, string sourcesDirectory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(names);
        foreach (var name in names)
        {
            _ = Spec(name);
        }

        var failed = new HashSet<string>(StringComparer.Ordinal);
        var results = new List<RebuildResult>();
        foreach (var spec in _specs.Where(s => names.Contains(s.Name)))
        {
            var blocked = spec.Upstream.FirstOrDefault(failed.Contains);
            RebuildResult result;
            if (blocked is not null)
            {
                result = new RebuildResult(new PipelineRunResult(spec.Name, 0, PipelineRunStatus.Failed, 0, 0, 0, 0, 0, $"not run: upstream pipeline {blocked} failed"), null);
            }
            else
            {
                var replay = _sources.ContainsKey(spec.Kind) ? new ReplayCollector() : null;
                var run = await RunAsync(new PipelineRunRequest(spec.Name, sourcesDirectory, PipelineStepContext.RebuildTrigger), replay, cancellationToken);
                result = new RebuildResult(run, replay?.Outcome);
            }

            if (!result.Run.Succeeded)
            {
                failed.Add(spec.Name);
            }

            results.Add(result);
        }

        return results;
    }

    /// <summary>Why a source pipeline cannot be rebuilt from its archive (no <c>rebuild:</c> section, batches loaded without an archive), or null when it can; null for a pipeline that is not a source.</summary>
    public string? RebuildBlocker(string name)
    {
        var spec = Spec(name);
        if (!_sources.ContainsKey(spec.Kind))
        {
            return null;
        }

        using var connection = Warehouse.Open(_home, readOnly: true);
        return new ArchiveReplay(connection, _home, spec, new MetaStore(connection, _time), _options.Faults).Blocker();
    }

    /// <summary>Runs one pipeline to completion; returns a failed result (with the error) for data and load failures, throws <see cref="TransientSourceException"/> for retryable ones.</summary>
    public Task<PipelineRunResult> RunAsync(PipelineRunRequest request, CancellationToken cancellationToken = default) => RunAsync(request, null, cancellationToken);

    // With a collector, a source pipeline replays its archive (tipw rebuild) instead of reading its source.
    private async Task<PipelineRunResult> RunAsync(PipelineRunRequest request, ReplayCollector? replay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var spec = Spec(request.Pipeline);
        await s_writer.WaitAsync(cancellationToken);
        try
        {
            using var connection = await LoadFailures.OpenAsync(() => Warehouse.Open(_home), _home.WarehousePath, _time, _options.LockWait, _options.LockRetryInterval, _options.Delay ?? ((t, ct) => Task.Delay(t, _time, ct)), cancellationToken);
            var meta = new MetaStore(connection, _time);
            meta.EnsureSchema();
            Sql.Execute(connection, $"SET checkpoint_threshold = {Sql.Literal(_options.CheckpointThreshold)}");
            var sourceKind = _sources.GetValueOrDefault(spec.Kind);
            if (sourceKind?.BoundedLoadMemory == true)
            {
                Sql.Execute(connection, $"SET memory_limit = {Sql.Literal(_options.LoadMemoryLimit)}");
            }
            else
            {
                Warehouse.ApplyMemoryLimit(connection);
            }

            // The shared macros (pipelines/macros.sql) every transform may call: TEMP, so they live with this run's connection only.
            _macros.Create(connection);

            // Under the writer lock (this process) and DuckDB's file lock (every other process), a run still 'running' belongs to a process
            // that died: its open batch rolled back with it, so it is marked failed here and this run resumes from the last committed batch.
            var interrupted = meta.MarkInterruptedRuns(meta.NextRunId());
            var runId = meta.StartRun(spec.Name, request);
            var run = new RunTotals(spec.Name, runId);
            foreach (var (staleRun, stalePipeline) in interrupted)
            {
                Report(spec.Name, "recovered", $"run {staleRun.ToString(CultureInfo.InvariantCulture)} of {stalePipeline} was left running by a process that stopped; marked failed", run);
            }

            Report(spec.Name, "started", null, run);
            try
            {
                if (sourceKind is not null)
                {
                    foreach (var settled in BatchArchive.Reconcile(connection, _home, spec.Name))
                    {
                        Report(spec.Name, "recovered", settled, run);
                    }

                    if (replay is not null)
                    {
                        replay.Outcome = ReplayArchive(connection, meta, spec, run);
                        RunDataTests(connection, spec, run);
                        if (request.RefreshSummaries)
                        {
                            RefreshSummaries(connection, spec.Name, run);
                        }

                        meta.FinishRun(runId, PipelineRunStatus.Succeeded, null);
                        if (request.Checkpoint)
                        {
                            Checkpoint(connection, spec.Name, run);
                        }

                        Report(spec.Name, "finished", null, run);
                        return run.Result(PipelineRunStatus.Succeeded, null);
                    }

                    _pseudonymizer ??= new Pseudonymizer(PseudonymKey.Load(_home, _options.Environment));
                    var staging = new StagingWriter(connection, spec, _pseudonymizer);
                    var problems = staging.CheckLayout();
                    if (problems.Count > 0)
                    {
                        throw new TipwException($"Pipeline {spec.Name} ({spec.SpecPath}) does not match the warehouse: {string.Join("; ", problems)}");
                    }

                    // A full compare re-reads the whole source and loads the rows whose content changed, whatever their watermark value:
                    // when requested, or when incremental.full_compare_every has passed since the last one (never during a backfill).
                    var fullCompare = request.From is null && request.To is null
                        && (request.FullCompare || (spec.Incremental.FullCompareEvery is { } every
                            && meta.LastFullCompare(spec.Name) is { } last && _time.GetUtcNow().UtcDateTime - last >= every));
                    var sweep = new FullCompareTotals(fullCompare, spec.Incremental.FullCompareEvery is not null || fullCompare);
                    if (fullCompare)
                    {
                        Report(spec.Name, "full_compare", "sweeping the whole source: rows whose content changed load whatever their watermark", run);
                    }

                    var sourceRun = new SourceRun(spec, request, connection, meta, staging, _time, _options.Environment ?? Environment.GetEnvironmentVariable,
                        (source, before, work) => ExecuteBatch(connection, meta, spec, run, source, before, work, sweep),
                        (stage, source, work) => Report(spec.Name, stage, source, run, work),
                        work => run.Work = work) { FullCompare = fullCompare };
                    sourceKind.Run(sourceRun, cancellationToken);
                    if (fullCompare)
                    {
                        meta.RecordFullCompare(spec.Name, runId, sweep.Compared, sweep.Changed);
                        Report(spec.Name, "full_compare", $"{sweep.Compared.ToString(CultureInfo.InvariantCulture)} rows compared, {sweep.Changed.ToString(CultureInfo.InvariantCulture)} changed without a newer watermark value", run);
                    }
                }
                else
                {
                    await RunStepAsync(connection, meta, spec, run, request.TriggerKind, cancellationToken);
                }

                RunDataTests(connection, spec, run);
                if (request.RefreshSummaries)
                {
                    RefreshSummaries(connection, spec.Name, run);
                }

                meta.FinishRun(runId, PipelineRunStatus.Succeeded, null);
                if (request.Checkpoint)
                {
                    Checkpoint(connection, spec.Name, run);
                }

                Report(spec.Name, "finished", null, run);
                return run.Result(PipelineRunStatus.Succeeded, null);
            }
            catch (OperationCanceledException)
            {
                TryFinishRun(meta, runId, PipelineRunStatus.Cancelled, "cancelled");
                throw;
            }
            catch (TransientSourceException ex)
            {
                TryFinishRun(meta, runId, PipelineRunStatus.Failed, ex.Message);
                throw;
            }
            catch (Exception ex)
            {
                // Any other failure fails this run (recorded with its message); the batch already rolled back.
                var message = LoadFailures.DiskFull(ex, _home.Root) ?? ex.Message;
                TryFinishRun(meta, runId, PipelineRunStatus.Failed, message);
                Report(spec.Name, "failed", message, run);
                return run.Result(PipelineRunStatus.Failed, message);
            }
        }
        catch (Exception ex) when (ex is not (TransientSourceException or OperationCanceledException or UsageException) && LoadFailures.DiskFull(ex, _home.Root) is { } full)
        {
            // The disk filled before the run could start or be recorded: name it; a run left 'running' is marked at the next start.
            throw new WarehouseException(full, ex);
        }
        finally
        {
            s_writer.Release();
        }
    }

    // The report summaries and the checkpoint after a run of several pipelines: once, under the writer lock like a run.
    private async Task RefreshSummariesAndCheckpointAsync(string pipeline, long runId, CancellationToken cancellationToken)
    {
        await s_writer.WaitAsync(cancellationToken);
        try
        {
            using var connection = await LoadFailures.OpenAsync(() => Warehouse.Open(_home), _home.WarehousePath, _time, _options.LockWait, _options.LockRetryInterval, _options.Delay ?? ((t, ct) => Task.Delay(t, _time, ct)), cancellationToken);
            var run = new RunTotals(pipeline, runId);
            RefreshSummaries(connection, pipeline, run);
            Checkpoint(connection, pipeline, run);
        }
        catch (TransientSourceException ex)
        {
            // The warehouse stayed busy: the summaries are stale, which the reports detect and read around, until the next run.
            Report(pipeline, "summary_failed", $"{ReportSummary.MonthlyTable} and {ReportSummary.FunnelTable} not refreshed: {ex.Message}", new RunTotals(pipeline, runId));
        }
        finally
        {
            s_writer.Release();
        }
    }

    // The report summaries follow every run that changed the warehouse (ReportSummary: a no-op when nothing did). A failed
    // refresh leaves the summary stale, which the reports detect and read around, so it is reported, not a failed run.
    private void RefreshSummaries(DuckDBConnection connection, string pipeline, RunTotals run)
    {
        try
        {
            if (ReportSummary.RefreshIfStale(connection, DeclaredWrites))
            {
                Report(pipeline, "summarized", $"{ReportSummary.MonthlyTable}, {ReportSummary.FunnelTable}", run);
            }
        }
        catch (DuckDBException ex)
        {
            Report(pipeline, "summary_failed", $"{ReportSummary.MonthlyTable} and {ReportSummary.FunnelTable} not refreshed (reports compute from the views until the next run): {ex.Message}", run);
        }
    }

    // The dw tables a pipeline's batches write when its step declares them (none declared: null, so nothing is assumed).
    private IReadOnlyList<string>? DeclaredWrites(string pipeline) =>
        _specs.FirstOrDefault(s => s.Name == pipeline) is { } spec && _steps.TryGetValue(spec.Kind, out var step) && step.Writes.Count > 0 ? step.Writes : null;

    // Recording the end of a run can itself fail (the disk that failed the batch is still full): the run then stays 'running' and the next
    // start marks it failed (MarkInterruptedRuns); the original failure is what the caller sees.
    private static void TryFinishRun(MetaStore meta, long runId, string status, string? error)
    {
        try
        {
            meta.FinishRun(runId, status, error);
        }
        catch (Exception ex) when (ex is DuckDBException or IOException or InvalidOperationException)
        {
            // Reported by the next start.
        }
    }

    private PipelineSpec Spec(string name) =>
        _specs.FirstOrDefault(s => s.Name == name)
        ?? throw new UsageException($"Unknown pipeline '{name}'. Known: {string.Join(", ", _specs.Select(s => s.Name))}.");

    private void Report(string pipeline, string stage, string? source, RunTotals run, WorkCount? work = null) =>
        _options.Progress?.Report(new PipelineProgress(pipeline, stage, source, run.Read, run.Loaded, run.Rejected, run.Duplicate, run.Batches, work ?? run.Work));

    // ---------------------------------------------------------------- downstream steps (linkage, scoring) registered by other assemblies

    private async Task RunStepAsync(DuckDBConnection connection, MetaStore meta, PipelineSpec spec, RunTotals run, string triggerKind, CancellationToken cancellationToken)
    {
        var step = _steps.TryGetValue(spec.Kind, out var s)
            ? s
            : throw new TipwException($"Pipeline {spec.Name} ({spec.SpecPath}): no step is registered for kind '{spec.Kind}' (registered: {string.Join(", ", _steps.Keys.Order())}).");
        var before = meta.Watermark(spec.Name, "step");
        StepOutcome? outcome = null;
        var batchId = meta.NextBatchId();
        var started = _time.GetUtcNow();
        using var transaction = connection.BeginTransaction();
        try
        {
            SetVariables(connection, spec, batchId);
            var stepProgress = new StepProgressRelay(p => Report(spec.Name, "step", p.Phase, run, new WorkCount(p.Done, p.Total, p.Unit)));
            outcome = await step.RunAsync(new PipelineStepContext(_home, connection, spec.Name, run.RunId, batchId, _time, spec.Source.Settings) { Progress = stepProgress, TriggerKind = triggerKind }, cancellationToken);
            if (outcome.RowsRead != outcome.RowsLoaded + outcome.RowsRejected + outcome.RowsDuplicate)
            {
                throw new InvalidOperationException($"Step {spec.Kind} of pipeline {spec.Name} does not reconcile: read {outcome.RowsRead} != loaded {outcome.RowsLoaded} + rejected {outcome.RowsRejected} + duplicate {outcome.RowsDuplicate}.");
            }

            if (outcome.WatermarkAfter is not null)
            {
                meta.SetWatermark(spec.Name, "step", outcome.WatermarkAfter, batchId);
            }

            _options.Faults?.At(spec.Name, "before_commit");
            meta.InsertBatch(batchId, run.RunId, spec.Name, spec.Kind, PipelineRunStatus.Succeeded, outcome.RowsRead, outcome.RowsLoaded, outcome.RowsRejected, outcome.RowsDuplicate, before, outcome.WatermarkAfter ?? before, started, null);
            transaction.Commit();
        }
        catch (Exception ex)
        {
            RollBackQuietly(transaction);
            RecordFailedBatchQuietly(() => meta.InsertBatch(batchId, run.RunId, spec.Name, spec.Kind, PipelineRunStatus.Failed, 0, 0, 0, 0, before, before, started, ex.Message));
            throw;
        }

        run.Add(outcome.RowsRead, outcome.RowsLoaded, outcome.RowsRejected, outcome.RowsDuplicate);
        Report(spec.Name, "batch", spec.Kind, run);
    }

    // ---------------------------------------------------------------- tipw rebuild of a source pipeline: its archive, one transaction

    private SourceRebuild ReplayArchive(DuckDBConnection connection, MetaStore meta, PipelineSpec spec, RunTotals run)
    {
        var batchId = meta.NextBatchId();
        var started = _time.GetUtcNow();
        SourceRebuild outcome;
        var replay = new ArchiveReplay(connection, _home, spec, meta, _options.Faults);
        using var transaction = connection.BeginTransaction();
        try
        {
            SetVariables(connection, spec, batchId);
            outcome = replay.Run(_time.GetUtcNow().UtcDateTime, b =>
            {
                run.Add(b.RowsRead, b.RowsLoaded, b.RowsRejected, b.RowsDuplicate);
                Report(spec.Name, "batch", $"replayed batch {b.BatchId.ToString(CultureInfo.InvariantCulture)} ({b.Source})", run);
            });
            var source = outcome.Batches.Count == 0 ? "rebuild: no archived batch"
                : $"rebuild: {outcome.Batches.Count.ToString(CultureInfo.InvariantCulture)} archived batches {outcome.Batches[0].BatchId.ToString(CultureInfo.InvariantCulture)}..{outcome.Batches[^1].BatchId.ToString(CultureInfo.InvariantCulture)} replayed through the current transforms";
            _options.Faults?.At(spec.Name, "before_commit");
            meta.InsertBatch(batchId, run.RunId, spec.Name, source, PipelineRunStatus.Succeeded, run.Read, run.Loaded, run.Rejected, run.Duplicate, null, null, started, null);
            transaction.Commit();
        }
        catch (Exception ex)
        {
            RollBackQuietly(transaction);
            RecordFailedBatchQuietly(() => meta.InsertBatch(batchId, run.RunId, spec.Name, "rebuild", PipelineRunStatus.Failed, 0, 0, 0, 0, null, null, started, ex.Message));
            throw;
        }

        return outcome;
    }

    private sealed class ReplayCollector
    {
        public SourceRebuild? Outcome { get; set; }
    }

    // ---------------------------------------------------------------- data tests after the load (dbt build: load, then test)

    /// <summary>Runs the spec's data tests once the run's batches are committed, records them under the run's last batch, and fails the run (naming the tests) when an error-level one fails; downstream pipelines then do not run.</summary>
    private void RunDataTests(DuckDBConnection connection, PipelineSpec spec, RunTotals run)
    {
        if (spec.Tests.Count == 0)
        {
            return;
        }

        using var command = connection.CreateCommand();
        command.CommandText = "SELECT max(batch_id) FROM meta.batch WHERE run_id = $r AND status = 'succeeded'";
        command.Parameters.Add(new DuckDBParameter("r", run.RunId));
        if (command.ExecuteScalar() is not long batchId)
        {
            return;
        }

        var results = DataTests.Run(connection, spec);
        DataTests.Record(connection, batchId, results, _time.GetUtcNow().UtcDateTime);
        Report(spec.Name, "tested", $"{results.Count(r => r.Passed)} of {results.Count} data tests passed", run);
        var failed = results.Where(r => r.FailsRun).ToList();
        if (failed.Count > 0)
        {
            throw new TipwException($"Pipeline {spec.Name}: data test{(failed.Count > 1 ? "s" : "")} failed ({spec.SpecPath}): {string.Join("; ", failed.Select(f => $"{f.Name}: {f.Detail}"))}");
        }
    }

    // ---------------------------------------------------------------- one batch, one transaction

    private void ExecuteBatch(DuckDBConnection connection, MetaStore meta, PipelineSpec spec, RunTotals run, string source, string? watermarkBefore, Func<BatchScope, BatchCounts> work, FullCompareTotals? sweep = null)
    {
        var batchId = meta.NextBatchId();
        var started = _time.GetUtcNow();
        var quarantine = new QuarantineWriter(_home, spec.Name, batchId);
        var timings = _options.Timings;
        var archive = new BatchArchive(_home, spec.Name, batchId);
        var scope = new BatchScope(connection, spec, batchId, meta, quarantine, _options.Faults) { FullCompare = sweep?.Active ?? false, KeepRowHashes = sweep?.KeepHashes ?? false, Timings = timings, Archive = archive };
        using var transaction = connection.BeginTransaction();
        try
        {
            SetVariables(connection, spec, batchId);
            // Staging is empty between batches (cleared before each commit below); a warehouse written by an older version may still hold the last batch's rows.
            scope.ClearStaging();
            var counts = work(scope);
            scope.FlushStaging();
            var dupes = scope.Duplicates;
            var loaded = scope.Staged - dupes - scope.Dropped;
            if (counts.Read != loaded + scope.Rejected + dupes)
            {
                throw new InvalidOperationException($"Batch {batchId} of pipeline {spec.Name} ({source}) does not reconcile: read {counts.Read} != loaded {loaded} + rejected {scope.Rejected} + duplicate {dupes}. This is a bug.");
            }

            LoadTimings.Measure(timings, "rejects and quality results", () => scope.WriteRejectsAndQuality(_time.GetUtcNow().UtcDateTime, counts.Read));
            // The staged rows have done their work: deleted inside the transaction that appended them, they never reach the write-ahead
            // log (DuckDB does not flush a table's transaction-local rows that were all deleted), so the commit writes dw and meta rows only.
            LoadTimings.Measure(timings, "clear staging", scope.ClearStaging);
            quarantine.Publish();
            _options.Faults?.At(spec.Name, "before_commit");
            meta.InsertBatch(batchId, run.RunId, spec.Name, source, PipelineRunStatus.Succeeded, counts.Read, loaded, scope.Rejected, dupes, watermarkBefore, counts.WatermarkAfter, started, null);
            LoadTimings.Measure(timings, "commit", transaction.Commit);
            if (!archive.TryPublish())
            {
                Report(spec.Name, "archive deferred", $"the archive of batch {batchId.ToString(CultureInfo.InvariantCulture)} could not be renamed yet; the next run or rebuild publishes it", run);
            }

            run.Add(counts.Read, loaded, scope.Rejected, dupes);
            sweep?.Add(counts.Read, scope.ChangedAtSource);
            Report(spec.Name, "batch", source, run);
        }
        catch (Exception ex)
        {
            // A failed commit (a full disk) leaves the transaction finished: rolling it back again would throw "Transaction has already been
            // finished" over the real error, so the rollback and the failed-batch record are best effort and the original error propagates.
            // Appenders still open are closed first, so their buffered rows land in the transaction that rolls back, never in a later one.
            try
            {
                scope.FlushStaging();
            }
            catch (Exception flush) when (flush is DuckDBException or InvalidOperationException)
            {
                // The failure may be the appender's own; whatever it buffered goes with the rollback.
            }

            RollBackQuietly(transaction);
            quarantine.Discard();
            archive.Discard();
            RecordFailedBatchQuietly(() => meta.InsertBatch(batchId, run.RunId, spec.Name, source, PipelineRunStatus.Failed, 0, 0, 0, 0, watermarkBefore, watermarkBefore, started, LoadFailures.DiskFull(ex, _home.Root) ?? ex.Message));
            throw;
        }
    }

    /// <summary>Writes the run's log into the database file, so the next open replays nothing and readers see compressed data.</summary>
    private void Checkpoint(DuckDBConnection connection, string pipeline, RunTotals run)
    {
        try
        {
            Sql.Execute(connection, "CHECKPOINT");
        }
        catch (DuckDBException ex)
        {
            // Another connection has a transaction open (e.g. a reader of 'tipw serve'): DuckDB checkpoints later by itself.
            Report(pipeline, "checkpoint deferred", ex.Message, run);
        }
    }

    /// <summary>Rolls a failed batch's transaction back, best effort: a failed commit (a full disk) leaves it finished already, and rolling back again would throw over the real error.</summary>
    private static void RollBackQuietly(DuckDBTransaction transaction)
    {
        try
        {
            transaction.Rollback();
        }
        catch (Exception rollback) when (rollback is DuckDBException or InvalidOperationException)
        {
            // Already rolled back by DuckDB.
        }
    }

    /// <summary>Records a failed batch, best effort: the failure that stopped the batch may stop this write too, and the run's own record carries the error.</summary>
    private static void RecordFailedBatchQuietly(Action record)
    {
        try
        {
            record();
        }
        catch (Exception failure) when (failure is DuckDBException or InvalidOperationException)
        {
            // The run's own record carries the error.
        }
    }

    private static void SetVariables(DuckDBConnection connection, PipelineSpec spec, long batchId) =>
        Sql.Execute(connection, $"SET VARIABLE batch_id = {batchId.ToString(CultureInfo.InvariantCulture)}; SET VARIABLE pipeline = {Sql.Literal(spec.Name)};");

    // Passes a step's reports on synchronously, in order (System.Progress<T> would post them to the thread pool).
    private sealed class StepProgressRelay(Action<StepProgress> report) : IProgress<StepProgress>
    {
        public void Report(StepProgress value) => report(value);
    }

    private sealed class RunTotals(string pipeline, long runId)
    {
        /// <summary>How far the run is through work of a known size, as its source last said (null: unknown).</summary>
        public WorkCount? Work { get; set; }

        public long RunId => runId;

        public long Read { get; private set; }

        public long Loaded { get; private set; }

        public long Rejected { get; private set; }

        public long Duplicate { get; private set; }

        public int Batches { get; private set; }

        public void Add(long read, long loaded, long rejected, long duplicate)
        {
            Read += read;
            Loaded += loaded;
            Rejected += rejected;
            Duplicate += duplicate;
            Batches++;
        }

        public PipelineRunResult Result(string status, string? error) => new(pipeline, runId, status, Batches, Read, Loaded, Rejected, Duplicate, error);
    }
}

/// <summary>A run's full-compare sweep: whether it is one, whether its batches keep row hashes, and what it compared and found changed.</summary>
internal sealed class FullCompareTotals(bool active, bool keepHashes)
{
    public bool Active { get; } = active;

    public bool KeepHashes { get; } = keepHashes;

    public long Compared { get; private set; }

    public long Changed { get; private set; }

    public void Add(long compared, long changed)
    {
        Compared += compared;
        Changed += changed;
    }
}
