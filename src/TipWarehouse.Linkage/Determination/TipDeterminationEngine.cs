using System.Globalization;
using DuckDB.NET.Data;
using TipWarehouse.Core;

namespace TipWarehouse.Linkage.Determination;

/// <summary>What one determination run decided: records per level and status, and how many rows changed.</summary>
public sealed record TipDeterminationSummary(string DefinitionVersion, long Records, long Changed, IReadOnlyDictionary<(string Level, string Status), long> ByStatus);

/// <summary>The TIP statuses, strongest first.</summary>
public static class TipStatus
{
    /// <summary>A confirmed TIP statute on the date, or a police modality that names trafficking.</summary>
    public const string ConfirmedStatute = "confirmed_statute";

    /// <summary>Linked to a TIP record of another agency (call, report, case).</summary>
    public const string EvidenceLinked = "evidence_linked";

    /// <summary>Indicators in the record itself (classifier, operator category, narrative elements, a child victim).</summary>
    public const string Indicated = "indicated";

    /// <summary>Not TIP under the definition.</summary>
    public const string NotTip = "not_tip";

    /// <summary>The record types written to <c>dw.tip_determination</c>.</summary>
    public static readonly IReadOnlyList<string> Levels = ["hotline_call", "police_report", "prosecution_case", "case"];
}

/// <summary>
/// Decides, set-based over the whole warehouse, which hotline calls, police reports, prosecution cases and linked cases are TIP under
/// a <see cref="TipDefinition"/>; rewrites <c>dw.tip_determination</c> and <c>dw.bridge_record_means_of_control</c> and sets the
/// facts' <c>is_tip_related</c> and <c>exploitation_type_key</c>. Runs inside the caller's transaction; idempotent.
/// </summary>
public sealed class TipDeterminationEngine(TipDefinition definition)
{
    /// <summary>Where the run reports its phases: the rule statements done of all (<c>rules</c>), then the rows written (<c>writing</c>).</summary>
    public IProgress<TipWarehouse.Core.Pipelines.StepProgress>? Progress { get; init; }

    /// <summary>Runs the determination; <paramref name="batchId"/> is stored on the rows written.</summary>
    public TipDeterminationSummary Run(DuckDBConnection connection, long batchId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        LoadRules(connection);
        var statements = Statements().ToList();
        for (var i = 0; i < statements.Count; i++)
        {
            var statement = statements[i];
            Progress?.Report(new TipWarehouse.Core.Pipelines.StepProgress("rules", i, statements.Count, "statements"));
            cancellationToken.ThrowIfCancellationRequested();
            var parameters = statement.Contains("$version", StringComparison.Ordinal) ? new[] { ("version", (object?)definition.Version) } : [];
            Sql.Execute(connection, statement, parameters);
        }

        var changed = Sql.Scalar<long>(connection, "SELECT count(*) FROM tip_changed");
        Progress?.Report(new TipWarehouse.Core.Pipelines.StepProgress("writing", 0, changed, "records"));
        // Only changed rows are rewritten (with this batch id), so a re-run on the same data and definition changes nothing.
        Sql.Execute(connection, """
            DELETE FROM dw.tip_determination AS t
            WHERE EXISTS (SELECT 1 FROM tip_changed AS c WHERE c.record_type = t.record_type AND c.record_id = t.record_id)
               OR NOT EXISTS (SELECT 1 FROM tip_all AS a WHERE a.record_type = t.record_type AND a.record_id = t.record_id)
            """);
        Sql.Execute(connection, """
            INSERT INTO dw.tip_determination (record_type, record_id, tip_status, is_tip, tip_basis, related_series, exploitation_type_key,
                exploitation_basis, tip_definition_version, batch_id)
            SELECT a.record_type, a.record_id, a.tip_status, a.tip_status <> 'not_tip', left(a.tip_basis, 400), a.related_series, a.exploitation_type_key,
                   left(a.exploitation_basis, 120), $version, CAST($batch AS BIGINT)
            FROM tip_all AS a JOIN tip_changed AS c ON c.record_type = a.record_type AND c.record_id = a.record_id
            """, ("batch", batchId), ("version", definition.Version));
        Sql.Execute(connection, """
            CREATE OR REPLACE TEMP TABLE tip_moc_new AS
            SELECT DISTINCT m.record_type, m.record_id, d.means_of_control_key
            FROM tip_moc_all AS m
            JOIN dw.dim_means_of_control AS d ON d.control_code = m.code
            JOIN tip_all AS a ON a.record_type = m.record_type AND a.record_id = m.record_id AND a.tip_status <> 'not_tip'
            """);
        Sql.Execute(connection, """
            DELETE FROM dw.bridge_record_means_of_control AS b
            WHERE b.tip_definition_version <> $version
               OR NOT EXISTS (SELECT 1 FROM tip_moc_new AS n WHERE n.record_type = b.record_type AND n.record_id = b.record_id AND n.means_of_control_key = b.means_of_control_key)
            """, ("version", definition.Version));
        Sql.Execute(connection, """
            INSERT INTO dw.bridge_record_means_of_control (record_type, record_id, means_of_control_key, tip_definition_version, batch_id)
            SELECT n.record_type, n.record_id, n.means_of_control_key, $version, CAST($batch AS BIGINT)
            FROM tip_moc_new AS n
            WHERE NOT EXISTS (SELECT 1 FROM dw.bridge_record_means_of_control AS b
                              WHERE b.record_type = n.record_type AND b.record_id = n.record_id AND b.means_of_control_key = n.means_of_control_key)
            """, ("batch", batchId), ("version", definition.Version));
        ApplyToFacts(connection);
        Progress?.Report(new TipWarehouse.Core.Pipelines.StepProgress("writing", changed, changed, "records"));

        var byStatus = Sql.Query(connection, "SELECT record_type, tip_status, count(*) FROM tip_all GROUP BY ALL", r => (Level: r.GetString(0), Status: r.GetString(1), Count: Convert.ToInt64(r.GetValue(2), CultureInfo.InvariantCulture)))
            .ToDictionary(x => (x.Level, x.Status), x => x.Count);
        return new TipDeterminationSummary(definition.Version, byStatus.Values.Sum(), changed, byStatus);
    }

