using System.Globalization;

namespace TipWarehouse.Linkage.Determination;

/// <summary>
/// The best any deterministic rule on an evidence signature can do: records with the same signature (the fields an analyst sees) get the
/// same decision from any such rule, so flagging whole signatures in descending order of their TIP share bounds precision and recall.
/// The F1-best choice is exact (a threshold on the share maximises F1); the figures at the target precision or recall follow the same order.
/// </summary>
public sealed record DecidabilityBound
{
    /// <summary>One signature: its records and how many of them are TIP in truth.</summary>
    public sealed record Group(string Signature, int Records, int Tip, int Decided)
    {
        /// <summary>Records the determination flags that are TIP in truth.</summary>
        public int DecidedTip { get; init; }

        /// <summary>Records the determination gets wrong in this signature (false TIP plus missed TIP).</summary>
        public int DeterminationWrong => Decided - DecidedTip + (Tip - DecidedTip);

        /// <summary>The F1-best rule flags this signature.</summary>
        public bool Flagged { get; init; }

        /// <summary>Both TIP and non-TIP records share the signature: no rule on these fields decides all of them right.</summary>
        public bool IsMixed => Tip > 0 && Tip < Records;

        /// <summary>The records a rule that decides this signature either way must get wrong at least (the smaller side).</summary>
        public int Minority => Math.Min(Tip, Records - Tip);
    }

