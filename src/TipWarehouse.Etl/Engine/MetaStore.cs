using DuckDB.NET.Data;
using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;
using TipWarehouse.Etl.Extraction;

namespace TipWarehouse.Etl.Engine;

/// <summary>Reads and writes the run history, manifest and watermarks in <c>meta</c>.</summary>
internal sealed class MetaStore(DuckDBConnection connection, TimeProvider time)
{
    /// <summary>One file of the manifest as recorded: its fingerprint, status and batch.</summary>
    public readonly record struct ManifestEntry(string Sha256, string Status, long BatchId, long Size, DateTime? ModifiedAt);

    /// <summary>One file's manifest entry to write at the end of its batch.</summary>
    public sealed record ManifestUpdate(string FileName, FileFingerprint Fingerprint, DateTime ModifiedAt, string Status, long Rows, string? Reason);

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    public void EnsureSchema()
    {
        var n = Sql.Scalar<long>(connection, "SELECT count(*) FROM information_schema.tables WHERE table_catalog = current_database() AND table_schema = 'meta' AND table_name IN ('pipeline_run', 'batch', 'watermark', 'file_manifest', 'reject', 'sequence_gap', 'source_row_hash', 'full_compare')");
        if (n < 8)
        {
            throw new WarehouseException("The warehouse lacks meta tables (none, or from an older version); run 'tipw init' first (it adds what is missing).");
        }
    }

    public long StartRun(string pipeline, PipelineRunRequest request)
    {
        var runId = Sql.Scalar<long>(connection, "SELECT coalesce(max(run_id), 0) + 1 FROM meta.pipeline_run");
        Sql.Execute(connection, 
            "INSERT INTO meta.pipeline_run (run_id, pipeline, trigger_kind, started_at, finished_at, status, error, window_from, window_to, host) VALUES ($r, $p, $t, $s, NULL, $st, NULL, $f, $to, $h)",
            ("r", runId), ("p", pipeline), ("t", request.TriggerKind), ("s", Now), ("st", PipelineRunStatus.Running), ("f", request.From), ("to", request.To), ("h", Environment.MachineName));
        return runId;
    }

