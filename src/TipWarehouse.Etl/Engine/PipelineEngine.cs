using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using Microsoft.Data.Sqlite;
using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;
using TipWarehouse.Etl.Extraction;
using TipWarehouse.Etl.Loading;
using TipWarehouse.Etl.Privacy;
using TipWarehouse.Etl.Quality;
using TipWarehouse.Etl.Specs;
using TipWarehouse.Etl.Validation;

namespace TipWarehouse.Etl.Engine;

/// <summary>The pipeline engine: runs specs from <c>pipelines/</c> (extract → validate → pseudonymize → stage → transform), one transaction per batch, with run history in <c>meta</c>.</summary>
public sealed class PipelineEngine : IPipelineRunner
{
    private static readonly SemaphoreSlim s_writer = new(1, 1);
    private readonly TipwHome _home;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, IPipelineStep> _steps;
    private readonly PipelineEngineOptions _options;
    private readonly IReadOnlyList<PipelineSpec> _specs;
    private Pseudonymizer? _pseudonymizer;

    /// <summary>Loads and validates every spec of <paramref name="pipelinesDirectory"/>; throws <see cref="SpecException"/> (file, line, field) before anything runs.</summary>
    public PipelineEngine(TipwHome home, string pipelinesDirectory, TimeProvider time, IEnumerable<IPipelineStep>? extraSteps = null, PipelineEngineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(home);
        ArgumentNullException.ThrowIfNull(time);
        _home = home;
        _time = time;
        _options = options ?? new PipelineEngineOptions();
        _steps = (extraSteps ?? []).ToDictionary(s => s.Kind, StringComparer.Ordinal);
        // Step kinds are checked when such a pipeline runs, so a spec added for a step that this host does not
        // register (e.g. scoring without a model) does not stop the other pipelines.
        _specs = SpecLoader.LoadDirectory(pipelinesDirectory);
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
    public async Task<IReadOnlyList<PipelineRunResult>> RunManyAsync(IReadOnlyCollection<string>? names, string sourcesDirectory, string triggerKind = "cli", DateOnly? from = null, DateOnly? to = null, CancellationToken cancellationToken = default)
    {
        var wanted = names is { Count: > 0 } ? new HashSet<string>(names, StringComparer.Ordinal) : null;
        foreach (var name in wanted ?? [])
        {
            _ = Spec(name);
        }

        var failed = new HashSet<string>(StringComparer.Ordinal);
        var results = new List<PipelineRunResult>();
        foreach (var spec in _specs.Where(s => wanted is null || wanted.Contains(s.Name)))
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
                result = await RunAsync(new PipelineRunRequest(spec.Name, sourcesDirectory, triggerKind, from, to), cancellationToken);
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
        }

        return results;
    }

