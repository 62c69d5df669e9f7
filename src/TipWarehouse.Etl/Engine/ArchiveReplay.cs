using System.Globalization;
using DuckDB.NET.Data;
using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;
using TipWarehouse.Etl.Specs;

namespace TipWarehouse.Etl.Engine;

/// <summary>One batch replayed by <c>tipw rebuild</c>: its reconciliation counts as replayed (read = loaded + rejected + duplicate) and as first loaded.</summary>
public sealed record ReplayedBatch(string Pipeline, long BatchId, string Source, long RowsRead, long RowsLoaded, long RowsRejected, long RowsDuplicate, long LoadedBefore, long RejectedBefore);

/// <summary>How one table a source pipeline owns changed in a rebuild: rows before and after, rows added and removed (by natural key), rows whose content changed.</summary>
public sealed record RebuiltTable(string Pipeline, string Table, long RowsBefore, long RowsAfter, long Added, long Removed, long Changed);

/// <summary>What the rebuild of one source pipeline replayed and changed.</summary>
public sealed record SourceRebuild(IReadOnlyList<ReplayedBatch> Batches, IReadOnlyList<RebuiltTable> Tables);

/// <summary>A run of <c>tipw rebuild</c> for one pipeline: the engine's result and, for a source pipeline, what its replay did.</summary>
public sealed record RebuildResult(PipelineRunResult Run, SourceRebuild? Replay);

/// <summary>
/// Re-derives a source pipeline's owned tables (spec <c>rebuild:</c>) from its archive (<see cref="BatchArchive"/>) inside the
/// caller's transaction: deletes the owned rows, replays every committed batch in its original order through the current
/// transforms (the duplicate rule already ran when the rows were first loaded), then gives each row whose natural key is
/// reproduced its old surrogate key back and refuses (throws, so the transaction rolls back) to remove a row that another
/// row still references.
/// </summary>
internal sealed class ArchiveReplay(DuckDBConnection connection, TipwHome home, PipelineSpec spec, MetaStore meta, IFaultInjector? faults)
{
    private sealed record ArchivedBatch(long BatchId, string Source, long Read, long Loaded, long Rejected, long Duplicate, DateTime StartedAt, bool Dropped, string Directory)
    {
        public bool Archived => System.IO.Directory.Exists(Directory);

        /// <summary>True when the batch staged rows for its transforms (loaded some, or had some dropped by a transform): without its archive a rebuild would lose them.</summary>
        public bool NeedsArchive => Loaded > 0 || Dropped;
    }

    /// <summary>Why the pipeline cannot be rebuilt from its archive (no <c>rebuild:</c> section, or committed batches without an archive), or null when it can.</summary>
    public string? Blocker()
    {
        if (spec.Rebuild.Count == 0)
        {
            return $"Pipeline {spec.Name} ({spec.SpecPath}) declares no rebuild: section (the tables its transforms own), so it is not re-derived from its archive: re-run it with 'tipw run {spec.Name}'.";
        }

        var batches = Batches();
        var missing = batches.Where(b => b.NeedsArchive && !b.Archived).ToList();
        if (missing.Count == 0)
        {
            return null;
        }

        var sources = string.Join(", ", missing.Take(5).Select(b => $"{b.BatchId.ToString(CultureInfo.InvariantCulture)} ({b.Source})")) + (missing.Count > 5 ? ", …" : "");
        var loaded = $"{missing.Min(b => b.StartedAt).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}..{missing.Max(b => b.StartedAt).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";
        return $"Pipeline {spec.Name}: {missing.Count.ToString(CultureInfo.InvariantCulture)} of its {batches.Count(b => b.NeedsArchive).ToString(CultureInfo.InvariantCulture)} loaded batches have no archive in {Path.Combine(home.ArchiveDirectory, spec.Name)} "
            + $"(loaded {loaded}, before the archive existed, or the folder was removed): batches {sources}, {missing.Sum(b => b.Loaded).ToString(CultureInfo.InvariantCulture)} rows. "
            + "A rebuild would lose their rows, so nothing was changed. Load the sources into a new home (tipw init --home NEW, then tipw run --all --home NEW) to have every batch archived.";
    }

    /// <summary>Replays every archived batch and re-keys the owned tables; <paramref name="replayed"/> hears of each batch as it is done.</summary>
    public SourceRebuild Run(DateTime now, Action<ReplayedBatch> replayed)
    {
        if (Blocker() is { } blocker)
        {
            throw new TipwException(blocker);
        }

        var owned = spec.Rebuild.Select((t, i) => (Spec: t, Old: $"rb_old_{i.ToString(CultureInfo.InvariantCulture)}")).ToList();
        foreach (var (table, old) in owned)
        {
            Sql.Execute(connection, $"CREATE OR REPLACE TEMP TABLE {old} AS SELECT * FROM {Owned(table)}");
            Sql.Execute(connection, $"DELETE FROM {table.Table}{(table.Where is { } w ? $" WHERE {w}" : "")}");
        }

        var results = new List<ReplayedBatch>();
        foreach (var batch in Batches().Where(b => b.Archived))
        {
            var result = ReplayBatch(batch, now);
            results.Add(result);
            replayed(result);
        }

        var tables = new List<RebuiltTable>();
        foreach (var (table, old) in owned)
        {
            Rekey(table, old);
        }

        foreach (var (table, old) in owned)
        {
            tables.Add(Compare(table, old));
            Sql.Execute(connection, $"DROP TABLE {old}");
        }

        return new SourceRebuild(results, tables);
    }

