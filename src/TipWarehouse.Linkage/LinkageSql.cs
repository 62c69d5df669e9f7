using TipWarehouse.Core;

namespace TipWarehouse.Linkage;

/// <summary>The set-based part of linkage: record views, blocking and comparison vectors, as DuckDB temp tables.</summary>
internal static class LinkageSql
{
    // Blocking joins on (key, day bucket) as well as the key, so that a record meets only the records of the buckets its
    // window covers: the join then grows with the records in the window, not with all the history at the same key.
    private const int HotlineBucketDays = 32;
    private const int ProsecutionBucketDays = 128;

    private static string Sex(string column) => $"(CASE WHEN upper(trim({column})) IN ('F', 'M') THEN upper(trim({column})) END)";

    /// <summary>Whether the operator marked a call of <c>dw.fact_hotline_call c</c> as a TIP tip.</summary>
    public const string IsTip = "COALESCE(CAST(c.is_tip_by_operator AS BOOLEAN), false)";

    // What blocking and comparison read of a hotline call (lk_call), from `calls` c (the columns of dw.fact_hotline_call)
    // and `persons` p (of dw.dim_person).
    private static string CallColumns(string calls = "dw.fact_hotline_call", string persons = "dw.dim_person") => $"""
        SELECT c.call_id, upper(trim(c.call_id)) AS call_ref, c.call_date_key AS date_key, {Sql.DayNumber("c.call_date_key")} AS day_no,
               c.geography_key, g.province_code_inei AS province, g.department_code_inei AS department,
               c.referred_police_unit_key AS unit_key, {IsTip} AS is_tip,
               p.dni_pseudonym AS dni, p.name_phonetic_pseudonym AS name, CAST(c.victim_age AS INTEGER) AS age,
               COALESCE({Sex("c.victim_sex")}, {Sex("p.sex")}) AS sex
        FROM {calls} c
        LEFT JOIN dw.dim_geography g ON g.geography_key = c.geography_key AND g.geography_key <> -1
        LEFT JOIN {persons} p ON p.person_key = c.victim_person_key AND p.person_key <> -1
        """;

    /// <summary>
    /// The records of the three agencies with what blocking and comparison need: every call and every report's persons in
    /// a full run; in an incremental run (<paramref name="scoped"/>) neither yet (<see cref="ScopedCalls"/> after the dirty
    /// records, then <see cref="HotlineBuckets"/> reads the calls of the days it blocks over and the persons of the reports
    /// the run compares).
    /// </summary>
    public static string Records(bool scoped = false) => $"""
        {(scoped ? string.Empty : "CREATE OR REPLACE TEMP TABLE lk_call AS\n" + CallColumns() + ";")}

        CREATE OR REPLACE TEMP TABLE lk_report AS
        SELECT r.report_number, NULLIF(upper(trim(r.source_call_id)), '') AS call_ref, r.report_date_key AS date_key,
               {Sql.DayNumber("r.report_date_key")} AS day_no, r.geography_key, g.province_code_inei AS province,
               g.department_code_inei AS department, r.police_unit_key AS unit_key, r.crime_type_key
        FROM dw.fact_police_report r
        LEFT JOIN dw.dim_geography g ON g.geography_key = r.geography_key AND g.geography_key <> -1;

        {(scoped ? string.Empty : ReportPersons(null))}

        CREATE OR REPLACE TEMP TABLE lk_pcase AS
        SELECT e.case_number,
               min(e.event_date_key) FILTER (WHERE e.event_date_key > 0) AS date_key,
               arg_min(e.geography_key, CAST(e.event_date_key AS BIGINT) * 100000000 + e.event_sequence) FILTER (WHERE e.geography_key <> -1) AS geography_key,
               arg_max(e.crime_type_key, CAST(e.event_date_key AS BIGINT) * 100000000 + e.event_sequence) FILTER (WHERE e.crime_type_key <> -1) AS crime_type_key,
               bool_or(NULLIF(trim(e.cited_report_number), '') IS NOT NULL) AS cites_report
        FROM dw.fact_case_event e
        GROUP BY e.case_number;

        CREATE OR REPLACE TEMP TABLE lk_pcase_geo AS
        SELECT k.*, {Sql.DayNumber("k.date_key")} AS day_no, g.province_code_inei AS province, g.department_code_inei AS department
        FROM lk_pcase k
        LEFT JOIN dw.dim_geography g ON g.geography_key = k.geography_key;

        CREATE OR REPLACE TEMP TABLE lk_case_person AS
        SELECT DISTINCT e.case_number, p.dni_pseudonym AS dni, p.name_phonetic_pseudonym AS name, CAST(d.age AS INTEGER) AS age, {Sex("p.sex")} AS sex
        FROM dw.bridge_case_event_defendant d
        JOIN dw.fact_case_event e ON e.event_sequence = d.event_sequence
        JOIN dw.dim_person p ON p.person_key = d.person_key;

        -- level: 3 = cited as written, 2 = equal after normalization, 1 = one known typing error away.
        CREATE OR REPLACE TEMP TABLE lk_num (report_number VARCHAR, case_number VARCHAR, level INTEGER);
        """;

