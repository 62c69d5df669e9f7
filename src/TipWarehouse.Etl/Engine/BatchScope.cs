using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using TipWarehouse.Core;
using TipWarehouse.Etl.Extraction;
using TipWarehouse.Etl.Loading;
using TipWarehouse.Etl.Specs;
using TipWarehouse.Etl.Validation;

namespace TipWarehouse.Etl.Engine;

/// <summary>The work of one batch inside its transaction: staging, duplicate rule, transforms, rejects and quality flags.</summary>
internal sealed class BatchScope
{
    private readonly DuckDBConnection _connection;
    private readonly PipelineSpec _spec;
    private readonly MetaStore _meta;
    private readonly QuarantineWriter? _quarantine;
    private readonly IFaultInjector? _faults;
    private readonly List<RejectRecord> _rejects = [];
    private readonly Dictionary<(string Table, string Key, string Flag), (string? Value, string Detail)> _flags = [];
    private StagingWriter? _staging;

    public BatchScope(DuckDBConnection connection, PipelineSpec spec, long batchId, MetaStore meta, QuarantineWriter? quarantine, IFaultInjector? faults)
    {
        _connection = connection;
        _spec = spec;
        BatchId = batchId;
        _meta = meta;
        _quarantine = quarantine;
        _faults = faults;
    }

    public long BatchId { get; }

    public long Staged { get; private set; }

    public long Rejected { get; private set; }

    public long Duplicates { get; private set; }

    /// <summary>Staged rows the transforms did not load into the reconciled table (counted in <see cref="Rejected"/> too).</summary>
    public long Dropped { get; private set; }

    /// <summary>True in a full-compare sweep: a row already loaded is a duplicate only when its content hash is the one last loaded.</summary>
    public bool FullCompare { get; init; }

    /// <summary>True when the batch records the content hash of every row it loads (<c>meta.source_row_hash</c>), for later sweeps.</summary>
    public bool KeepRowHashes { get; init; }

    /// <summary>Rows of a sweep whose content changed although their watermark value did not advance (loaded, flagged <c>changed_at_source</c>).</summary>
    public long ChangedAtSource { get; private set; }

    /// <summary>Where the batch's time goes, when the engine measures it.</summary>
    public LoadTimings? Timings { get; init; }
    /// <summary>Where the batch archives its accepted staging rows before the transforms run (null: not archived).</summary>
    public BatchArchive? Archive { get; init; }

    /// <summary>True when the batch replays archived rows (<c>tipw rebuild</c>): they passed the duplicate rule when first loaded, so it is not applied again.</summary>
    public bool Replay { get; init; }

    /// <summary>Counts the rows a replay loaded into staging from the archive.</summary>
    public void StageArchived(long rows) => Staged += rows;

    public void ClearStaging()
    {
        Sql.Execute(_connection, $"DELETE FROM {_spec.Target}");
        if (_spec.Child is { } child)
        {
            Sql.Execute(_connection, $"DELETE FROM {child.Target}");
        }
    }

    public void Stage(StagingWriter staging, PreparedBatch prepared, string sourceFile)
    {
        _staging = staging;
        var (batch, verdict) = (prepared.Batch, prepared.Verdict);
        _rejects.AddRange(batch.Rejects);
        _rejects.AddRange(verdict.Rejects);
        Rejected += batch.Rejects.Count + verdict.Rejects.Count;
        foreach (var flag in verdict.Flags)
        {
            Flag(_spec.Target!, flag.NaturalKey, flag.Flag, flag.SourceValue, flag.Detail);
        }

        Staged += LoadTimings.Measure(Timings, "append to staging", () => staging.Append(prepared, BatchId, sourceFile));
    }

    public void Flag(string table, string naturalKey, string flag, string? sourceValue, string detail) =>
        _flags[(table, naturalKey.Length > 60 ? naturalKey[..60] : naturalKey, flag)] = (sourceValue is { Length: > 200 } ? sourceValue[..200] : sourceValue, detail.Length > 400 ? detail[..400] : detail);

    public void QuarantineFile(string path, string reasonCode, string reason, long rows, bool copy = true)
    {
        if (copy)
        {
            _quarantine?.CopyFile(path, reasonCode, reason);
        }

        _rejects.Add(new RejectRecord(Path.GetFileName(path), null, null, reasonCode, $"whole file quarantined ({rows} data rows): {reason}", null, null));
        Rejected += rows;
    }

