using System.Globalization;
using DuckDB.NET.Data;
using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;
using TipWarehouse.Etl.Specs;

namespace TipWarehouse.Etl.Engine;

/// <summary>
/// The archive of one batch's accepted staging rows (<c>H/archive/PIPELINE/BATCH/</c>): the staged rows after validation,
/// pseudonymisation, narrative scrubbing and the duplicate rule (what the transforms read), the child rows, and the
/// batch's engine flags (validation, file, duplicate), as Parquet. Written to <c>BATCH.partial/</c> inside the batch's
/// transaction and renamed after its commit; <see cref="Reconcile"/> settles what a crash left between the two.
/// </summary>
internal sealed class BatchArchive
{
    /// <summary>The staged rows of the spec's target table.</summary>
    public const string RowsFile = "rows.parquet";

    /// <summary>The staged rows of the spec's child table, when it has one.</summary>
    public const string ChildFile = "child.parquet";

    /// <summary>The batch's <c>meta.data_quality_flag</c> rows raised before the transforms ran.</summary>
    public const string FlagsFile = "flags.parquet";

    /// <summary>The columns of <c>meta.data_quality_flag</c>, in table order.</summary>
    public static readonly IReadOnlyList<string> FlagColumns = ["batch_id", "pipeline", "table_name", "natural_key", "flag", "source_value", "detail"];

    private const string PartialSuffix = ".partial";
    private readonly string _final;
    private readonly string _partial;

    public BatchArchive(TipwHome home, string pipeline, long batchId)
    {
        _final = BatchDirectory(home, pipeline, batchId);
        _partial = _final + PartialSuffix;
    }

    /// <summary>The folder of a committed batch's archive.</summary>
    public static string BatchDirectory(TipwHome home, string pipeline, long batchId) =>
        Path.Combine(home.ArchiveDirectory, pipeline, batchId.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// Writes the staging tables and the batch's flags so far to the partial folder (inside the batch transaction, after the
    /// duplicate rule and before the transforms): those the duplicate rule wrote and <paramref name="engineFlags"/> (rows of
    /// <c>meta.data_quality_flag</c> the engine writes after the transforms).
    /// </summary>
    public void Write(DuckDBConnection connection, PipelineSpec spec, long batchId, IEnumerable<object?[]> engineFlags)
    {
        foreach (var dir in new[] { _partial, _final })
        {
            // Left by a batch of the same id that never committed (a warehouse restored from a backup): not this batch's rows.
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        OwnerOnly.CreateDirectory(Path.GetDirectoryName(_partial)!);
        OwnerOnly.CreateDirectory(_partial);
        Copy(connection, $"SELECT * FROM {spec.Target}", Path.Combine(_partial, RowsFile));
        if (spec.Child is { } child)
        {
            Copy(connection, $"SELECT * FROM {child.Target}", Path.Combine(_partial, ChildFile));
        }

        Sql.Execute(connection, $"CREATE OR REPLACE TEMP TABLE archive_flag AS SELECT * FROM meta.data_quality_flag WHERE batch_id = {batchId.ToString(CultureInfo.InvariantCulture)}");
        Sql.InsertRows(connection, "archive_flag", FlagColumns, engineFlags);
        Copy(connection, "SELECT * FROM archive_flag", Path.Combine(_partial, FlagsFile));
        Sql.Execute(connection, "DROP TABLE archive_flag");
    }

    /// <summary>Renames the partial folder to the batch's folder once the batch committed; a failure here is settled by <see cref="Reconcile"/> at the next start.</summary>
    public bool TryPublish()
    {
        try
        {
            if (Directory.Exists(_partial))
            {
                Directory.Move(_partial, _final);
            }

            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Removes the partial folder of a batch that rolled back.</summary>
    public void Discard()
    {
        try
        {
            if (Directory.Exists(_partial))
            {
                Directory.Delete(_partial, recursive: true);
            }
        }
        catch (IOException)
        {
            // Settled by Reconcile at the next start: a partial folder without a committed batch is removed there.
        }
    }

    /// <summary>
    /// Settles the archive of <paramref name="pipeline"/> against <c>meta.batch</c> (under the writer lock): a partial folder of a
    /// committed batch (the process stopped between commit and rename) is published, one of a batch that did not commit is removed,
    /// and so is a folder whose batch is not a committed batch of this pipeline. Returns what it did, one line per folder.
    /// </summary>
    public static IReadOnlyList<string> Reconcile(DuckDBConnection connection, TipwHome home, string pipeline)
    {
        var root = Path.Combine(home.ArchiveDirectory, pipeline);
        if (!Directory.Exists(root))
        {
            return [];
        }

        var committed = Sql.Query(connection, "SELECT batch_id FROM meta.batch WHERE pipeline = $p AND status = $s",
            r => r.GetInt64(0), ("p", pipeline), ("s", PipelineRunStatus.Succeeded)).ToHashSet();
        var actions = new List<string>();
        foreach (var dir in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(dir);
            var partial = name.EndsWith(PartialSuffix, StringComparison.Ordinal);
            if (!long.TryParse(partial ? name[..^PartialSuffix.Length] : name, NumberStyles.None, CultureInfo.InvariantCulture, out var batchId))
            {
                continue;
            }

            var final = BatchDirectory(home, pipeline, batchId);
            if (partial && committed.Contains(batchId) && !Directory.Exists(final))
            {
                Directory.Move(dir, final);
                actions.Add($"archive of batch {batchId.ToString(CultureInfo.InvariantCulture)} published (its batch committed before the process stopped)");
            }
            else if (partial || !committed.Contains(batchId))
            {
                Directory.Delete(dir, recursive: true);
                actions.Add($"archive folder {name} removed (no committed batch {batchId.ToString(CultureInfo.InvariantCulture)} of {pipeline})");
            }
        }

        return actions;
    }

    private static void Copy(DuckDBConnection connection, string query, string path)
    {
        Sql.Execute(connection, $"COPY ({query}) TO {Sql.Literal(path)} (FORMAT parquet, COMPRESSION zstd)");
        OwnerOnly.RestrictFile(path);
    }
}