    /// <summary>
    /// One row per report with victims (of those whose number the table <paramref name="reports"/> holds in <c>id</c>, when
    /// given): <c>report_number, victims</c>, an MD5 of its distinct victims as hotline → police compares them (DNI and
    /// phonetic-name pseudonyms, age, sex), so a rewritten bridge row that changed none of them is seen as unchanged.
    /// </summary>
    public static string VictimPrints(string? reports) => $"""
        SELECT b.report_number,
               md5(array_to_string(list_sort(list_distinct(list(concat_ws('|', coalesce(p.dni_pseudonym, '~'), coalesce(p.name_phonetic_pseudonym, '~'),
                   coalesce(CAST(CAST(b.age AS INTEGER) AS VARCHAR), '~'), coalesce({Sex("p.sex")}, '~'))))), ',')) AS victims
        FROM dw.bridge_report_person b
        JOIN dw.dim_person p ON p.person_key = b.person_key
        WHERE upper(b.role) LIKE 'VICTIM%'{(reports is null ? string.Empty : $" AND b.report_number IN (SELECT id FROM {reports})")}
        GROUP BY b.report_number
        """;

    // lk_report_person: the victims, suspects and arrested persons of the reports (of those whose number the table `reports`
    // holds in `id`, when given) with what comparison reads of them.
    private static string ReportPersons(string? reports)
    {
        string Only(string alias) => reports is null ? string.Empty : $" AND {alias}.report_number IN (SELECT id FROM {reports})";
        // One join with the persons for both kinds of row (a scan of dw.dim_person each would read every person twice).
        return $"""
            CREATE OR REPLACE TEMP TABLE lk_report_person AS
            SELECT DISTINCT x.report_number, x.role, p.dni_pseudonym AS dni, p.name_phonetic_pseudonym AS name, x.age, {Sex("p.sex")} AS sex
            FROM (
                SELECT b.report_number, upper(b.role) AS role, b.person_key, CAST(b.age AS INTEGER) AS age
                FROM dw.bridge_report_person b WHERE true{Only("b")}
                UNION ALL
                SELECT a.report_number, 'DENUNCIADO', a.person_key, CAST(NULL AS INTEGER)
                FROM dw.fact_arrest a WHERE a.person_key <> -1{Only("a")}) x
            JOIN dw.dim_person p ON p.person_key = x.person_key;
            """;
    }

    // Incremental runs: lk_report_person for the reports an incremental run compares only: those of the hotline days and of
    // the reference pairs (victims), the dirty reports, the reports a number of lk_num names, and the reports whose suspect
    // or arrested person shares a DNI or phonetic-name pseudonym with a defendant of a dirty case (the person pass).
    private static readonly string s_scopedReportPersons = $"""
        CREATE OR REPLACE TEMP TABLE lk_dirty_defendant AS
        SELECT dni, name FROM lk_case_person WHERE case_number IN (SELECT id FROM lk_dirty_pcase);
        CREATE OR REPLACE TEMP TABLE lk_dirty_defendant_person AS
        SELECT person_key FROM dw.dim_person
        WHERE dni_pseudonym IN (SELECT dni FROM lk_dirty_defendant) OR name_phonetic_pseudonym IN (SELECT name FROM lk_dirty_defendant);
        CREATE OR REPLACE TEMP TABLE lk_report_need AS
        SELECT report_number AS id FROM lk_hp_breport
        UNION SELECT right_id FROM lk_hp_ref
        UNION SELECT id FROM lk_dirty_report
        UNION SELECT report_number FROM lk_num
        UNION
        SELECT report_number FROM dw.bridge_report_person
        WHERE upper(role) NOT LIKE 'VICTIM%' AND person_key IN (SELECT person_key FROM lk_dirty_defendant_person)
        UNION
        SELECT report_number FROM dw.fact_arrest
        WHERE person_key <> -1 AND person_key IN (SELECT person_key FROM lk_dirty_defendant_person);
        {ReportPersons("lk_report_need")}
        """;

    /// <summary>
    /// Incremental runs: <c>lk_cited_call</c>, every call a report cites (id, reference and day); <c>lk_call_seed</c>, the
    /// new or changed calls (<c>lk_dirty_call</c>) and
    /// the calls the dirty reports (<c>lk_dirty_hp_report</c>) cite as their source, whose reference pairs decide the days
    /// blocked; <see cref="HotlineBuckets"/> then reads into <c>lk_call</c> these, the calls of those days and the calls
    /// the days' reports cite. No other step reads a call of <c>lk_call</c>.
    /// </summary>
    public static readonly string ScopedCalls = $"""
        -- Every call a report cites, normalized once: the one pass over all the calls that normalizes their ids.
        CREATE OR REPLACE TEMP TABLE lk_cited_call AS
        SELECT c.call_id, upper(trim(c.call_id)) AS call_ref, {Sql.DayNumber("c.call_date_key")} AS day_no
        FROM dw.fact_hotline_call c
        WHERE upper(trim(c.call_id)) IN (SELECT call_ref FROM lk_report WHERE call_ref IS NOT NULL);
        CREATE OR REPLACE TEMP TABLE lk_call_seed AS
        SELECT c.call_id, upper(trim(c.call_id)) AS call_ref, {Sql.DayNumber("c.call_date_key")} AS day_no
        FROM dw.fact_hotline_call c
        WHERE c.call_id IN (SELECT id FROM lk_dirty_call)
        UNION
        SELECT call_id, call_ref, day_no FROM lk_cited_call
        WHERE call_ref IN (SELECT call_ref FROM lk_report WHERE call_ref IS NOT NULL AND report_number IN (SELECT id FROM lk_dirty_hp_report));
        CREATE OR REPLACE TEMP TABLE lk_hp_ref AS
        SELECT c.call_id AS left_id, r.report_number AS right_id FROM lk_report r JOIN lk_call_seed c ON c.call_ref = r.call_ref;
        """;

