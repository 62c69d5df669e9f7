using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;
using TipWarehouse.Etl.Engine;
using TipWarehouse.Etl.Extraction;
using TipWarehouse.Etl.Specs;

namespace TipWarehouse.Etl.Sources;

/// <summary>CSV drop folders (<c>kind: csv</c>): new or changed files by a manifest of name, size, write time and SHA-256, several files per batch.</summary>
public sealed class CsvSourceKind : ISourceKind
{
    /// <inheritdoc/>
    public string Kind => SourceKinds.Csv;

    /// <inheritdoc/>
    public IReadOnlyList<string> SourceKeys { get; } =
        ["kind", "path", "pattern", "file_date_regex", "file_date_format", "encoding", "detect_encoding", "delimiter", "culture", "files_per_batch", "max_mb_per_batch", "stable_for", "completion_marker", "settings"];

    /// <inheritdoc/>
    public bool BoundedLoadMemory => true;

    /// <inheritdoc/>
    public IReadOnlyList<string> Strategies { get; } = [IncrementalStrategies.FileManifest, IncrementalStrategies.None];

    /// <inheritdoc/>
    public IEnumerable<(string Key, string Message)> Validate(SourceSpec source) => FileSourceChecks.Validate(source, needsTable: false, textFiles: true);

    /// <inheritdoc/>
    public void Run(SourceRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var (spec, meta, staging, request, folder) = (run.Spec, run.Meta, run.Staging, run.Request, run.SourcePath);
        FileSourceChecks.RequireFolder(spec.Name, folder);

        var dateRegex = spec.Source.FileDateRegex is { } r ? new Regex(r, RegexOptions.None, TimeSpan.FromSeconds(1)) : null;
        var files = Directory.EnumerateFiles(folder, spec.Source.Pattern ?? "*").Order(StringComparer.Ordinal).ToList();
        var pending = new List<PendingCsvFile>();
        var manifest = meta.Manifest(spec.Name);
        // A backfill (--from/--to) re-reads every drop dated in its window, seen or not (a full compare: every drop): rows already loaded
        // count as duplicates and the manifest keeps the entry of the batch that first loaded an unchanged file.
        var backfill = run.Backfill;
        var inspected = 0;
        foreach (var file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            run.Report("inspecting", null, new WorkCount(inspected++, files.Count, "files"));
            var name = Path.GetFileName(file);
            var (fileDate, dateProblem) = FileDate(spec.Source, dateRegex, name);
            if (backfill && fileDate is { } date && (date < request.From || date > request.To))
            {
                continue;
            }

            // A file whose size and last write time are those recorded is unchanged (as for make and rsync): not hashed again,
            // so a run over years of drops costs one stat per old file.
            var info = new FileInfo(file);
            var modifiedAt = ManifestTime(info.LastWriteTimeUtc);
            var known = manifest.TryGetValue(name, out var seen);
            if (!backfill && known && seen.Size == info.Length && seen.ModifiedAt == modifiedAt)
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
            if (Incomplete(run.Time, spec.Source, folder, name, info) is { } waiting)
            {
                run.Report("waiting", $"{name}: {waiting}");
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
                run.Report("waiting", $"{name}: still being written (its size or write time changed while it was read)");
                continue;
            }

            var unchanged = known && seen.Sha256 == fingerprint.Sha256;
            // An unchanged file quarantined whole stays in quarantine: re-reading it would quarantine it a second time.
            if (unchanged && (!backfill || seen.Status != "loaded"))
            {
                continue;
            }

            if (unchanged)
            {
                pending.Add(new PendingCsvFile(file, name, fingerprint, modifiedAt, fileProblem) { Reread = true, DateProblem = dateProblem });
                continue;
            }

            // A file replaced after it was loaded (a corrected or completed drop) loads again as a new version: its rows already loaded are
            // duplicates, its new rows load, and the replacement is flagged with both versions' hashes.
            pending.Add(new PendingCsvFile(file, name, fingerprint, modifiedAt, fileProblem) { Replaces = known && seen.Status == "loaded" ? seen : null, DateProblem = dateProblem });
        }

        // Several drop files per batch (source.files_per_batch, up to source.max_mb_per_batch) amortize the per-transaction
        // cost; every file keeps its own manifest entry in the batch's transaction, and a bad file is quarantined whole
        // while the others load. The files are read and pseudonymized ahead, on a second thread, while this one loads the
        // batch before.
        // The bytes of the pending files are the run's known total: each batch's report says how many are loaded, so the bar
        // shows an ETA (what was read per second so far, over what is left).
        using var readAhead = new CsvReadAhead(spec, staging, pending, ReadAheadBatches * (long)spec.BatchSize, cancellationToken);
        var totalBytes = pending.Sum(p => p.Fingerprint.Size);
        long doneBytes = 0;
        if (pending.Count > 0)
        {
            run.Report("loading", $"{pending.Count} file(s)", new WorkCount(0, totalBytes, "bytes"));
        }

        foreach (var chunk in FileBatches(pending, spec.Source.FilesPerBatch, spec.Source.MaxMegabytesPerBatch * 1_048_576L))
        {
            var label = chunk.Length == 1 ? chunk[0].Name : $"{chunk[0].Name}..{chunk[^1].Name} ({chunk.Length} files)";
            doneBytes += chunk.Sum(p => p.Fingerprint.Size);
            run.SetWork(new WorkCount(doneBytes, totalBytes, "bytes"));
            run.ExecuteBatch(label, null, scope =>
            {
                long total = 0;
                var manifestUpdates = new List<MetaStore.ManifestUpdate>(chunk.Length);
                foreach (var p in chunk)
                {
                    long read = 0;
                    CsvReadAhead.Item item;
                    while (!(item = LoadTimings.Measure(scope.Timings, "waiting for the read-ahead", () => readAhead.Next(p.Name, cancellationToken))).EndOfFile)
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

                        if (p.DateProblem is { } dateText)
                        {
                            scope.Flag(spec.Target!, p.Name, "file_date_invalid", p.Name, dateText);
                        }

                        if (item.ExtraColumns.Count > 0)
                        {
                            scope.Flag(spec.Target!, p.Name, "schema_extra_column", string.Join(",", item.ExtraColumns),
                                $"the file {p.Name} has column(s) {string.Join(", ", item.ExtraColumns)} that the spec does not declare: not loaded");
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

                        if (!p.Reread)
                        {
                            manifestUpdates.Add(new(p.Name, p.Fingerprint, p.ModifiedAt, "loaded", read, p.Replaces is { } e ? $"version replacing sha256 {e.Sha256[..12]}… of batch {e.BatchId.ToString(CultureInfo.InvariantCulture)}" : p.Fingerprint.EncodingNote));
                        }
                    }

                    total += read;
                }

                scope.Transform();
                LoadTimings.Measure(scope.Timings, "manifest", () => meta.UpsertManifest(spec.Name, scope.BatchId, manifestUpdates));
                return new BatchCounts(total, null);
            });
        }
    }

