using System.Globalization;
using DuckDB.NET.Data;
using TipWarehouse.Core;

namespace TipWarehouse.Linkage.Determination;

/// <summary>
/// The evidence signature of a police report or prosecution case: what the TIP determination reads of the record, as an analyst sees it
/// in <c>dw</c>, in the terms of a <see cref="TipDefinition"/> (its statutes and their dates, its trafficking modality and excluded
/// modalities, its classifier and evidence cuts, its child-victim age), so a changed definition gives another signature. Any deterministic
/// rule on these fields gives every record of a signature the same answer. Built from <c>dw</c> only; never from the truth.
/// </summary>
public static class EvidenceSignature
{
    /// <summary>The levels that have a signature.</summary>
    public static readonly IReadOnlyList<string> Levels = ["police_report", "prosecution_case"];

    /// <summary>What a signature of <paramref name="level"/> is made of under <paramref name="definition"/>, in words.</summary>
    public static string Fields(string level, TipDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var statutes = "the article with its status on the date under the definition (confirmed: "
            + string.Join(", ", definition.ConfirmedStatutes.Select(Describe)) + "; related: " + string.Join(", ", definition.RelatedStatutes.Select(Describe))
            + (Boundaries(definition).Count > 0 ? "; and the period of the statutes' dates: from " + string.Join(", from ", Boundaries(definition).Select(Date)) : "") + ")";
        var call = $"the best linked call's classifier band ({string.Join(", ", Bands(definition))}) and whether its operator category maps to TIP (dw.ref_operator_category)";
        return level switch
        {
            "police_report" => statutes + ", a modality that names trafficking (" + string.Join(", ", definition.ModalityNamesTrafficking) + "; the modality itself when there is no article)"
                + (definition.LinkedTipCall ? (definition.LinkedCallExcludedModalities is { } x ? $", a modality excluded from call evidence ({x})" : "") + ", " + call : "")
                + (definition.LinkedTipCase ? ", a linked case charged under a confirmed statute" : "")
                + (definition.MinorVictimMaxAge is { } age ? $", the youngest victim at or under {age} or over it" : ""),
            "prosecution_case" => "the articles charged, each " + statutes
                + (definition.LinkedTipReport ? ", the strongest TIP status of its linked police reports" : "")
                + (definition.LinkedTipCall ? ", the best call in the same linked case: " + call : ""),
            _ => throw new ArgumentOutOfRangeException(nameof(level), level, "police_report or prosecution_case"),
        };

        static string Describe(TipStatute s) => s.Article + (s.From is { } f ? " from " + Date(f) : "") + (s.To is { } t ? " to " + Date(t) : "");
    }

    /// <summary>A record's evidence signature, and whether the signature holds any element the definition accepts as TIP evidence.</summary>
    /// <param name="Signature">The signature, in words (<see cref="Fields"/>).</param>
    /// <param name="HasEvidence">A confirmed statute, a modality that names trafficking, or (as the definition reads them) a linked call, a
    /// linked case charged under a confirmed statute, a victim at or under the child age; for a case, a confirmed article charged, a linked
    /// report with one of those elements, or a call in its linked case. For a report a function of its signature's fields; a case's
    /// signature shows its reports' determination, not their elements, so two cases of one signature may differ.</param>
    public readonly record struct SignedRecord(string Signature, bool HasEvidence);

