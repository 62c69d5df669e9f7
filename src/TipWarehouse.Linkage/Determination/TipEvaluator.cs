using System.Globalization;
using DuckDB.NET.Data;
using TipWarehouse.Core;

namespace TipWarehouse.Linkage.Determination;

/// <summary>Precision and recall of one level of the TIP determination against ground truth (for exploitation types: accuracy in both).</summary>
public sealed record TipLevelQuality(string Level, double Precision, double Recall, int TrueCount, int FlaggedCount)
{
    /// <summary>Harmonic mean of precision and recall.</summary>
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);
}

/// <summary>
/// Compares <c>dw.tip_determination</c> with the simulator's truth folder (<c>hotline_labels.csv</c>, <c>police_reports.csv</c>,
/// <c>prosecution_cases.csv</c>); used only by <c>tipw evaluate tip</c>. Records not loaded in the warehouse are left out.
/// </summary>
public static class TipEvaluator
{
    /// <summary>The levels, in output order.</summary>
    public static readonly IReadOnlyList<string> Levels = ["hotline_call", "police_report", "prosecution_case", "exploitation_type"];

    private static readonly Dictionary<string, string> s_truthTypes = new(StringComparer.Ordinal)
    {
        ["SEXUAL"] = "SEXUAL_EXPLOITATION", ["LABORAL"] = "FORCED_LABOUR", ["SERVIDUMBRE_DOMESTICA"] = "DOMESTIC_SERVITUDE", ["MENDICIDAD"] = "FORCED_BEGGING",
    };

    /// <summary>Evaluates every level; the table has <c>level,precision,recall,f1,n_true,n_flagged</c>, the notes the misses and the confusion matrix.</summary>
    public static ResultTable Evaluate(DuckDBConnection connection, string truthDirectory)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var decided = Sql.Query(connection, """
            SELECT d.record_type, d.record_id, d.is_tip, d.tip_status, d.tip_basis, coalesce(x.exploitation_code, 'UNKNOWN'), d.tip_definition_version,
                   coalesce(d.exploitation_basis, 'none')
            FROM dw.tip_determination AS d LEFT JOIN dw.dim_exploitation_type AS x ON x.exploitation_type_key = d.exploitation_type_key
            """, r => (Type: r.GetString(0), Id: r.GetString(1), IsTip: Convert.ToBoolean(r.GetValue(2), CultureInfo.InvariantCulture), Status: r.GetString(3), Basis: r.GetString(4), Code: r.GetString(5), Version: r.GetString(6),
                ExploitationBasis: r.GetString(7)))
            .ToDictionary(d => (d.Type, d.Id));
        if (decided.Count == 0)
        {
            throw new TipwException("dw.tip_determination is empty: run the tip_determination pipeline first ('tipw run --all' or 'tipw rebuild tip').");
        }

        var notes = new List<string> { "Definition " + decided.Values.First().Version + "; records not loaded in the warehouse are left out." };
        var rows = new List<object?[]>();
        var typed = new List<(string Level, string Truth, string Got, string Basis)>();
        var truthByLevel = new Dictionary<string, Dictionary<string, bool>>(StringComparer.Ordinal);
        foreach (var (level, file, idColumn) in new[] { ("hotline_call", "hotline_labels.csv", "id_llamada"), ("police_report", "police_reports.csv", "nro_denuncia"), ("prosecution_case", "prosecution_cases.csv", "nro_caso") })
        {
            var truth = ReadTruth(Path.Combine(truthDirectory, file), idColumn);
            truthByLevel[level] = truth.Where(t => decided.ContainsKey((level, t.Id))).ToDictionary(t => t.Id, t => t.IsTip, StringComparer.Ordinal);
            int tp = 0, flagged = 0, trueCount = 0;
            var misses = new Dictionary<string, int>(StringComparer.Ordinal);
            var falseFlags = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (id, isTip, type) in truth)
            {
                if (!decided.TryGetValue((level, id), out var d))
                {
                    continue;
                }

                trueCount += isTip ? 1 : 0;
                flagged += d.IsTip ? 1 : 0;
                tp += isTip && d.IsTip ? 1 : 0;
                if (isTip && !d.IsTip)
                {
                    misses[Reason(d.Basis)] = misses.GetValueOrDefault(Reason(d.Basis)) + 1;
                }
                else if (!isTip && d.IsTip)
                {
                    falseFlags[d.Status] = falseFlags.GetValueOrDefault(d.Status) + 1;
                }

                if (isTip && type is not null && level != "prosecution_case")
                {
                    typed.Add((level, s_truthTypes.GetValueOrDefault(type, type), d.Code, level + " " + d.ExploitationBasis));
                }
            }