    /// <summary>The date in a drop file's name (<c>source.file_date_regex</c>, <c>file_date_format</c>), or why the name has none (null when the spec declares no date).</summary>
    private static (DateOnly? Date, string? Problem) FileDate(SourceSpec source, Regex? dateRegex, string name)
    {
        if (dateRegex is null)
        {
            return (null, null);
        }

        var format = source.FileDateFormat ?? "yyyyMMdd";
        if (dateRegex.Match(name) is not { Success: true } m)
        {
            return (null, $"the file name {name} does not match file_date_regex {source.FileDateRegex}: its date is unknown (loaded; a backfill window cannot select it)");
        }

        return DateOnly.TryParseExact(m.Groups[1].Value, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? (date, null)
            : (null, $"the date '{m.Groups[1].Value}' in the file name {name} is not a valid {format} date (loaded; a backfill window cannot select it)");
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
    private static string? Incomplete(TimeProvider time, SourceSpec source, string folder, string name, FileInfo info)
    {
        if (source.CompletionMarker is { } marker && !File.Exists(Path.Combine(folder, marker.Replace("{file}", name, StringComparison.Ordinal))))
        {
            return $"no completion marker {marker.Replace("{file}", name, StringComparison.Ordinal)} yet";
        }

        if (source.StableFor is { } stable && time.GetUtcNow().UtcDateTime - info.LastWriteTimeUtc < stable)
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

}