    /// <summary>Writes the rows still buffered in the staging appenders into the staging tables (a no-op when none are); called before staging is read and before a failed batch rolls back.</summary>
    public void FlushStaging()
    {
        var staging = _staging;
        _staging = null;
        if (staging is not null)
        {
            LoadTimings.Measure(Timings, "append to staging", staging.Flush);
        }
    }

    /// <summary>Applies the duplicate rule, then the transform SQL files in order.</summary>
    public void Transform()
    {
        FlushStaging();
        _faults?.At(_spec.Name, "staged");
        if (_spec.Duplicates is { } rule && Staged > 0 && !Replay)
        {
            Duplicates = LoadTimings.Measure(Timings, "duplicate rule", () => RemoveDuplicates(rule));
        }

        Archive?.Write(_connection, _spec, BatchId, _flags.Select(f => new object?[] { BatchId, _spec.Name, f.Key.Table, f.Key.Key, Clip(f.Key.Flag, 40), f.Value.Value is null ? null : Clip(f.Value.Value, 200), f.Value.Detail }));

        foreach (var file in _spec.Transforms)
        {
            var sql = File.ReadAllText(file);
            try
            {
                LoadTimings.Measure(Timings, "transform " + Path.GetFileName(file), () => Sql.Execute(_connection, sql));
            }
            catch (DuckDBException ex)
            {
                throw new TipwException($"Pipeline {_spec.Name}: transform {Path.GetFileName(file)} failed in batch {BatchId}: {ex.Message}", ex);
            }

            _faults?.At(_spec.Name, "transform:" + Path.GetFileName(file));
        }

        if (_spec.Reconcile is { } reconcile && Staged > Duplicates)
        {
            LoadTimings.Measure(Timings, "reconciliation", () => RejectDropped(reconcile));
        }

        if (KeepRowHashes && !Replay && _spec.Duplicates is { } keyed && RowHash(keyed) is { } hash && Staged > Duplicates)
        {
            // The rows this batch loaded (still staged, and in the reconciled table when there is one) now have this content.
            var reached = _spec.Reconcile is { } r ? $"AND EXISTS (SELECT 1 FROM {r.Table} AS d WHERE d.{r.TableKey ?? r.Key} = s.{r.Key})" : "";
            RecordRowHashes(hash, $"s.batch_id = getvariable('batch_id') {reached}");
        }
    }

    /// <summary>Records the content hash of the staged rows <c>s</c> that meet <paramref name="condition"/>, the last version of a key in the batch winning.</summary>
    private void RecordRowHashes((string Key, string Hash) hash, string condition) => Sql.Execute(_connection, $"""
        INSERT OR REPLACE INTO meta.source_row_hash (pipeline, natural_key, row_hash, batch_id)
        SELECT DISTINCT ON (k) getvariable('pipeline'), k, h, getvariable('batch_id')
        FROM (SELECT {hash.Key} AS k, {hash.Hash} AS h, s.source_file, s.source_row FROM {_spec.Target} AS s WHERE {condition}) AS x
        ORDER BY k, source_file DESC, source_row DESC
        """);

    /// <summary>The natural key and content hash (SHA-256 of the staged content columns) of a staged row <c>s</c>, or null when the spec has no content columns.</summary>
    private (string Key, string Hash)? RowHash(DuplicateSpec rule)
    {
        var content = ContentColumns(rule);
        if (content.Count == 0)
        {
            return null;
        }

        var key = rule.Key.Count == 1 ? $"left(CAST(s.{rule.Key[0]} AS VARCHAR), 200)" : $"left(concat_ws('|', {string.Join(", ", rule.Key.Select(k => "s." + k))}), 200)";
        return (key, $"sha256(concat_ws(chr(31), {string.Join(", ", content.Select(c => $"coalesce(CAST(s.{c} AS VARCHAR), chr(0))"))}))");
    }

