namespace TipWarehouse.Linkage;

/// <summary>The accumulating snapshot <c>dw.fact_case_lifecycle</c>, recomputed from case membership and merged in place.</summary>
internal static class LifecycleSql
{
    private static readonly string[] s_milestones =
        ["FORMALIZATION", "ACCUSATION", "TRIAL", "SENTENCE", "PRISON_ENTRY", "RELEASE"];

    private static string Days(string from, string to) =>
        $"(CASE WHEN {from} > 0 AND {to} > 0 THEN date_diff('day', CAST(strptime(CAST({from} AS VARCHAR), '%Y%m%d') AS DATE), CAST(strptime(CAST({to} AS VARCHAR), '%Y%m%d') AS DATE)) END)";

    /// <summary>Columns of the snapshot that linkage writes for a new case.</summary>
    public static readonly string[] Columns =
    [
        "first_call_date_key", "police_report_date_key", "first_arrest_date_key", "prosecution_opened_date_key",
        "formalization_date_key", "accusation_date_key", "trial_date_key", "sentence_date_key", "prison_entry_date_key",
        "release_date_key", "days_call_to_report", "days_report_to_prosecution", "days_prosecution_to_formalization",
        "days_formalization_to_trial", "days_trial_to_sentence", "days_sentence_to_prison", "days_prison_to_release",
        "days_first_contact_to_sentence", "current_stage_key", "outcome", "geography_key", "police_unit_key",
        "crime_type_key", "is_tip_related", "hotline_call_count", "police_report_count", "arrest_count", "case_event_count",
    ];

    /// <summary>
    /// Columns a re-run compares and updates: all but <c>is_tip_related</c>, which the TIP determination owns once the case
    /// exists (it runs after linkage in every chain); linkage resetting it would make every full re-link rewrite the
    /// cases the determination decided, and a second rebuild change them again.
    /// </summary>
    public static readonly string[] ComparedColumns = [.. Columns.Where(c => c != "is_tip_related")];

