using DuckDB.NET.Data;
using TipWarehouse.Core;

namespace TipWarehouse.Etl.Engine;

/// <summary>The run history of <c>tipw runs</c>: one row per batch (a run without batches shows once), oldest first, with the data tests that failed on it (warnings included).</summary>
public static class RunHistory
{
    /// <summary>The history of a home's warehouse, optionally for one pipeline and the last <paramref name="limit"/> rows.</summary>
    public static ResultTable Query(TipwHome home, string? pipeline = null, int? limit = null)
    {
        using var connection = Warehouse.Open(home, readOnly: true);
        return Query(connection, pipeline, limit);
    }

    /// <summary>The history from an open connection.</summary>
    public static ResultTable Query(DuckDBConnection connection, string? pipeline = null, int? limit = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT * FROM (
                SELECT r.run_id, b.batch_id, r.pipeline, b.source, coalesce(b.status, r.status) AS status,
                       coalesce(b.rows_read, 0) AS rows_read, coalesce(b.rows_loaded, 0) AS rows_loaded,
                       coalesce(b.rows_rejected, 0) AS rows_rejected, coalesce(b.rows_duplicate, 0) AS rows_duplicate,
                       b.watermark_before, b.watermark_after, coalesce(b.started_at, r.started_at) AS started_at,
                       coalesce(b.duration_ms, CAST(date_diff('millisecond', r.started_at, r.finished_at) AS BIGINT)) AS duration_ms,
                       coalesce(b.error, r.error) AS error, r.trigger_kind,
                       (SELECT string_agg(substr(q.check_name, 6) || ' (' || q.severity || ': ' || q.detail || ')', '; ' ORDER BY q.check_name)
                        FROM meta.data_quality_result AS q
                        WHERE q.batch_id = b.batch_id AND q.check_name LIKE 'test:%' AND NOT q.passed) AS failed_tests
                FROM meta.pipeline_run AS r
                LEFT JOIN meta.batch AS b ON b.run_id = r.run_id
                WHERE $p IS NULL OR r.pipeline = $p
                ORDER BY r.run_id DESC, b.batch_id DESC NULLS FIRST
                {(limit is { } n ? $"LIMIT {n}" : "")}
            ) ORDER BY run_id, batch_id NULLS FIRST
            """;
        command.Parameters.Add(new DuckDBParameter("p", (object?)pipeline ?? DBNull.Value));
        using var reader = command.ExecuteReader();
        return ResultTable.FromReader(reader);
    }
}