    private static string PersonFeatures(string pairs, string left, string right, int ageNear, int ageFar) => $"""
        SELECT p.left_id, p.right_id,
               max(CASE WHEN a.dni IS NOT NULL AND b.dni IS NOT NULL THEN CAST(a.dni = b.dni AS INTEGER) END) AS v_dni,
               max(CASE WHEN a.name IS NOT NULL AND b.name IS NOT NULL THEN CAST(a.name = b.name AS INTEGER) END) AS v_name,
               max(CASE WHEN a.age IS NOT NULL AND b.age IS NOT NULL THEN
                   CASE WHEN a.age = b.age THEN 3 WHEN abs(a.age - b.age) <= {ageNear} THEN 2 WHEN abs(a.age - b.age) <= {ageFar} THEN 1 ELSE 0 END END) AS v_age,
               max(CASE WHEN a.sex IS NOT NULL AND b.sex IS NOT NULL THEN CAST(a.sex = b.sex AS INTEGER) END) AS v_sex
        FROM {pairs} p
        JOIN {left} a ON a.id = p.left_id
        JOIN {right} b ON b.id = p.right_id
        GROUP BY p.left_id, p.right_id
        """;

    /// <summary>The sample of the broad hotline block (referred unit or district, the window) that u and EM are fitted on holds about this many pairs.</summary>
    public const long HotlineSampleTargetPairs = 200_000;

    /// <summary>The competition pass: a report that at most this many free calls could lead to pairs with all of them.</summary>
    private const int HotlineFewCompetitors = 3;

    // The broad hotline block over bucket tables c (calls) and r (reports): a report at the call's referred unit or in its
    // district, within the window; `extra` is a further join condition (the key of a blocking pass). Quadratic in volume
    // (the units and districts do not grow with it), so only records in scope or a sample are ever joined by it alone.
    private static string HotlineBlocked(LinkTypeOptions options, string calls, string reports, string select, string extra = "true") => $"""
        SELECT {select} FROM {calls} c JOIN {reports} r
          ON r.unit_key = c.unit_key AND r.bucket = c.bucket AND c.unit_key <> -1
         AND r.day_no BETWEEN c.day_no - {options.WindowBeforeDays} AND c.day_no + {options.WindowAfterDays} AND {extra}
        UNION
        SELECT {select} FROM {calls} c JOIN {reports} r
          ON r.geography_key = c.geography_key AND r.bucket = c.bucket AND c.geography_key <> -1
         AND r.day_no BETWEEN c.day_no - {options.WindowBeforeDays} AND c.day_no + {options.WindowAfterDays} AND {extra}
        """;

    // Incremental runs: the days within two windows of a new or changed record (lk_dirty_call, lk_dirty_hp_report) or of a
    // record a reference pairs one with (whether it is free may have changed). The reports re-scored are within one window
    // of those (HotlineScope), and the calls of their pairs and of their competition counts within two; the calls
    // re-scored are those records, and the reports of their pairs within one window: so the bucket tables and counts are
    // built over these days only, and are exact for every pair an incremental run builds.
    private static string HotlineDays(LinkTypeOptions options)
    {
        var reach = 2 * (options.WindowBeforeDays + options.WindowAfterDays) + 1;
        return $"""
            CREATE OR REPLACE TEMP TABLE lk_hp_days AS
            SELECT DISTINCT unnest(range(day_no - {reach}, day_no + {reach} + 1)) AS day_no
            FROM (SELECT day_no FROM lk_call_seed WHERE call_id IN (SELECT id FROM lk_dirty_call) AND day_no IS NOT NULL
                  UNION SELECT day_no FROM lk_report WHERE report_number IN (SELECT id FROM lk_dirty_hp_report) AND day_no IS NOT NULL
                  UNION SELECT c.day_no FROM lk_hp_ref f JOIN lk_call_seed c ON c.call_id = f.left_id WHERE f.right_id IN (SELECT id FROM lk_dirty_hp_report) AND c.day_no IS NOT NULL
                  UNION SELECT r.day_no FROM lk_hp_ref f JOIN lk_report r ON r.report_number = f.right_id WHERE f.left_id IN (SELECT id FROM lk_dirty_call) AND r.day_no IS NOT NULL);
            """;
    }

    // Incremental runs: lk_call from the seed calls, the calls of the days of lk_hp_days (by date key, an integer join) and
    // every call a report of those days cites (whether the report is free), with the persons of those calls only (a join
    // on every person would build over all of them); then the reference pairs over them all, so that they are those of a
    // full run for every record an incremental run blocks.
    private static readonly string s_dayCalls = $"""
        CREATE OR REPLACE TEMP TABLE lk_call_need AS
        SELECT call_id AS id FROM lk_call_seed
        UNION
        SELECT call_id FROM dw.fact_hotline_call
        WHERE call_date_key IN (SELECT CAST(strftime(DATE '1970-01-01' + CAST(day_no AS INTEGER), '%Y%m%d') AS INTEGER) FROM lk_hp_days)
        UNION
        SELECT call_id FROM lk_cited_call
        WHERE call_ref IN (SELECT call_ref FROM lk_report WHERE call_ref IS NOT NULL AND day_no IN (SELECT day_no FROM lk_hp_days));
        CREATE OR REPLACE TEMP TABLE lk_call_pick AS
        SELECT call_id, call_date_key, geography_key, referred_police_unit_key, is_tip_by_operator, victim_person_key, victim_age, victim_sex
        FROM dw.fact_hotline_call WHERE call_id IN (SELECT id FROM lk_call_need);
        CREATE OR REPLACE TEMP TABLE lk_call AS
        {CallColumns("lk_call_pick", "(SELECT * FROM dw.dim_person WHERE person_key IN (SELECT victim_person_key FROM lk_call_pick))")};
        """;

