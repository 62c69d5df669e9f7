using DuckDB.NET.Data;
using TipWarehouse.Core.Pipelines;

namespace TipWarehouse.Core;

/// <summary>The monthly and funnel reports' figures materialized in <c>rpt.monthly_summary</c> and <c>rpt.funnel_summary</c>:
/// refreshed after every pipeline run (once after the last when several run together, as in <c>tipw run --all</c>; and after
/// a model is activated or calls are scored outside one), read by the reports
/// while the warehouse is still in the state they were computed from, so a report costs a row per month (and per stage and
/// day count) whatever the volume of facts and cases.</summary>
/// <remarks>The rows are <see cref="MonthlyLiveSql"/> and <see cref="FunnelLiveSql"/> at the time of the refresh, stamped with
/// <see cref="Stamp"/>: the last batch that did not fail (every load, scoring, linkage and determination writes in one), the active model, the
/// scored calls (<c>tipw model score</c> scores outside a batch) and the days of <c>dim_date</c>. When the stamp no longer
/// matches (a write the refresh did not follow, a failed refresh, a warehouse not refreshed since these tables were added),
/// <see cref="MonthlyRelation"/> and <see cref="FunnelRelation"/> are the live queries, so a figure is never stale, only slower.</remarks>
public static class ReportSummary
{
    /// <summary>The monthly summary table.</summary>
    public const string MonthlyTable = "rpt.monthly_summary";

    /// <summary>The funnel summary table.</summary>
    public const string FunnelTable = "rpt.funnel_summary";

    /// <summary>The monthly summary's columns, in table order (without <c>source_stamp</c>).</summary>
    public static readonly IReadOnlyList<string> MonthlyColumns =
    [
        "year_month", "hotline_calls", "calls_tip_by_operator", "calls_scored", "calls_tip_by_model", "tip_police_reports", "tip_arrests",
        "cases_sent_to_prosecution", "formalizations", "sentences", "convictions",
        "op_not_tip_calls", "op_not_tip_sure_tip", "op_not_tip_sure_not", "op_tip_calls", "op_tip_sure_tip", "op_tip_sure_not",
        "tip_cases_sent_to_prosecution", "tip_cases_in_process", "persons_charged_pimping", "tip_convictions", "tip_definition_versions",
        "tip_posterior_by_model", "tip_posterior_variance", "tip_posterior_rate_shift", "tip_posterior_false_rate_shift",
        "tip_label_rate", "false_tip_label_rate", "tip_label_rate_sd", "false_tip_label_rate_sd",
    ];

    /// <summary>The funnel summary's columns, in table order (without <c>source_stamp</c>).</summary>
    public static readonly IReadOnlyList<string> FunnelColumns = ["entry_year_month", "is_tip_related", "stage_order", "days_from_previous", "cases"];

    /// <summary>The <c>rpt.v_funnel_cases</c> date-key column of each funnel stage, in funnel order (stage_order 0, 1, …).</summary>
    public static readonly IReadOnlyList<string> FunnelDateColumns =
        ["call_date_key", "report_date_key", "prosecution_date_key", "charge_date_key", "trial_date_key", "conviction_date_key", "prison_date_key"];

    /// <summary>The <c>stage_order</c> of the funnel summary's rows that count the cases entered (whatever stage they reached).</summary>
    public const int FunnelEnteredStage = -1;

    /// <summary>The monthly figures computed from the views: one row per month of <c>dim_date</c>, in <see cref="MonthlyColumns"/> order.</summary>
    public static readonly string MonthlyLiveSql = """
        SELECT n.year_month, n.hotline_calls, n.calls_tip_by_operator, n.calls_scored, n.calls_tip_by_model, n.tip_police_reports, n.tip_arrests,
               n.cases_sent_to_prosecution, n.formalizations, n.sentences, n.convictions,
               n.op_not_tip_calls, n.op_not_tip_sure_tip, n.op_not_tip_sure_not, n.op_tip_calls, n.op_tip_sure_tip, n.op_tip_sure_not,
               COALESCE(t.tip_cases_sent_to_prosecution, 0) AS tip_cases_sent_to_prosecution, COALESCE(t.tip_cases_in_process, 0) AS tip_cases_in_process,
               COALESCE(t.persons_charged_pimping, 0) AS persons_charged_pimping, COALESCE(t.tip_convictions, 0) AS tip_convictions,
               v.versions AS tip_definition_versions,
               n.tip_posterior_by_model, n.tip_posterior_variance, n.tip_posterior_rate_shift, n.tip_posterior_false_rate_shift,
               r.tip_label_rate, r.false_tip_label_rate, r.tip_label_rate_sd, r.false_tip_label_rate_sd
        FROM rpt.v_monthly_national AS n
        LEFT JOIN rpt.v_tip_monthly AS t ON t.year_month = n.year_month
        CROSS JOIN rpt.v_model_noise_rates AS r
        CROSS JOIN (SELECT string_agg(version, ', ' ORDER BY version) AS versions
                    FROM (SELECT DISTINCT tip_definition_version AS version FROM dw.tip_determination) AS d) AS v
        """;