    /// <summary>Runs one pipeline to completion; returns a failed result (with the error) for data and load failures, throws <see cref="TransientSourceException"/> for retryable ones.</summary>
    public async Task<PipelineRunResult> RunAsync(PipelineRunRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var spec = Spec(request.Pipeline);
        await s_writer.WaitAsync(cancellationToken);
        try
        {
            using var connection = Warehouse.Open(_home);
            var meta = new MetaStore(connection, _time);
            meta.EnsureSchema();
            Execute(connection, $"SET checkpoint_threshold = '{_options.CheckpointThreshold.Replace("'", "''", StringComparison.Ordinal)}'");
            Execute(connection, spec.Kind == SourceKinds.Csv ? $"SET memory_limit = '{_options.LoadMemoryLimit.Replace("'", "''", StringComparison.Ordinal)}'" : "RESET memory_limit");
            var runId = meta.StartRun(spec.Name, request);
            var run = new RunTotals(spec.Name, runId);
            Report(spec.Name, "started", null, run);
            try
            {
                if (SourceKinds.IsBuiltIn(spec.Kind))
                {
                    _pseudonymizer ??= new Pseudonymizer(PseudonymKey.Load(_home, _options.Environment));
                    var staging = new StagingWriter(connection, spec, _pseudonymizer);
                    var problems = staging.CheckLayout();
                    if (problems.Count > 0)
                    {
                        throw new TipwException($"Pipeline {spec.Name} ({spec.SpecPath}) does not match the warehouse: {string.Join("; ", problems)}");
                    }

                    var sourcePath = Path.GetFullPath(Path.Combine(request.SourcesDirectory, spec.Source.Path!));
                    switch (spec.Kind)
                    {
                        case SourceKinds.Csv:
                            RunCsv(connection, meta, spec, staging, sourcePath, request, run, cancellationToken);
                            break;
                        case SourceKinds.Sqlite:
                            RunSqlite(connection, meta, spec, staging, sourcePath, request, run);
                            break;
                        default:
                            RunJsonLines(connection, meta, spec, staging, sourcePath, request, run, cancellationToken);
                            break;
                    }
                }
                else
                {
                    await RunStepAsync(connection, meta, spec, run, cancellationToken);
                }

                RunDataTests(connection, spec, run);
                meta.FinishRun(runId, PipelineRunStatus.Succeeded, null);
                Checkpoint(connection, spec.Name, run);
                Report(spec.Name, "finished", null, run);
                return run.Result(PipelineRunStatus.Succeeded, null);
            }
            catch (OperationCanceledException)
            {
                meta.FinishRun(runId, PipelineRunStatus.Cancelled, "cancelled");
                throw;
            }
            catch (TransientSourceException ex)
            {
                meta.FinishRun(runId, PipelineRunStatus.Failed, ex.Message);
                throw;
            }
            catch (Exception ex)
            {
                // Any other failure fails this run (recorded with its message); the batch already rolled back.
                meta.FinishRun(runId, PipelineRunStatus.Failed, ex.Message);
                Report(spec.Name, "failed", ex.Message, run);
                return run.Result(PipelineRunStatus.Failed, ex.Message);
            }
        }
        finally
        {
            s_writer.Release();
        }
    }

    private PipelineSpec Spec(string name) =>
        _specs.FirstOrDefault(s => s.Name == name)
        ?? throw new UsageException($"Unknown pipeline '{name}'. Known: {string.Join(", ", _specs.Select(s => s.Name))}.");

    private void Report(string pipeline, string stage, string? source, RunTotals run) =>
        _options.Progress?.Report(new PipelineProgress(pipeline, stage, source, run.Read, run.Loaded, run.Rejected, run.Duplicate, run.Batches));

    // ---------------------------------------------------------------- CSV drop folder: one batch per file, file manifest

    private void RunCsv(DuckDBConnection connection, MetaStore meta, PipelineSpec spec, StagingWriter staging, string folder, PipelineRunRequest request, RunTotals run, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(folder))
        {
            throw new TipwException($"Pipeline {spec.Name}: the source folder {folder} does not exist (check --sources).");
        }

        var dateRegex = spec.Source.FileDateRegex is { } r ? new Regex(r, RegexOptions.None, TimeSpan.FromSeconds(1)) : null;
        var files = Directory.EnumerateFiles(folder, spec.Source.Pattern ?? "*").Order(StringComparer.Ordinal).ToList();
        var pending = new List<PendingCsvFile>();
        var manifest = meta.Manifest(spec.Name);
        foreach (var file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = Path.GetFileName(file);
            if ((request.From is not null || request.To is not null) && dateRegex?.Match(name) is { Success: true } m
                && DateOnly.TryParseExact(m.Groups[1].Value, spec.Source.FileDateFormat ?? "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var fileDate)
                && (fileDate < request.From || fileDate > request.To))
            {
                continue;
            }

            // A file whose size and last write time are those recorded is unchanged (as for make and rsync): not hashed again,
            // so a run over years of drops costs one stat per old file.
            var info = new FileInfo(file);
            var modifiedAt = ManifestTime(info.LastWriteTimeUtc);
            var known = manifest.TryGetValue(name, out var seen);
            if (known && seen.Size == info.Length && seen.ModifiedAt == modifiedAt)
            {
                continue;
            }

            FileFingerprint fingerprint;
            FileRejectedException? fileProblem = null;
            try
            {
                fingerprint = FileInspector.Inspect(file, spec.Source);
            }
            catch (FileRejectedException ex)
            {
                fileProblem = ex;
                fingerprint = new FileFingerprint(info.Length, Sha256Of(file), Encoding.UTF8, null);
            }
            catch (IOException ex)
            {
                throw new TransientSourceException($"Pipeline {spec.Name}: cannot read {file}: {ex.Message}", ex);
            }

            if (known && seen.Sha256 == fingerprint.Sha256)
            {
                continue;
            }

            if (known && seen.Status == "loaded")
            {
                fileProblem = new FileRejectedException("changed_after_load", $"the file changed after it was loaded in batch {seen.BatchId} (sha256 {seen.Sha256[..12]}… → {fingerprint.Sha256[..12]}…); it is not loaded twice");
            }

            pending.Add(new PendingCsvFile(file, name, fingerprint, modifiedAt, fileProblem));
        }

        // Several drop files per batch (source.files_per_batch, up to source.max_mb_per_batch) amortize the per-transaction
        // cost; every file keeps its own manifest entry in the batch's transaction, and a bad file is quarantined whole
        // while the others load. The files are read and pseudonymized ahead, on a second thread, while this one loads the
        // batch before.
        using var readAhead = new CsvReadAhead(spec, staging, pending, ReadAheadBatches * (long)spec.BatchSize, cancellationToken);
        foreach (var chunk in FileBatches(pending, spec.Source.FilesPerBatch, spec.Source.MaxMegabytesPerBatch * 1_048_576L))
        {
            var label = chunk.Length == 1 ? chunk[0].Name : $"{chunk[0].Name}..{chunk[^1].Name} ({chunk.Length} files)";
            ExecuteBatch(connection, meta, spec, run, label, null, scope =>
            {
                long total = 0;
                var manifestUpdates = new List<MetaStore.ManifestUpdate>(chunk.Length);
                foreach (var p in chunk)
                {
                    long read = 0;
                    CsvReadAhead.Item item;
                    while (!(item = readAhead.Next(p.Name, cancellationToken)).EndOfFile)
                    {
                        read += item.RowsRead;
                        scope.Stage(staging, item.Batch!, p.Name);
                    }

                    if (item.Problem is { } problem)
                    {
                        read = item.RowsRead;
                        scope.QuarantineFile(p.Path, problem.ReasonCode, problem.Message, read);
                        if (problem.ReasonCode != "changed_after_load")
                        {
                            // A changed file keeps the entry of its load; any other bad file is recorded as quarantined.
                            manifestUpdates.Add(new(p.Name, p.Fingerprint, p.ModifiedAt, "quarantined", read, problem.Message));
                        }
                    }
                    else
                    {
                        if (p.Fingerprint.EncodingNote is { } note)
                        {
                            scope.Flag(spec.Target!, p.Name, "encoding_mismatch", spec.Source.Encoding, note);
                        }

                        manifestUpdates.Add(new(p.Name, p.Fingerprint, p.ModifiedAt, "loaded", read, p.Fingerprint.EncodingNote));
                    }

                    total += read;
                }

                scope.Transform();
                meta.UpsertManifest(spec.Name, scope.BatchId, manifestUpdates);
                return new BatchCounts(total, null);
            });
        }
    }

    /// <summary>Groups the files in order into batches of at most <paramref name="maxFiles"/> files whose sizes add up to at most <paramref name="maxBytes"/> (a larger file is a batch of its own).</summary>
    internal static IEnumerable<PendingCsvFile[]> FileBatches(IEnumerable<PendingCsvFile> files, int maxFiles, long? maxBytes)
    {
        var batch = new List<PendingCsvFile>();
        long bytes = 0;
        foreach (var file in files)
        {
            if (batch.Count > 0 && (batch.Count == maxFiles || bytes + file.Fingerprint.Size > maxBytes))
            {
                yield return [.. batch];
                batch.Clear();
                bytes = 0;
            }

            batch.Add(file);
            bytes += file.Fingerprint.Size;
        }

        if (batch.Count > 0)
        {
            yield return [.. batch];
        }
    }

    /// <summary>How many batches of rows (<c>batch_size</c>) the read-ahead may hold prepared. One keeps both cores busy; at ~1M calls
    /// (benchmark <c>--phase ingest</c>), two and four were as fast and held 90 and 280 MiB more.</summary>
    private const int ReadAheadBatches = 1;

    /// <summary>A last write time as the manifest stores it (UTC, whole milliseconds).</summary>
    private static DateTime ManifestTime(DateTime utc) => new(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);

    private static string Sha256Of(string file)
    {
        using var stream = File.OpenRead(file);
        return HashText.DigitFreeHex(System.Security.Cryptography.SHA256.HashData(stream));
    }

    // ---------------------------------------------------------------- relational source: one batch per run, updated_at watermark

    private void RunSqlite(DuckDBConnection connection, MetaStore meta, PipelineSpec spec, StagingWriter staging, string database, PipelineRunRequest request, RunTotals run)
    {
        if (!File.Exists(database))
        {
            throw new TipwException($"Pipeline {spec.Name}: the source database {database} does not exist (check --sources).");
        }

        var backfill = request.From is not null || request.To is not null;
        var before = meta.Watermark(spec.Name, spec.Incremental.Column ?? "watermark");
        var wmIndex = spec.Incremental.Column is { } wc ? spec.ColumnIndex(wc) : -1;
        ExecuteBatch(connection, meta, spec, run, spec.Source.Table!, before, scope =>
        {
            string? max = before;
            long read = 0;
            try
            {
                using var source = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadOnly, DefaultTimeout = 5 }.ToString());
                source.Open();
                using var rows = new DbRowSource(source, spec, backfill ? null : before, request.From, request.To);
                var assembler = new BatchAssembler(spec);
                var validator = new RowValidator(spec);
                foreach (var batch in assembler.Read(rows, row =>
                {
                    if (wmIndex >= 0 && row.TryGetField(wmIndex, out var text) && !text.IsEmpty && (max is null || text.SequenceCompareTo(max) > 0))
                    {
                        max = text.ToString();
                    }

                    return true;
                }))
                {
                    read += batch.RowsRead;
                    scope.Stage(staging, staging.Prepare(validator, batch, spec.Source.Table!), spec.Source.Table!);
                }
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode is 5 or 6)
            {
                throw new TransientSourceException($"Pipeline {spec.Name}: the source database {database} is busy or locked: {ex.Message}", ex);
            }

            scope.Transform();
            var after = backfill ? before : max;
            if (after is not null && spec.Incremental.Strategy == IncrementalStrategies.Watermark)
            {
                meta.SetWatermark(spec.Name, spec.Incremental.Column!, after, scope.BatchId);
            }

            return new BatchCounts(read, after);
        });
    }