    /// <summary>
    /// The reference pairs and the day-bucketed calls, reports and report victims of hotline → police blocking
    /// (<c>is_free</c>: no reference resolved the record), and <c>lk_hp_count</c>: for every free call the number of free
    /// reports of its broad block (referred unit or district, the window) and for every free report the number of free
    /// calls whose broad block holds it, counted by window sums over the records ordered by day within each unit, district
    /// and (unit, district), without enumerating pairs. Incremental (<paramref name="scoped"/>): the bucket tables over the
    /// days of <c>lk_hp_days</c> only, and no counts (<see cref="HotlineScopedCounts"/> counts the reports in scope).
    /// </summary>
    public static string HotlineBuckets(LinkTypeOptions options, bool scoped = false) => $"""
        {(scoped ? HotlineDays(options) + "\n" + s_dayCalls : string.Empty)}
        CREATE OR REPLACE TEMP TABLE lk_hp_ref AS
        SELECT c.call_id AS left_id, r.report_number AS right_id FROM lk_report r JOIN lk_call c ON c.call_ref = r.call_ref;

        CREATE OR REPLACE TEMP TABLE lk_hp_bcall AS
        SELECT c.call_id, c.unit_key, c.geography_key, c.day_no, c.dni, c.name, c.age, c.call_id NOT IN (SELECT left_id FROM lk_hp_ref) AS is_free,
               unnest(range((c.day_no - {options.WindowBeforeDays}) // {HotlineBucketDays}, (c.day_no + {options.WindowAfterDays}) // {HotlineBucketDays} + 1)) AS bucket
        FROM lk_call c
        WHERE c.day_no IS NOT NULL{(scoped ? " AND c.day_no IN (SELECT day_no FROM lk_hp_days)" : string.Empty)};
        CREATE OR REPLACE TEMP TABLE lk_hp_breport AS
        SELECT r.report_number, r.unit_key, r.geography_key, r.day_no, r.day_no // {HotlineBucketDays} AS bucket,
               r.report_number NOT IN (SELECT right_id FROM lk_hp_ref) AS is_free
        FROM lk_report r
        WHERE r.day_no IS NOT NULL{(scoped ? " AND r.day_no IN (SELECT day_no FROM lk_hp_days)" : string.Empty)};
        {(scoped ? s_scopedReportPersons : string.Empty)}
        CREATE OR REPLACE TEMP TABLE lk_hp_bvictim AS
        SELECT DISTINCT r.*, p.dni, p.name, p.age
        FROM lk_hp_breport r JOIN lk_report_person p ON p.report_number = r.report_number AND p.role LIKE 'VICTIM%';
        {(scoped ? string.Empty : HotlineCounts(options))}
        """;

    // lk_hp_count over every free record, by window sums (full runs; incremental runs count the reports in scope only,
    // HotlineScopedCounts).
    private static string HotlineCounts(LinkTypeOptions options) => $"""
        CREATE OR REPLACE TEMP TABLE lk_hp_free AS
        SELECT 'L' AS side, call_id AS id, unit_key, geography_key, day_no FROM lk_call
        WHERE day_no IS NOT NULL AND call_id NOT IN (SELECT left_id FROM lk_hp_ref)
        UNION ALL
        SELECT 'R', report_number, unit_key, geography_key, day_no FROM lk_report
        WHERE day_no IS NOT NULL AND report_number NOT IN (SELECT right_id FROM lk_hp_ref);
        CREATE OR REPLACE TEMP TABLE lk_hp_keyed AS
        SELECT side, id, day_no, 'u' AS kind, CAST(unit_key AS VARCHAR) AS k, 1 AS sign FROM lk_hp_free WHERE unit_key <> -1
        UNION ALL
        SELECT side, id, day_no, 'g', CAST(geography_key AS VARCHAR), 1 FROM lk_hp_free WHERE geography_key <> -1
        UNION ALL
        SELECT side, id, day_no, 'b', unit_key || '/' || geography_key, -1 FROM lk_hp_free WHERE unit_key <> -1 AND geography_key <> -1;
        CREATE OR REPLACE TEMP TABLE lk_hp_count AS
        SELECT side, id, CAST(sum(sign * n) AS BIGINT) AS n
        FROM (SELECT side, id, sign,
                     CASE side WHEN 'L'
                         THEN sum(CAST(side = 'R' AS INTEGER)) OVER (PARTITION BY kind, k ORDER BY day_no RANGE BETWEEN {options.WindowBeforeDays} PRECEDING AND {options.WindowAfterDays} FOLLOWING)
                         ELSE sum(CAST(side = 'L' AS INTEGER)) OVER (PARTITION BY kind, k ORDER BY day_no RANGE BETWEEN {options.WindowAfterDays} PRECEDING AND {options.WindowBeforeDays} FOLLOWING)
                     END AS n
              FROM lk_hp_keyed)
        GROUP BY side, id;
        """;

