using DuckDB.NET.Data;
using TipWarehouse.Analytics.Disclosure;
using TipWarehouse.Core;

namespace TipWarehouse.Analytics.Reports;

/// <summary>
/// <c>definitions</c>: the TIP definition the warehouse was determined by (<c>reference/tip_definition.yaml</c>, its version stored
/// on every row of <c>dw.tip_determination</c>) and what it counts: records per level, status and related series. Also the
/// headline figures that <c>tipw rebuild</c> compares before and after a re-derivation.
/// </summary>
public static class DefinitionsReport
{
    /// <summary>Counts of records (institutional records, not persons): suppressed like any count when published.</summary>
    public static readonly DisclosureSpec Disclosure = new(["records"], []);

    /// <summary>Builds the report.</summary>
    public static ResultTable Build(DuckDBConnection connection)
    {
        var table = ReportSql.Read(connection, """
            SELECT record_type AS level, tip_status, coalesce(related_series, '') AS related_series, count(*) AS records, tip_definition_version AS definition_version
            FROM dw.tip_determination
            GROUP BY record_type, tip_status, coalesce(related_series, ''), tip_definition_version
            ORDER BY CASE record_type WHEN 'hotline_call' THEN 1 WHEN 'police_report' THEN 2 WHEN 'prosecution_case' THEN 3 ELSE 4 END,
                     CASE tip_status WHEN 'confirmed_statute' THEN 1 WHEN 'evidence_linked' THEN 2 WHEN 'indicated' THEN 3 ELSE 4 END, coalesce(related_series, '')
            """);
        var notes = new List<string>
        {
            "The TIP definition is reference/tip_definition.yaml (TIPW_REFERENCE_DIR or the copy beside tipw); its version is the declared version plus the first 8 hex digits of the file's SHA-256.",
            "Statuses: confirmed_statute (art. 153/153-A from Law 28950, pre-law art. 182, or a modality naming trafficking), evidence_linked (a linked TIP report or case, or a linked TIP call whose decision is confident: the classifier at or above evidence.linked_call_min_probability or a TIP operator category), indicated (the classifier, a TIP operator category, recruitment + exploitation + means of control in the narrative, or a child victim under a related statute), not_tip.",
            "related_series: the statute's own series (pimping, kidnapping, forced_labour, ...) whatever the status; a related statute is TIP only with evidence.",
        };
        // Where the exploitation type of TIP records came from, so an analyst sees how many are imputed rather than named.
        var sources = ReportSql.Read(connection, """
            SELECT record_type, coalesce(exploitation_basis, 'unknown type') AS basis, count(*) AS records FROM dw.tip_determination
            WHERE is_tip = 1 AND record_type IN ('hotline_call', 'police_report', 'prosecution_case')
            GROUP BY record_type, coalesce(exploitation_basis, 'unknown type')
            ORDER BY CASE record_type WHEN 'hotline_call' THEN 1 WHEN 'police_report' THEN 2 ELSE 3 END, records DESC, basis
            """);
        if (sources.Rows.Count > 0)
        {
            notes.Add("Exploitation type of the TIP records by its source (exploitation_basis; 'imputed' = the most frequent type of the TIP calls of the same victim cell, exploitation.impute_unknown_calls_by): "
                + string.Join("; ", sources.Rows.GroupBy(r => (string)r[0]!).Select(g => g.Key + ": " + string.Join(", ", g.Select(r => $"{r[1]} {ReportSql.Long(r[2])}")))) + ".");
        }

        if (table.Rows.Count == 0)
        {
            notes.Add("dw.tip_determination is empty: the tip_determination pipeline has not run ('tipw run --all' or 'tipw rebuild tip').");
        }

        return new ResultTable(table.Columns, table.Rows, notes);
    }

    /// <summary>The headline figures of the assessment, as the warehouse now states them (name, value), and the active model's scored and flagged calls.</summary>
    public static IReadOnlyList<(string Figure, long Value)> Headline(DuckDBConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var counts = ReportSql.Read(connection, """
            SELECT
                (SELECT count(*) FROM dw.tip_determination WHERE record_type = 'hotline_call' AND is_tip = 1),
                (SELECT count(*) FROM dw.tip_determination WHERE record_type = 'police_report' AND is_tip = 1),
                (SELECT count(*) FROM dw.tip_determination WHERE record_type = 'prosecution_case' AND is_tip = 1),
                (SELECT count(*) FROM dw.tip_determination WHERE record_type = 'case' AND is_tip = 1),
                (SELECT coalesce(sum(tip_cases_sent_to_prosecution), 0) FROM rpt.v_tip_monthly WHERE year_month BETWEEN '2005-01' AND '2005-12'),
                (SELECT coalesce(sum(tip_cases_sent_to_prosecution), 0) FROM rpt.v_tip_monthly WHERE year_month BETWEEN '2006-01' AND '2006-07'),
                (SELECT coalesce(sum(persons_charged_pimping), 0) FROM rpt.v_tip_monthly WHERE year_month BETWEEN '2006-01' AND '2006-12'),
                (SELECT coalesce(sum(tip_convictions), 0) FROM rpt.v_tip_monthly WHERE year_month < '2007-01'),
                (SELECT count(*) FROM dw.fact_call_score AS s JOIN dw.dim_model AS m ON m.model_key = s.model_key AND m.is_active),
                (SELECT count(*) FROM dw.fact_call_score AS s JOIN dw.dim_model AS m ON m.model_key = s.model_key AND m.is_active WHERE CAST(s.is_flagged AS BOOLEAN))
            """).Rows[0];
        string[] names =
        [
            "tip_hotline_calls", "tip_police_reports", "tip_prosecution_cases", "tip_linked_cases", "tip_cases_sent_to_prosecution_2005",
            "tip_cases_sent_to_prosecution_2006_jan_jul", "persons_charged_pimping_2006", "tip_convictions_before_2007",
            "calls_scored_by_active_model", "calls_flagged_by_active_model",
        ];
        return [.. names.Select((n, i) => (n, ReportSql.Long(counts[i])))];
    }
}