    private static void ApplyToFacts(DuckDBConnection connection)
    {
        Sql.Execute(connection, """
            UPDATE dw.fact_police_report AS f SET is_tip_related = a.tip_status <> 'not_tip',
                exploitation_type_key = CASE WHEN a.tip_status <> 'not_tip' THEN a.exploitation_type_key ELSE -1 END
            FROM tip_all AS a
            WHERE a.record_type = 'police_report' AND a.record_id = f.report_number
              AND (f.is_tip_related IS DISTINCT FROM (a.tip_status <> 'not_tip') OR f.exploitation_type_key IS DISTINCT FROM CASE WHEN a.tip_status <> 'not_tip' THEN a.exploitation_type_key ELSE -1 END)
            """);
        Sql.Execute(connection, """
            UPDATE dw.fact_case_event AS f SET is_tip_related = a.tip_status <> 'not_tip'
            FROM tip_all AS a
            WHERE a.record_type = 'prosecution_case' AND a.record_id = f.case_number AND f.is_tip_related IS DISTINCT FROM (a.tip_status <> 'not_tip')
            """);
        Sql.Execute(connection, """
            UPDATE dw.fact_case_lifecycle AS f SET is_tip_related = a.tip_status <> 'not_tip'
            FROM tip_all AS a
            WHERE a.record_type = 'case' AND a.record_id = f.case_id AND f.is_tip_related IS DISTINCT FROM (a.tip_status <> 'not_tip')
            """);
    }

    private void LoadRules(DuckDBConnection connection)
    {
        Sql.Execute(connection, "CREATE OR REPLACE TEMP TABLE tip_rule_statute (kind VARCHAR, article VARCHAR, valid_from DATE, valid_to DATE, meaning VARCHAR)");
        Sql.InsertRows(
            connection,
            "tip_rule_statute",
            ["kind", "article", "valid_from", "valid_to", "meaning"],
            definition.ConfirmedStatutes.Select(s => Statute("confirmed", s)).Concat(definition.RelatedStatutes.Select(s => Statute("related", s))));
        Sql.Execute(connection, "CREATE OR REPLACE TEMP TABLE tip_rule_pattern (kind VARCHAR, priority INTEGER, code VARCHAR, pattern VARCHAR)");
        var patterns = new List<object?[]>();
        void Add(string kind, IEnumerable<TipPattern> items) => patterns.AddRange(items.Select((p, i) => new object?[] { kind, i, p.Code, p.Pattern }));
        // The regular expressions (modality, keywords, means of control) are written into the statements as constants; this
        // table keeps the article lookups, which are equality joins.
        Add("article_default", definition.ArticleDefault.Select(kv => new TipPattern(kv.Value, kv.Key)));
        Add("minor_article", definition.MinorVictimArticles.Select(a => new TipPattern("MINOR", a)));
        Add("pimping", definition.PimpingArticles.Select(a => new TipPattern("PIMPING", a)));
        Sql.InsertRows(connection, "tip_rule_pattern", ["kind", "priority", "code", "pattern"], patterns);
    }

    private static object?[] Statute(string kind, TipStatute s) =>
        [kind, s.Article, s.From ?? new DateOnly(1900, 1, 1), s.To ?? new DateOnly(9999, 12, 31), s.Meaning];

    private static string Bool(bool value) => value ? "true" : "false";

    // The definition's patterns are written into the SQL as constants: DuckDB compiles a constant regular expression once
    // per query, but one read from a column (a join with tip_rule_pattern) once per row, which was 94–96% of the step at scale 5.

    /// <summary>The code of the first pattern (in the definition's order) that <paramref name="column"/> matches, else NULL.</summary>
    private static string FirstMatch(string column, IEnumerable<TipPattern> patterns)
    {
        var arms = patterns.Select(p => $"WHEN regexp_matches({column}, {Sql.Literal(p.Pattern)}) THEN {Sql.Literal(p.Code)}").ToList();
        return arms.Count == 0 ? "CAST(NULL AS VARCHAR)" : $"CASE {string.Join(" ", arms)} END";
    }