    /// <summary>
    /// Incremental runs: <c>lk_hp_count</c> for the reports in scope (<c>lk_s1r</c>) only, the free calls whose broad block
    /// holds each, counted over the broad block's joins (the reports in scope are those of the day's blocks, so this grows
    /// with the day, not with history): the calls at the report's unit plus those in its district less those at both, as
    /// the window sums of a full run count them (a call meets a report in one bucket only), without the pairs' union;
    /// every pair an incremental run builds reads these counts (the reports of the scoped calls' blocks are in scope).
    /// </summary>
    public static string HotlineScopedCounts(LinkTypeOptions options)
    {
        string Count(string on, string sign) => $"""
            SELECT r.report_number AS id, {sign}count(*) AS n
            FROM (SELECT * FROM lk_hp_bcall WHERE is_free) c
            JOIN (SELECT * FROM lk_hp_breport WHERE is_free AND report_number IN (SELECT id FROM lk_s1r)) r
              ON {on} AND r.bucket = c.bucket
             AND r.day_no BETWEEN c.day_no - {options.WindowBeforeDays} AND c.day_no + {options.WindowAfterDays}
            GROUP BY r.report_number
            """;
        return $"""
            CREATE OR REPLACE TEMP TABLE lk_hp_count AS
            SELECT 'R' AS side, id, CAST(sum(n) AS BIGINT) AS n FROM (
            {Count("r.unit_key = c.unit_key AND c.unit_key <> -1", string.Empty)}
            UNION ALL
            {Count("r.geography_key = c.geography_key AND c.geography_key <> -1", string.Empty)}
            UNION ALL
            {Count("r.unit_key = c.unit_key AND c.unit_key <> -1 AND r.geography_key = c.geography_key AND c.geography_key <> -1", "-")})
            GROUP BY id;
            """;
    }

    /// <summary>
    /// The incremental scope of hotline → police: <paramref name="outLeft"/> holds the calls of <paramref name="inLeft"/>
    /// and every call a reference pairs with a report of <paramref name="inRight"/> (whether it is free may have changed);
    /// <paramref name="outRight"/> the reports of <paramref name="inRight"/>, every report a reference pairs with a call of
    /// <paramref name="inLeft"/>, and every report in the broad block of a call of <paramref name="outLeft"/>, whose
    /// competition count (the free calls whose broad block holds it) that call may have changed. A pair's levels depend
    /// on its two records and its report's count only, so no other pair changes: the calls in the broad block of a new
    /// report keep their other pairs as they were.
    /// </summary>
    public static string HotlineScope(LinkTypeOptions options, string inLeft, string inRight, string outLeft, string outRight) => $"""
        CREATE OR REPLACE TEMP TABLE {outLeft} AS
        SELECT id FROM {inLeft}
        UNION
        SELECT left_id FROM lk_hp_ref WHERE right_id IN (SELECT id FROM {inRight});
        CREATE OR REPLACE TEMP TABLE {outRight} AS
        SELECT id FROM {inRight}
        UNION
        {HotlineBlocked(options, $"(SELECT * FROM lk_hp_bcall WHERE call_id IN (SELECT id FROM {outLeft}))", "lk_hp_breport", "r.report_number")}
        UNION
        SELECT right_id FROM lk_hp_ref WHERE left_id IN (SELECT id FROM {inLeft});
        """;

    // The blocking passes of hotline → police among free records, union-ed (as Splink's blocking rules), each a subset of
    // the broad block: the call's victim and a victim of the report share the DNI pseudonym, the phonetic-name pseudonym
    // or the age; or the report has few competitors (the pair's competition level is not 0). The person passes join on
    // selective keys and the competition pass holds at most HotlineFewCompetitors pairs per report, so the pairs grow
    // with the records, not with the square of the records per unit or district. `callFilter`/`reportFilter` are
    // predicates on the bucket tables' rows.
    private static string HotlinePasses(LinkTypeOptions options, string callFilter, string reportFilter)
    {
        var calls = $"(SELECT * FROM lk_hp_bcall WHERE is_free AND {callFilter})";
        var victims = $"(SELECT * FROM lk_hp_bvictim WHERE is_free AND {reportFilter})";
        var fewCompetitors = $"""
            (SELECT b.* FROM lk_hp_breport b JOIN lk_hp_count n ON n.side = 'R' AND n.id = b.report_number
             WHERE b.is_free AND n.n <= {HotlineFewCompetitors} AND {reportFilter})
            """;
        const string select = "c.call_id, r.report_number";
        return string.Join("\n        UNION\n        ",
            HotlineBlocked(options, calls, victims, select, "r.dni = c.dni"),
            HotlineBlocked(options, calls, victims, select, "r.name = c.name"),
            HotlineBlocked(options, calls, victims, select, "r.age = c.age"),
            HotlineBlocked(options, calls, fewCompetitors, select));
    }

    /// <summary>
    /// Hotline → police: the reference pairs plus the pairs of the blocking passes (<see cref="HotlinePasses"/>) among the
    /// records no reference resolved, from the tables of <see cref="HotlineBuckets"/> (built first), with their comparison
    /// vectors. Incremental (<paramref name="scoped"/>): only the pairs touching <c>lk_s1l</c>/<c>lk_s1r</c> (the competition
    /// counts come from <c>lk_hp_count</c>, exact whatever pairs are built).
    /// </summary>
    public static string HotlinePoliceVectors(LinkTypeOptions options, bool scoped = false) => $"""
        CREATE OR REPLACE TEMP TABLE lk_hp_pairs AS
        SELECT left_id, right_id FROM lk_hp_ref{(scoped ? " WHERE left_id IN (SELECT id FROM lk_s1l) OR right_id IN (SELECT id FROM lk_s1r)" : string.Empty)}
        UNION
        SELECT call_id, report_number FROM (
        {(scoped
            ? HotlinePasses(options, "call_id IN (SELECT id FROM lk_s1l)", "true") + "\n        UNION\n        " + HotlinePasses(options, "true", "report_number IN (SELECT id FROM lk_s1r)")
            : HotlinePasses(options, "true", "true"))});

        CREATE OR REPLACE TEMP TABLE lk_hp_left_person AS
        SELECT call_id AS id, dni, name, age, sex FROM lk_call WHERE (dni IS NOT NULL OR name IS NOT NULL OR age IS NOT NULL OR sex IS NOT NULL){(scoped ? " AND call_id IN (SELECT left_id FROM lk_hp_pairs)" : string.Empty)};
        CREATE OR REPLACE TEMP TABLE lk_hp_right_person AS
        SELECT report_number AS id, dni, name, age, sex FROM lk_report_person WHERE role LIKE 'VICTIM%'{(scoped ? " AND report_number IN (SELECT right_id FROM lk_hp_pairs)" : string.Empty)};

        {HotlineVectorTable("lk_hp_pairs", "lk_vec")}
        """;