    /// <summary>The staged columns that carry a row's content: every spec target and pseudonym except the key and the version.</summary>
    private List<string> ContentColumns(DuplicateSpec rule) =>
        _spec.Columns.Where(c => c.Target is not null).Select(c => c.Target!)
            .Concat(_spec.Pii.SelectMany(p => new[] { p.Target, p.PhoneticTarget }).OfType<string>())
            .Except(rule.Key.Append(rule.Version ?? "").Append("source_updated_at"), StringComparer.Ordinal).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>End-to-end reconciliation: a staged row of this batch that is not in the final table was dropped by a transform; it is a reject whose reason is the flag the transform wrote for it (or the spec's reason).</summary>
    private void RejectDropped(ReconcileSpec reconcile)
    {
        var key = reconcile.Key;
        var tableKey = reconcile.TableKey ?? key;
        using var command = _connection.CreateCommand();
        command.CommandText = $"""
            SELECT s.source_file, s.source_row, CAST(s.{key} AS VARCHAR) AS k, f.detail
            FROM {_spec.Target} AS s
            LEFT JOIN (SELECT natural_key, min(flag || ': ' || detail) AS detail FROM meta.data_quality_flag WHERE batch_id = $b GROUP BY natural_key) AS f
                ON f.natural_key = left(CAST(s.{key} AS VARCHAR), 60)
            WHERE s.batch_id = $b AND NOT EXISTS (SELECT 1 FROM {reconcile.Table} AS d WHERE d.{tableKey} = s.{key})
            ORDER BY s.source_file, s.source_row
            """;
        command.Parameters.Add(new DuckDBParameter("b", BatchId));
        try
        {
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var value = reader.IsDBNull(2) ? "(null)" : reader.GetString(2);
                var why = reader.IsDBNull(3) ? reconcile.Reason : reader.GetString(3);
                _rejects.Add(new RejectRecord(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), key, "dropped_by_transform", $"{key} {value} not loaded into {reconcile.Table}: {why}", null, null));
                Dropped++;
                Rejected++;
            }
        }
        catch (DuckDBException ex)
        {
            throw new TipwException($"Pipeline {_spec.Name}: the reconciliation with {reconcile.Table} failed ({_spec.SpecPath}, reconcile): {ex.Message}", ex);
        }
    }

    private long RemoveDuplicates(DuplicateSpec rule)
    {
        var table = _spec.Target!;
        var sameKey = string.Join(" AND ", rule.Key.Select(k => $"s2.{k} IS NOT DISTINCT FROM s.{k}"));
        var later = rule.Version is { } v
            ? $"(s2.{v} > s.{v} OR (s2.{v} = s.{v} AND s2.source_row > s.source_row) OR (s2.{v} = s.{v} AND s2.source_row = s.source_row AND s2.source_file > s.source_file))"
            : "(s2.source_file < s.source_file OR (s2.source_file = s.source_file AND s2.source_row < s.source_row))";
        var predicate = $"EXISTS (SELECT 1 FROM {table} AS s2 WHERE {sameKey} AND {later})";
        if (FullCompare && RowHash(rule) is { } hash)
        {
            // A sweep trusts content, not the watermark: a row is already loaded when its hash is the one last loaded for its key. A key
            // loaded before hashes were kept counts as loaded by the spec's rule, and its hash is recorded now as the baseline.
            var stored = $"(SELECT h.row_hash FROM meta.source_row_hash AS h WHERE h.pipeline = getvariable('pipeline') AND h.natural_key = {hash.Key})";
            var loadedBefore = rule.AlreadyLoaded is { } al ? $"({al})" : "false";
            RecordRowHashes(hash, $"{stored} IS NULL AND {loadedBefore}");
            var changed = $"{stored} IS DISTINCT FROM {hash.Hash} AND {loadedBefore}";
            ChangedAtSource = Sql.Execute(_connection, $"""
                INSERT INTO meta.data_quality_flag (batch_id, pipeline, table_name, natural_key, flag, source_value, detail)
                SELECT DISTINCT ON (left({hash.Key}, 60)) getvariable('batch_id'), getvariable('pipeline'), '{table}', left({hash.Key}, 60), 'changed_at_source', NULL,
                    'the full-compare sweep found this row changed at the source without a newer {rule.Version ?? "version"}: loaded as the current version'
                FROM {table} AS s WHERE {changed} AND NOT EXISTS (SELECT 1 FROM {table} AS s2 WHERE {sameKey} AND {later})
                """);

            predicate += $" OR {stored} = {hash.Hash}";
        }
        else if (rule.AlreadyLoaded is { } loaded)
        {
            predicate += $" OR ({loaded})";
        }

        // A duplicate whose content differs from another row of the batch with its key is a conflict, flagged with where the dropped version is.
        var content = ContentColumns(rule);
        var conflict = content.Count == 0 ? "false"
            : $"EXISTS (SELECT 1 FROM {table} AS s3 WHERE {sameKey.Replace("s2.", "s3.", StringComparison.Ordinal)} AND s3.rowid <> s.rowid AND ({string.Join(" OR ", content.Select(c => $"s3.{c} IS DISTINCT FROM s.{c}"))}))";
        var key = rule.Key.Count == 1 ? $"CAST(s.{rule.Key[0]} AS VARCHAR)" : $"concat_ws('|', {string.Join(", ", rule.Key.Select(k => "s." + k))})";
        // One pass: the rule's predicate (and the conflict test) is evaluated once per staged row into a temporary table (not in the
        // warehouse's log), from which both the flags and the delete are taken.
        var duplicates = $"""
            CREATE OR REPLACE TEMP TABLE tmp_duplicate AS
            SELECT s.rowid AS staged_row, left({key}, 60) AS natural_key, {conflict} AS conflicting,
                   left(s.source_file || ':' || CAST(s.source_row AS VARCHAR), 200) AS location
            FROM {table} AS s WHERE {predicate}
            """;
        var flags = $"""
            INSERT INTO meta.data_quality_flag (batch_id, pipeline, table_name, natural_key, flag, source_value, detail)
            SELECT DISTINCT ON (natural_key, flag) getvariable('batch_id'), getvariable('pipeline'), '{table}', natural_key, flag, source_value, detail
            FROM (
                SELECT natural_key, CASE WHEN conflicting THEN 'conflicting_duplicate' ELSE 'duplicate' END AS flag,
                    CASE WHEN conflicting THEN location END AS source_value,
                    CASE WHEN conflicting THEN 'the same key with different content in this batch: the version at source_value (file:row) was not loaded, the other was; both stay in the source files'
                         ELSE 'already loaded, or repeated in the batch: counted in rows_duplicate, not loaded again' END AS detail
                FROM tmp_duplicate
            ) AS d
            ORDER BY natural_key, flag, source_value
            """;
        try
        {
            Sql.Execute(_connection, duplicates);
            Sql.Execute(_connection, flags);
            var removed = Sql.Execute(_connection, $"DELETE FROM {table} WHERE rowid IN (SELECT staged_row FROM tmp_duplicate)");
            Sql.Execute(_connection, "DROP TABLE tmp_duplicate");
            return removed;
        }
        catch (DuckDBException ex)
        {
            throw new TipwException($"Pipeline {_spec.Name}: the duplicates rule failed ({_spec.SpecPath}, duplicates): {ex.Message}", ex);
        }
    }

    public void WriteRejectsAndQuality(DateTime now, long read)
    {
        if (_rejects.Count > 0)
        {
            var id = _meta.NextRejectId();
            using (var appender = _connection.CreateAppender("meta", "reject"))
            {
                foreach (var r in _rejects)
                {
                    appender.CreateRow()
                        .AppendValue(id++)
                        .AppendValue(BatchId)
                        .AppendValue(_spec.Name)
                        .AppendValue(r.SourceFile)
                        .AppendValue(r.SourceRow)
                        .AppendValue(r.Column)
                        .AppendValue(Clip(r.ReasonCode, 40))
                        .AppendValue(Clip(r.Reason, 400))
                        .AppendValue(r.MaskedRawText)
                        .AppendValue((DateTime?)now)
                        .EndRow();
                }
            }

            _quarantine?.WriteRejects(_rejects);
        }

        if (_flags.Count > 0)
        {
            using var appender = _connection.CreateAppender("meta", "data_quality_flag");
            foreach (var ((table, key, flag), (value, detail)) in _flags)
            {
                appender.CreateRow().AppendValue(BatchId).AppendValue(_spec.Name).AppendValue(table).AppendValue(key).AppendValue(Clip(flag, 40)).AppendValue(value is null ? null : Clip(value, 200)).AppendValue(detail).EndRow();
            }
        }

        // One data-quality result per reject reason and per flag (flags also come from the transform SQL).
        using var command = _connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO meta.data_quality_result (batch_id, check_name, pipeline, table_name, column_name, severity, failed_rows, total_rows, passed, detail, checked_at)
            SELECT $b, 'reject:' || reason_code, $p, $t, min(source_column), 'error', sum(CASE WHEN source_row IS NULL THEN 0 ELSE 1 END), $n, false, min(reason), $now
            FROM meta.reject WHERE batch_id = $b GROUP BY reason_code
            UNION ALL
            SELECT $b, 'flag:' || flag, $p, min(table_name), NULL, 'warning', count(*), $n, false, min(detail), $now
            FROM meta.data_quality_flag WHERE batch_id = $b GROUP BY flag
            {CountedFlagResults()}
            """;
        command.Parameters.Add(new DuckDBParameter("b", BatchId));
        command.Parameters.Add(new DuckDBParameter("p", _spec.Name));
        command.Parameters.Add(new DuckDBParameter("t", _spec.Target));
        command.Parameters.Add(new DuckDBParameter("n", read));
        command.Parameters.Add(new DuckDBParameter("now", now));
        command.ExecuteNonQuery();
    }

    /// <summary>The result rows of the spec's counted flags: how many rows of this batch in each flag's table have its column true (none when no row has).</summary>
    private string CountedFlagResults() => string.Concat(_spec.CountedFlags.Select(f => $"""

        UNION ALL
        SELECT $b, 'flag:{f.Flag}', $p, '{f.Table}', '{f.Column}', 'warning', count(*), $n, false, {Sql.Literal(Clip(f.Detail, 400))}, $now
        FROM {f.Table} WHERE batch_id = $b AND {f.Column} HAVING count(*) > 0
        """));

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..max];

}

/// <summary>Writes a batch's quarantine folder (<c>H/quarantine/PIPELINE/BATCH/</c>) beside the transaction: published by atomic rename before commit, removed if the batch fails.</summary>
internal sealed class QuarantineWriter
{
    private readonly string _final;
    private readonly string _partial;

    public QuarantineWriter(TipwHome home, string pipeline, long batchId)
    {
        var folder = Path.Combine(home.QuarantineDirectory, pipeline);
        _final = Path.Combine(folder, batchId.ToString(CultureInfo.InvariantCulture));
        _partial = _final + ".partial";
    }

    private string Partial()
    {
        if (!Directory.Exists(_partial))
        {
            // Quarantined rows keep their raw text (names, DNI): owner-only, like the key.
            OwnerOnly.CreateDirectory(_partial);
        }

        return _partial;
    }

    public void CopyFile(string path, string reasonCode, string reason)
    {
        var dir = Partial();
        var copy = Path.Combine(dir, Path.GetFileName(path));
        File.Copy(path, copy, overwrite: true);
        OwnerOnly.RestrictFile(copy);
        File.WriteAllText(Path.Combine(dir, Path.GetFileName(path) + ".reason.txt"), $"{reasonCode}: {reason}{Environment.NewLine}");
        OwnerOnly.RestrictFile(Path.Combine(dir, Path.GetFileName(path) + ".reason.txt"));
    }

    public void WriteRejects(IReadOnlyList<RejectRecord> rejects)
    {
        var dir = Partial();
        var path = Path.Combine(dir, "rejects.csv");
        using var stream = OpenOwnerOnly(path);
        using var writer = new StreamWriter(stream, new UTF8Encoding(false));
        var csv = new CsvWriter(writer);
        if (writer.BaseStream.Length == 0)
        {
            csv.Header(["source_file", "source_row", "source_column", "reason_code", "reason", "raw_text"]);
        }

        // The raw text of a rejected row comes from outside: a cell like =HYPERLINK(...) is neutralised (CsvWriter.Text).
        foreach (var r in rejects)
        {
            csv.Text(r.SourceFile).Value(r.SourceRow?.ToString(CultureInfo.InvariantCulture)).Text(r.Column).Text(r.ReasonCode).Text(r.Reason).Text(r.RawText).EndRow();
        }
    }

    private static FileStream OpenOwnerOnly(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.Read };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly.FileMode;
        }

        var stream = new FileStream(path, options);
        OwnerOnly.RestrictFile(path);
        return stream;
    }

    public void Publish()
    {
        if (!Directory.Exists(_partial))
        {
            return;
        }

        if (Directory.Exists(_final))
        {
            Directory.Delete(_final, recursive: true);
        }

        Directory.Move(_partial, _final);
    }

    public void Discard()
    {
        foreach (var dir in new[] { _partial, _final })
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
