namespace TipWarehouse.Linkage;

/// <summary>
/// The SQL of incremental linkage: which records are new or changed since the last run, and the connected groups of
/// persisted candidate pairs and of linked records that they touch.
/// </summary>
internal static class IncrementalSql
{
    /// <summary>
    /// <c>lk_dirty_call</c>, <c>lk_dirty_report</c>, <c>lk_dirty_pcase</c>: the records whose fact, person or bridge rows
    /// were written by a batch after <c>$since</c> (for a police report's row or a prosecution case, only when that changed
    /// what linkage compares), plus both records of every analyst-decided pair; <c>lk_dirty_hp_report</c>: the reports
    /// whose hotline pairs may change (compared row columns or victims); <c>lk_touched_pcase</c>: every case with a new
    /// event; <c>lk_report_touched</c>: the reports whose row, bridge or persons (<c>lk_report_persons_written</c>) a later batch wrote, and
    /// <c>lk_report_rewritten</c>: which of their compared columns and victims changed since the last run
    /// (<c>meta.linkage_report_features</c>; a report it does not hold counts as changed).
    /// </summary>
    public static readonly string DirtyRecords = $"""
        -- Each side of "written since" on its own (the batch column's zone maps skip the older row groups), not a join of
        -- every bridge row or call with its person.
        CREATE OR REPLACE TEMP TABLE lk_report_persons_written AS
        SELECT report_number AS id FROM dw.bridge_report_person WHERE batch_id > $since AND person_key IN (SELECT person_key FROM dw.dim_person)
        UNION
        SELECT report_number FROM dw.bridge_report_person WHERE person_key IN (SELECT person_key FROM dw.dim_person WHERE batch_id > $since);

        CREATE OR REPLACE TEMP TABLE lk_report_touched AS
        SELECT report_number AS id FROM dw.fact_police_report WHERE batch_id > $since
        UNION
        SELECT id FROM lk_report_persons_written;

        CREATE OR REPLACE TEMP TABLE lk_report_victims AS
        {LinkageSql.VictimPrints("lk_report_touched")};

        CREATE OR REPLACE TEMP TABLE lk_report_rewritten AS
        SELECT r.report_number,
               f.report_number IS NULL OR f.call_ref IS DISTINCT FROM r.call_ref OR f.date_key IS DISTINCT FROM r.date_key
                   OR f.geography_key IS DISTINCT FROM r.geography_key OR f.police_unit_key IS DISTINCT FROM r.unit_key
                   OR f.victims IS DISTINCT FROM v.victims AS hotline_changed,
               f.report_number IS NULL OR f.date_key IS DISTINCT FROM r.date_key OR f.geography_key IS DISTINCT FROM r.geography_key
                   OR f.crime_type_key IS DISTINCT FROM r.crime_type_key AS prosecution_changed
        FROM (SELECT * FROM lk_report WHERE report_number IN (SELECT id FROM lk_report_touched)) r
        LEFT JOIN (SELECT * FROM meta.linkage_report_features WHERE report_number IN (SELECT id FROM lk_report_touched)) f ON f.report_number = r.report_number
        LEFT JOIN lk_report_victims v ON v.report_number = r.report_number;

        CREATE OR REPLACE TEMP TABLE lk_dirty_call AS
        SELECT call_id AS id FROM dw.fact_hotline_call WHERE batch_id > $since
        UNION
        SELECT call_id FROM dw.fact_hotline_call WHERE victim_person_key IN (SELECT person_key FROM dw.dim_person WHERE batch_id > $since AND person_key <> -1)
        UNION
        SELECT left_record_id FROM meta.linkage_decision WHERE link_type = 'hotline_police';

        CREATE OR REPLACE TEMP TABLE lk_dirty_report AS
        SELECT report_number AS id FROM lk_report_rewritten WHERE hotline_changed OR prosecution_changed
        UNION
        SELECT id FROM lk_report_persons_written
        UNION
        SELECT a.report_number FROM dw.fact_arrest a LEFT JOIN dw.dim_person p ON p.person_key = a.person_key AND p.person_key <> -1
        WHERE a.batch_id > $since OR p.batch_id > $since
        UNION
        SELECT right_record_id FROM meta.linkage_decision WHERE link_type = 'hotline_police'
        UNION
        SELECT left_record_id FROM meta.linkage_decision WHERE link_type = 'police_prosecution';

        -- The reports whose hotline -> police pairs may change: those whose compared row columns or victims (DNI and
        -- phonetic-name pseudonyms, age, sex) changed; a suspect or an arrest is compared with prosecution only, and a
        -- victim recorded again as a suspect changes the victims.
        CREATE OR REPLACE TEMP TABLE lk_dirty_hp_report AS
        SELECT report_number AS id FROM lk_report_rewritten WHERE hotline_changed
        UNION
        SELECT right_record_id FROM meta.linkage_decision WHERE link_type = 'hotline_police';

        CREATE OR REPLACE TEMP TABLE lk_touched_pcase AS
        SELECT DISTINCT case_number AS id FROM dw.fact_case_event WHERE batch_id > $since;

        CREATE OR REPLACE TEMP TABLE lk_pcase_before AS
        SELECT e.case_number,
               min(e.event_date_key) FILTER (WHERE e.event_date_key > 0) AS date_key,
               arg_min(e.geography_key, CAST(e.event_date_key AS BIGINT) * 100000000 + e.event_sequence) FILTER (WHERE e.geography_key <> -1) AS geography_key,
               arg_max(e.crime_type_key, CAST(e.event_date_key AS BIGINT) * 100000000 + e.event_sequence) FILTER (WHERE e.crime_type_key <> -1) AS crime_type_key,
               bool_or(NULLIF(trim(e.cited_report_number), '') IS NOT NULL) AS cites_report
        FROM dw.fact_case_event e
        WHERE e.batch_id <= $since AND e.case_number IN (SELECT id FROM lk_touched_pcase)
        GROUP BY e.case_number;

        -- A case with new events is re-blocked only when what blocking and comparison read of it changed (its opening
        -- date, place, latest crime type, a cited number, a defendant); otherwise only its case and snapshot are refreshed.
        CREATE OR REPLACE TEMP TABLE lk_dirty_pcase AS
        SELECT t.id FROM lk_touched_pcase t
        JOIN lk_pcase k ON k.case_number = t.id
        LEFT JOIN lk_pcase_before b ON b.case_number = t.id
        WHERE b.case_number IS NULL OR k.date_key IS DISTINCT FROM b.date_key OR k.geography_key IS DISTINCT FROM b.geography_key
           OR k.crime_type_key IS DISTINCT FROM b.crime_type_key OR k.cites_report IS DISTINCT FROM b.cites_report
        UNION
        SELECT DISTINCT case_number FROM dw.fact_case_event
        WHERE batch_id > $since AND NULLIF(trim(cited_report_number), '') IS NOT NULL
        UNION
        SELECT e.case_number FROM dw.bridge_case_event_defendant d
        JOIN dw.fact_case_event e ON e.event_sequence = d.event_sequence
        JOIN dw.dim_person p ON p.person_key = d.person_key
        WHERE d.batch_id > $since OR p.batch_id > $since
        UNION
        SELECT right_record_id FROM meta.linkage_decision WHERE link_type = 'police_prosecution';
        """;