    /// <summary>How many free pairs the broad hotline block holds (from <c>lk_hp_count</c>, without enumerating them).</summary>
    public const string HotlineBroadPairCount = "SELECT COALESCE(sum(n), 0) FROM lk_hp_count WHERE side = 'L'";

    /// <summary>
    /// <c>lk_vec_sample</c>: the vectors of the broad-block pairs outside the passes whose call falls in a deterministic
    /// 1-in-<paramref name="modulus"/> sample; each stands for <paramref name="modulus"/> pairs when u and EM are fitted,
    /// so the model is fitted on the population of the broad block (exactly that when the modulus is 1).
    /// </summary>
    public static string HotlineSample(LinkTypeOptions options, long modulus) => $"""
        CREATE OR REPLACE TEMP TABLE lk_hp_sample_pairs AS
        SELECT call_id AS left_id, report_number AS right_id FROM (
        {HotlineBlocked(options, $"(SELECT * FROM lk_hp_bcall WHERE is_free AND hash(call_id) % {modulus} = 0)", "(SELECT * FROM lk_hp_breport WHERE is_free)", "c.call_id, r.report_number")})
        EXCEPT
        SELECT left_id, right_id FROM lk_hp_pairs;

        {HotlineVectorTable("lk_hp_sample_pairs", "lk_vec_sample")}
        """;

    // The competition level of a free pair from n, the free calls whose broad block holds its report (reference pairs: none):
    // absolute powers of two, so that a level means the same number of competing calls at every volume.
    private static string CompetitionLevel(string n) =>
        $"CASE WHEN p.is_ref OR {n} IS NULL OR {n} < 1 THEN NULL ELSE {ComparisonFields.CompetitionLevels - 1} - least({ComparisonFields.CompetitionLevels - 1}, CAST(floor(log2({n})) AS INTEGER)) END";

    /// <summary>
    /// How the free reports with at least one competing call spread over the competition levels (<c>level, reports</c>):
    /// a report has at most one source call, so this is the competition comparison's m (the match share taken as the
    /// same at every level), which EM cannot identify when few pairs reach the quiet levels.
    /// </summary>
    public static readonly string CompetitionReportLevels = $"""
        SELECT {ComparisonFields.CompetitionLevels - 1} - least({ComparisonFields.CompetitionLevels - 1}, CAST(floor(log2(n)) AS INTEGER)) AS level, count(*) AS reports
        FROM lk_hp_count WHERE side = 'R' AND n >= 1 GROUP BY ALL ORDER BY ALL
        """;

    private static string HotlineVectorTable(string pairs, string target) => $"""
        CREATE OR REPLACE TEMP TABLE {target} AS
        SELECT p.left_id, p.right_id,
               f.v_dni AS v0, f.v_name AS v1, f.v_age AS v2, f.v_sex AS v3,
               CASE WHEN r.day_no - c.day_no BETWEEN 0 AND 12 THEN 2 WHEN r.day_no - c.day_no BETWEEN -1 AND 30 THEN 1 WHEN r.day_no IS NULL OR c.day_no IS NULL THEN NULL ELSE 0 END AS v4,
               CASE WHEN c.geography_key = -1 OR r.geography_key = -1 THEN NULL WHEN c.geography_key = r.geography_key THEN 2 WHEN c.province = r.province THEN 1 ELSE 0 END AS v5,
               CASE WHEN c.unit_key = -1 OR r.unit_key = -1 THEN NULL WHEN c.unit_key = r.unit_key THEN 1 ELSE 0 END AS v6,
               CASE WHEN c.is_tip THEN 1 ELSE 0 END AS v7,
               {CompetitionLevel("nr.n")} AS v8,
               CASE WHEN r.call_ref = c.call_ref THEN 2 ELSE 0 END AS reference_match, r.call_ref = c.call_ref AS is_seed,
               greatest(c.date_key, r.date_key) AS link_date_key
        FROM (SELECT x.*, (x.left_id, x.right_id) IN (SELECT (left_id, right_id) FROM lk_hp_ref) AS is_ref FROM {pairs} x) p
        JOIN lk_call c ON c.call_id = p.left_id
        JOIN lk_report r ON r.report_number = p.right_id
        LEFT JOIN lk_hp_count nr ON nr.side = 'R' AND nr.id = p.right_id
        LEFT JOIN ({PersonFeatures(pairs, "lk_hp_left_person", "lk_hp_right_person", 1, 3)}) f ON f.left_id = p.left_id AND f.right_id = p.right_id;
        """;

    /// <summary>The case of a pair opened at most this many days after the report: the top level of the date comparison.</summary>
    private const int ProsecutionNearDays = 60;

    /// <summary>The sample of the broad block (department and window) that u and EM are fitted on holds about this many pairs.</summary>
    public const long ProsecutionSampleTargetPairs = 200_000;