    /// <summary>The funnel's counts computed from <c>rpt.v_funnel_cases</c>, per entry month and TIP flag: the cases entered
    /// (<see cref="FunnelEnteredStage"/>, <c>days_from_previous</c> NULL), the cases that reached each stage (NULL days), and
    /// per stage after the first the cases that reached it and the stage before, by the days between the two (a date key ≤ 0
    /// is a stage not reached).</summary>
    public static readonly string FunnelLiveSql = BuildFunnelLiveSql();

    // A failed batch is recorded after its transaction rolled back, so it changed nothing the summaries read: the stamp's
    // batch is the last one that did not fail (else a failed linkage after the refresh sent every report to the live
    // queries: 4,972 ms instead of ~120 ms for the monthly report at ~10M calls).
    private const string CommittedBatches = $"meta.batch WHERE status <> '{PipelineRunStatus.Failed}'";

    private const string StampSql = $"""
        SELECT 'batch=' || (SELECT CAST(COALESCE(MAX(batch_id), 0) AS VARCHAR) FROM {CommittedBatches})
            || '|models=' || COALESCE((SELECT string_agg(CAST(model_key AS VARCHAR), ',' ORDER BY model_key) FROM dw.dim_model WHERE CAST(is_active AS BOOLEAN) AND model_key > 0), '')
            || '|scores=' || (SELECT CAST(COUNT(*) AS VARCHAR) FROM dw.fact_call_score)
            || '|days=' || (SELECT CAST(COUNT(*) AS VARCHAR) FROM dw.dim_date)
        """;

    /// <summary>The warehouse state the summaries depend on, as one string.</summary>
    public static string Stamp(DuckDBConnection connection) => Sql.Scalar<string>(connection, StampSql) ?? "";

    /// <summary>The relation the monthly figures are read from: the summary table while it is fresh, else
    /// <see cref="MonthlyLiveSql"/> as a subquery (same columns, same values).</summary>
    public static string MonthlyRelation(DuckDBConnection connection) => IsFresh(connection) ? MonthlyTable : $"({MonthlyLiveSql})";

    /// <summary>The relation the funnel counts are read from: the summary table while it is fresh, else <see cref="FunnelLiveSql"/>.</summary>
    public static string FunnelRelation(DuckDBConnection connection) => IsFresh(connection) ? FunnelTable : $"({FunnelLiveSql})";

    /// <summary>Whether both summaries were computed from the warehouse as it is now.</summary>
    public static bool IsFresh(DuckDBConnection connection)
    {
        if (!Exists(connection))
        {
            return false;
        }

        // Both tables are written in one transaction with one stamp; an empty funnel summary (no linked case) still carries it in the monthly one.
        var stored = Sql.Scalar<string>(connection, $"SELECT MIN(source_stamp) FROM {MonthlyTable}");
        var funnelStamps = Sql.Scalar<long>(connection, $"SELECT COUNT(DISTINCT source_stamp) FROM {FunnelTable} WHERE source_stamp IS DISTINCT FROM {Sql.Literal(stored ?? "")}");
        return stored is not null && funnelStamps == 0 && stored == Stamp(connection);
    }

    /// <summary>
    /// The tables the monthly figures read, lower case: those of <see cref="MonthlyLiveSql"/> through its views
    /// (<c>rpt.v_monthly_national</c>, <c>rpt.v_tip_monthly</c>, <c>rpt.v_model_noise_rates</c> and the views they read),
    /// checked against the compiled schema by a test. A batch whose pipeline writes none of them leaves the monthly rows
    /// as they are (<see cref="RefreshIfStale"/>).
    /// </summary>
    public static readonly IReadOnlyList<string> MonthlyInputs =
    [
        "dw.dim_case_stage", "dw.dim_date", "dw.dim_model", "dw.fact_arrest", "dw.fact_call_score", "dw.fact_case_event",
        "dw.fact_hotline_call", "dw.fact_police_report", "dw.tip_determination",
    ];