    /// <summary>A rule that flags some signatures: its precision, recall, F1 and records flagged.</summary>
    public sealed record Point(double Precision, double Recall, int Flagged, int TruePositives)
    {
        /// <summary>Harmonic mean of precision and recall.</summary>
        public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);
    }

    /// <summary>The signatures, largest first.</summary>
    public required IReadOnlyList<Group> Groups { get; init; }

    /// <summary>Records that are TIP in truth.</summary>
    public required int TrueCount { get; init; }

    /// <summary>The target both precision and recall should reach.</summary>
    public required double Target { get; init; }

    /// <summary>The F1-best rule on the signature.</summary>
    public required Point Best { get; init; }

    /// <summary>Each record decided by the majority of the <em>other</em> records of its signature (a record alone in its signature, or a
    /// tie, is not flagged): what a rule fitted on labelled records of the same kind would reach on new ones, below the bound where
    /// signatures are small.</summary>
    public required Point HeldOut { get; init; }

    /// <summary>Every signature that may be flagged and holds a TIP record, flagged: the highest recall any rule on the signature reaches
    /// (1 unless some signatures may not be flagged).</summary>
    public required Point Widest { get; init; }

    /// <summary>The highest recall with precision at or above <see cref="Target"/> (null: no choice reaches it).</summary>
    public Point? AtTargetPrecision { get; init; }

    /// <summary>The highest precision with recall at or above <see cref="Target"/> (null: no choice reaches it).</summary>
    public Point? AtTargetRecall { get; init; }

    /// <summary>Groups the records of <paramref name="signatures"/> that have a truth value and computes the bound;
    /// <paramref name="decided"/> (the determination's flags) says per signature how many records the determination flags. When
    /// <paramref name="mayFlag"/> is given, only those signatures may be flagged (a rule bound to flag no record without evidence).</summary>
    public static DecidabilityBound Measure(IReadOnlyDictionary<string, string> signatures, IReadOnlyDictionary<string, bool> truth, double target,
        IReadOnlyDictionary<string, bool>? decided = null, IReadOnlySet<string>? mayFlag = null)
    {
        ArgumentNullException.ThrowIfNull(signatures);
        ArgumentNullException.ThrowIfNull(truth);
        var counts = new Dictionary<string, (int Records, int Tip, int Decided, int DecidedTip)>(StringComparer.Ordinal);
        foreach (var (id, isTip) in truth)
        {
            var signature = signatures.GetValueOrDefault(id, "(no signature)");
            var (records, tip, flagged, flaggedTip) = counts.GetValueOrDefault(signature);
            var isFlagged = decided is not null && decided.GetValueOrDefault(id);
            counts[signature] = (records + 1, tip + (isTip ? 1 : 0), flagged + (isFlagged ? 1 : 0), flaggedTip + (isFlagged && isTip ? 1 : 0));
        }

        var groups = counts.Select(kv => new Group(kv.Key, kv.Value.Records, kv.Value.Tip, kv.Value.Decided) { DecidedTip = kv.Value.DecidedTip }).ToList();
        bool MayFlag(Group g) => mayFlag is null || mayFlag.Contains(g.Signature);
        var trueCount = groups.Sum(g => g.Tip);
        Point At(int flagged, int tp) => new(flagged == 0 ? 1 : (double)tp / flagged, trueCount == 0 ? 1 : (double)tp / trueCount, flagged, tp);
        var best = At(0, 0);
        var bestShare = long.MaxValue;
        Point? atPrecision = null, atRecall = null;
        int flaggedSoFar = 0, tpSoFar = 0;
        // Descending TIP share; equal shares are taken together (no rule on the signature can tell them apart in this order either).
        foreach (var share in groups.Where(MayFlag).GroupBy(g => (long)g.Tip * 1_000_000 / g.Records).OrderByDescending(g => g.Key))
        {
            if (share.Key == 0)
            {
                break;
            }

            flaggedSoFar += share.Sum(g => g.Records);
            tpSoFar += share.Sum(g => g.Tip);
            var point = At(flaggedSoFar, tpSoFar);
            if (point.F1 > best.F1)
            {
                best = point;
                bestShare = share.Key;
            }

            if (point.Precision >= target && (atPrecision is null || point.Recall > atPrecision.Recall))
            {
                atPrecision = point;
            }

            if (point.Recall >= target && (atRecall is null || point.Precision > atRecall.Precision))
            {
                atRecall = point;
            }
        }

        int heldOutFlagged = 0, heldOutTp = 0;
        foreach (var g in groups.Where(MayFlag))
        {
            // A TIP record sees Tip - 1 TIP of Records - 1 others; a non-TIP record sees Tip of Records - 1.
            var tipFlagged = 2 * (g.Tip - 1) > g.Records - 1 ? g.Tip : 0;
            var otherFlagged = 2 * g.Tip > g.Records - 1 ? g.Records - g.Tip : 0;
            heldOutTp += tipFlagged;
            heldOutFlagged += tipFlagged + otherFlagged;
        }

        return new DecidabilityBound
        {
            HeldOut = At(heldOutFlagged, heldOutTp),
            Widest = At(flaggedSoFar, tpSoFar),
            Groups = [.. groups.Select(g => g with { Flagged = g.Tip > 0 && MayFlag(g) && (long)g.Tip * 1_000_000 / g.Records >= bestShare })
                .OrderByDescending(g => g.Records).ThenBy(g => g.Signature, StringComparer.Ordinal)],
            TrueCount = trueCount,
            Target = target,
            Best = best,
            AtTargetPrecision = atPrecision,
            AtTargetRecall = atRecall,
        };
    }

    /// <summary>One note line: the bound, the mixed signatures and the largest of them.</summary>
    public string Describe(string level, string fields)
    {
        var mixed = Groups.Where(g => g.IsMixed).ToList();
        var small = Groups.Where(g => g.Records < 5).ToList();
        string Figure(Point? p, bool recall) => p is null ? "none" : (recall ? p.Recall : p.Precision).ToString("0.0000", CultureInfo.InvariantCulture);
        var largest = mixed.OrderByDescending(g => g.Minority).ThenByDescending(g => g.Records).ThenBy(g => g.Signature, StringComparer.Ordinal).Take(6)
            .Select(g => $"[{g.Signature}] {g.Tip} TIP of {g.Records}");
        return string.Create(CultureInfo.InvariantCulture,
            $"{level}_ceiling: the best any rule on the evidence signature ({fields}) reaches, flagging whole signatures by their TIP share: "
            + $"F1 {Best.F1:0.0000} (precision {Best.Precision:0.0000}, recall {Best.Recall:0.0000}, {Best.Flagged} flagged); "
            + $"at precision >= {Target:0.00} recall {Figure(AtTargetPrecision, true)}; at recall >= {Target:0.00} precision {Figure(AtTargetRecall, false)}. "
            + $"Held out (each record decided by the majority of the other records of its signature): precision {HeldOut.Precision:0.0000}, recall {HeldOut.Recall:0.0000}, F1 {HeldOut.F1:0.0000}. "
            + $"{Groups.Count} signatures, {mixed.Count} mixed (TIP and not TIP alike) holding {mixed.Sum(g => g.Records)} records ({mixed.Sum(g => g.Tip)} TIP), "
            + $"of which any rule gets at least {mixed.Sum(g => g.Minority)} wrong; {small.Sum(g => g.Records)} records in signatures of fewer than 5 (a bound on them is optimistic). "
            + $"Largest undecidable: {(mixed.Count == 0 ? "none" : string.Join("; ", largest))}. "
            + $"Where the F1-best rule and the determination differ: flagged by the rule, not by the determination: {Differ(Groups.Where(g => g.Flagged && g.Decided < g.Records), g => g.Tip - g.Decided)}; "
            + $"flagged by the determination, not by the rule: {Differ(Groups.Where(g => !g.Flagged && g.Decided > 0), g => g.Decided)}.");
    }

    private static string Differ(IEnumerable<Group> groups, Func<Group, int> weight)
    {
        var list = groups.OrderByDescending(weight).ThenBy(g => g.Signature, StringComparer.Ordinal).ToList();
        return list.Count == 0 ? "none" : string.Join("; ", list.Take(6).Select(g => $"[{g.Signature}] {g.Tip} TIP of {g.Records}, {g.Decided} flagged"))
            + (list.Count > 6 ? $"; {list.Count - 6} more" : "");
    }
}