    // Reports and cases in the same value of the key columns, the case opened from `before` days before to `after` days
    // after the report; `reportFilter`/`caseFilter` are predicates on the report (r) and the case (k).
    private static string ProsecutionWindowJoin(string[] keys, int before, int after, string reportFilter, string caseFilter) => $"""
        SELECT r.report_number, k.case_number
        FROM (SELECT r.report_number, {string.Join(", ", keys.Select(key => "r." + key))}, r.day_no,
                     unnest(range((r.day_no - {before}) // {ProsecutionBucketDays}, (r.day_no + {after}) // {ProsecutionBucketDays} + 1)) AS bucket
              FROM lk_report r WHERE r.day_no IS NOT NULL AND {string.Join(" AND ", keys.Select(key => $"r.{key} IS NOT NULL AND CAST(r.{key} AS VARCHAR) <> '-1'"))} AND {reportFilter}) r
        JOIN (SELECT k.case_number, {string.Join(", ", keys.Select(key => "k." + key))}, k.day_no, k.day_no // {ProsecutionBucketDays} AS bucket
              FROM lk_pcase_geo k WHERE k.day_no IS NOT NULL AND {caseFilter}) k
          ON {string.Join(" AND ", keys.Select(key => $"k.{key} = r.{key}"))} AND k.bucket = r.bucket
         AND k.day_no BETWEEN r.day_no - {before} AND r.day_no + {after}
        """;

    // The broad block: same department, the case opened within the configured window around the report. Quadratic in
    // volume, so it is only sampled (for u and EM), never enumerated.
    private static string ProsecutionBroad(LinkTypeOptions options, string reportFilter) =>
        ProsecutionWindowJoin(["department"], options.WindowBeforeDays, options.WindowAfterDays, reportFilter, "true");

    /// <summary>
    /// The blocking pass of police → prosecution besides the cited numbers, a subset of the broad block: a person pseudonym
    /// (DNI or phonetic name) shared by the report's suspects or arrested persons and the case's defendants (within the
    /// report's department and the configured window). It joins on selective keys, so the pairs grow with the records,
    /// not with the square of their number in a department. (Passes on the same district or the same crime type within
    /// 60 days linked no pair that shares no person or number at scale 5 and held 4.8M pairs and more at scale 46.)
    /// </summary>
    private static string ProsecutionBlocked(LinkTypeOptions options, string reportFilter, string caseFilter) => $"""
        SELECT r.report_number, k.case_number
        FROM lk_pp_person_pair r
        JOIN lk_pcase_geo k ON k.case_number = r.case_number AND k.department = r.department
        WHERE k.day_no BETWEEN r.day_no - {options.WindowBeforeDays} AND r.day_no + {options.WindowAfterDays}
          AND {reportFilter} AND {caseFilter}
        """;

    /// <summary>
    /// Police → prosecution: number pairs plus the pairs of the blocking passes (<see cref="ProsecutionBlocked"/>).
    /// Incremental (<paramref name="scoped"/>): only the pairs touching <c>lk_s1l</c> (reports) or <c>lk_s1r</c> (cases);
    /// no comparison of this link type depends on other pairs.
    /// </summary>
    public static string PoliceProsecutionVectors(LinkTypeOptions options, bool scoped = false) => $"""
        CREATE OR REPLACE TEMP TABLE lk_pp_left_person AS
        SELECT report_number AS id, dni, name, age, sex FROM lk_report_person WHERE role NOT LIKE 'VICTIM%';
        CREATE OR REPLACE TEMP TABLE lk_pp_right_person AS
        SELECT case_number AS id, dni, name, age, sex FROM lk_case_person;
        -- The reports and cases sharing a person pseudonym with the report's department and day, in a table of their own:
        -- joined in one statement with the department condition, the planner may join reports and cases on the
        -- department first (quadratic).
        CREATE OR REPLACE TEMP TABLE lk_pp_person_pair AS
        SELECT x.report_number, x.case_number, r.department, r.day_no
        FROM (SELECT a.id AS report_number, b.id AS case_number FROM lk_pp_left_person a JOIN lk_pp_right_person b ON b.dni = a.dni
              UNION
              SELECT a.id, b.id FROM lk_pp_left_person a JOIN lk_pp_right_person b ON b.name = a.name) x
        JOIN lk_report r ON r.report_number = x.report_number;

        CREATE OR REPLACE TEMP TABLE lk_pp_pairs AS
        SELECT DISTINCT report_number AS left_id, case_number AS right_id FROM lk_num{(scoped ? " WHERE report_number IN (SELECT id FROM lk_s1l) OR case_number IN (SELECT id FROM lk_s1r)" : string.Empty)}
        UNION
        {(scoped
            ? ProsecutionBlocked(options, "r.report_number IN (SELECT id FROM lk_s1l)", "true") + "\n        UNION\n        " + ProsecutionBlocked(options, "true", "k.case_number IN (SELECT id FROM lk_s1r)")
            : ProsecutionBlocked(options, "true", "true"))};

        {ProsecutionVectorTable("lk_pp_pairs", "lk_vec")}
        """;

    /// <summary>
    /// How many pairs the broad block (same department, the configured window) holds, counted over (department, day)
    /// groups without enumerating the pairs.
    /// </summary>
    public static string ProsecutionBroadPairCount(LinkTypeOptions options) => $"""
        SELECT COALESCE(sum(r.n * k.n), 0)
        FROM (SELECT department, day_no, count(*) AS n FROM lk_report WHERE day_no IS NOT NULL AND department IS NOT NULL GROUP BY ALL) r
        JOIN (SELECT department, day_no, count(*) AS n FROM lk_pcase_geo WHERE day_no IS NOT NULL GROUP BY ALL) k
          ON k.department = r.department AND k.day_no BETWEEN r.day_no - {options.WindowBeforeDays} AND r.day_no + {options.WindowAfterDays}
        """;