    /// <summary>
    /// Keeps <c>meta.linkage_report_features</c> as this run compared the reports: every report of <c>lk_report</c> in a full
    /// run, the touched ones (<c>lk_report_touched</c>) in an incremental run.
    /// </summary>
    public static string SaveReportFeatures(bool incremental)
    {
        string Touched(string column) => incremental ? $" WHERE {column} IN (SELECT id FROM lk_report_touched)" : string.Empty;
        return $"""
            {(incremental ? string.Empty : "CREATE OR REPLACE TEMP TABLE lk_report_victims AS\n" + LinkageSql.VictimPrints(null) + ";")}
            DELETE FROM meta.linkage_report_features{Touched("report_number")};
            INSERT INTO meta.linkage_report_features (report_number, call_ref, date_key, geography_key, police_unit_key, crime_type_key, victims, normalized_number, batch_id)
            SELECT r.report_number, r.call_ref, r.date_key, r.geography_key, r.unit_key, r.crime_type_key, v.victims, {ReportNumberMatching.NormalizedSql("r.report_number")}, $batch
            FROM lk_report r LEFT JOIN lk_report_victims v ON v.report_number = r.report_number{Touched("r.report_number")}
            ORDER BY r.report_number;
            """;
    }

    /// <summary>Whether <c>meta.linkage_report_features</c> holds the reports (or there is none), as an incremental run needs.</summary>
    public const string ReportFeaturesKept =
        "SELECT NOT EXISTS (SELECT 1 FROM dw.fact_police_report) OR EXISTS (SELECT 1 FROM meta.linkage_report_features)";

    /// <summary>Copies one id table into another.</summary>
    public static string Copy(string from, string to) => $"CREATE OR REPLACE TEMP TABLE {to} AS SELECT DISTINCT id FROM {from}";

    /// <summary>
    /// One step of the closure of <c>lk_cl</c>/<c>lk_cr</c> over the persisted candidate pairs of a link type; run until both
    /// statements add no row (the greedy one-to-one decision of a pair depends only on the pairs connected to it).
    /// </summary>
    public static readonly string[] CandidateClosureStep =
    [
        """
        INSERT INTO lk_cr SELECT DISTINCT right_record_id FROM meta.linkage_candidate
        WHERE link_type = $type AND left_record_id IN (SELECT id FROM lk_cl) AND right_record_id NOT IN (SELECT id FROM lk_cr)
        """,
        """
        INSERT INTO lk_cl SELECT DISTINCT left_record_id FROM meta.linkage_candidate
        WHERE link_type = $type AND right_record_id IN (SELECT id FROM lk_cr) AND left_record_id NOT IN (SELECT id FROM lk_cl)
        """,
    ];