    /// <summary>Marks every run still <c>running</c> as failed: called under the writer lock, so such a run belongs to a process that died (kill -9, power loss, full disk) and holds no transaction; its batch rolled back. Returns the runs marked.</summary>
    public IReadOnlyList<(long RunId, string Pipeline)> MarkInterruptedRuns(long nextRunId)
    {
        var runs = new List<(long, string)>();
        using (var command = Sql.Command(connection, "SELECT run_id, pipeline FROM meta.pipeline_run WHERE status = $st ORDER BY run_id", ("st", PipelineRunStatus.Running)))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                runs.Add((reader.GetInt64(0), reader.GetString(1)));
            }
        }

        if (runs.Count > 0)
        {
            Sql.Execute(connection, 
                "UPDATE meta.pipeline_run SET status = $st, finished_at = $f, error = $e WHERE status = $running",
                ("st", PipelineRunStatus.Failed), ("f", Now), ("running", PipelineRunStatus.Running),
                ("e", $"interrupted: the process stopped while this run was running (found by run {nextRunId.ToString(System.Globalization.CultureInfo.InvariantCulture)}); its open batch was rolled back and the run after it resumes from the last committed batch"));
        }

        return runs;
    }

    /// <summary>The next run id (what <see cref="StartRun"/> will return).</summary>
    public long NextRunId() => Sql.Scalar<long>(connection, "SELECT coalesce(max(run_id), 0) + 1 FROM meta.pipeline_run");

    public void FinishRun(long runId, string status, string? error) =>
        Sql.Execute(connection, "UPDATE meta.pipeline_run SET status = $st, finished_at = $f, error = $e WHERE run_id = $r", ("st", status), ("f", Now), ("e", error), ("r", runId));

    public long NextBatchId() => Sql.Scalar<long>(connection, "SELECT coalesce(max(batch_id), 0) + 1 FROM meta.batch");

    public long NextRejectId() => Sql.Scalar<long>(connection, "SELECT coalesce(max(reject_id), 0) + 1 FROM meta.reject");

    public void InsertBatch(long batchId, long runId, string pipeline, string source, string status, long read, long loaded, long rejected, long duplicate, string? before, string? after, DateTimeOffset started, string? error)
    {
        var finished = time.GetUtcNow();
        Sql.Execute(connection, 
            """
            INSERT INTO meta.batch (batch_id, run_id, pipeline, source, status, rows_read, rows_loaded, rows_rejected, rows_duplicate, watermark_before, watermark_after, started_at, finished_at, duration_ms, error)
            VALUES ($b, $r, $p, $src, $st, $rd, $ld, $rj, $dp, $wb, $wa, $s, $f, $ms, $e)
            """,
            ("b", batchId), ("r", runId), ("p", pipeline), ("src", source), ("st", status), ("rd", read), ("ld", loaded), ("rj", rejected), ("dp", duplicate),
            ("wb", before), ("wa", after), ("s", started.UtcDateTime), ("f", finished.UtcDateTime), ("ms", (long)(finished - started).TotalMilliseconds), ("e", error));
    }

    /// <summary>Every file of <paramref name="pipeline"/>'s manifest, by file name (one query per run, not one per file).</summary>
    public Dictionary<string, ManifestEntry> Manifest(string pipeline)
    {
        using var command = Sql.Command(connection, "SELECT file_name, file_sha256, status, batch_id, file_size, file_modified_at FROM meta.file_manifest WHERE pipeline = $p", ("p", pipeline));
        using var reader = command.ExecuteReader();
        var entries = new Dictionary<string, ManifestEntry>(StringComparer.Ordinal);
        while (reader.Read())
        {
            entries[reader.GetString(0)] = new ManifestEntry(reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetInt64(4), reader.IsDBNull(5) ? null : reader.GetDateTime(5));
        }

        return entries;
    }

    /// <summary>Records the files of one batch in the manifest in one statement (inserted, or updated when seen before).</summary>
    public void UpsertManifest(string pipeline, long batchId, IReadOnlyCollection<ManifestUpdate> updates)
    {
        if (updates.Count == 0)
        {
            return;
        }

        var rows = new List<string>(updates.Count);
        var parameters = new List<(string Name, object? Value)> { ("p", pipeline), ("b", batchId), ("at", Now) };
        var i = 0;
        foreach (var u in updates)
        {
            rows.Add($"($p, $f{i}, $sz{i}, $sha{i}, $st{i}, $n{i}, $b, $at, $r{i}, $m{i})");
            parameters.AddRange([
                ($"f{i}", u.FileName), ($"sz{i}", u.Fingerprint.Size), ($"sha{i}", u.Fingerprint.Sha256), ($"st{i}", u.Status), ($"n{i}", u.Rows),
                ($"r{i}", u.Reason is null ? null : u.Reason.Length > 400 ? u.Reason[..400] : u.Reason), ($"m{i}", u.ModifiedAt)]);
            i++;
        }

        Sql.Execute(connection, 
            $"""
            INSERT INTO meta.file_manifest (pipeline, file_name, file_size, file_sha256, status, rows_read, batch_id, recorded_at, reason, file_modified_at)
            VALUES {string.Join(", ", rows)}
            ON CONFLICT (pipeline, file_name) DO UPDATE SET file_size = excluded.file_size, file_sha256 = excluded.file_sha256, status = excluded.status,
                rows_read = excluded.rows_read, batch_id = excluded.batch_id, recorded_at = excluded.recorded_at, reason = excluded.reason,
                file_modified_at = excluded.file_modified_at
            """,
            [.. parameters]);
    }

    public string? Watermark(string pipeline, string name)
    {
        using var command = Sql.Command(connection, "SELECT watermark_value FROM meta.watermark WHERE pipeline = $p AND watermark_name = $n", ("p", pipeline), ("n", name));
        return command.ExecuteScalar() as string;
    }

    public void SetWatermark(string pipeline, string name, string value, long batchId)
    {
        Sql.Execute(connection, 
            """
            INSERT INTO meta.watermark (pipeline, watermark_name, watermark_value, batch_id, updated_at) VALUES ($p, $n, $v, $b, $at)
            ON CONFLICT (pipeline, watermark_name) DO UPDATE SET watermark_value = excluded.watermark_value, batch_id = excluded.batch_id, updated_at = excluded.updated_at
            """,
            ("p", pipeline), ("n", name), ("v", value), ("b", batchId), ("at", Now));
    }

    /// <summary>The gaps recorded below <paramref name="pipeline"/>'s sequence watermark, in order.</summary>
    public List<(long From, long To)> SequenceGaps(string pipeline)
    {
        using var command = Sql.Command(connection, "SELECT gap_from, gap_to FROM meta.sequence_gap WHERE pipeline = $p ORDER BY gap_from", ("p", pipeline));
        using var reader = command.ExecuteReader();
        var gaps = new List<(long, long)>();
        while (reader.Read())
        {
            gaps.Add((reader.GetInt64(0), reader.GetInt64(1)));
        }

        return gaps;
    }

    /// <summary>When <paramref name="pipeline"/>'s last full-compare sweep ran (UTC), else when its first successful run started (the first load is the
    /// first baseline), or null when it never ran: a sweep is due <c>full_compare_every</c> after it.</summary>
    public DateTime? LastFullCompare(string pipeline)
    {
        using var command = Sql.Command(connection, """
            SELECT coalesce((SELECT compared_at FROM meta.full_compare WHERE pipeline = $p),
                            (SELECT min(started_at) FROM meta.pipeline_run WHERE pipeline = $p AND status = 'succeeded'))
            """, ("p", pipeline));
        return command.ExecuteScalar() is DateTime at ? DateTime.SpecifyKind(at, DateTimeKind.Utc) : null;
    }

    /// <summary>Records a finished full-compare sweep (after its batches committed: a sweep that failed midway is due again).</summary>
    public void RecordFullCompare(string pipeline, long runId, long compared, long changed) =>
        Sql.Execute(connection, "INSERT OR REPLACE INTO meta.full_compare (pipeline, compared_at, run_id, rows_compared, rows_changed) VALUES ($p, $at, $run, $compared, $changed)",
            ("p", pipeline), ("at", time.GetUtcNow().UtcDateTime), ("run", runId), ("compared", compared), ("changed", changed));

    /// <summary>Replaces <paramref name="pipeline"/>'s gaps (inside the batch's transaction, with its watermark).</summary>
    public void SetSequenceGaps(string pipeline, IReadOnlyList<(long From, long To)> gaps, long batchId)
    {
        Sql.Execute(connection, "DELETE FROM meta.sequence_gap WHERE pipeline = $p", ("p", pipeline));
        if (gaps.Count == 0)
        {
            return;
        }

        using var appender = connection.CreateAppender("meta", "sequence_gap");
        foreach (var (from, to) in gaps)
        {
            appender.CreateRow().AppendValue(pipeline).AppendValue(from).AppendValue(to).AppendValue(batchId).EndRow();
        }
    }
}