    private List<ArchivedBatch> Batches() => Sql.Query(connection, """
        SELECT b.batch_id, b.source, b.rows_read, b.rows_loaded, b.rows_rejected, b.rows_duplicate, b.started_at,
               EXISTS (SELECT 1 FROM meta.reject AS j WHERE j.batch_id = b.batch_id AND j.reason_code = 'dropped_by_transform')
        FROM meta.batch AS b JOIN meta.pipeline_run AS r ON r.run_id = b.run_id
        WHERE b.pipeline = $p AND b.status = $s AND r.trigger_kind <> 'rebuild'
        ORDER BY b.batch_id
        """, r => new ArchivedBatch(r.GetInt64(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5), r.GetDateTime(6), r.GetBoolean(7),
            BatchArchive.BatchDirectory(home, spec.Name, r.GetInt64(0))), ("p", spec.Name), ("s", PipelineRunStatus.Succeeded));

    private ReplayedBatch ReplayBatch(ArchivedBatch batch, DateTime now)
    {
        var id = batch.BatchId.ToString(CultureInfo.InvariantCulture);
        // The transforms stamp dw rows and flags with the batch that first loaded the rows, so a second rebuild writes the same rows.
        Sql.Execute(connection, $"SET VARIABLE batch_id = {id}");
        var archived = Load(spec.Target!, Path.Combine(batch.Directory, BatchArchive.RowsFile));
        if (spec.Child is { } child)
        {
            Load(child.Target, Path.Combine(batch.Directory, BatchArchive.ChildFile));
        }

        // The flags the engine raised before the transforms come back from the archive; the transforms raise theirs again, by the current rules.
        Sql.Execute(connection, $"DELETE FROM meta.data_quality_flag WHERE batch_id = {id}");
        Sql.Execute(connection, $"INSERT INTO meta.data_quality_flag ({string.Join(", ", BatchArchive.FlagColumns)}) SELECT {string.Join(", ", BatchArchive.FlagColumns)} FROM read_parquet({Sql.Literal(Path.Combine(batch.Directory, BatchArchive.FlagsFile))})");
        Sql.Execute(connection, $"DELETE FROM meta.reject WHERE batch_id = {id} AND reason_code = 'dropped_by_transform'");
        Sql.Execute(connection, $"DELETE FROM meta.data_quality_result WHERE batch_id = {id} AND (check_name LIKE 'reject:%' OR check_name LIKE 'flag:%')");

        var scope = new BatchScope(connection, spec, batch.BatchId, meta, quarantine: null, faults) { Replay = true };
        scope.StageArchived(archived);
        scope.Transform();
        scope.WriteRejectsAndQuality(now, batch.Read);

        // The rows rejected before staging (validation, quarantined files) stay rejected; the duplicates stay duplicates.
        var rejectedBeforeStaging = batch.Read - batch.Duplicate - archived;
        var loaded = archived - scope.Dropped;
        var rejected = rejectedBeforeStaging + scope.Dropped;
        if (rejectedBeforeStaging < 0)
        {
            throw new TipwException($"Pipeline {spec.Name}: the archive of batch {id} holds {archived.ToString(CultureInfo.InvariantCulture)} rows, more than the batch read and kept ({(batch.Read - batch.Duplicate).ToString(CultureInfo.InvariantCulture)}): it is not this batch's archive.");
        }

        return new ReplayedBatch(spec.Name, batch.BatchId, batch.Source, batch.Read, loaded, rejected, batch.Duplicate, batch.Loaded, batch.Rejected);
    }

    /// <summary>Empties a staging table and loads an archived file into it by column name (a column added to staging since is null); returns the rows.</summary>
    private long Load(string table, string file)
    {
        Sql.Execute(connection, $"DELETE FROM {table}");
        var parts = table.Split('.');
        var current = Sql.Query(connection, "SELECT column_name FROM information_schema.columns WHERE table_schema = $s AND table_name = $t",
            r => r.GetString(0), ("s", parts[0]), ("t", parts[1])).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var archived = Sql.Query(connection, $"SELECT name FROM parquet_schema({Sql.Literal(file)}) WHERE num_children IS NULL OR num_children = 0", r => r.GetString(0));
        var columns = archived.Where(current.Contains).Select(Sql.Identifier).ToList();
        return Sql.Execute(connection, $"INSERT INTO {table} ({string.Join(", ", columns)}) SELECT {string.Join(", ", columns)} FROM read_parquet({Sql.Literal(file)})");
    }