            rows.Add(Row(level, flagged == 0 ? 1 : (double)tp / flagged, trueCount == 0 ? 1 : (double)tp / trueCount, trueCount, flagged));
            if (level != "hotline_call")
            {
                notes.Add($"{level}: missed TIP records by basis: {Join(misses)}; false TIP by status: {Join(falseFlags)}.");
            }
        }

        var correct = typed.Count(t => t.Truth == t.Got);
        var accuracy = typed.Count == 0 ? 1 : (double)correct / typed.Count;
        rows.Add(Row("exploitation_type", accuracy, accuracy, typed.Count, typed.Count));
        var perLevel = typed.GroupBy(t => t.Level).Select(g => string.Create(CultureInfo.InvariantCulture,
            $"{g.Key} {g.Count(t => t.Truth == t.Got) / (double)g.Count():0.0000} of {g.Count()} ({g.Count(t => t.Got == "UNKNOWN")} undecidable: no exploitation word in the narratives, no modality, no article default; {g.Count(t => t.Basis.Contains("imputed", StringComparison.Ordinal))} imputed)"));
        notes.Add("exploitation_type: accuracy over the true TIP calls and police reports (precision and recall columns both): " + string.Join("; ", perLevel) + ". Confusion (truth -> decided): "
            + string.Join(", ", typed.GroupBy(t => (t.Truth, t.Got)).OrderBy(g => g.Key.Truth, StringComparer.Ordinal).ThenByDescending(g => g.Count()).Select(g => $"{g.Key.Truth}->{g.Key.Got} {g.Count()}")) + ".");
        notes.Add("exploitation_type by the source of the type (level and exploitation_basis): " + string.Join("; ", typed.GroupBy(t => t.Basis).OrderByDescending(g => g.Count()).Select(g => string.Create(CultureInfo.InvariantCulture,
            $"{g.Key} {g.Count(t => t.Truth == t.Got) / (double)g.Count():0.0000} of {g.Count()} (wrong: {Join(g.Where(t => t.Truth != t.Got).GroupBy(t => t.Truth + "->" + t.Got).ToDictionary(x => x.Key, x => x.Count(), StringComparer.Ordinal))})"))) + ".");

        foreach (var level in new[] { "police_report", "prosecution_case" })
        {
            var flags = decided.Where(kv => kv.Key.Type == level).ToDictionary(kv => kv.Key.Id, kv => kv.Value.IsTip, StringComparer.Ordinal);
            var bound = DecidabilityBound.Measure(EvidenceSignatures(connection, level), truthByLevel[level], Target, flags);
            rows.Add(Row(level + "_ceiling", bound.Best.Precision, bound.Best.Recall, bound.TrueCount, bound.Best.Flagged));
            notes.Add(bound.Describe(level, level == "police_report" ? ReportSignatureFields : CaseSignatureFields));
        }
        var columns = new ResultColumn[]
        {
            new("level", typeof(string)), new("precision", typeof(double)), new("recall", typeof(double)), new("f1", typeof(double)),
            new("n_true", typeof(long)), new("n_flagged", typeof(long)),
        };
        return new ResultTable(columns, rows, notes);
    }

    /// <summary>The precision and recall the issue asks of police reports and prosecution cases.</summary>
    public const double Target = 0.95;

    /// <summary>What a police report's evidence signature is made of (what the determination reads of a report, as an analyst sees it).</summary>
    public const string ReportSignatureFields = "article and whether the facts are before or after Law 28950, a modality that names trafficking (the modality itself when there is no article), the linked call's classifier band (none, < 0.5, 0.5-0.8, >= 0.8, unscored) and TIP operator category, a linked case charged under art. 153/182, the youngest victim child or adult";

    /// <summary>What a prosecution case's evidence signature is made of.</summary>
    public const string CaseSignatureFields = "the articles charged and whether before or after Law 28950, the strongest TIP status of its linked police reports, the best TIP call in the same linked case (classifier band and TIP operator category)";

    // Law 28950 in force: the wording of art. 153 and 182 changes on this day.
    private const string LawDate = "DATE '2007-01-16'";

    // The classifier band and operator category of the best call of a group (alias.p: the active model's probability, -1 unscored;
    // alias.op: a TIP operator category; no row: no call).
    private static string CallBand(string alias) => $"""
        CASE WHEN {alias}.p IS NULL THEN 'none' WHEN {alias}.p < 0 THEN 'unscored' WHEN {alias}.p >= 0.8 THEN '>= 0.8' WHEN {alias}.p >= 0.5 THEN '0.5-0.8' ELSE '< 0.5' END
        || CASE WHEN {alias}.op THEN ' + TIP category' ELSE '' END
        """;

    /// <summary>The evidence signature of every record of <paramref name="level"/> (police_report or prosecution_case), from <c>dw</c> only.</summary>
    public static Dictionary<string, string> EvidenceSignatures(DuckDBConnection connection, string level)
    {
        const string Calls = """
            WITH score AS (
                SELECT sc.call_key, max(sc.probability) AS p FROM dw.fact_call_score AS sc
                JOIN dw.dim_model AS m ON m.model_key = sc.model_key AND m.is_active GROUP BY sc.call_key
            ),
            call_evidence AS (
                SELECT c.call_id, coalesce(s.p, -1) AS p, coalesce(c.is_tip_by_operator, false) AS op
                FROM dw.fact_hotline_call AS c LEFT JOIN score AS s ON s.call_key = c.call_key
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
        var sql = level switch
        {
            "police_report" => Calls + $"""
                ,
                linked AS (
                    SELECT rc.report_number, max(e.p) AS p, bool_or(e.op) AS op FROM report_call AS rc JOIN call_evidence AS e ON e.call_id = rc.call_id GROUP BY rc.report_number
                ),
                confirmed_case AS (
                    SELECT DISTINCT cr.report_number FROM case_report AS cr JOIN case_article AS a ON a.case_number = cr.case_number
                    WHERE (a.article IN ('153', '153-A') AND a.event_date >= {LawDate}) OR (a.article = '182' AND a.event_date < {LawDate})
                ),
                victim AS (
                    SELECT report_number, min(age) AS age FROM dw.bridge_report_person WHERE role = 'VICTIMA' AND age IS NOT NULL GROUP BY report_number
                )
                SELECT f.report_number,
                       'art. ' || coalesce(ct.penal_article, 'none') || CASE WHEN coalesce(di.full_date, dr.full_date) >= {LawDate} THEN ' (law)' ELSE '' END
                       || CASE WHEN strip_accents(upper(coalesce(f.modality, ''))) LIKE 'TRATA%' THEN ' | trafficking modality'
                               WHEN ct.penal_article IS NULL THEN ' | ' || coalesce(f.modality, 'no modality') ELSE '' END
                       || ' | call ' || {CallBand("l")}
                       || CASE WHEN cc.report_number IS NOT NULL THEN ' | confirmed case' ELSE '' END
                       || ' | ' || CASE WHEN v.age IS NULL THEN 'victim age unknown' WHEN v.age <= 17 THEN 'child victim' ELSE 'adult victim' END
                FROM dw.fact_police_report AS f
                LEFT JOIN dw.dim_crime_type AS ct ON ct.crime_type_key = f.crime_type_key AND ct.crime_type_key <> -1
                LEFT JOIN dw.dim_date AS di ON di.date_key = f.incident_date_key AND f.incident_date_key <> -1
                LEFT JOIN dw.dim_date AS dr ON dr.date_key = f.report_date_key AND f.report_date_key <> -1
                LEFT JOIN linked AS l ON l.report_number = f.report_number
                LEFT JOIN confirmed_case AS cc ON cc.report_number = f.report_number
                LEFT JOIN victim AS v ON v.report_number = f.report_number
                """,
            "prosecution_case" => Calls + $"""
                ,
                articles AS (
                    SELECT case_number, string_agg(DISTINCT article || CASE WHEN event_date >= {LawDate} THEN ' (law)' ELSE '' END, ',' ORDER BY article || CASE WHEN event_date >= {LawDate} THEN ' (law)' ELSE '' END) AS articles
                    FROM case_article GROUP BY case_number
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
                )
                SELECT k.case_number,
                       'art. ' || coalesce(a.articles, 'none')
                       || ' | report ' || coalesce(substr(rs.status, 3), 'none')
                       || ' | call ' || {CallBand("cl")}
                FROM (SELECT DISTINCT case_number FROM dw.fact_case_event) AS k
                LEFT JOIN articles AS a ON a.case_number = k.case_number
                LEFT JOIN report_status AS rs ON rs.case_number = k.case_number
                LEFT JOIN case_call AS cl ON cl.case_number = k.case_number
                """,
            _ => throw new ArgumentOutOfRangeException(nameof(level), level, "police_report or prosecution_case"),
        };
        return Sql.Query(connection, sql, r => (Id: r.GetString(0), Signature: r.GetString(1))).ToDictionary(x => x.Id, x => x.Signature, StringComparer.Ordinal);
    }

    private static object?[] Row(string level, double precision, double recall, int trueCount, int flagged)
    {
        var q = new TipLevelQuality(level, precision, recall, trueCount, flagged);
        return [level, Math.Round(q.Precision, 4), Math.Round(q.Recall, 4), Math.Round(q.F1, 4), (long)trueCount, (long)flagged];
    }

    // The basis up to its first detail (article numbers stay, record ids and ages go), so misses group by why they were missed.
    private static string Reason(string basis)
    {
        var colon = basis.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 ? basis[(colon + 1)..].Trim() + " (" + basis[..colon] + ")" : basis;
    }

    private static string Join(Dictionary<string, int> counts) =>
        counts.Count == 0 ? "none" : string.Join("; ", counts.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value}"));

    private static List<(string Id, bool IsTip, string? Type)> ReadTruth(string path, string idColumn)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"No truth file at {path}. Pass the simulator's truth folder, e.g. --truth HOME/sources/truth.");
        }

        var lines = File.ReadAllLines(path);
        var header = lines.Length == 0 ? [] : LinkageEvaluator.SplitCsv(lines[0]).Select(h => h.Trim()).ToList();
        int Column(string name) => header.IndexOf(name) is var i and >= 0 ? i : throw new TipwException($"{path}: no column '{name}' in the header.");
        var id = Column(idColumn);
        var tip = Column("is_tip");
        var type = header.IndexOf("exploitation_type");
        var result = new List<(string, bool, string?)>(lines.Length);
        for (var row = 1; row < lines.Length; row++)
        {
            if (lines[row].Length == 0)
            {
                continue;
            }

            var fields = LinkageEvaluator.SplitCsv(lines[row]);
            if (fields.Count <= Math.Max(id, tip))
            {
                throw new TipwException($"{path}:{row + 1}: expected at least {Math.Max(id, tip) + 1} fields, found {fields.Count}.");
            }

            result.Add((fields[id], fields[tip] == "1", type >= 0 && type < fields.Count && fields[type].Length > 0 ? fields[type] : null));
        }

        return result;
    }
}