    /// <summary>
    /// Recomputes both summaries unless they are fresh; returns whether it did. A warehouse without the tables (not
    /// upgraded by <c>tipw init</c> yet) is left alone. Opens its own transaction.
    /// </summary>
    /// <param name="connection">The warehouse.</param>
    /// <param name="pipelineWrites">The tables a pipeline's batches write, by pipeline name, when it declares them (a
    /// step such as linkage); null for a pipeline whose writes are not declared. When every batch since the monthly rows
    /// were stamped is of a pipeline that declares no table of <see cref="MonthlyInputs"/>, and nothing else in the stamp
    /// changed, the monthly rows still hold: they are re-stamped, and only the funnel is recomputed. Without it, both are.</param>
    public static bool RefreshIfStale(DuckDBConnection connection, Func<string, IReadOnlyList<string>?>? pipelineWrites = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (!Exists(connection) || IsFresh(connection))
        {
            return false;
        }

        using var transaction = connection.BeginTransaction();
        var current = Stamp(connection);
        var stamp = Sql.Literal(current);
        if (pipelineWrites is not null && MonthlyStillHolds(connection, current, pipelineWrites))
        {
            Sql.Execute(connection, $"UPDATE {MonthlyTable} SET source_stamp = {stamp}");
        }
        else
        {
            Sql.Execute(connection, $"DELETE FROM {MonthlyTable}");
            Sql.Execute(connection, $"INSERT INTO {MonthlyTable} ({string.Join(", ", MonthlyColumns)}, source_stamp) SELECT s.*, {stamp} FROM ({MonthlyLiveSql}) AS s");
        }

        Sql.Execute(connection, $"DELETE FROM {FunnelTable}");
        Sql.Execute(connection, $"INSERT INTO {FunnelTable} ({string.Join(", ", FunnelColumns)}, source_stamp) SELECT s.*, {stamp} FROM ({FunnelLiveSql}) AS s");
        transaction.Commit();
        return true;
    }

    // Whether the monthly rows, stamped at an earlier batch, are still what MonthlyLiveSql gives: one stamp on every row,
    // the same model, scores and days as now, and every batch since then of a pipeline that declares its writes and
    // writes none of MonthlyInputs.
    private static bool MonthlyStillHolds(DuckDBConnection connection, string current, Func<string, IReadOnlyList<string>?> pipelineWrites)
    {
        if (Sql.Scalar<long>(connection, $"SELECT COUNT(DISTINCT source_stamp) FROM {MonthlyTable}") != 1
            || Sql.Scalar<string>(connection, $"SELECT MIN(source_stamp) FROM {MonthlyTable}") is not { } stored
            || StampBatch(stored) is not { } storedBatch || StampBatch(current) is not { } currentBatch
            || storedBatch > currentBatch
            || !string.Equals(stored[stored.IndexOf('|', StringComparison.Ordinal)..], current[current.IndexOf('|', StringComparison.Ordinal)..], StringComparison.Ordinal))
        {
            return false;
        }

        var inputs = MonthlyInputs.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var pipelines = Sql.Query(connection, $"SELECT DISTINCT pipeline FROM {CommittedBatches} AND batch_id > $after", r => r.GetString(0), ("after", storedBatch));
        return pipelines.All(p => pipelineWrites(p) is { } writes && !writes.Any(inputs.Contains));
    }

    // The batch id of a stamp ("batch=N|…"), or null for a stamp of another form.
    private static long? StampBatch(string stamp)
    {
        var bar = stamp.IndexOf('|', StringComparison.Ordinal);
        return stamp.StartsWith("batch=", StringComparison.Ordinal) && bar > 6
            && long.TryParse(stamp.AsSpan(6, bar - 6), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var batch)
            ? batch : null;
    }

    private static bool Exists(DuckDBConnection connection) =>
        Sql.Scalar<long>(connection, "SELECT COUNT(*) FROM duckdb_tables() WHERE schema_name = 'rpt' AND table_name IN ('monthly_summary', 'funnel_summary')") == 2;

    private static string BuildFunnelLiveSql()
    {
        var parts = new List<string>
        {
            $"SELECT entry_year_month, tip, {FunnelEnteredStage} AS stage_order, CAST(NULL AS INTEGER) AS days_from_previous, COUNT(*) AS cases FROM c GROUP BY entry_year_month, tip",
        };
        for (var s = 0; s < FunnelDateColumns.Count; s++)
        {
            var column = FunnelDateColumns[s];
            parts.Add($"SELECT entry_year_month, tip, {s}, CAST(NULL AS INTEGER), COUNT(*) FROM c WHERE {column} > 0 GROUP BY entry_year_month, tip");
            if (s > 0)
            {
                var previous = FunnelDateColumns[s - 1];
                var days = $"CAST({Sql.DayNumber(column)} - {Sql.DayNumber(previous)} AS INTEGER)";
                parts.Add($"SELECT entry_year_month, tip, {s}, {days}, COUNT(*) FROM c WHERE {previous} > 0 AND {column} > 0 GROUP BY entry_year_month, tip, {days}");
            }
        }

        return $"""
            WITH c AS (SELECT entry_year_month, CAST(is_tip_related AS BOOLEAN) AS tip, {string.Join(", ", FunnelDateColumns)} FROM rpt.v_funnel_cases)
            SELECT entry_year_month, tip AS is_tip_related, stage_order, days_from_previous, cases FROM (
            {string.Join("\nUNION ALL ", parts)}
            ) AS f
            """;
    }
}