    /// <summary>Builds <c>lk_lifecycle</c>: one row per case of <c>dw.case_membership</c> (only those of <c>lk_affected_case</c> when <paramref name="scoped"/>).</summary>
    public static string Build(bool scoped = false)
    {
        var milestoneColumns = string.Join(",\n", s_milestones.Select(code =>
            $"               min(e.event_date_key) FILTER (WHERE s.stage_code = '{code}' AND e.event_date_key > 0) AS {code.ToLowerInvariant()}_date_key"));
        return $"""
        CREATE OR REPLACE TEMP TABLE lk_lifecycle_base AS
        WITH m AS (SELECT record_type, record_id, case_id FROM dw.case_membership{(scoped ? " WHERE case_id IN (SELECT case_id FROM lk_affected_case)" : string.Empty)}),
        calls AS (
            SELECT m.case_id, min(c.call_date_key) FILTER (WHERE c.call_date_key > 0) AS first_call_date_key, count(*) AS n,
                   bool_or(COALESCE(CAST(c.is_tip_by_operator AS BOOLEAN), false)) AS tip,
                   arg_min(c.geography_key, c.call_date_key) FILTER (WHERE c.geography_key <> -1) AS geography_key,
                   arg_min(c.referred_police_unit_key, c.call_date_key) FILTER (WHERE c.referred_police_unit_key <> -1) AS police_unit_key
            FROM m JOIN dw.fact_hotline_call c ON m.record_type = '{LinkTypes.RecordHotlineCall}' AND c.call_id = m.record_id
            GROUP BY m.case_id),
        reports AS (
            SELECT m.case_id, min(r.report_date_key) FILTER (WHERE r.report_date_key > 0) AS police_report_date_key, count(*) AS n,
                   bool_or(CAST(r.is_tip_related AS BOOLEAN)) AS tip,
                   arg_min(r.geography_key, r.report_date_key) FILTER (WHERE r.geography_key <> -1) AS geography_key,
                   arg_min(r.police_unit_key, r.report_date_key) FILTER (WHERE r.police_unit_key <> -1) AS police_unit_key,
                   arg_min(r.crime_type_key, r.report_date_key) FILTER (WHERE r.crime_type_key <> -1) AS crime_type_key
            FROM m JOIN dw.fact_police_report r ON m.record_type = '{LinkTypes.RecordPoliceReport}' AND r.report_number = m.record_id
            GROUP BY m.case_id),
        arrests AS (
            SELECT m.case_id, min(a.arrest_date_key) FILTER (WHERE a.arrest_date_key > 0) AS first_arrest_date_key, sum(a.arrest_count) AS n
            FROM m JOIN dw.fact_arrest a ON m.record_type = '{LinkTypes.RecordPoliceReport}' AND a.report_number = m.record_id
            GROUP BY m.case_id),
        events AS (
            SELECT m.case_id, min(e.event_date_key) FILTER (WHERE e.event_date_key > 0) AS prosecution_opened_date_key,
        {milestoneColumns},
                   sum(e.event_count) AS n, bool_or(CAST(e.is_tip_related AS BOOLEAN)) AS tip,
                   arg_max(e.case_stage_key, CAST(e.event_date_key AS BIGINT) * 100000000 + CAST(COALESCE(s.stage_order, 0) AS BIGINT) * 1000000 + e.event_sequence % 1000000) AS current_stage_key,
                   arg_max(e.sentence_outcome, CAST(e.event_date_key AS BIGINT) * 100000000 + e.event_sequence % 100000000) FILTER (WHERE e.sentence_outcome IS NOT NULL) AS sentence_outcome,
                   arg_max(s.stage_code, CAST(e.event_date_key AS BIGINT) * 100000000 + CAST(COALESCE(s.stage_order, 0) AS BIGINT) * 1000000 + e.event_sequence % 1000000) AS current_stage_code,
                   arg_min(e.geography_key, e.event_date_key) FILTER (WHERE e.geography_key <> -1) AS geography_key,
                   arg_max(e.crime_type_key, CAST(e.event_date_key AS BIGINT) * 100000000 + e.event_sequence % 100000000) FILTER (WHERE e.crime_type_key <> -1) AS crime_type_key
            FROM m JOIN dw.fact_case_event e ON m.record_type = '{LinkTypes.RecordProsecutionCase}' AND e.case_number = m.record_id
            LEFT JOIN dw.dim_case_stage s ON s.case_stage_key = e.case_stage_key
            GROUP BY m.case_id),
        cases AS (SELECT DISTINCT case_id FROM m)
        SELECT k.case_id,
               COALESCE(c.first_call_date_key, -1) AS first_call_date_key,
               COALESCE(r.police_report_date_key, -1) AS police_report_date_key,
               COALESCE(a.first_arrest_date_key, -1) AS first_arrest_date_key,
               COALESCE(e.prosecution_opened_date_key, -1) AS prosecution_opened_date_key,
               COALESCE(e.formalization_date_key, -1) AS formalization_date_key,
               COALESCE(e.accusation_date_key, -1) AS accusation_date_key,
               COALESCE(e.trial_date_key, -1) AS trial_date_key,
               COALESCE(e.sentence_date_key, -1) AS sentence_date_key,
               COALESCE(e.prison_entry_date_key, -1) AS prison_entry_date_key,
               COALESCE(e.release_date_key, -1) AS release_date_key,
               e.current_stage_key AS event_stage_key, e.current_stage_code, e.sentence_outcome,
               COALESCE(r.geography_key, e.geography_key, c.geography_key, -1) AS geography_key,
               COALESCE(r.police_unit_key, c.police_unit_key, -1) AS police_unit_key,
               COALESCE(e.crime_type_key, r.crime_type_key, -1) AS crime_type_key,
               COALESCE(c.tip, false) OR COALESCE(r.tip, false) OR COALESCE(e.tip, false) AS is_tip_related,
               CAST(COALESCE(c.n, 0) AS INTEGER) AS hotline_call_count,
               CAST(COALESCE(r.n, 0) AS INTEGER) AS police_report_count,
               CAST(COALESCE(a.n, 0) AS INTEGER) AS arrest_count,
               CAST(COALESCE(e.n, 0) AS INTEGER) AS case_event_count
        FROM cases k
        LEFT JOIN calls c ON c.case_id = k.case_id
        LEFT JOIN reports r ON r.case_id = k.case_id
        LEFT JOIN arrests a ON a.case_id = k.case_id
        LEFT JOIN events e ON e.case_id = k.case_id;

        CREATE OR REPLACE TEMP TABLE lk_lifecycle AS
        SELECT b.case_id, b.first_call_date_key, b.police_report_date_key, b.first_arrest_date_key, b.prosecution_opened_date_key,
               b.formalization_date_key, b.accusation_date_key, b.trial_date_key, b.sentence_date_key, b.prison_entry_date_key, b.release_date_key,
               CAST({Days("b.first_call_date_key", "b.police_report_date_key")} AS INTEGER) AS days_call_to_report,
               CAST({Days("b.police_report_date_key", "b.prosecution_opened_date_key")} AS INTEGER) AS days_report_to_prosecution,
               CAST({Days("b.prosecution_opened_date_key", "b.formalization_date_key")} AS INTEGER) AS days_prosecution_to_formalization,
               CAST({Days("b.formalization_date_key", "b.trial_date_key")} AS INTEGER) AS days_formalization_to_trial,
               CAST({Days("b.trial_date_key", "b.sentence_date_key")} AS INTEGER) AS days_trial_to_sentence,
               CAST({Days("b.sentence_date_key", "b.prison_entry_date_key")} AS INTEGER) AS days_sentence_to_prison,
               CAST({Days("b.prison_entry_date_key", "b.release_date_key")} AS INTEGER) AS days_prison_to_release,
               CAST({Days("b.first_contact_date_key", "b.sentence_date_key")} AS INTEGER) AS days_first_contact_to_sentence,
               CAST(COALESCE(b.event_stage_key,
                   CASE WHEN b.police_report_date_key > 0 THEN (SELECT case_stage_key FROM dw.dim_case_stage WHERE stage_code = 'POLICE_REPORT') END,
                   CASE WHEN b.first_call_date_key > 0 THEN (SELECT case_stage_key FROM dw.dim_case_stage WHERE stage_code = 'HOTLINE_CALL') END,
                   -1) AS INTEGER) AS current_stage_key,
               CAST(CASE WHEN b.sentence_outcome IS NOT NULL THEN b.sentence_outcome
                    WHEN b.current_stage_code = 'ARCHIVED' THEN 'ARCHIVADO'
                    WHEN b.case_event_count > 0 THEN 'EN_CURSO'
                    ELSE 'SIN_PROCESO' END AS VARCHAR) AS outcome,
               b.geography_key, b.police_unit_key, b.crime_type_key, b.is_tip_related,
               b.hotline_call_count, b.police_report_count, b.arrest_count, b.case_event_count
        FROM (SELECT *, NULLIF(least(
                  CASE WHEN first_call_date_key > 0 THEN first_call_date_key ELSE 99999999 END,
                  CASE WHEN police_report_date_key > 0 THEN police_report_date_key ELSE 99999999 END,
                  CASE WHEN prosecution_opened_date_key > 0 THEN prosecution_opened_date_key ELSE 99999999 END), 99999999) AS first_contact_date_key
              FROM lk_lifecycle_base) b;
        DROP TABLE lk_lifecycle_base;
        """;
    }