    /// <summary>One RE2 pattern that matches a text exactly when one of <paramref name="patterns"/> does (each in its own group).</summary>
    private static string AnyOf(IEnumerable<TipPattern> patterns) => string.Join("|", patterns.Select(p => $"(?:{p.Pattern})"));

    /// <summary>One (<paramref name="key"/>, code) row per record of <paramref name="table"/> and pattern its <paramref name="column"/> matches.</summary>
    /// <remarks>The rows that match none of the patterns are dropped first by one pass of their alternation; each pattern is then
    /// tried only on the rows left.</remarks>
    private static string EveryMatch(string table, string key, string column, IEnumerable<TipPattern> patterns)
    {
        var list = patterns.ToList();
        if (list.Count == 0)
        {
            return $"SELECT {key}, CAST(NULL AS VARCHAR) AS code FROM {table} WHERE false";
        }

        var selects = list.Select(p => $"SELECT {key}, {Sql.Literal(p.Code)} AS code FROM candidate WHERE regexp_matches({column}, {Sql.Literal(p.Pattern)})");
        return $"WITH candidate AS MATERIALIZED (SELECT {key}, {column} FROM {table} WHERE regexp_matches({column}, {Sql.Literal(AnyOf(list))}))\n"
            + string.Join("\nUNION ALL ", selects);
    }

    // A call's exploitation sources as SQL over tip_call_status (c: keyword_code, operator_code) and its linked reports (rt), in the
    // definition's order; own: only what the call itself says (its narrative, its operator category), which is what a report takes from it.
    private static readonly Dictionary<string, (string Column, string Basis, bool Own)> s_callSources = new(StringComparer.Ordinal)
    {
        ["narrative"] = ("c.keyword_code", "narrative keywords", true),
        ["linked_trafficking_report"] = ("rt.modality_code", "linked trafficking report modality", false),
        ["linked_report_article"] = ("rt.article_code", "linked report article default", false),
        ["operator_category"] = ("c.operator_code", "operator category", true),
    };

    private string CallExploitation(bool own)
    {
        var columns = definition.CallExploitationSources.Select(n => s_callSources[n]).Where(x => !own || x.Own).Select(x => x.Column).ToList();
        return columns.Count == 0 ? "CAST(NULL AS VARCHAR)" : $"coalesce({string.Join(", ", columns)}, CAST(NULL AS VARCHAR))";
    }

    private string CallExploitationBasis() =>
        "CASE " + string.Join(" ", definition.CallExploitationSources.Select(n => s_callSources[n]).Select(x => $"WHEN {x.Column} IS NOT NULL THEN {Sql.Literal(x.Basis)}")) + " END";