    // ---------------------------------------------------------------- JSON lines: one batch per run over the events after the sequence watermark

    private void RunJsonLines(DuckDBConnection connection, MetaStore meta, PipelineSpec spec, StagingWriter staging, string folder, PipelineRunRequest request, RunTotals run, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(folder))
        {
            throw new TipwException($"Pipeline {spec.Name}: the source folder {folder} does not exist (check --sources).");
        }

        var backfill = request.From is not null || request.To is not null;
        var column = spec.Incremental.Column ?? "sequence";
        var before = meta.Watermark(spec.Name, column);
        var watermark = before is null ? long.MinValue : long.Parse(before, CultureInfo.InvariantCulture);
        var seqIndex = spec.Incremental.Strategy == IncrementalStrategies.Sequence ? spec.ColumnIndex(column) : -1;
        var windowIndex = spec.Incremental.WindowColumn is { } w ? spec.ColumnIndex(w) : -1;
        var files = Directory.EnumerateFiles(folder, spec.Source.Pattern ?? "*.jsonl").Order(StringComparer.Ordinal).ToList();
        var encoding = TextEncodings.Get(spec.Source.Encoding);
        ExecuteBatch(connection, meta, spec, run, Path.GetFileName(folder), before, scope =>
        {
            var max = watermark;
            long read = 0;
            var assembler = new BatchAssembler(spec);
            var validator = new RowValidator(spec);
            foreach (var file in files)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var source = new JsonLinesRowSource(file, spec, encoding);
                foreach (var batch in assembler.Read(source, row =>
                {
                    if (seqIndex >= 0 && row.TryGetField(seqIndex, out var text) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seq))
                    {
                        if (!backfill && seq <= watermark)
                        {
                            return false;
                        }

                        max = Math.Max(max, seq);
                    }

                    if (backfill && windowIndex >= 0 && row.TryGetField(windowIndex, out var dateText)
                        && DateOnly.TryParse(dateText, CultureInfo.InvariantCulture, out var date)
                        && (date < request.From || date > request.To))
                    {
                        return false;
                    }

                    return true;
                }))
                {
                    read += batch.RowsRead;
                    scope.Stage(staging, staging.Prepare(validator, batch, Path.GetFileName(file)), Path.GetFileName(file));
                }
            }