    /// <summary>Merges <c>lk_lifecycle</c> into the snapshot: new cases inserted, changed cases updated in place, vanished (merged) cases deleted (only among <c>lk_affected_case</c> when <paramref name="scoped"/>).</summary>
    public static string Merge(bool scoped = false)
    {
        var changed = string.Join(" OR ", ComparedColumns.Select(c => $"t.{c} IS DISTINCT FROM s.{c}"));
        var set = string.Join(", ", ComparedColumns.Select(c => $"{c} = s.{c}"));
        var insertColumns = string.Join(", ", Columns);
        var insertValues = string.Join(", ", Columns.Select(c => "s." + c));
        return $"""
        DELETE FROM dw.fact_case_lifecycle WHERE case_id NOT IN (SELECT case_id FROM lk_lifecycle){(scoped ? " AND case_id IN (SELECT case_id FROM lk_affected_case)" : string.Empty)};
        UPDATE dw.fact_case_lifecycle AS t SET {set}, last_updated_batch_id = $batch
        FROM lk_lifecycle AS s WHERE t.case_id = s.case_id AND ({changed});
        INSERT INTO dw.fact_case_lifecycle (case_id, {insertColumns}, last_updated_batch_id)
        SELECT s.case_id, {insertValues}, $batch FROM lk_lifecycle s
        WHERE s.case_id NOT IN (SELECT case_id FROM dw.fact_case_lifecycle);
        """;
    }
}
