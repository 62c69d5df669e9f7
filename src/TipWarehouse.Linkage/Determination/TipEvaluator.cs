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

    /// <summary>Evaluates every level; the table has <c>level,precision,recall,f1,n_true,n_flagged</c>, the notes the misses and the confusion
    /// matrix. <paramref name="definition"/> is the active definition (the one the determination read): the evidence signatures of the
    /// <c>*_ceiling</c> rows are built in its terms.</summary>
    public static ResultTable Evaluate(DuckDBConnection connection, string truthDirectory, TipDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(definition);
        var decided = ReadDecided(connection);
        var notes = new List<string> { "Definition " + decided.Values.First().Version + "; records not loaded in the warehouse are left out." };
        notes.AddRange(VersionNote(decided, definition));
        var rows = new List<object?[]>();
        var typed = new List<(string Level, string Truth, string Got, string Basis)>();
        var truthByLevel = new Dictionary<string, Dictionary<string, bool>>(StringComparer.Ordinal);
        foreach (var level in Levels.Take(3))
        {
            var (file, idColumn) = TruthFile(level);
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

        var reportEvidence = new HashSet<string>(StringComparer.Ordinal);
        foreach (var level in new[] { "police_report", "prosecution_case" })
        {
            var flags = decided.Where(kv => kv.Key.Type == level).ToDictionary(kv => kv.Key.Id, kv => kv.Value.IsTip, StringComparer.Ordinal);
            var records = EvidenceSignature.Read(connection, level, definition);
            var signatures = records.ToDictionary(kv => kv.Key, kv => kv.Value.Signature, StringComparer.Ordinal);
            var bound = DecidabilityBound.Measure(signatures, truthByLevel[level], Target, flags);
            rows.Add(Row(level + "_ceiling", bound.Best.Precision, bound.Best.Recall, bound.TrueCount, bound.Best.Flagged));
            notes.Add(bound.Describe(level, EvidenceSignature.Fields(level, definition)));
            // A rule may read whether a record has an evidence element (it is a field of the record), and may flag none without one.
            var keyed = records.ToDictionary(kv => kv.Key, kv => kv.Value.Signature + (kv.Value.HasEvidence ? "" : NoEvidence), StringComparer.Ordinal);
            var withEvidence = records.Values.Where(r => r.HasEvidence).Select(r => r.Signature).ToHashSet(StringComparer.Ordinal);
            var evidenceBound = DecidabilityBound.Measure(keyed, truthByLevel[level], Target, flags, withEvidence);
            rows.Add(Row(level + "_evidence_ceiling", evidenceBound.Best.Precision, evidenceBound.Best.Recall, evidenceBound.TrueCount, evidenceBound.Best.Flagged));
            var free = records.Where(kv => !kv.Value.HasEvidence && truthByLevel[level].GetValueOrDefault(kv.Key)).Select(kv => kv.Key).ToList();
            notes.Add(DescribeEvidenceBound(level, definition, evidenceBound, withEvidence) + UnlinkedEvidenceNote(truthDirectory, level, free, reportEvidence));
            if (level == "police_report")
            {
                reportEvidence.UnionWith(records.Where(kv => kv.Value.HasEvidence).Select(kv => kv.Key));
            }
        }
        var columns = new ResultColumn[]
        {
            new("level", typeof(string)), new("precision", typeof(double)), new("recall", typeof(double)), new("f1", typeof(double)),
            new("n_true", typeof(long)), new("n_flagged", typeof(long)),
        };
        return new ResultTable(columns, rows, notes);
    }

    // Appended to the signature of a record without an evidence element in the evidence bound's groups.
    private const string NoEvidence = " | no evidence element";

    // The bound of a rule that flags no record without an evidence element: what "TIP only with evidence" allows at best.
    private static string DescribeEvidenceBound(string level, TipDefinition definition, DecidabilityBound bound, HashSet<string> withEvidence)
    {
        var free = bound.Groups.Where(g => !withEvidence.Contains(g.Signature)).ToList();
        var freeTip = free.Where(g => g.Tip > 0).OrderByDescending(g => g.Tip).ThenBy(g => g.Signature, StringComparer.Ordinal).ToList();
        string Figure(DecidabilityBound.Point? p) => p is null ? "none" : p.Recall.ToString("0.0000", CultureInfo.InvariantCulture);
        var listed = freeTip.Count == 0 ? "none"
            : string.Join("; ", freeTip.Take(8).Select(g => $"[{g.Signature}] {g.Tip} TIP of {g.Records}")) + (freeTip.Count > 8 ? $"; {freeTip.Count - 8} more" : "");
        return string.Create(CultureInfo.InvariantCulture,
            $"{level}_evidence_ceiling: the ceiling of a rule that flags no record without an evidence element (a related statute, or any other, is TIP only with evidence; "
            + $"evidence elements: {EvidenceSignature.EvidenceElements(level, definition)}): F1 {bound.Best.F1:0.0000} (precision {bound.Best.Precision:0.0000}, recall {bound.Best.Recall:0.0000}); "
            + $"the highest recall any such rule reaches is {bound.Widest.Recall:0.0000} (every signature with evidence and a TIP record flagged: {bound.Widest.Flagged} records, precision {bound.Widest.Precision:0.0000}); "
            + $"at precision >= {Target:0.00} recall {Figure(bound.AtTargetPrecision)}. "
            + $"{free.Sum(g => g.Records)} records have no evidence element, {free.Sum(g => g.Tip)} of them TIP in truth (no rule the definition allows counts them): {listed}.");
    }

    // How many evidence-free TIP records the warehouse's links left without evidence that truth shows: a hotline call in the truth's links.csv
    // (the report's row, or the case's), or for a case its true report (prosecution_cases.csv) when that report has an evidence element in
    // the warehouse. Those are linkage misses, not records without evidence.
    private static string UnlinkedEvidenceNote(string truthDirectory, string level, List<string> free, HashSet<string> reportEvidence)
    {
        var path = Path.Combine(truthDirectory, "links.csv");
        if (free.Count == 0 || !File.Exists(path))
        {
            return "";
        }

        var withCall = TruthColumn(path, level == "police_report" ? "police_report" : "case_number", "id_llamada").Where(x => x.Value.Length > 0)
            .Select(x => x.Key).ToHashSet(StringComparer.Ordinal);
        var reportOf = level == "prosecution_case" && File.Exists(Path.Combine(truthDirectory, "prosecution_cases.csv"))
            ? TruthColumn(Path.Combine(truthDirectory, "prosecution_cases.csv"), "nro_caso", "nro_denuncia").ToDictionary(x => x.Key, x => x.Value, StringComparer.Ordinal)
            : [];
        var missed = free.Count(id => withCall.Contains(id) || (reportOf.TryGetValue(id, out var report) && reportEvidence.Contains(report)));
        var what = level == "police_report" ? "a hotline call in the truth's links (links.csv)" : "a hotline call in the truth's links (links.csv) or a true report with an evidence element";
        return string.Create(CultureInfo.InvariantCulture,
            $" Of those {free.Count} TIP records, {missed} have {what} that the warehouse did not link to them (a linkage miss, not missing evidence); the other {free.Count - missed} have none in truth either.");
    }

    // The (key, value) pairs of two columns of a truth CSV file, rows with an empty key left out.
    private static IEnumerable<KeyValuePair<string, string>> TruthColumn(string path, string keyColumn, string valueColumn)
    {
        var lines = File.ReadAllLines(path);
        var header = lines.Length == 0 ? [] : LinkageEvaluator.SplitCsv(lines[0]).Select(h => h.Trim()).ToList();
        var (key, value) = (header.IndexOf(keyColumn), header.IndexOf(valueColumn));
        if (key < 0 || value < 0)
        {
            throw new TipwException($"{path}: no column '{(key < 0 ? keyColumn : valueColumn)}' in the header.");
        }

        return lines.Skip(1).Select(LinkageEvaluator.SplitCsv).Where(f => f.Count > Math.Max(key, value) && f[key].Length > 0)
            .Select(f => KeyValuePair.Create(f[key], f[value]));
    }

    /// <summary>The precision and recall the issue asks of police reports and prosecution cases.</summary>
    public const double Target = 0.95;

    /// <summary>
    /// One row per evidence signature of <paramref name="level"/> (both levels when null): the signature, its records with a truth value,
    /// the true TIP among them, what the determination says of them (TIP, not TIP or mixed), the records any deterministic rule on the
    /// signature must get wrong (the smaller side of a mixed signature), the records the determination gets wrong, and what the bound's
    /// F1-best rule decides; sorted by the records any rule must get wrong, so the undecidable signatures come first.
    /// </summary>
    public static ResultTable Signatures(DuckDBConnection connection, string truthDirectory, TipDefinition definition, string? level = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(definition);
        if (level is not null && !EvidenceSignature.Levels.Contains(level))
        {
            throw new UsageException($"--level {level}: signatures exist for {string.Join(" and ", EvidenceSignature.Levels)}.");
        }

        var decided = ReadDecided(connection);
        var notes = new List<string> { "Definition " + decided.Values.First().Version + "." };
        notes.AddRange(VersionNote(decided, definition));
        var rows = new List<(string Level, DecidabilityBound.Group Group, string Evidence)>();
        IReadOnlyList<string> levels = level is null ? EvidenceSignature.Levels : [level];
        foreach (var l in levels)
        {
            var (file, idColumn) = TruthFile(l);
            var truth = ReadTruth(Path.Combine(truthDirectory, file), idColumn).Where(t => decided.ContainsKey((l, t.Id))).ToDictionary(t => t.Id, t => t.IsTip, StringComparer.Ordinal);
            var flags = decided.Where(kv => kv.Key.Type == l).ToDictionary(kv => kv.Key.Id, kv => kv.Value.IsTip, StringComparer.Ordinal);
            var records = EvidenceSignature.Read(connection, l, definition);
            var bound = DecidabilityBound.Measure(records.ToDictionary(kv => kv.Key, kv => kv.Value.Signature, StringComparer.Ordinal), truth, Target, flags);
            // Whether the signature's records (those with a truth value) carry an evidence element: yes, no, or mixed (cases only).
            var evidence = records.Where(kv => truth.ContainsKey(kv.Key)).GroupBy(kv => kv.Value.Signature, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.All(kv => kv.Value.HasEvidence) ? "yes" : g.Any(kv => kv.Value.HasEvidence) ? "mixed" : "no", StringComparer.Ordinal);
            rows.AddRange(bound.Groups.Select(g => (l, g, evidence.GetValueOrDefault(g.Signature, "no"))));
            var mixed = bound.Groups.Where(g => g.IsMixed).ToList();
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"{l}: {bound.Groups.Count} signatures of {bound.Groups.Sum(g => g.Records)} records; {mixed.Count} mixed (TIP and not TIP alike) holding {mixed.Sum(g => g.Records)} records, "
                + $"of which any rule on the signature gets at least {mixed.Sum(g => g.Minority)} wrong; the determination gets {bound.Groups.Sum(g => g.DeterminationWrong)} wrong in all. "
                + $"A signature is {EvidenceSignature.Fields(l, definition)}."));
        }

        notes.Add("least_wrong: the records any deterministic rule on the signature gets wrong (it gives them all one answer); determination_wrong: the records the determination gets wrong there; ceiling_rule: what the F1-best rule of the *_ceiling rows decides for the signature; evidence: whether its records carry an evidence element (yes, no, or mixed for cases; see the *_evidence_ceiling rows of 'tipw evaluate tip'): a signature with evidence 'no' is one no rule the definition allows may count.");
        var columns = new ResultColumn[]
        {
            new("level", typeof(string)), new("signature", typeof(string)), new("records", typeof(long)), new("true_tip", typeof(long)),
            new("decided_tip", typeof(long)), new("determination", typeof(string)), new("least_wrong", typeof(long)),
            new("determination_wrong", typeof(long)), new("ceiling_rule", typeof(string)), new("evidence", typeof(string)),
        };
        return new ResultTable(
            columns,
            [.. rows.OrderByDescending(r => r.Group.Minority).ThenByDescending(r => r.Group.DeterminationWrong).ThenByDescending(r => r.Group.Records)
                .ThenBy(r => r.Level, StringComparer.Ordinal).ThenBy(r => r.Group.Signature, StringComparer.Ordinal)
                .Select(r => new object?[]
                {
                    r.Level, r.Group.Signature, (long)r.Group.Records, (long)r.Group.Tip, (long)r.Group.Decided,
                    r.Group.Decided == 0 ? "not TIP" : r.Group.Decided == r.Group.Records ? "TIP" : "mixed",
                    (long)r.Group.Minority, (long)r.Group.DeterminationWrong, r.Group.Flagged ? "TIP" : "not TIP", r.Evidence,
                })],
            notes);
    }

    /// <summary>The measures of <see cref="Series"/>, in output order.</summary>
    public static readonly IReadOnlyList<string> SeriesMeasures = ["tip_cases_sent_to_prosecution", "tip_convictions", "persons_charged_pimping"];

    /// <summary>
    /// The assessment's series per year (and the periods the simulator's <c>summary.json</c> names, e.g. 2006-01..07) against the truth:
    /// <c>warehouse</c> is <c>tipw report monthly</c>'s figure (<c>rpt.v_tip_monthly</c>), <c>truth</c> the same definition over the same
    /// loaded cases (<c>rpt.v_prosecution_case_series</c>) counted by the truth's TIP decision per case, <c>simulator</c> what the simulator
    /// printed for the period (its own events, before any load defect), <c>missed</c>/<c>added</c> what the truth's TIP cases the determination
    /// misses and its false TIP cases contribute (warehouse = truth - missed + added). The notes name each such case with its evidence signature.
    /// </summary>
    public static ResultTable Series(DuckDBConnection connection, string truthDirectory, TipDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(definition);
        var decided = ReadDecided(connection);
        var (file, idColumn) = TruthFile("prosecution_case");
        var truth = ReadTruth(Path.Combine(truthDirectory, file), idColumn).ToDictionary(t => t.Id, t => t.IsTip, StringComparer.Ordinal);
        var contributions = Sql.Query(connection, """
            SELECT case_number, year_month, CAST(sent_to_prosecution AS BIGINT), CAST(convictions AS BIGINT), CAST(formalized_defendants AS BIGINT)
            FROM rpt.v_prosecution_case_series
            """, r => (Case: r.GetString(0), Month: r.GetString(1), Sent: r.GetInt64(2), Convictions: r.GetInt64(3), Formalized: r.GetInt64(4))).ToList();
        var monthly = Sql.Query(connection, """
            SELECT year_month, CAST(tip_cases_sent_to_prosecution AS BIGINT), CAST(tip_convictions AS BIGINT), CAST(persons_charged_pimping AS BIGINT) FROM rpt.v_tip_monthly
            """, r => (Month: r.GetString(0), Values: new[] { r.GetInt64(1), r.GetInt64(2), r.GetInt64(3) })).ToList();
        var summary = SimulatorSummary.Read(Path.Combine(truthDirectory, SimulatorSummary.FileName));
        var periods = contributions.Select(c => c.Month[..4]).Concat(monthly.Where(m => m.Values.Any(v => v != 0)).Select(m => m.Month[..4])).Distinct()
            .Select(y => new SeriesPeriod(y, y + "-01", y + "-12")).Concat(summary?.Periods ?? []).DistinctBy(p => p.Label)
            .OrderBy(p => p.From, StringComparer.Ordinal).ThenByDescending(p => p.To, StringComparer.Ordinal).ToList();

        bool IsTip(string caseNumber) => decided.TryGetValue(("prosecution_case", caseNumber), out var d) && d.IsTip;
        long Value((string Case, string Month, long Sent, long Convictions, long Formalized) c, int measure) => measure switch
        {
            0 => c.Sent,
            1 => c.Convictions,
            _ => c.Formalized,
        };

        var signatures = EvidenceSignature.Of(connection, "prosecution_case", definition);
        var shares = signatures.Where(kv => truth.ContainsKey(kv.Key)).GroupBy(kv => kv.Value, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (Records: g.Count(), Tip: g.Count(kv => truth[kv.Key])), StringComparer.Ordinal);
        var firstMonth = contributions.Where(c => c.Sent > 0).ToDictionary(c => c.Case, c => c.Month, StringComparer.Ordinal);
        var rows = new List<object?[]>();
        var notes = new List<string>
        {
            "Definition " + decided.Values.First().Version + ". warehouse: 'tipw report monthly' (rpt.v_tip_monthly) summed over the period; truth: the same series over the same loaded "
            + "cases (rpt.v_prosecution_case_series) counted by the truth's TIP decision per case; simulator: the simulator's summary.json for the periods it prints "
            + "(its own events: late, malformed or missing events of the load make truth differ from it); warehouse = truth - missed + added.",
            "persons_charged_pimping is a series of its own (defendants formalized in cases of the pimping series, series.pimping_articles "
            + string.Join(", ", definition.PimpingArticles) + "), not a TIP decision: the truth has no per-case value for it, so only the simulator's figure is shown beside it.",
        };
        notes.AddRange(VersionNote(decided, definition));
        foreach (var period in periods)
        {
            bool In(string month) => string.CompareOrdinal(month, period.From) >= 0 && string.CompareOrdinal(month, period.To) <= 0;
            var inPeriod = contributions.Where(c => In(c.Month)).ToList();
            for (var measure = 0; measure < SeriesMeasures.Count; measure++)
            {
                var name = SeriesMeasures[measure];
                var m = measure;
                var warehouse = monthly.Where(x => In(x.Month)).Sum(x => x.Values[m]);
                long? truthValue = null, missed = null, added = null;
                if (measure < 2)
                {
                    var missedCases = inPeriod.Where(c => Value(c, m) > 0 && truth.GetValueOrDefault(c.Case) && !IsTip(c.Case)).ToList();
                    var addedCases = inPeriod.Where(c => Value(c, m) > 0 && !truth.GetValueOrDefault(c.Case) && IsTip(c.Case)).ToList();
                    truthValue = inPeriod.Where(c => truth.GetValueOrDefault(c.Case)).Sum(c => Value(c, m));
                    missed = missedCases.Sum(c => Value(c, m));
                    added = addedCases.Sum(c => Value(c, m));
                    if (!period.IsPart)
                    {
                        notes.AddRange(missedCases.Select(c => CaseNote(period.Label, name, "missed", c.Case, Value(c, m))));
                        notes.AddRange(addedCases.Select(c => CaseNote(period.Label, name, "added", c.Case, Value(c, m))));
                    }
                }

                rows.Add([period.Label, name, warehouse, truthValue, summary?.Value(name, period), missed, added]);
            }
        }

        string CaseNote(string period, string measure, string kind, string caseNumber, long value)
        {
            var d = decided.GetValueOrDefault(("prosecution_case", caseNumber));
            var signature = signatures.GetValueOrDefault(caseNumber, "(no signature)");
            var (records, tip) = shares.GetValueOrDefault(signature);
            var count = value > 1 ? $" ({value.ToString(CultureInfo.InvariantCulture)})" : "";
            var undecidable = records > 1 && tip > 0 && tip < records ? " (undecidable from these fields)" : "";
            return $"{period} {measure}: {kind} {caseNumber}{count}, first event {firstMonth.GetValueOrDefault(caseNumber, "?")}, truth {(kind == "missed" ? "TIP" : "not TIP")}, "
                + $"determined {d?.Status ?? "(none)"}: {d?.Basis ?? ""}; signature [{signature}]: {tip.ToString(CultureInfo.InvariantCulture)} TIP of {records.ToString(CultureInfo.InvariantCulture)} cases with it{undecidable}.";
        }

        var columns = new ResultColumn[]
        {
            new("period", typeof(string)), new("measure", typeof(string)), new("warehouse", typeof(long)), new("truth", typeof(long)),
            new("simulator", typeof(long)), new("missed", typeof(long)), new("added", typeof(long)),
        };
        return new ResultTable(columns, rows, notes);
    }

    /// <summary>A period of the series: a year, or a part of one (<c>2006-01..07</c>); months inclusive, <c>yyyy-MM</c>.</summary>
    private sealed record SeriesPeriod(string Label, string From, string To)
    {
        public bool IsPart => From[..4] == To[..4] && (From[5..] != "01" || To[5..] != "12");
    }

    /// <summary>The simulator's own figures (<c>truth/summary.json</c>): TIP cases passed per period, TIP convictions per year, persons charged with pimping in 2006.</summary>
    private sealed record SimulatorSummary(IReadOnlyDictionary<string, long> CasesPassed, IReadOnlyDictionary<string, long> Convictions, long? Pimping2006, int FromYear, int ToYear)
    {
        public const string FileName = "summary.json";

        public IEnumerable<SeriesPeriod> Periods => CasesPassed.Keys.Select(Parse).OfType<SeriesPeriod>();

        public static SimulatorSummary? Read(string path)
        {
            if (!File.Exists(path))
            {
                return null;
            }

            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
            var root = json.RootElement;
            Dictionary<string, long> Counts(string name) => root.TryGetProperty(name, out var e) && e.ValueKind == System.Text.Json.JsonValueKind.Object
                ? e.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64(), StringComparer.Ordinal)
                : new Dictionary<string, long>(StringComparer.Ordinal);
            int Year(string name) => root.TryGetProperty(name, out var e) && e.ValueKind == System.Text.Json.JsonValueKind.String && e.GetString() is { Length: >= 4 } s
                ? int.Parse(s[..4], CultureInfo.InvariantCulture) : 0;
            return new SimulatorSummary(Counts("tip_cases_passed"), Counts("tip_convictions"),
                root.TryGetProperty("pimping_charged_2006", out var p) ? p.GetInt64() : null, Year("from"), Year("to"));
        }

        public long? Value(string measure, SeriesPeriod period) => measure switch
        {
            "tip_cases_sent_to_prosecution" => CasesPassed.TryGetValue(period.Label, out var v) ? v
                : period.IsPart ? null : PartsOf(period.Label) is { Count: > 0 } parts ? parts.Sum() : null,
            // The simulator prints only the years with a conviction: a year it simulated without one is 0.
            "tip_convictions" => period.IsPart ? null : Convictions.TryGetValue(period.Label, out var c) ? c
                : int.Parse(period.Label, CultureInfo.InvariantCulture) is var y && y >= FromYear && y <= ToYear ? 0 : null,
            "persons_charged_pimping" => period.Label == "2006" ? Pimping2006 : null,
            _ => null,
        };

        private List<long> PartsOf(string year) => [.. CasesPassed.Where(kv => Parse(kv.Key) is { } p && p.IsPart && p.From[..4] == year).Select(kv => kv.Value)];

        // "2005" or "2006-01..07".
        private static SeriesPeriod? Parse(string key) => key.Length switch
        {
            4 => new SeriesPeriod(key, key + "-01", key + "-12"),
            11 when key[4] == '-' && key[7..9] == ".." => new SeriesPeriod(key, key[..7], key[..4] + "-" + key[9..]),
            _ => null,
        };
    }

    private sealed record Decision(string Type, string Id, bool IsTip, string Status, string Basis, string Code, string Version, string ExploitationBasis);

    private static Dictionary<(string Type, string Id), Decision> ReadDecided(DuckDBConnection connection)
    {
        var decided = Sql.Query(connection, """
            SELECT d.record_type, d.record_id, d.is_tip, d.tip_status, d.tip_basis, coalesce(x.exploitation_code, 'UNKNOWN'), d.tip_definition_version,
                   coalesce(d.exploitation_basis, 'none')
            FROM dw.tip_determination AS d LEFT JOIN dw.dim_exploitation_type AS x ON x.exploitation_type_key = d.exploitation_type_key
            """, r => new Decision(r.GetString(0), r.GetString(1), Convert.ToBoolean(r.GetValue(2), CultureInfo.InvariantCulture), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6),
                r.GetString(7)))
            .ToDictionary(d => (d.Type, d.Id));
        return decided.Count > 0
            ? decided
            : throw new TipwException("dw.tip_determination is empty: run the tip_determination pipeline first ('tipw run --all' or 'tipw rebuild tip').");
    }

    // The signatures are built in the terms of the definition given; say so when the warehouse was determined by another one.
    private static IEnumerable<string> VersionNote(Dictionary<(string Type, string Id), Decision> decided, TipDefinition definition)
    {
        var stored = decided.Values.Select(d => d.Version).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (stored.Count != 1 || stored[0] != definition.Version)
        {
            yield return $"Warning: the evidence signatures are built from definition {definition.Version} ({definition.SourcePath}), but dw.tip_determination was written by {string.Join(", ", stored)}: run 'tipw rebuild tip_determination' to determine by it.";
        }
    }

    private static (string File, string IdColumn) TruthFile(string level) => level switch
    {
        "hotline_call" => ("hotline_labels.csv", "id_llamada"),
        "police_report" => ("police_reports.csv", "nro_denuncia"),
        "prosecution_case" => ("prosecution_cases.csv", "nro_caso"),
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, "a level of the truth"),
    };

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
