using DuckDB.NET.Data;
using TipWarehouse.Core;

namespace TipWarehouse.Linkage;

/// <summary>
/// The reports each prosecution case's cited numbers name, in <c>lk_num</c> (level 3 = as written, 2 = equal after
/// <see cref="ReportNumber.Normalize"/>, 1 = one known typing error away), for police → prosecution comparison.
/// </summary>
internal static class ReportNumberMatching
{
    /// <summary>
    /// <see cref="ReportNumber.Normalize"/> in SQL (ASCII letters and digits kept, upper-cased; nothing left is null): the
    /// same function, used only to narrow what an incremental run reads, never to decide a match.
    /// </summary>
    public static string NormalizedSql(string column) => $"NULLIF(upper(regexp_replace({column}, '[^A-Za-z0-9]', '', 'g')), '')";

    private const string CitedNumbers = """
        SELECT DISTINCT case_number, cited_report_number FROM dw.fact_case_event
        WHERE NULLIF(trim(cited_report_number), '') IS NOT NULL
        """;

    /// <summary>
    /// Fills <c>lk_num</c>: every case against every report in a full run. Incremental (<paramref name="scoped"/>): only the
    /// pairs of a dirty report (<c>lk_dirty_report</c>) or a dirty case (<c>lk_dirty_pcase</c>), the only ones police →
    /// prosecution reads of it then: the dirty cases' numbers against the reports whose normalized number equals one of
    /// theirs or of its typing-error variants, and the dirty reports against the numbers whose normalized form equals
    /// theirs or one of its typing-error origins (<see cref="ReportNumber.TypingErrorOrigins"/>); those narrow what is read,
    /// and the same matching as a full run decides.
    /// </summary>
    public static void Fill(DuckDBConnection connection, bool scoped)
    {
        var rows = new Dictionary<(string Report, string Case), int>();
        if (!scoped)
        {
            Match(Sql.Query(connection, CitedNumbers, ReadCited), Sql.Query(connection, "SELECT report_number FROM lk_report", r => r.GetString(0)), rows);
        }
        else
        {
            var dirtyCited = Sql.Query(connection, CitedNumbers + " AND case_number IN (SELECT id FROM lk_dirty_pcase)", ReadCited);
            var dirtyReports = Sql.Query(connection, "SELECT report_number FROM lk_report WHERE report_number IN (SELECT id FROM lk_dirty_report) ORDER BY report_number", r => r.GetString(0));
            var reportKeys = dirtyCited.Select(c => ReportNumber.Normalize(c.Cited)).OfType<string>().SelectMany(n => ReportNumber.TypingErrorVariants(n).Prepend(n));
            var citedKeys = dirtyReports.Select(ReportNumber.Normalize).OfType<string>().SelectMany(n => ReportNumber.TypingErrorOrigins(n).Prepend(n));
            Sql.Execute(connection, "CREATE OR REPLACE TEMP TABLE lk_num_key (side VARCHAR, key VARCHAR)");
            Sql.InsertRows(connection, "lk_num_key", ["side", "key"],
                reportKeys.Distinct(StringComparer.Ordinal).Select(k => new object?[] { "report", k })
                    .Concat(citedKeys.Distinct(StringComparer.Ordinal).Select(k => new object?[] { "cited", k })));
            // The reports' normalized numbers as the last run kept them (a number never changes), and the touched reports' own.
            var nearReports = Sql.Query(connection, $"""
                SELECT report_number FROM meta.linkage_report_features
                WHERE normalized_number IN (SELECT key FROM lk_num_key WHERE side = 'report') AND report_number NOT IN (SELECT id FROM lk_report_touched)
                UNION ALL
                SELECT report_number FROM lk_report
                WHERE report_number IN (SELECT id FROM lk_report_touched) AND {NormalizedSql("report_number")} IN (SELECT key FROM lk_num_key WHERE side = 'report')
                """, r => r.GetString(0));
            var nearCited = Sql.Query(connection, $"{CitedNumbers} AND {NormalizedSql("cited_report_number")} IN (SELECT key FROM lk_num_key WHERE side = 'cited')", ReadCited);
            Match(dirtyCited, nearReports, rows);
            Match(nearCited, dirtyReports, rows);
            Sql.Execute(connection, "DROP TABLE lk_num_key");
        }

        Sql.InsertRows(connection, "lk_num", ["report_number", "case_number", "level"],
            rows.OrderBy(kv => kv.Key.Report, StringComparer.Ordinal).ThenBy(kv => kv.Key.Case, StringComparer.Ordinal)
                .Select(kv => new object?[] { kv.Key.Report, kv.Key.Case, kv.Value }));
    }

    private static (string Case, string Cited) ReadCited(System.Data.Common.DbDataReader r) => (r.GetString(0), r.GetString(1));

    // Adds to rows every (report, case) the cited numbers name among the reports, at the highest level any number of the case names it.
    private static void Match(IEnumerable<(string Case, string Cited)> cited, IReadOnlyCollection<string> reports, Dictionary<(string Report, string Case), int> rows)
    {
        var byRaw = new HashSet<string>(reports, StringComparer.Ordinal);
        var byNormalized = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var report in reports)
        {
            var normalized = ReportNumber.Normalize(report);
            if (normalized is null)
            {
                continue;
            }

            if (!byNormalized.TryGetValue(normalized, out var list))
            {
                byNormalized[normalized] = list = [];
            }

            list.Add(report);
        }

        void Add(string report, string caseNumber, int level)
        {
            var key = (report, caseNumber);
            rows[key] = Math.Max(level, rows.TryGetValue(key, out var existing) ? existing : 0);
        }

        foreach (var (caseNumber, number) in cited)
        {
            var trimmed = number.Trim();
            if (byRaw.Contains(trimmed))
            {
                Add(trimmed, caseNumber, 3);
            }

            var normalized = ReportNumber.Normalize(number);
            if (normalized is null)
            {
                continue;
            }

            foreach (var report in byNormalized.GetValueOrDefault(normalized) ?? [])
            {
                Add(report, caseNumber, 2);
            }

            foreach (var variant in ReportNumber.TypingErrorVariants(normalized))
            {
                foreach (var report in byNormalized.GetValueOrDefault(variant) ?? [])
                {
                    Add(report, caseNumber, 1);
                }
            }
        }
    }
}