            scope.Transform();
            string? after = backfill || max == long.MinValue ? before : max.ToString(CultureInfo.InvariantCulture);
            if (after is not null && seqIndex >= 0)
            {
                meta.SetWatermark(spec.Name, column, after, scope.BatchId);
            }

            return new BatchCounts(read, after);
        });
    }

    // ---------------------------------------------------------------- downstream steps (linkage, scoring) registered by other assemblies

    private async Task RunStepAsync(DuckDBConnection connection, MetaStore meta, PipelineSpec spec, RunTotals run, CancellationToken cancellationToken)
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
            outcome = await step.RunAsync(new PipelineStepContext(_home, connection, spec.Name, run.RunId, batchId, _time, spec.Source.Settings), cancellationToken);
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
            transaction.Rollback();
            meta.InsertBatch(batchId, run.RunId, spec.Name, spec.Kind, PipelineRunStatus.Failed, 0, 0, 0, 0, before, before, started, ex.Message);
            throw;
        }

        run.Add(outcome.RowsRead, outcome.RowsLoaded, outcome.RowsRejected, outcome.RowsDuplicate);
        Report(spec.Name, "batch", spec.Kind, run);
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

    private void ExecuteBatch(DuckDBConnection connection, MetaStore meta, PipelineSpec spec, RunTotals run, string source, string? watermarkBefore, Func<BatchScope, BatchCounts> work)
    {
        var batchId = meta.NextBatchId();
        var started = _time.GetUtcNow();
        var quarantine = new QuarantineWriter(_home, spec.Name, batchId);
        var scope = new BatchScope(connection, spec, batchId, meta, quarantine, _options.Faults);
        using var transaction = connection.BeginTransaction();
        try
        {
            SetVariables(connection, spec, batchId);
            scope.ClearStaging();
            var counts = work(scope);
            var dupes = scope.Duplicates;
            var loaded = scope.Staged - dupes;
            if (counts.Read != loaded + scope.Rejected + dupes)
            {
                throw new InvalidOperationException($"Batch {batchId} of pipeline {spec.Name} ({source}) does not reconcile: read {counts.Read} != loaded {loaded} + rejected {scope.Rejected} + duplicate {dupes}. This is a bug.");
            }

            scope.WriteRejectsAndQuality(_time.GetUtcNow().UtcDateTime, counts.Read);
            quarantine.Publish();
            _options.Faults?.At(spec.Name, "before_commit");
            meta.InsertBatch(batchId, run.RunId, spec.Name, source, PipelineRunStatus.Succeeded, counts.Read, loaded, scope.Rejected, dupes, watermarkBefore, counts.WatermarkAfter, started, null);
            transaction.Commit();
            run.Add(counts.Read, loaded, scope.Rejected, dupes);
            Report(spec.Name, "batch", source, run);
        }
        catch (Exception ex)
        {
            transaction.Rollback();
            quarantine.Discard();
            meta.InsertBatch(batchId, run.RunId, spec.Name, source, PipelineRunStatus.Failed, 0, 0, 0, 0, watermarkBefore, watermarkBefore, started, ex.Message);
            throw;
        }
    }

    /// <summary>Writes the run's log into the database file, so the next open replays nothing and readers see compressed data.</summary>
    private void Checkpoint(DuckDBConnection connection, string pipeline, RunTotals run)
    {
        try
        {
            Execute(connection, "CHECKPOINT");
        }
        catch (DuckDBException ex)
        {
            // Another connection has a transaction open (e.g. a reader of 'tipw serve'): DuckDB checkpoints later by itself.
            Report(pipeline, "checkpoint deferred", ex.Message, run);
        }
    }

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static void SetVariables(DuckDBConnection connection, PipelineSpec spec, long batchId) =>
        Execute(connection, $"SET VARIABLE batch_id = {batchId.ToString(CultureInfo.InvariantCulture)}; SET VARIABLE pipeline = '{spec.Name}';");

    private sealed record BatchCounts(long Read, string? WatermarkAfter);

    private sealed class RunTotals(string pipeline, long runId)
    {
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
