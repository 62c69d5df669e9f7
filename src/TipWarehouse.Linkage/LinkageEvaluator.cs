using System.Globalization;
using DuckDB.NET.Data;
using TipWarehouse.Core;

namespace TipWarehouse.Linkage;

/// <summary>Precision, recall and F1 of one link type against ground truth.</summary>
public sealed record LinkQuality(string LinkType, int TruePositives, int Predicted, int TruthPairs, int TruthPairsLoaded)
{
    /// <summary>Per link method (exact, exact_normalized, probabilistic, analyst): how many of its links are true, of how many.</summary>
    public IReadOnlyList<(string Method, int TruePositives, int Predicted)> ByMethod { get; init; } = [];

    /// <summary>
    /// The probabilistic pairs linked or queued for review by their score's 1-bit band (the floor of the score): how
    /// many are true, of how many; where the link and review thresholds stand against the pairs' precision.
    /// </summary>
    public IReadOnlyList<(int Band, int TruePositives, int Pairs)> ByScore { get; init; } = [];

    /// <summary>Share of predicted links that are true (1 when nothing was predicted).</summary>
    public double Precision => Predicted == 0 ? 1 : (double)TruePositives / Predicted;

    /// <summary>Share of true pairs whose records are both in the warehouse that were linked (1 when there are none).</summary>
    public double Recall => TruthPairsLoaded == 0 ? 1 : (double)TruePositives / TruthPairsLoaded;

    /// <summary>Harmonic mean of precision and recall.</summary>
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);
}

/// <summary>Compares the linked pairs of <c>dw.bridge_case_link</c> with the simulator's <c>truth/links.csv</c>.</summary>
public static class LinkageEvaluator
{
    /// <summary>The truth file name inside the truth folder.</summary>
    public const string TruthFileName = "links.csv";

    /// <summary>Evaluates every link type; <paramref name="truthDirectory"/> holds <c>links.csv</c> (<c>case_id,id_llamada,police_report,case_number</c>).</summary>
    public static IReadOnlyList<LinkQuality> Evaluate(DuckDBConnection connection, string truthDirectory)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var truth = ReadTruth(truthDirectory);
        var calls = Ids(connection, "SELECT call_id FROM dw.fact_hotline_call");
        var reports = Ids(connection, "SELECT report_number FROM dw.fact_police_report");
        var cases = Ids(connection, "SELECT DISTINCT case_number FROM dw.fact_case_event");
        var result = new List<LinkQuality>();
        foreach (var linkType in LinkTypes.All)
        {
            var linked = Sql.Query(connection, "SELECT left_record_id, right_record_id, method FROM dw.bridge_case_link WHERE link_type = $type AND status = 'linked'",
                r => (Pair: (r.GetString(0), r.GetString(1)), Method: r.GetString(2)), ("type", linkType));
            var predicted = linked.Select(l => l.Pair).ToHashSet();
            var truePairs = truth[linkType];
            var (leftIds, rightIds) = linkType == LinkTypes.HotlinePolice ? (calls, reports) : (reports, cases);
            var loaded = truePairs.Count(p => leftIds.Contains(p.Item1) && rightIds.Contains(p.Item2));
            var byMethod = linked.GroupBy(l => l.Method, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => (g.Key, g.Count(l => truePairs.Contains(l.Pair)), g.Count())).ToList();
            var byScore = Sql.Query(connection, """
                    SELECT left_record_id, right_record_id, CAST(floor(score) AS INTEGER) FROM dw.bridge_case_link
                    WHERE link_type = $type AND status IN ('linked', 'review') AND method = 'probabilistic' AND score IS NOT NULL
                    """, r => (Pair: (r.GetString(0), r.GetString(1)), Band: Sql.ReadInt(r, 2)), ("type", linkType))
                .GroupBy(x => x.Band).OrderBy(g => g.Key).Select(g => (g.Key, g.Count(x => truePairs.Contains(x.Pair)), g.Count())).ToList();
            result.Add(new LinkQuality(linkType, predicted.Count(truePairs.Contains), predicted.Count, truePairs.Count, loaded) { ByMethod = byMethod, ByScore = byScore });
        }

