using DuckDB.NET.Data;

namespace TipWarehouse.Core;

/// <summary>The monthly report's figures per month materialized in <c>rpt.monthly_summary</c>: refreshed after every pipeline
/// run (and after a model is activated or calls are scored outside one), read by the reports while the warehouse is still in
/// the state they were computed from, so a report costs one row per month whatever the volume of facts.</summary>
/// <remarks>The rows are <see cref="LiveSql"/> (<c>rpt.v_monthly_national</c> with <c>rpt.v_tip_monthly</c>) at the time of the
/// refresh, stamped with <see cref="Stamp"/>: the last batch (every load, scoring, linkage and determination writes in one),
/// the active model, the scored calls (<c>tipw model score</c> scores outside a batch) and the months of <c>dim_date</c>. When
/// the stamp no longer matches (a write the refresh did not follow, a failed refresh, a warehouse not refreshed since this
/// table was added), <see cref="Relation"/> is the live query, so a figure is never stale, only slower.</remarks>
public static class MonthlySummary
{
    /// <summary>The summary table.</summary>
    public const string Table = "rpt.monthly_summary";

    /// <summary>The summary's columns, in table order (without <c>source_stamp</c>).</summary>
    public static readonly IReadOnlyList<string> Columns =
    [
        "year_month", "hotline_calls", "calls_tip_by_operator", "calls_scored", "calls_tip_by_model", "tip_police_reports", "tip_arrests",
        "cases_sent_to_prosecution", "formalizations", "sentences", "convictions",
        "op_not_tip_calls", "op_not_tip_sure_tip", "op_not_tip_sure_not", "op_tip_calls", "op_tip_sure_tip", "op_tip_sure_not",
        "tip_cases_sent_to_prosecution", "tip_cases_in_process", "persons_charged_pimping", "tip_convictions", "tip_definition_versions",
    ];

    /// <summary>The figures computed from the views: one row per month of <c>dim_date</c>, in <see cref="Columns"/> order.</summary>
    public static readonly string LiveSql = $"""
        SELECT n.year_month, n.hotline_calls, n.calls_tip_by_operator, n.calls_scored, n.calls_tip_by_model, n.tip_police_reports, n.tip_arrests,
               n.cases_sent_to_prosecution, n.formalizations, n.sentences, n.convictions,
               n.op_not_tip_calls, n.op_not_tip_sure_tip, n.op_not_tip_sure_not, n.op_tip_calls, n.op_tip_sure_tip, n.op_tip_sure_not,
               COALESCE(t.tip_cases_sent_to_prosecution, 0) AS tip_cases_sent_to_prosecution, COALESCE(t.tip_cases_in_process, 0) AS tip_cases_in_process,
               COALESCE(t.persons_charged_pimping, 0) AS persons_charged_pimping, COALESCE(t.tip_convictions, 0) AS tip_convictions,
               v.versions AS tip_definition_versions
        FROM rpt.v_monthly_national AS n
        LEFT JOIN rpt.v_tip_monthly AS t ON t.year_month = n.year_month
        CROSS JOIN (SELECT string_agg(version, ', ' ORDER BY version) AS versions
                    FROM (SELECT DISTINCT tip_definition_version AS version FROM dw.tip_determination) AS d) AS v
        """;

    private const string StampSql = """
        SELECT 'batch=' || (SELECT CAST(COALESCE(MAX(batch_id), 0) AS VARCHAR) FROM meta.batch)
            || '|models=' || COALESCE((SELECT string_agg(CAST(model_key AS VARCHAR), ',' ORDER BY model_key) FROM dw.dim_model WHERE CAST(is_active AS BOOLEAN) AND model_key > 0), '')
            || '|scores=' || (SELECT CAST(COUNT(*) AS VARCHAR) FROM dw.fact_call_score)
            || '|months=' || (SELECT CAST(COUNT(*) AS VARCHAR) FROM dw.dim_date)
        """;

    /// <summary>The warehouse state the summary depends on, as one string.</summary>
    public static string Stamp(DuckDBConnection connection) => Sql.Scalar<string>(connection, StampSql) ?? "";

    /// <summary>The relation a report reads the monthly figures from: the summary table while its stamp matches the warehouse,
    /// else <see cref="LiveSql"/> as a subquery (same columns, same values).</summary>
    public static string Relation(DuckDBConnection connection) => IsFresh(connection) ? Table : $"({LiveSql})";

    /// <summary>Whether the summary's rows were computed from the warehouse as it is now.</summary>
    public static bool IsFresh(DuckDBConnection connection) =>
        Exists(connection) && Sql.Scalar<string>(connection, $"SELECT MIN(source_stamp) FROM {Table}") is { } stored && stored == Stamp(connection);

    /// <summary>Recomputes the summary unless it is fresh; returns whether it did. A warehouse without the table (not upgraded
    /// by <c>tipw init</c> yet) is left alone.</summary>
    public static bool RefreshIfStale(DuckDBConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (!Exists(connection) || IsFresh(connection))
        {
            return false;
        }

        using var transaction = connection.BeginTransaction();
        var stamp = Stamp(connection);
        Sql.Execute(connection, $"DELETE FROM {Table}");
        Sql.Execute(connection, $"INSERT INTO {Table} ({string.Join(", ", Columns)}, source_stamp) SELECT s.*, {Sql.Literal(stamp)} FROM ({LiveSql}) AS s");
        transaction.Commit();
        return true;
    }

    private static bool Exists(DuckDBConnection connection) =>
        Sql.Scalar<long>(connection, "SELECT COUNT(*) FROM duckdb_tables() WHERE schema_name = 'rpt' AND table_name = 'monthly_summary'") > 0;
}