    private IEnumerable<string> Statements()
    {
        var classifier = definition.ClassifierEnabled;
        var minProbability = definition.ClassifierMinProbability.ToString("R", CultureInfo.InvariantCulture);
        var recruitment = Sql.Literal(definition.RecruitmentPattern);
        var maxAge = definition.MinorVictimMaxAge?.ToString(CultureInfo.InvariantCulture) ?? "-1";
        var excluded = definition.LinkedCallExcludedModalities is { } pattern ? $"regexp_matches(r.modality_txt, {Sql.Literal(pattern)})" : "false";
        var callEvidence = $"{Bool(definition.LinkedTipCall)} AND lc.call_id IS NOT NULL AND NOT {excluded}";
        // A related statute with a linked call the operator classed as TIP, when the definition says so (the classifier's score aside).
        var operatorEvidence = $"{Bool(definition.LinkedTipCall && definition.OperatorCategoryEvidenceForRelatedStatutes)} AND rel.meaning IS NOT NULL AND lop.call_id IS NOT NULL AND NOT {excluded}";
        // A case charged only under other crimes (fraud, theft, injuries) takes linked evidence only from a report the police recorded as
        // trafficking, when the definition says so.
        var caseTakesEvidence = definition.CaseEvidenceNeedsRelatedStatute ? "rel.series IS NOT NULL" : "true";
        // The job offered as a lure is cut out of the narrative before the exploitation keywords are matched.
        var lureRemoved = definition.LurePattern is { } lure ? $"regexp_replace(txt, {Sql.Literal(lure)}, ' ', 'g')" : "txt";
        var minEvidence = definition.LinkedCallMinProbability is { } p ? p.ToString("R", CultureInfo.InvariantCulture) : "CAST(NULL AS DOUBLE)";

        // Hotline calls: mapped operator category, the active model's probability; the folded narratives are a table of their own
        // (tip_call_text), dropped once the narrative rules have read it, so they do not hold the memory limit for the rest of the run.
        yield return """
            CREATE OR REPLACE TEMP TABLE tip_call_text AS
            SELECT c.call_id, lower(strip_accents(coalesce(c.narrative, ''))) AS txt FROM dw.fact_hotline_call AS c
            """;
        yield return $"""
            CREATE OR REPLACE TEMP TABLE tip_call AS
            SELECT c.call_key, c.call_id, upper(trim(c.operator_category)) AS operator_category, oc.is_tip AS operator_tip, oc.exploitation_code AS operator_code,
                   s.probability
            FROM dw.fact_hotline_call AS c
            LEFT JOIN dw.ref_operator_category AS oc ON oc.operator_category = upper(trim(c.operator_category))
            LEFT JOIN (
                SELECT sc.call_key, max(sc.probability) AS probability
                FROM dw.fact_call_score AS sc JOIN dw.dim_model AS m ON m.model_key = sc.model_key AND m.is_active
                WHERE {Bool(classifier)}
                GROUP BY sc.call_key
            ) AS s ON s.call_key = c.call_key
            """;
        yield return $"""
            CREATE OR REPLACE TEMP TABLE tip_call_moc AS
            {EveryMatch("tip_call_text", "call_id", "txt", definition.MeansOfControl)}
            """;
        yield return $"""
            CREATE OR REPLACE TEMP TABLE tip_call_kw AS
            SELECT call_id, code FROM (
                SELECT c.call_id, {FirstMatch("c.kwtxt", definition.ExploitationKeywords)} AS code
                FROM (SELECT call_id, {lureRemoved} AS kwtxt FROM tip_call_text) AS c
            ) WHERE code IS NOT NULL
            """;
        // The recruitment pattern is read only for the calls that already show exploitation and a means of control.
        yield return $"""
            CREATE OR REPLACE TEMP TABLE tip_call_recruited AS
            SELECT t.call_id FROM tip_call_text AS t
            WHERE t.call_id IN (SELECT call_id FROM tip_call_kw) AND t.call_id IN (SELECT call_id FROM tip_call_moc)
              AND regexp_matches(t.txt, {recruitment})
            """;
        yield return "DROP TABLE tip_call_text";
        yield return $"""
            CREATE OR REPLACE TEMP TABLE tip_call_status AS
            SELECT c.call_id, c.operator_code, k.code AS keyword_code, c.probability, coalesce(c.operator_tip, false) AS operator_tip,
                   CASE
                       WHEN c.probability IS NOT NULL THEN CASE WHEN c.probability >= {minProbability} THEN 'indicated' ELSE 'not_tip' END
                       WHEN coalesce(c.operator_tip, false) THEN 'indicated'
                       WHEN {Bool(definition.NarrativeIndicators)} AND rec.call_id IS NOT NULL THEN 'indicated'
                       ELSE 'not_tip'
                   END AS tip_status,
                   CASE
                       WHEN c.probability IS NOT NULL THEN 'classifier p=' || CAST(round(c.probability, 3) AS VARCHAR) || CASE WHEN c.probability >= {minProbability} THEN ' >= ' ELSE ' < ' END || '{minProbability}'
                       WHEN coalesce(c.operator_tip, false) THEN 'operator category ' || c.operator_category
                       WHEN rec.call_id IS NOT NULL THEN 'narrative: recruitment + ' || k.code || ' + ' || m.codes
                       ELSE 'no TIP evidence' || coalesce(' (operator category ' || c.operator_category || ')', '')
                   END AS tip_basis
            FROM tip_call AS c
            LEFT JOIN tip_call_kw AS k ON k.call_id = c.call_id
            LEFT JOIN (SELECT call_id, string_agg(code, ',' ORDER BY code) AS codes FROM tip_call_moc GROUP BY call_id) AS m ON m.call_id = c.call_id
            LEFT JOIN tip_call_recruited AS rec ON rec.call_id = c.call_id
            """;

        // Police reports: the article's wording on the date of the facts, the modality, linked calls, child victims. The unknown date
        // (-1) is kept out of the date joins by nullif inside the equality: a condition on the report alone in the ON clause made DuckDB
        // plan a nested-loop join of every report with every date (32.9 s against 0.7 s for this statement at scale 46, under load).
        yield return """
            CREATE OR REPLACE TEMP TABLE tip_report AS
            SELECT f.report_number, f.modality, lower(strip_accents(coalesce(f.modality, ''))) AS modality_txt, ct.penal_article AS article,
                   coalesce(di.full_date, dr.full_date) AS fact_date
            FROM dw.fact_police_report AS f
            LEFT JOIN dw.dim_crime_type AS ct ON ct.crime_type_key = f.crime_type_key AND ct.crime_type_key <> -1
            LEFT JOIN dw.dim_date AS di ON di.date_key = nullif(f.incident_date_key, -1)
            LEFT JOIN dw.dim_date AS dr ON dr.date_key = nullif(f.report_date_key, -1)
            """;
        // What a report's own fields say of the exploitation: the modality's suffix (and whether the modality names trafficking), the article's default.
        yield return $"""
            CREATE OR REPLACE TEMP TABLE tip_report_type AS
            SELECT r.report_number, {FirstMatch("r.modality_txt", definition.ModalitySuffix)} AS modality_code,
                   {FirstMatch("r.modality_txt", definition.ModalityNamesTrafficking.Select(p => new TipPattern("TRATA", p)))} IS NOT NULL AS names_trafficking,
                   dflt.code AS article_code
            FROM tip_report AS r
            LEFT JOIN tip_rule_pattern AS dflt ON dflt.kind = 'article_default' AND dflt.pattern = r.article
            """;
        yield return """
            CREATE OR REPLACE TEMP TABLE tip_report_call AS
            SELECT DISTINCT x.report_number, x.call_id FROM (
                SELECT report_number, source_call_id AS call_id FROM dw.fact_police_report WHERE source_call_id IS NOT NULL
                UNION ALL
                SELECT right_record_id, left_record_id FROM dw.bridge_case_link WHERE link_type = 'hotline_police' AND status = 'linked'
            ) AS x
            JOIN dw.fact_hotline_call AS c ON c.call_id = x.call_id
            """;
        // The calls whose TIP decision is confident enough to be another record's evidence.
        yield return $"""
            CREATE OR REPLACE TEMP TABLE tip_call_evidence AS
            SELECT call_id FROM tip_call_status
            WHERE tip_status <> 'not_tip' AND (probability IS NULL OR {minEvidence} IS NULL OR probability >= {minEvidence} OR operator_tip)
            """;
        // Prosecution cases: confirmed articles on the event date, linked TIP reports and calls (links or the same linked case).
        yield return """
            CREATE OR REPLACE TEMP TABLE tip_case_article AS
            SELECT e.case_number, trim(a.article) AS article, d.full_date AS event_date
            FROM dw.fact_case_event AS e
            JOIN dw.dim_date AS d ON d.date_key = e.event_date_key
            CROSS JOIN unnest(string_split(coalesce(e.charged_articles, ''), ',')) AS a(article)
            WHERE trim(a.article) <> ''
            """;
        yield return """
            CREATE OR REPLACE TEMP TABLE tip_case_report AS
            SELECT DISTINCT x.case_number, x.report_number FROM (
                SELECT right_record_id AS case_number, left_record_id AS report_number FROM dw.bridge_case_link WHERE link_type = 'police_prosecution' AND status = 'linked'
                UNION ALL
                SELECT DISTINCT e.case_number, e.cited_report_number FROM dw.fact_case_event AS e
                JOIN dw.fact_police_report AS r ON r.report_number = e.cited_report_number
                UNION ALL
                SELECT mc.record_id, mr.record_id FROM dw.case_membership AS mc
                JOIN dw.case_membership AS mr ON mr.case_id = mc.case_id AND mr.record_type = 'police_report'
                WHERE mc.record_type = 'prosecution_case'
            ) AS x
            """;
        yield return $"""
            CREATE OR REPLACE TEMP TABLE tip_report_status AS
            SELECT r.report_number,
                   CASE
                       WHEN conf.meaning IS NOT NULL OR traf.names_trafficking THEN 'confirmed_statute'
                       WHEN {callEvidence} THEN 'evidence_linked'
                       WHEN {operatorEvidence} THEN 'evidence_linked'
                       WHEN {Bool(definition.LinkedTipCase)} AND lcase.case_number IS NOT NULL THEN 'evidence_linked'
                       WHEN minor_rule.pattern IS NOT NULL AND minor_age.age IS NOT NULL THEN 'indicated'
                       ELSE 'not_tip'
                   END AS tip_status,
                   CASE
                       WHEN conf.meaning IS NOT NULL THEN 'art. ' || r.article || ': ' || conf.meaning
                       WHEN traf.names_trafficking THEN 'modality names trafficking: ' || r.modality
                       WHEN {callEvidence} THEN coalesce('art. ' || r.article || ' with ', '') || 'linked TIP call ' || lc.call_id || ' (' || lc.tip_basis || ')'
                       WHEN {operatorEvidence} THEN 'art. ' || r.article || ' with linked call ' || lop.call_id || ' of TIP operator category ' || lop.operator_category || ' (' || lop.tip_basis || ')'
                       WHEN {Bool(definition.LinkedTipCase)} AND lcase.case_number IS NOT NULL THEN coalesce('art. ' || r.article || ' with ', '') || 'linked prosecution case ' || lcase.case_number || ' charged under a confirmed TIP statute'
                       WHEN minor_rule.pattern IS NOT NULL AND minor_age.age IS NOT NULL THEN 'art. ' || r.article || ' with a child victim (age ' || CAST(minor_age.age AS VARCHAR) || ')'
                       WHEN rel.meaning IS NOT NULL THEN 'art. ' || r.article || ' without TIP evidence: ' || rel.meaning || ' series'
                       ELSE 'no TIP statute or evidence' || coalesce(' (art. ' || r.article || ')', '')
                   END AS tip_basis,
                   rel.meaning AS related_series
            FROM tip_report AS r
            LEFT JOIN tip_rule_statute AS conf ON conf.kind = 'confirmed' AND conf.article = r.article AND r.fact_date BETWEEN conf.valid_from AND conf.valid_to
            LEFT JOIN tip_rule_statute AS rel ON rel.kind = 'related' AND rel.article = r.article AND r.fact_date BETWEEN rel.valid_from AND rel.valid_to
            LEFT JOIN tip_report_type AS traf ON traf.report_number = r.report_number
            LEFT JOIN (
                SELECT rc.report_number, min(rc.call_id) AS call_id, min(s.tip_basis) AS tip_basis
                FROM tip_report_call AS rc JOIN tip_call_status AS s ON s.call_id = rc.call_id AND s.tip_status <> 'not_tip'
                JOIN tip_call_evidence AS ev ON ev.call_id = rc.call_id
                GROUP BY rc.report_number
            ) AS lc ON lc.report_number = r.report_number
            LEFT JOIN (
                SELECT rc.report_number, min(rc.call_id) AS call_id, arg_min(c.operator_category, rc.call_id) AS operator_category, arg_min(s.tip_basis, rc.call_id) AS tip_basis
                FROM tip_report_call AS rc JOIN tip_call_status AS s ON s.call_id = rc.call_id AND s.operator_tip
                JOIN tip_call AS c ON c.call_id = rc.call_id
                GROUP BY rc.report_number
            ) AS lop ON lop.report_number = r.report_number
            LEFT JOIN (
                SELECT b.report_number, min(b.age) AS age FROM dw.bridge_report_person AS b
                WHERE b.role = 'VICTIMA' AND b.age IS NOT NULL AND b.age <= {maxAge}
                GROUP BY b.report_number
            ) AS minor_age ON minor_age.report_number = r.report_number
            LEFT JOIN (
                SELECT cr.report_number, min(cr.case_number) AS case_number
                FROM tip_case_report AS cr
                JOIN tip_case_article AS a ON a.case_number = cr.case_number
                JOIN tip_rule_statute AS s ON s.kind = 'confirmed' AND s.article = a.article AND a.event_date BETWEEN s.valid_from AND s.valid_to
                GROUP BY cr.report_number
            ) AS lcase ON lcase.report_number = r.report_number
            LEFT JOIN tip_rule_pattern AS minor_rule ON minor_rule.kind = 'minor_article' AND minor_rule.pattern = r.article
            """;

        // Calls the police recorded as trafficking are TIP through the report (the call's own evidence stays in its basis).
        yield return $"""
            CREATE OR REPLACE TEMP TABLE tip_call_final AS
            SELECT c.call_id,
                   CASE WHEN c.tip_status = 'not_tip' AND lr.report_number IS NOT NULL THEN 'evidence_linked' ELSE c.tip_status END AS tip_status,
                   CASE WHEN c.tip_status = 'not_tip' AND lr.report_number IS NOT NULL THEN 'linked TIP report ' || lr.report_number || ' (' || lr.tip_basis || ')' ELSE c.tip_basis END AS tip_basis,
                   {CallExploitation(own: false)} AS exploitation_code,
                   {CallExploitationBasis()} AS exploitation_basis,
                   {CallExploitation(own: true)} AS own_exploitation_code
            FROM tip_call_status AS c
            LEFT JOIN (
                SELECT rc.call_id, min(t.modality_code) FILTER (WHERE t.names_trafficking) AS modality_code, min(t.article_code) AS article_code
                FROM tip_report_call AS rc JOIN tip_report_type AS t ON t.report_number = rc.report_number
                GROUP BY rc.call_id
            ) AS rt ON rt.call_id = c.call_id
            LEFT JOIN (
                SELECT rc.call_id, min(rc.report_number) AS report_number, min(s.tip_basis) AS tip_basis
                FROM tip_report_call AS rc JOIN tip_report_status AS s ON s.report_number = rc.report_number AND s.tip_status = 'confirmed_statute'
                GROUP BY rc.call_id
            ) AS lr ON lr.call_id = c.call_id
            """;
        if (definition.ImputeUnknownCallsBy.Count > 0)
        {
            // A call that names no exploitation takes the most frequent type of the TIP calls of the same victim cell whose type was named.
            var cell = string.Join(" || '|' || ", definition.ImputeUnknownCallsBy.Select(f => f switch
            {
                "victim_sex" => "coalesce(h.victim_sex, '?')",
                _ => "CASE WHEN h.victim_age <= 17 OR h.is_minor THEN 'child' WHEN h.victim_age IS NOT NULL OR NOT h.is_minor THEN 'adult' ELSE '?' END",
            }));
            var fields = string.Join(" and ", definition.ImputeUnknownCallsBy.Select(f => f.Replace('_', ' ')));
            yield return $"""
                CREATE OR REPLACE TEMP TABLE tip_call_final AS
                WITH celled AS (
                    SELECT f.*, {cell} AS cell FROM tip_call_final AS f JOIN dw.fact_hotline_call AS h ON h.call_id = f.call_id
                ),
                modal AS (
                    SELECT cell, first(exploitation_code ORDER BY n DESC, exploitation_code) AS code FROM (
                        SELECT cell, exploitation_code, count(*) AS n FROM celled
                        WHERE exploitation_code IS NOT NULL AND tip_status <> 'not_tip' GROUP BY ALL
                    ) GROUP BY cell
                )
                SELECT c.call_id, c.tip_status, c.tip_basis,
                       coalesce(c.exploitation_code, m.code) AS exploitation_code,
                       CASE WHEN c.exploitation_code IS NULL AND m.code IS NOT NULL THEN {Sql.Literal("imputed: most frequent type of TIP calls with the same " + fields)}
                            ELSE c.exploitation_basis END AS exploitation_basis,
                       c.own_exploitation_code
                FROM celled AS c LEFT JOIN modal AS m ON m.cell = c.cell
                """;
        }

        yield return """
            CREATE OR REPLACE TEMP TABLE tip_report_final AS
            SELECT s.report_number, s.tip_status, s.tip_basis, s.related_series,
                   coalesce(t.modality_code, kc.code, t.article_code) AS exploitation_code,
                   CASE WHEN t.modality_code IS NOT NULL THEN 'modality' WHEN kc.code IS NOT NULL THEN 'linked call narrative' WHEN t.article_code IS NOT NULL THEN 'article default' END AS exploitation_basis
            FROM tip_report_status AS s
            JOIN tip_report_type AS t ON t.report_number = s.report_number
            LEFT JOIN (
                SELECT rc.report_number, mode(c.own_exploitation_code) AS code FROM tip_report_call AS rc
                JOIN tip_call_final AS c ON c.call_id = rc.call_id AND c.own_exploitation_code IS NOT NULL GROUP BY rc.report_number
            ) AS kc ON kc.report_number = s.report_number
            """;

        // Prosecution cases: a confirmed article on the event date, else a linked TIP report or call (links or the same linked case).
        yield return $"""
            CREATE OR REPLACE TEMP TABLE tip_case_final AS
            SELECT k.case_number,
                   CASE WHEN conf.case_number IS NOT NULL THEN 'confirmed_statute'
                        WHEN {Bool(definition.LinkedTipReport)} AND lr.report_number IS NOT NULL AND ({caseTakesEvidence} OR lr.confirmed) THEN 'evidence_linked'
                        WHEN {Bool(definition.LinkedTipCall)} AND lcall.call_id IS NOT NULL AND {caseTakesEvidence} THEN 'evidence_linked'
                        ELSE 'not_tip' END AS tip_status,
                   CASE WHEN conf.case_number IS NOT NULL THEN 'art. ' || conf.article || ' charged on ' || CAST(conf.event_date AS VARCHAR) || ': ' || conf.meaning
                        WHEN {Bool(definition.LinkedTipReport)} AND lr.report_number IS NOT NULL AND ({caseTakesEvidence} OR lr.confirmed) THEN 'linked TIP report ' || lr.report_number || ' (' || lr.tip_basis || ')'
                        WHEN {Bool(definition.LinkedTipCall)} AND lcall.call_id IS NOT NULL AND {caseTakesEvidence} THEN 'TIP call ' || lcall.call_id || ' in the same linked case'
                        WHEN rel.series IS NOT NULL THEN 'charged under art. ' || rel.articles || ' without TIP evidence: ' || rel.series || ' series'
                        ELSE 'no TIP statute or evidence' END AS tip_basis,
                   rel.series AS related_series,
                   coalesce(lr.exploitation_code, dflt.code) AS exploitation_code,
                   CASE WHEN lr.exploitation_code IS NOT NULL THEN 'linked report' WHEN dflt.code IS NOT NULL THEN 'article default' END AS exploitation_basis
            FROM (SELECT DISTINCT case_number FROM dw.fact_case_event) AS k
            LEFT JOIN (
                SELECT a.case_number, min(a.article) AS article, min(a.event_date) AS event_date, min(s.meaning) AS meaning
                FROM tip_case_article AS a JOIN tip_rule_statute AS s ON s.kind = 'confirmed' AND s.article = a.article AND a.event_date BETWEEN s.valid_from AND s.valid_to
                GROUP BY a.case_number
            ) AS conf ON conf.case_number = k.case_number
            LEFT JOIN (
                SELECT a.case_number,
                       CASE WHEN bool_or(pim.pattern IS NOT NULL) THEN 'pimping' ELSE min(s.meaning) END AS series,
                       string_agg(DISTINCT a.article, ',' ORDER BY a.article) AS articles
                FROM tip_case_article AS a JOIN tip_rule_statute AS s ON s.kind = 'related' AND s.article = a.article AND a.event_date BETWEEN s.valid_from AND s.valid_to
                LEFT JOIN tip_rule_pattern AS pim ON pim.kind = 'pimping' AND pim.pattern = a.article
                GROUP BY a.case_number
            ) AS rel ON rel.case_number = k.case_number
            LEFT JOIN (
                SELECT cr.case_number, min(cr.report_number) AS report_number, min(r.tip_basis) AS tip_basis, min(r.exploitation_code) AS exploitation_code,
                       bool_or(r.tip_status = 'confirmed_statute') AS confirmed
                FROM tip_case_report AS cr JOIN tip_report_final AS r ON r.report_number = cr.report_number AND r.tip_status <> 'not_tip'
                GROUP BY cr.case_number
            ) AS lr ON lr.case_number = k.case_number
            LEFT JOIN (
                SELECT mc.record_id AS case_number, min(c.call_id) AS call_id FROM dw.case_membership AS mc
                JOIN dw.case_membership AS ml ON ml.case_id = mc.case_id AND ml.record_type = 'hotline_call'
                JOIN tip_call_final AS c ON c.call_id = ml.record_id AND c.tip_status <> 'not_tip'
                WHERE mc.record_type = 'prosecution_case'
                  AND (c.tip_status = 'evidence_linked' OR c.call_id IN (SELECT call_id FROM tip_call_evidence))
                GROUP BY mc.record_id
            ) AS lcall ON lcall.case_number = k.case_number
            LEFT JOIN (
                SELECT a.case_number, min(p.code) AS code FROM tip_case_article AS a
                JOIN tip_rule_pattern AS p ON p.kind = 'article_default' AND p.pattern = a.article GROUP BY a.case_number
            ) AS dflt ON dflt.case_number = k.case_number
            """;

        // Every level in one set, with exploitation keys; linked cases take their strongest member.
        yield return """
            CREATE OR REPLACE TEMP TABLE tip_records AS
            SELECT 'hotline_call' AS record_type, call_id AS record_id, tip_status, tip_basis, CAST(NULL AS VARCHAR) AS related_series, exploitation_code, exploitation_basis FROM tip_call_final
            UNION ALL SELECT 'police_report', report_number, tip_status, tip_basis, related_series, exploitation_code, exploitation_basis FROM tip_report_final
            UNION ALL SELECT 'prosecution_case', case_number, tip_status, tip_basis, related_series, exploitation_code, exploitation_basis FROM tip_case_final
            """;
        yield return """
            CREATE OR REPLACE TEMP TABLE tip_lifecycle AS
            SELECT l.case_id AS record_type_case,
                   arg_min(r.tip_status, CASE r.tip_status WHEN 'confirmed_statute' THEN 0 WHEN 'evidence_linked' THEN 1 WHEN 'indicated' THEN 2 ELSE 3 END
                       * 10 + CASE r.record_type WHEN 'prosecution_case' THEN 0 WHEN 'police_report' THEN 1 ELSE 2 END) AS tip_status,
                   arg_min(r.record_type || ' ' || r.record_id || ': ' || r.tip_basis, CASE r.tip_status WHEN 'confirmed_statute' THEN 0 WHEN 'evidence_linked' THEN 1 WHEN 'indicated' THEN 2 ELSE 3 END
                       * 10 + CASE r.record_type WHEN 'prosecution_case' THEN 0 WHEN 'police_report' THEN 1 ELSE 2 END) AS tip_basis,
                   min(r.related_series) AS related_series,
                   arg_min(r.exploitation_code, CASE WHEN r.exploitation_code IS NULL THEN 9 WHEN r.record_type = 'police_report' THEN 0 WHEN r.record_type = 'prosecution_case' THEN 1 ELSE 2 END) AS exploitation_code
            FROM dw.fact_case_lifecycle AS l
            JOIN dw.case_membership AS m ON m.case_id = l.case_id
            JOIN tip_records AS r ON r.record_type = m.record_type AND r.record_id = m.record_id
            GROUP BY l.case_id
            """;
        yield return """
            CREATE OR REPLACE TEMP TABLE tip_all AS
            SELECT x.record_type, x.record_id, x.tip_status, x.tip_basis, x.related_series,
                   coalesce(d.exploitation_type_key, -1) AS exploitation_type_key, x.exploitation_basis
            FROM (
                SELECT * FROM tip_records
                UNION ALL
                SELECT 'case', record_type_case, tip_status, tip_basis, related_series, exploitation_code,
                       CASE WHEN exploitation_code IS NOT NULL THEN 'case member' END FROM tip_lifecycle
            ) AS x
            LEFT JOIN dw.dim_exploitation_type AS d ON d.exploitation_code = x.exploitation_code
            """;
        yield return """
            CREATE OR REPLACE TEMP TABLE tip_moc_all AS
            SELECT 'hotline_call' AS record_type, call_id AS record_id, code FROM tip_call_moc
            UNION SELECT 'police_report', rc.report_number, m.code FROM tip_report_call AS rc JOIN tip_call_moc AS m ON m.call_id = rc.call_id
            UNION SELECT 'prosecution_case', cr.case_number, m.code FROM tip_case_report AS cr JOIN tip_report_call AS rc ON rc.report_number = cr.report_number
                JOIN tip_call_moc AS m ON m.call_id = rc.call_id
            """;
        yield return """
            CREATE OR REPLACE TEMP TABLE tip_changed AS
            SELECT a.record_type, a.record_id FROM tip_all AS a
            LEFT JOIN dw.tip_determination AS t ON t.record_type = a.record_type AND t.record_id = a.record_id
            WHERE t.record_id IS NULL OR t.tip_status <> a.tip_status OR t.tip_basis <> left(a.tip_basis, 400)
               OR t.exploitation_type_key <> a.exploitation_type_key OR t.tip_definition_version <> $version
               OR t.related_series IS DISTINCT FROM a.related_series
            """;
    }
}