        return result;
    }

    /// <summary>The evaluation as a table with columns <c>link_type, precision, recall, f1</c>; counts go to the notes.</summary>
    public static ResultTable ToTable(IReadOnlyList<LinkQuality> qualities)
    {
        ArgumentNullException.ThrowIfNull(qualities);
        var columns = new ResultColumn[]
        {
            new("link_type", typeof(string)), new("precision", typeof(double)), new("recall", typeof(double)), new("f1", typeof(double)),
        };
        var rows = qualities.Select(q => new object?[] { q.LinkType, Math.Round(q.Precision, 4), Math.Round(q.Recall, 4), Math.Round(q.F1, 4) }).ToList();
        var notes = qualities.Select(q => string.Create(CultureInfo.InvariantCulture,
            $"{q.LinkType}: {q.TruePositives} true of {q.Predicted} linked; {q.TruthPairs} true pairs, {q.TruthPairsLoaded} with both records loaded (recall is over these).")
            + (q.ByMethod.Count == 0 ? string.Empty
                : " By method: " + string.Join(", ", q.ByMethod.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Method} {m.TruePositives} true of {m.Predicted}"))) + ".")
            + (q.ByScore.Count == 0 ? string.Empty
                : " Probabilistic pairs linked or in review by score band (bits): " + string.Join(", ", q.ByScore.Select(b => string.Create(CultureInfo.InvariantCulture, $"[{b.Band},{b.Band + 1}) {b.TruePositives} true of {b.Pairs}"))) + ".")).ToList();
        return new ResultTable(columns, rows, notes);
    }

    private static HashSet<string> Ids(DuckDBConnection connection, string sql) =>
        Sql.Query(connection, sql, r => r.GetString(0)).ToHashSet(StringComparer.Ordinal);

    private static Dictionary<string, HashSet<(string, string)>> ReadTruth(string truthDirectory)
    {
        var path = Path.Combine(truthDirectory, TruthFileName);
        if (!File.Exists(path))
        {
            throw new UsageException($"No truth file at {path}. Pass the simulator's truth folder, e.g. --truth HOME/sources/truth.");
        }

        var lines = File.ReadAllLines(path);
        if (lines.Length == 0)
        {
            throw new TipwException($"{path}: the file is empty; expected a header 'case_id,id_llamada,police_report,case_number'.");
        }

        var header = SplitCsv(lines[0]).Select(h => h.Trim()).ToList();
        int Column(string name)
        {
            var i = header.IndexOf(name);
            return i >= 0 ? i : throw new TipwException($"{path}, row 1: no column '{name}' (found: {string.Join(", ", header)}).");
        }

        var (call, report, caseNumber) = (Column("id_llamada"), Column("police_report"), Column("case_number"));
        var truth = LinkTypes.All.ToDictionary(t => t, _ => new HashSet<(string, string)>());
        for (var row = 1; row < lines.Length; row++)
        {
            if (lines[row].Length == 0)
            {
                continue;
            }

            var fields = SplitCsv(lines[row]);
            string Field(int i) => i < fields.Count ? fields[i].Trim() : string.Empty;
            var (c, r, k) = (Field(call), Field(report), Field(caseNumber));
            if (c.Length > 0 && r.Length > 0)
            {
                truth[LinkTypes.HotlinePolice].Add((c, r));
            }

            if (r.Length > 0 && k.Length > 0)
            {
                truth[LinkTypes.PoliceProsecution].Add((r, k));
            }
        }

        return truth;
    }

    // RFC 4180 fields of one line (quoted fields may contain commas and doubled quotes).
    internal static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    current.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        fields.Add(current.ToString());
        return fields;
    }
}