    /// <summary>What <see cref="SignedRecord.HasEvidence"/> counts as an evidence element, in words.</summary>
    public static string EvidenceElements(string level, TipDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var parts = new List<string> { "a confirmed statute" };
        if (level == "police_report")
        {
            parts.Add("a modality that names trafficking");
            if (definition.LinkedTipCall)
            {
                parts.Add("any linked call, whatever its score or category" + (definition.LinkedCallExcludedModalities is null ? "" : " (not for a modality excluded from call evidence)"));
            }

            if (definition.LinkedTipCase)
            {
                parts.Add("a linked case charged under a confirmed statute");
            }

            if (definition.MinorVictimMaxAge is { } age)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"a victim aged {age} or under, under any article"));
            }
        }
        else
        {
            if (definition.LinkedTipReport)
            {
                parts.Add("a linked police report with an evidence element (as for police reports), whatever the determination decided of it");
            }

            if (definition.LinkedTipCall)
            {
                parts.Add("any call in its linked case, whatever its score or category");
            }
        }

        return string.Join(", ", parts);
    }

    /// <summary>The evidence signature of every record of <paramref name="level"/> (police_report or prosecution_case), keyed by report or case number.</summary>
    public static Dictionary<string, string> Of(DuckDBConnection connection, string level, TipDefinition definition) =>
        Read(connection, level, definition).ToDictionary(kv => kv.Key, kv => kv.Value.Signature, StringComparer.Ordinal);

    /// <summary>The evidence signature of every record of <paramref name="level"/>, with whether it holds an evidence element
    /// (<see cref="SignedRecord.HasEvidence"/>), keyed by report or case number.</summary>
    public static Dictionary<string, SignedRecord> Read(DuckDBConnection connection, string level, TipDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(definition);
        var classifier = definition.ClassifierEnabled ? "true" : "false";
        var calls = $"""
            WITH score AS (
                SELECT sc.call_key, max(sc.probability) AS p FROM dw.fact_call_score AS sc
                JOIN dw.dim_model AS m ON m.model_key = sc.model_key AND m.is_active WHERE {classifier} GROUP BY sc.call_key
            ),
            call_evidence AS (
                SELECT c.call_id, coalesce(s.p, -1) AS p, coalesce(CAST(oc.is_tip AS BOOLEAN), false) AS op
                FROM dw.fact_hotline_call AS c LEFT JOIN score AS s ON s.call_key = c.call_key
                LEFT JOIN dw.ref_operator_category AS oc ON oc.operator_category = upper(trim(c.operator_category))
            ),
            report_call AS (
                SELECT report_number, source_call_id AS call_id FROM dw.fact_police_report WHERE source_call_id IS NOT NULL
                UNION SELECT right_record_id, left_record_id FROM dw.bridge_case_link WHERE link_type = 'hotline_police' AND status = 'linked'
            ),
            case_report AS (
                SELECT right_record_id AS case_number, left_record_id AS report_number FROM dw.bridge_case_link WHERE link_type = 'police_prosecution' AND status = 'linked'
                UNION SELECT e.case_number, e.cited_report_number FROM dw.fact_case_event AS e JOIN dw.fact_police_report AS r ON r.report_number = e.cited_report_number
                UNION SELECT mc.record_id, mr.record_id FROM dw.case_membership AS mc
                      JOIN dw.case_membership AS mr ON mr.case_id = mc.case_id AND mr.record_type = 'police_report' WHERE mc.record_type = 'prosecution_case'
            ),
            case_article AS (
                SELECT e.case_number, trim(a.article) AS article, d.full_date AS event_date FROM dw.fact_case_event AS e
                JOIN dw.dim_date AS d ON d.date_key = e.event_date_key
                CROSS JOIN unnest(string_split(coalesce(e.charged_articles, ''), ',')) AS a(article) WHERE trim(a.article) <> ''
            )
            """;
        // Every report's signature and evidence: the police-report level reads it, and a case takes evidence from its linked reports'.
        var reports = calls + $"""
            ,
            report AS (
                SELECT f.report_number, f.modality, lower(strip_accents(coalesce(f.modality, ''))) AS modality_txt, ct.penal_article AS article,
                       coalesce(di.full_date, dr.full_date) AS fact_date
                FROM dw.fact_police_report AS f
                LEFT JOIN dw.dim_crime_type AS ct ON ct.crime_type_key = f.crime_type_key AND ct.crime_type_key <> -1
                -- nullif inside the equality keeps the unknown date (-1) out and the join a hash join (as in the determination).
                LEFT JOIN dw.dim_date AS di ON di.date_key = nullif(f.incident_date_key, -1)
                LEFT JOIN dw.dim_date AS dr ON dr.date_key = nullif(f.report_date_key, -1)
            ),
            linked AS (
                SELECT rc.report_number, max(e.p) AS p, bool_or(e.op) AS op FROM report_call AS rc JOIN call_evidence AS e ON e.call_id = rc.call_id GROUP BY rc.report_number
            ),
            confirmed_case AS (
                SELECT DISTINCT cr.report_number FROM case_report AS cr JOIN case_article AS a ON a.case_number = cr.case_number
                WHERE {AnyStatute(definition.ConfirmedStatutes, "a.article", "a.event_date")}
            ),
            victim AS (
                SELECT report_number, min(age) AS age FROM dw.bridge_report_person WHERE role = 'VICTIMA' AND age IS NOT NULL GROUP BY report_number
            ),
            report_signature AS (
                SELECT r.report_number,
                       'art. ' || coalesce(r.article, 'none') || {ArticleLabel(definition, "r.article", "r.fact_date")}
                       || CASE WHEN {NamesTrafficking(definition, "r.modality_txt")} THEN ' | trafficking modality'
                               WHEN r.article IS NULL THEN ' | ' || coalesce(r.modality, 'no modality') ELSE '' END
                       {ReportCallFields(definition)}
                       {(definition.LinkedTipCase ? "|| CASE WHEN cc.report_number IS NOT NULL THEN ' | confirmed case' ELSE '' END" : "")}
                       {VictimField(definition)} AS signature,
                       coalesce({AnyStatute(definition.ConfirmedStatutes, "r.article", "r.fact_date")}, false) OR {NamesTrafficking(definition, "r.modality_txt")}
                       {ReportCallEvidence(definition)}
                       {(definition.LinkedTipCase ? "OR cc.report_number IS NOT NULL" : "")}
                       {(definition.MinorVictimMaxAge is { } minor ? "OR coalesce(v.age <= " + minor.ToString(CultureInfo.InvariantCulture) + ", false)" : "")} AS has_evidence
                FROM report AS r
                LEFT JOIN linked AS l ON l.report_number = r.report_number
                LEFT JOIN confirmed_case AS cc ON cc.report_number = r.report_number
                LEFT JOIN victim AS v ON v.report_number = r.report_number
            )
            """;
        var sql = level switch
        {
            "police_report" => reports + "SELECT report_number, signature, has_evidence FROM report_signature",
            "prosecution_case" => reports + $"""
                ,
                articles AS (
                    SELECT case_number, string_agg(DISTINCT label, ', ' ORDER BY label) AS articles, bool_or(confirmed) AS confirmed
                    FROM (SELECT case_number, article || {ArticleLabel(definition, "article", "event_date")} AS label,
                                 coalesce({AnyStatute(definition.ConfirmedStatutes, "article", "event_date")}, false) AS confirmed
                          FROM case_article) AS x
                    GROUP BY case_number
                ),
                report_status AS (
                    SELECT cr.case_number, min(CASE d.tip_status WHEN 'confirmed_statute' THEN '1 confirmed_statute' WHEN 'evidence_linked' THEN '2 evidence_linked'
                                                  WHEN 'indicated' THEN '3 indicated' ELSE '4 not_tip' END) AS status
                    FROM case_report AS cr JOIN dw.tip_determination AS d ON d.record_type = 'police_report' AND d.record_id = cr.report_number
                    GROUP BY cr.case_number
                ),
                case_call AS (
                    SELECT mc.record_id AS case_number, max(e.p) AS p, bool_or(e.op) AS op FROM dw.case_membership AS mc
                    JOIN dw.case_membership AS ml ON ml.case_id = mc.case_id AND ml.record_type = 'hotline_call'
                    JOIN call_evidence AS e ON e.call_id = ml.record_id
                    WHERE mc.record_type = 'prosecution_case' GROUP BY mc.record_id
                ),
                report_evidence AS (
                    SELECT cr.case_number FROM case_report AS cr JOIN report_signature AS rs ON rs.report_number = cr.report_number
                    GROUP BY cr.case_number HAVING bool_or(rs.has_evidence)
                )
                SELECT k.case_number,
                       'art. ' || coalesce(a.articles, 'none')
                       {(definition.LinkedTipReport ? "|| ' | report ' || coalesce(substr(rs.status, 3), 'none')" : "")}
                       {(definition.LinkedTipCall ? "|| ' | call ' || " + CallBand(definition, "cl") : "")},
                       coalesce(a.confirmed, false)
                       {(definition.LinkedTipReport ? "OR re.case_number IS NOT NULL" : "")}
                       {(definition.LinkedTipCall ? "OR cl.case_number IS NOT NULL" : "")}
                FROM (SELECT DISTINCT case_number FROM dw.fact_case_event) AS k
                LEFT JOIN articles AS a ON a.case_number = k.case_number
                LEFT JOIN report_status AS rs ON rs.case_number = k.case_number
                LEFT JOIN case_call AS cl ON cl.case_number = k.case_number
                LEFT JOIN report_evidence AS re ON re.case_number = k.case_number
                """,
            _ => throw new ArgumentOutOfRangeException(nameof(level), level, "police_report or prosecution_case"),
        };
        return Sql.Query(connection, sql, r => (Id: r.GetString(0), Record: new SignedRecord(r.GetString(1), r.GetBoolean(2))))
            .ToDictionary(x => x.Id, x => x.Record, StringComparer.Ordinal);
    }

    /// <summary>The probability cuts the determination reads of a call, ascending: the classifier's <c>min_probability</c> (when it is
    /// enabled) and the evidence rule's <c>linked_call_min_probability</c>.</summary>
    public static IReadOnlyList<double> Cuts(TipDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (!definition.ClassifierEnabled)
        {
            return [];
        }

        return [.. new[] { (double?)definition.ClassifierMinProbability, definition.LinkedCallMinProbability }.OfType<double>().Distinct().Order()];
    }

    /// <summary>The band labels of <see cref="Cuts"/>, as they appear in a signature.</summary>
    public static IReadOnlyList<string> Bands(TipDefinition definition)
    {
        var cuts = Cuts(definition);
        var bands = new List<string> { "none", "unscored" };
        if (cuts.Count == 0)
        {
            return bands;
        }

        bands.Add("< " + Number(cuts[0]));
        bands.AddRange(cuts.Select((c, i) => i == cuts.Count - 1 ? ">= " + Number(c) : Number(c) + "-" + Number(cuts[i + 1])));
        return bands;
    }

    // The dates where a statute's wording starts or ends (the day after its last day): the periods a date falls in.
    private static List<DateOnly> Boundaries(TipDefinition definition) =>
    [
        .. definition.ConfirmedStatutes.Concat(definition.RelatedStatutes)
            .SelectMany(s => new[] { s.From, s.To?.AddDays(1) }).OfType<DateOnly>().Distinct().Order(),
    ];

    private static string Date(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Number(double d) => d.ToString("R", CultureInfo.InvariantCulture);

    private static string DateLiteral(DateOnly d) => $"DATE '{Date(d)}'";

    private static string AnyStatute(IEnumerable<TipStatute> statutes, string article, string date)
    {
        var arms = statutes.Select(s => $"({article} = {Sql.Literal(s.Article)}"
            + (s.From is { } f ? $" AND {date} >= {DateLiteral(f)}" : "") + (s.To is { } t ? $" AND {date} <= {DateLiteral(t)}" : "") + ")").ToList();
        return arms.Count == 0 ? "false" : "(" + string.Join(" OR ", arms) + ")";
    }

    // ' (confirmed)' or ' (related)' when a statute of the definition applies to the article on the date, then the period of the date.
    private static string ArticleLabel(TipDefinition definition, string article, string date)
    {
        var status = $"CASE WHEN {AnyStatute(definition.ConfirmedStatutes, article, date)} THEN ' (confirmed)' WHEN {AnyStatute(definition.RelatedStatutes, article, date)} THEN ' (related)' ELSE '' END";
        var boundaries = Boundaries(definition);
        var period = boundaries.Count == 0 ? "''"
            : "CASE " + string.Join(" ", boundaries.AsEnumerable().Reverse().Select(b => $"WHEN {date} >= {DateLiteral(b)} THEN ' from {Date(b)}'")) + " ELSE '' END";
        return $"{status} || {period}";
    }

    private static string NamesTrafficking(TipDefinition definition, string folded) =>
        definition.ModalityNamesTrafficking.Count == 0 ? "false"
            : "(" + string.Join(" OR ", definition.ModalityNamesTrafficking.Select(p => $"regexp_matches({folded}, {Sql.Literal(p)})")) + ")";

    // A report whose modality the definition excludes from call evidence (a property or drug crime), or null when it excludes none.
    private static string? ExcludedFromCallEvidence(TipDefinition definition) => definition.LinkedCallExcludedModalities is { } x
        ? $"(r.article IS NOT NULL AND regexp_matches(r.modality_txt, {Sql.Literal(x)}))"
        : null;

    private static string ReportCallFields(TipDefinition definition)
    {
        if (!definition.LinkedTipCall)
        {
            return "";
        }

        var excluded = ExcludedFromCallEvidence(definition) is { } x ? $"|| CASE WHEN {x} THEN ' | modality excluded from call evidence' ELSE '' END " : "";
        return excluded + "|| ' | call ' || " + CallBand(definition, "l");
    }

    // A linked call is an evidence element unless the report's modality is excluded from call evidence (as the signature shows it).
    private static string ReportCallEvidence(TipDefinition definition)
    {
        if (!definition.LinkedTipCall)
        {
            return "";
        }

        return $"OR (l.report_number IS NOT NULL{(ExcludedFromCallEvidence(definition) is { } x ? " AND NOT " + x : "")})";
    }

    private static string VictimField(TipDefinition definition) => definition.MinorVictimMaxAge is { } age
        ? $"|| ' | ' || CASE WHEN v.age IS NULL THEN 'victim age unknown' WHEN v.age <= {age.ToString(CultureInfo.InvariantCulture)} THEN 'victim <= {age.ToString(CultureInfo.InvariantCulture)}' ELSE 'victim > {age.ToString(CultureInfo.InvariantCulture)}' END"
        : "";

    // The classifier band and operator category of the best call of a group (alias.p: the active model's probability, -1 unscored or
    // not read; alias.op: a TIP operator category; no row: no call).
    private static string CallBand(TipDefinition definition, string alias)
    {
        var cuts = Cuts(definition);
        var bands = Bands(definition);
        var arms = string.Concat(cuts.Select((c, i) => (c, i)).Reverse().Select(x => $"WHEN {alias}.p >= {Number(x.c)} THEN {Sql.Literal(bands[x.i + 3])} "));
        var below = cuts.Count == 0 ? "'unscored'" : Sql.Literal(bands[2]);
        return $"(CASE WHEN {alias}.p IS NULL THEN 'none' WHEN {alias}.p < 0 THEN 'unscored' {arms}ELSE {below} END || CASE WHEN {alias}.op THEN ' + TIP category' ELSE '' END)";
    }
}