    /// <summary>The persisted candidates of the closure, in the order the full run reads them.</summary>
    public const string ClosureCandidates = """
        SELECT left_record_id, right_record_id, reference_match, link_date_key, levels FROM meta.linkage_candidate
        WHERE link_type = $type AND (left_record_id IN (SELECT id FROM lk_cl) OR right_record_id IN (SELECT id FROM lk_cr))
        ORDER BY left_record_id, right_record_id
        """;

    /// <summary>The linked pairs out of the re-decided scope (<c>lk_scope</c>) that the case graph keeps from the last run.</summary>
    public static readonly string KeptEdges = $"""
        INSERT INTO lk_edges
        SELECT {LeftRecordType("b")}, b.left_record_id, {RightRecordType("b")}, b.right_record_id
        FROM dw.bridge_case_link b
        WHERE b.status = 'linked'
          AND NOT {InScope("b")}
        """;

    /// <summary>
    /// Both records (type, id) of every pair the last run linked that this run re-decides (<see cref="InScope"/>): when
    /// the pair is no longer linked, the record on its far side may belong to no case any more (a call whose report lost
    /// the victim it matched), so its membership has to be re-assigned although no pair of this run names it.
    /// </summary>
    public static readonly string RedecidedLinkEnds = $"""
        SELECT {LeftRecordType("b")}, b.left_record_id FROM dw.bridge_case_link b WHERE b.status = 'linked' AND {InScope("b")}
        UNION
        SELECT {RightRecordType("b")}, b.right_record_id FROM dw.bridge_case_link b WHERE b.status = 'linked' AND {InScope("b")}
        """;

    /// <summary>The record type of the left record of a <c>dw.bridge_case_link</c> row (alias <paramref name="alias"/>).</summary>
    public static string LeftRecordType(string alias) =>
        $"CASE WHEN {alias}.link_type = '{LinkTypes.HotlinePolice}' THEN '{LinkTypes.RecordHotlineCall}' ELSE '{LinkTypes.RecordPoliceReport}' END";

    /// <summary>The record type of the right record of a <c>dw.bridge_case_link</c> row (alias <paramref name="alias"/>).</summary>
    public static string RightRecordType(string alias) =>
        $"CASE WHEN {alias}.link_type = '{LinkTypes.HotlinePolice}' THEN '{LinkTypes.RecordPoliceReport}' ELSE '{LinkTypes.RecordProsecutionCase}' END";

    /// <summary>True for a <c>dw.bridge_case_link</c> row (alias <paramref name="alias"/>) one of whose records is in the re-decided scope <c>lk_scope</c>.</summary>
    public static string InScope(string alias) =>
        $"(EXISTS (SELECT 1 FROM lk_scope s WHERE s.link_type = {alias}.link_type AND s.side = 'L' AND s.id = {alias}.left_record_id)"
        + $" OR EXISTS (SELECT 1 FROM lk_scope s WHERE s.link_type = {alias}.link_type AND s.side = 'R' AND s.id = {alias}.right_record_id))";

    /// <summary>One step of the closure of <c>lk_case_scope</c> over the case graph <c>lk_edges</c>; run until it adds no row.</summary>
    public const string CaseClosureStep = """
        INSERT INTO lk_case_scope
        SELECT DISTINCT x.record_type, x.record_id FROM (
            SELECT e.right_type AS record_type, e.right_id AS record_id FROM lk_edges e JOIN lk_case_scope s ON s.record_type = e.left_type AND s.record_id = e.left_id
            UNION
            SELECT e.left_type, e.left_id FROM lk_edges e JOIN lk_case_scope s ON s.record_type = e.right_type AND s.record_id = e.right_id) x
        WHERE NOT EXISTS (SELECT 1 FROM lk_case_scope s WHERE s.record_type = x.record_type AND s.record_id = x.record_id)
        """;

    /// <summary>The temp tables of an incremental run.</summary>
    public static readonly string[] TempTables =
    [
        "lk_report_persons_written", "lk_report_touched", "lk_report_victims", "lk_report_rewritten", "lk_dirty_call", "lk_dirty_report", "lk_dirty_hp_report", "lk_dirty_pcase", "lk_touched_pcase", "lk_pcase_before", "lk_s0l", "lk_s0r", "lk_s1l", "lk_s1r",
        "lk_cl", "lk_cr", "lk_new_candidate", "lk_scope", "lk_edges", "lk_case_scope", "lk_anchor", "lk_affected_case",
    ];
}