    /// <summary>Gives the rows whose natural key was reproduced their old surrogate key back (in the table and in every reference to it), then refuses to drop a row something still references.</summary>
    private void Rekey(RebuildTableSpec table, string old)
    {
        if (table.Surrogate is not { } key)
        {
            return;
        }

        var map = old + "_map";
        Sql.Execute(connection, $"""
            CREATE OR REPLACE TEMP TABLE {map} AS
            SELECT n.{key} AS new_key, o.{key} AS old_key
            FROM (SELECT * FROM {Owned(table)}) AS n JOIN {old} AS o ON {SameKey(table, "n", "o")}
            WHERE n.{key} <> o.{key}
            """);
        var ambiguous = Sql.Scalar<long>(connection, $"SELECT count(*) - count(DISTINCT new_key) + count(*) - count(DISTINCT old_key) FROM {map}");
        if (ambiguous > 0)
        {
            throw new TipwException($"Pipeline {spec.Name} ({spec.SpecPath}, rebuild): the key ({string.Join(", ", table.Key)}) does not identify one row of {table.Table}, so its surrogate keys cannot be kept: nothing was changed.");
        }

        // New keys come from the sequence, above every old one: a reference holding a new key was written by this replay.
        foreach (var reference in table.ReferencedBy)
        {
            var (referencing, column) = SplitColumn(reference);
            Sql.Execute(connection, $"UPDATE {referencing} SET {column} = m.old_key FROM {map} AS m WHERE {referencing}.{column} = m.new_key");
        }

        Sql.Execute(connection, $"UPDATE {table.Table} SET {key} = m.old_key FROM {map} AS m WHERE {table.Table}.{key} = m.new_key");
        Sql.Execute(connection, $"DROP TABLE {map}");

        var removed = $"(SELECT o.{key} FROM {old} AS o WHERE NOT EXISTS (SELECT 1 FROM (SELECT * FROM {Owned(table)}) AS n WHERE {SameKey(table, "n", "o")}))";
        foreach (var reference in table.ReferencedBy)
        {
            var (referencing, column) = SplitColumn(reference);
            var held = Sql.Scalar<long>(connection, $"SELECT count(*) FROM {referencing} WHERE {column} IN {removed}");
            if (held > 0)
            {
                var examples = Sql.Query(connection, $"SELECT CAST({column} AS VARCHAR) FROM {referencing} WHERE {column} IN {removed} GROUP BY 1 ORDER BY 1 LIMIT 5", r => r.GetString(0));
                throw new TipwException($"Pipeline {spec.Name}: the current transforms no longer produce rows of {table.Table} that {held.ToString(CultureInfo.InvariantCulture)} rows of {referencing} still reference ({column} {string.Join(", ", examples)}), "
                    + $"so the rebuild was rolled back and nothing was changed. Rebuild or re-run what writes {referencing} without them first, or keep the transforms producing those rows.");
            }
        }
    }

    private RebuiltTable Compare(RebuildTableSpec table, string old)
    {
        var now = $"(SELECT * FROM {Owned(table)})";
        var before = Sql.Scalar<long>(connection, $"SELECT count(*) FROM {old}");
        var after = Sql.Scalar<long>(connection, $"SELECT count(*) FROM {now}");
        var added = Sql.Scalar<long>(connection, $"SELECT count(*) FROM {now} AS n WHERE NOT EXISTS (SELECT 1 FROM {old} AS o WHERE {SameKey(table, "n", "o")})");
        var removed = Sql.Scalar<long>(connection, $"SELECT count(*) FROM {old} AS o WHERE NOT EXISTS (SELECT 1 FROM {now} AS n WHERE {SameKey(table, "n", "o")})");
        var columns = table.Downstream.Count == 0 ? "*" : $"* EXCLUDE ({string.Join(", ", table.Downstream)})";
        var different = Sql.Scalar<long>(connection, $"SELECT count(*) FROM (SELECT {columns} FROM {now} EXCEPT ALL SELECT {columns} FROM {old})");
        return new RebuiltTable(spec.Name, table.Table, before, after, added, removed, different - added);
    }

    private static string Owned(RebuildTableSpec table) => table.Where is { } where ? $"{table.Table} WHERE {where}" : table.Table;

    private static string SameKey(RebuildTableSpec table, string left, string right) =>
        string.Join(" AND ", table.Key.Select(k => $"{left}.{k} IS NOT DISTINCT FROM {right}.{k}"));

    private static (string Table, string Column) SplitColumn(string reference)
    {
        var last = reference.LastIndexOf('.');
        return (reference[..last], reference[(last + 1)..]);
    }
}
