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
            SELECT d.record_type, d.record_id, d.is_tip, d.tip_status, d.tip_basis, coalesce(x.exploitation_code, 'UNKNOWN'), d.tip_definition_version
            FROM dw.tip_determination AS d LEFT JOIN dw.dim_exploitation_type AS x ON x.exploitation_type_key = d.exploitation_type_key
            """, r => (Type: r.GetString(0), Id: r.GetString(1), IsTip: Convert.ToBoolean(r.GetValue(2), CultureInfo.InvariantCulture), Status: r.GetString(3), Basis: r.GetString(4), Code: r.GetString(5), Version: r.GetString(6)))
            .ToDictionary(d => (d.Type, d.Id));
        if (decided.Count == 0)
        {
            throw new TipwException("dw.tip_determination is empty: run the tip_determination pipeline first ('tipw run --all' or 'tipw rebuild tip').");
        }

        var notes = new List<string> { "Definition " + decided.Values.First().Version + "; records not loaded in the warehouse are left out." };
        var rows = new List<object?[]>();
        var typed = new List<(string Level, string Truth, string Got)>();
        foreach (var (level, file, idColumn) in new[] { ("hotline_call", "hotline_labels.csv", "id_llamada"), ("police_report", "police_reports.csv", "nro_denuncia"), ("prosecution_case", "prosecution_cases.csv", "nro_caso") })
        {
            var truth = ReadTruth(Path.Combine(truthDirectory, file), idColumn);
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
                    typed.Add((level, s_truthTypes.GetValueOrDefault(type, type), d.Code));
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
            $"{g.Key} {g.Count(t => t.Truth == t.Got) / (double)g.Count():0.0000} of {g.Count()} ({g.Count(t => t.Got == "UNKNOWN")} undecidable: no exploitation word in the narratives, no modality, no article default)"));
        notes.Add("exploitation_type: accuracy over the true TIP calls and police reports (precision and recall columns both): " + string.Join("; ", perLevel) + ". Confusion (truth -> decided): "
            + string.Join(", ", typed.GroupBy(t => (t.Truth, t.Got)).OrderBy(g => g.Key.Truth, StringComparer.Ordinal).ThenByDescending(g => g.Count()).Select(g => $"{g.Key.Truth}->{g.Key.Got} {g.Count()}")) + ".");
        var columns = new ResultColumn[]
        {
            new("level", typeof(string)), new("precision", typeof(double)), new("recall", typeof(double)), new("f1", typeof(double)),
            new("n_true", typeof(long)), new("n_flagged", typeof(long)),
        };
        return new ResultTable(columns, rows, notes);
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