    /// <summary>
    /// <c>lk_vec_sample</c>: the vectors of the broad-block pairs outside the blocking passes whose report falls in a
    /// deterministic 1-in-<paramref name="modulus"/> sample; each stands for <paramref name="modulus"/> pairs when u and
    /// EM are fitted, so the model is fitted on the population the broad block gave (exactly that when the modulus is 1).
    /// </summary>
    public static string ProsecutionSample(LinkTypeOptions options, long modulus) => $"""
        CREATE OR REPLACE TEMP TABLE lk_pp_sample_pairs AS
        SELECT report_number AS left_id, case_number AS right_id FROM ({ProsecutionBroad(options, $"hash(r.report_number) % {modulus} = 0")})
        EXCEPT
        SELECT left_id, right_id FROM lk_pp_pairs;

        {ProsecutionVectorTable("lk_pp_sample_pairs", "lk_vec_sample")}
        """;

    private static string ProsecutionVectorTable(string pairs, string target) => $"""
        CREATE OR REPLACE TEMP TABLE {target} AS
        SELECT p.left_id, p.right_id,
               CASE WHEN n.level >= 2 THEN 2 WHEN n.level = 1 THEN 1 WHEN k.cites_report THEN 0 END AS v0,
               f.v_dni AS v1, f.v_name AS v2, f.v_age AS v3, f.v_sex AS v4,
               CASE WHEN k.day_no - r.day_no BETWEEN 0 AND {ProsecutionNearDays} THEN 2 WHEN k.day_no - r.day_no BETWEEN -30 AND 365 THEN 1 WHEN r.day_no IS NULL OR k.day_no IS NULL THEN NULL ELSE 0 END AS v5,
               CASE WHEN r.geography_key = -1 OR k.geography_key IS NULL THEN NULL WHEN r.geography_key = k.geography_key THEN 2 WHEN r.province = k.province THEN 1 ELSE 0 END AS v6,
               CASE WHEN r.crime_type_key = -1 OR k.crime_type_key IS NULL THEN NULL WHEN r.crime_type_key = k.crime_type_key THEN 1 ELSE 0 END AS v7,
               CASE WHEN n.level = 3 THEN 2 WHEN n.level >= 1 THEN 1 ELSE 0 END AS reference_match, COALESCE(n.level >= 2, false) AS is_seed,
               greatest(r.date_key, COALESCE(k.date_key, -1)) AS link_date_key
        FROM {pairs} p
        JOIN lk_report r ON r.report_number = p.left_id
        JOIN lk_pcase_geo k ON k.case_number = p.right_id
        LEFT JOIN (SELECT report_number, case_number, max(level) AS level FROM lk_num GROUP BY ALL) n ON n.report_number = p.left_id AND n.case_number = p.right_id
        LEFT JOIN ({PersonFeatures(pairs, "lk_pp_left_person", "lk_pp_right_person", 2, 5)}) f ON f.left_id = p.left_id AND f.right_id = p.right_id;
        """;

    /// <summary>Reads the comparison vectors of the current link type that pass <paramref name="filter"/>.</summary>
    public static string ReadVectors(int fieldCount, string filter) =>
        "SELECT left_id, right_id, reference_match, link_date_key, is_seed, "
        + string.Join(", ", Enumerable.Range(0, fieldCount).Select(i => "v" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        + " FROM lk_vec WHERE " + filter + " ORDER BY left_id, right_id";

    /// <summary>The match weight of an <c>lk_vec</c> row as SQL: the sum of the model's log2(m/u) over the fields (0 for a missing level).</summary>
    public static string WeightExpression(FellegiSunterModel model) =>
        model.PriorWeight.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + " + " + string.Join(" + ", model.Fields.Select((field, f) =>
            $"(CASE v{f.ToString(System.Globalization.CultureInfo.InvariantCulture)} "
            + string.Concat(Enumerable.Range(0, field.Levels).Select(level =>
                $"WHEN {level.ToString(System.Globalization.CultureInfo.InvariantCulture)} THEN {model.FieldWeight(f, level).ToString("R", System.Globalization.CultureInfo.InvariantCulture)} "))
            + "ELSE 0 END)"));

    /// <summary>The temp tables linkage creates, dropped at the end of a run.</summary>
    public static readonly string[] TempTables =
    [
        "lk_call", "lk_cited_call", "lk_call_seed", "lk_call_need", "lk_call_pick", "lk_report", "lk_report_need", "lk_dirty_defendant", "lk_dirty_defendant_person", "lk_report_person", "lk_pcase", "lk_pcase_geo", "lk_case_person", "lk_num",
        "lk_hp_ref", "lk_hp_bcall", "lk_hp_breport", "lk_hp_bvictim", "lk_hp_free", "lk_hp_keyed", "lk_hp_count", "lk_hp_days", "lk_hp_pairs", "lk_hp_sample_pairs", "lk_hp_left_person", "lk_hp_right_person", "lk_pp_pairs", "lk_pp_person_pair", "lk_pp_left_person",
        "lk_pp_right_person", "lk_vec", "lk_pp_sample_pairs", "lk_vec_sample", "lk_decided", "lk_links", "lk_scope_link", "lk_membership", "lk_lifecycle",
    ];
}
