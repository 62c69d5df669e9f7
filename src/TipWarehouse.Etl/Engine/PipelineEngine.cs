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
            using var connection = await LoadFailures.OpenAsync(() => Warehouse.Open(_home), _home.WarehousePath, _time, _options.LockWait, _options.LockRetryInterval, _options.Delay ?? ((t, ct) => Task.Delay(t, _time, ct)), cancellationToken);
            var meta = new MetaStore(connection, _time);
            meta.EnsureSchema();
            Execute(connection, $"SET checkpoint_threshold = '{_options.CheckpointThreshold.Replace("'", "''", StringComparison.Ordinal)}'");
            Execute(connection, spec.Kind == SourceKinds.Csv ? $"SET memory_limit = '{_options.LoadMemoryLimit.Replace("'", "''", StringComparison.Ordinal)}'" : "RESET memory_limit");

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
                            RunSqlite(connection, meta, spec, staging, sourcePath, request, run, cancellationToken);
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

            // A link to a file outside the source folder (e.g. /etc/passwd) is refused: not read, not copied into quarantine.
            if (OutsideLink(info, folder) is { } target)
            {
                var linkHash = HashText.DigitFreeHex(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(target)));
                if (!known || seen.Sha256 != linkHash)
                {
                    pending.Add(new PendingCsvFile(file, name, new FileFingerprint(0, linkHash, Encoding.UTF8, null), modifiedAt,
                        new FileRejectedException("symlink_outside_source", $"the file is a symbolic link to {target}, outside the source folder {folder}: refused (not read, not copied)")));
                }

                continue;
            }

            // A drop is taken only when complete: its completion marker exists (source.completion_marker), its last write is older than
            // source.stable_for, and its size and write time did not change while it was hashed. Otherwise it waits for a later run.
            if (Incomplete(spec.Source, folder, name, info) is { } waiting)
            {
                Report(spec.Name, "waiting", $"{name}: {waiting}", run);
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

            if (Changed(file, info.Length, modifiedAt))
            {
                Report(spec.Name, "waiting", $"{name}: still being written (its size or write time changed while it was read)", run);
                continue;
            }

            if (known && seen.Sha256 == fingerprint.Sha256)
            {
                continue;
            }

            // A file replaced after it was loaded (a corrected or completed drop) loads again as a new version: its rows already loaded are
            // duplicates, its new rows load, and the replacement is flagged with both versions' hashes.
            pending.Add(new PendingCsvFile(file, name, fingerprint, modifiedAt, fileProblem) { Replaces = known && seen.Status == "loaded" ? seen : null });
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
                        scope.QuarantineFile(p.Path, problem.ReasonCode, problem.Message, read, copy: problem.ReasonCode != "symlink_outside_source");
                        manifestUpdates.Add(new(p.Name, p.Fingerprint, p.ModifiedAt, "quarantined", read, problem.Message));
                    }
                    else
                    {
                        if (Changed(p.Path, p.Fingerprint.Size, p.ModifiedAt))
                        {
                            // Rewritten between its fingerprint and its rows: the batch rolls back and a later run takes the finished file.
                            throw new TransientSourceException($"Pipeline {spec.Name}: {p.Name} changed while it was loaded (still being written?); nothing of it was kept, it is read again on the next run");
                        }

                        if (p.Fingerprint.EncodingNote is { } note)
                        {
                            scope.Flag(spec.Target!, p.Name, "encoding_mismatch", spec.Source.Encoding, note);
                        }

                        if (p.Replaces is { } earlier)
                        {
                            scope.Flag(spec.Target!, p.Name, "file_replaced", earlier.Sha256[..12],
                                $"the file was replaced after batch {earlier.BatchId.ToString(CultureInfo.InvariantCulture)} loaded it (sha256 {earlier.Sha256[..12]}… → {p.Fingerprint.Sha256[..12]}…): loaded again as a new version; rows already loaded are counted as duplicates");
                        }

                        manifestUpdates.Add(new(p.Name, p.Fingerprint, p.ModifiedAt, "loaded", read, p.Replaces is { } e ? $"version replacing sha256 {e.Sha256[..12]}… of batch {e.BatchId.ToString(CultureInfo.InvariantCulture)}" : p.Fingerprint.EncodingNote));
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

    /// <summary>The resolved target of a symbolic link that points outside <paramref name="folder"/>, else null.</summary>
    private static string? OutsideLink(FileInfo info, string folder)
    {
        if (info.LinkTarget is null)
        {
            return null;
        }

        var target = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(info.LinkTarget, folder);
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)) + Path.DirectorySeparatorChar;
        return target.StartsWith(root, StringComparison.Ordinal) ? null : target;
    }

    /// <summary>Why a drop is not complete yet (no completion marker, written less than <c>stable_for</c> ago), or null.</summary>
    private string? Incomplete(SourceSpec source, string folder, string name, FileInfo info)
    {
        if (source.CompletionMarker is { } marker && !File.Exists(Path.Combine(folder, marker.Replace("{file}", name, StringComparison.Ordinal))))
        {
            return $"no completion marker {marker.Replace("{file}", name, StringComparison.Ordinal)} yet";
        }

        if (source.StableFor is { } stable && _time.GetUtcNow().UtcDateTime - info.LastWriteTimeUtc < stable)
        {
            return $"written less than {stable.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s ago (source.stable_for)";
        }

        return null;
    }

    private static bool Changed(string file, long size, DateTime modifiedAt)
    {
        var now = new FileInfo(file);
        return !now.Exists || now.Length != size || ManifestTime(now.LastWriteTimeUtc) != modifiedAt;
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

    // ---------------------------------------------------------------- relational source: bounded chunks after the updated_at watermark

    private void RunSqlite(DuckDBConnection connection, MetaStore meta, PipelineSpec spec, StagingWriter staging, string database, PipelineRunRequest request, RunTotals run, CancellationToken cancellationToken)
    {
        if (!File.Exists(database))
        {
            throw new TipwException($"Pipeline {spec.Name}: the source database {database} does not exist (check --sources).");
        }

        var backfill = request.From is not null || request.To is not null;
        var wmName = spec.Incremental.Column ?? "watermark";
        var wmIndex = spec.Incremental.Column is { } wc ? spec.ColumnIndex(wc) : -1;
        var keyIndex = spec.NaturalKey.Count == 1 ? spec.ColumnIndex(spec.NaturalKey[0]) : -1;
        var chunkRows = keyIndex >= 0 && wmIndex >= 0 ? spec.Incremental.ChunkRows : (int?)null;
        var horizon = _time.GetUtcNow().UtcDateTime + spec.Incremental.FutureTolerance;
        var parser = new ValueParser(spec.Source.Culture);
        try
        {
            using var source = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadOnly, DefaultTimeout = 5 }.ToString());
            source.Open();
            var drift = CheckSchema(source, spec, database);

            // Each chunk is one batch (its own transaction, reconciliation and watermark): memory is bounded by the chunk, not by the backlog,
            // and a run stopped after chunk k resumes after it. Chunks follow the (watermark column, key) order by keyset.
            string? cursor = backfill ? null : meta.Watermark(spec.Name, wmName);
            string? cursorKey = null;
            var chunk = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var before = meta.Watermark(spec.Name, wmName);
                long read = 0;
                string? lastText = null, lastKey = null;
                ExecuteBatch(connection, meta, spec, run, spec.Source.Table!, before, scope =>
                {
                    if (chunk == 0)
                    {
                        FlagDrift(scope, spec, drift);
                    }

                    string? max = before;
                    using var rows = new DbRowSource(source, spec, cursor, cursorKey, backfill ? request.From : null, backfill ? request.To : null, chunkRows);
                    var assembler = new BatchAssembler(spec);
                    var validator = new RowValidator(spec);
                    var batchMax = (string?)null;
                    foreach (var batch in assembler.Read(rows, row =>
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        if (wmIndex >= 0 && row.TryGetField(wmIndex, out var text))
                        {
                            lastText = text.ToString();
                            if (keyIndex >= 0 && row.TryGetField(keyIndex, out var key))
                            {
                                lastKey = key.ToString();
                            }

                            // Only a watermark that parses and is not in the future can be the watermark (rows rejected for other columns count:
                            // they are definitively rejected). Garbage or future values are rejected and read again by later runs.
                            if (!text.IsEmpty && parser.TryParse(spec.Columns[wmIndex], text, out var value, out _) && !value.IsNull && value.Time <= horizon
                                && (batchMax is null || text.SequenceCompareTo(batchMax) > 0))
                            {
                                batchMax = text.ToString();
                            }
                        }

                        return true;
                    }))
                    {
                        read += batch.RowsRead;
                        var prepared = staging.Prepare(validator, batch, spec.Source.Table!);
                        if (wmIndex >= 0)
                        {
                            RejectFutureWatermarks(prepared, spec, wmIndex, horizon, spec.Source.Table!);
                        }

                        scope.Stage(staging, prepared, spec.Source.Table!);
                    }

                    if (batchMax is not null && (max is null || string.CompareOrdinal(batchMax, max) > 0))
                    {
                        max = batchMax;
                    }

                    scope.Transform();
                    var after = backfill ? before : max;
                    if (after is not null && spec.Incremental.Strategy == IncrementalStrategies.Watermark)
                    {
                        meta.SetWatermark(spec.Name, spec.Incremental.Column!, after, scope.BatchId);
                    }

                    return new BatchCounts(read, after);
                });
                chunk++;
                if (chunkRows is null || read < chunkRows || lastText is null || lastKey is null)
                {
                    break;
                }

                (cursor, cursorKey) = (lastText, lastKey);
            }
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

    private static void FlagDrift(BatchScope scope, PipelineSpec spec, SchemaDrift drift)
    {
        foreach (var column in drift.Missing)
        {
            scope.Flag(spec.Target!, spec.Source.Table!, "schema_missing_column", column, $"the source table {spec.Source.Table} has no column {column}: loaded as null (schema_drift: flag)");
        }

        foreach (var column in drift.Extra)
        {
            scope.Flag(spec.Target!, spec.Source.Table!, "schema_extra_column", column, $"the source table {spec.Source.Table} has a column {column} the spec does not declare: not loaded");
        }

        foreach (var text in drift.Retyped)
        {
            scope.Flag(spec.Target!, spec.Source.Table!, "schema_retyped_column", text.Split(' ', 2)[0], $"in {spec.Source.Table}, {text}");
        }
    }

    /// <summary>Rejects rows whose watermark value lies beyond now plus the tolerance (<c>future_watermark</c>): such a value would stop every later row from being read.</summary>
    private static void RejectFutureWatermarks(PreparedBatch prepared, PipelineSpec spec, int wmIndex, DateTime horizon, string sourceFile)
    {
        var rows = prepared.Batch.Rows;
        var array = rows.Column(wmIndex + 2);
        var sourceRows = (Apache.Arrow.Int64Array)rows.Column(ExtractedBatch.SourceRowField);
        var raw = (Apache.Arrow.StringArray)rows.Column(ExtractedBatch.RawField);
        var column = spec.Columns[wmIndex];
        for (var row = 0; row < rows.Length; row++)
        {
            if (prepared.Verdict.Rejected[row] || array.IsNull(row))
            {
                continue;
            }

            var value = ArrowValues.Get(array, row);
            if (value.Time > horizon)
            {
                prepared.Verdict.Rejected[row] = true;
                prepared.Verdict.Rejects.Add(new RejectRecord(sourceFile, sourceRows.GetValue(row), column.Name, "future_watermark",
                    $"{column.Name} '{value.Time.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}' is after now + {spec.Incremental.FutureTolerance.TotalHours.ToString(CultureInfo.InvariantCulture)} h: not loaded and not taken as the watermark; read again by later runs", raw.GetString(row), null));
            }
        }
    }

    // ---------------------------------------------------------------- JSON lines: bounded chunks over the events not taken yet (sequence watermark and gaps)

    private void RunJsonLines(DuckDBConnection connection, MetaStore meta, PipelineSpec spec, StagingWriter staging, string folder, PipelineRunRequest request, RunTotals run, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(folder))
        {
            throw new TipwException($"Pipeline {spec.Name}: the source folder {folder} does not exist (check --sources).");
        }

        var backfill = request.From is not null || request.To is not null;
        var column = spec.Incremental.Column ?? "sequence";
        var seqIndex = spec.Incremental.Strategy == IncrementalStrategies.Sequence ? spec.ColumnIndex(column) : -1;
        var windowIndex = spec.Incremental.WindowColumn is { } w ? spec.ColumnIndex(w) : -1;
        var files = Directory.EnumerateFiles(folder, spec.Source.Pattern ?? "*.jsonl").Order(StringComparer.Ordinal).ToList();
        var encoding = TextEncodings.Get(spec.Source.Encoding);
        var stored = meta.Watermark(spec.Name, column);
        var state = new SequenceState(stored is null ? null : long.Parse(stored, CultureInfo.InvariantCulture), meta.SequenceGaps(spec.Name));
        var assembler = new BatchAssembler(spec with { BatchSize = Math.Min(spec.BatchSize, spec.Incremental.ChunkRows) });
        var validator = new RowValidator(spec);
        var taken = new List<long>();

        // Every event read records its number when the assembler takes it; a yielded batch carries exactly the numbers of its rows.
        IEnumerable<(ExtractedBatch Batch, string File, long[] Taken)> Batches()
        {
            foreach (var file in files)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var source = new JsonLinesRowSource(file, spec, encoding);
                foreach (var batch in assembler.Read(source, row =>
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (seqIndex >= 0 && row.TryGetField(seqIndex, out var text) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seq))
                    {
                        if (!backfill && !state.ShouldRead(seq))
                        {
                            return false;
                        }

                        if (backfill && windowIndex >= 0 && row.TryGetField(windowIndex, out var dateText)
                            && DateOnly.TryParse(dateText, CultureInfo.InvariantCulture, out var date)
                            && (date < request.From || date > request.To))
                        {
                            return false;
                        }

                        taken.Add(seq);
                        return true;
                    }

                    if (backfill && windowIndex >= 0 && row.TryGetField(windowIndex, out var d2)
                        && DateOnly.TryParse(d2, CultureInfo.InvariantCulture, out var date2)
                        && (date2 < request.From || date2 > request.To))
                    {
                        return false;
                    }

                    return true;
                }))
                {
                    var numbers = taken.ToArray();
                    taken.Clear();
                    yield return (batch, Path.GetFileName(file), numbers);
                }
            }
        }

        using var batches = Batches().GetEnumerator();
        var more = batches.MoveNext();
        do
        {
            var before = state.WatermarkText;
            SequenceState? next = null;
            ExecuteBatch(connection, meta, spec, run, Path.GetFileName(folder), before, scope =>
            {
                long read = 0;
                var numbers = new List<long>();
                while (more && read < spec.Incremental.ChunkRows)
                {
                    var (batch, file, seen) = batches.Current;
                    read += batch.RowsRead;
                    numbers.AddRange(seen);
                    scope.Stage(staging, staging.Prepare(validator, batch, file), file);
                    more = batches.MoveNext();
                }

                scope.Transform();
                next = backfill || seqIndex < 0 ? state : state.Advance(numbers);
                if (next.WatermarkText is { } after && !backfill && seqIndex >= 0)
                {
                    meta.SetWatermark(spec.Name, column, after, scope.BatchId);
                    meta.SetSequenceGaps(spec.Name, next.Gaps, scope.BatchId);
                }

                return new BatchCounts(read, next.WatermarkText);
            });
            state = next ?? state;
        }
        while (more);
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
            var loaded = scope.Staged - dupes - scope.Dropped;
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
            // A failed commit (a full disk) leaves the transaction finished: rolling it back again would throw "Transaction has already been
            // finished" over the real error, so the rollback and the failed-batch record are best effort and the original error propagates.
            try
            {
                transaction.Rollback();
            }
            catch (Exception rollback) when (rollback is DuckDBException or InvalidOperationException)
            {
                // Already rolled back by DuckDB.
            }

            quarantine.Discard();
            try
            {
                meta.InsertBatch(batchId, run.RunId, spec.Name, source, PipelineRunStatus.Failed, 0, 0, 0, 0, watermarkBefore, watermarkBefore, started, LoadFailures.DiskFull(ex, _home.Root) ?? ex.Message);
            }
            catch (Exception record) when (record is DuckDBException or InvalidOperationException)
            {
                // The failure that stopped the batch may stop this write too; the run's own record carries the error.
            }

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
