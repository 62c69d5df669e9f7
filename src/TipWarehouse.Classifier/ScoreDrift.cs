using System.Globalization;
using DuckDB.NET.Data;
using TipWarehouse.Core;

namespace TipWarehouse.Classifier;

/// <summary>One scored call as drift monitoring sees it: its month (yyyymm), probability, flag and operator label (null: no category).</summary>
public readonly record struct DriftCall(int Month, double Probability, bool IsFlagged, bool? OperatorTip);

/// <summary>One month's drift: the score distribution's PSI against the reference months, the flag rate against the operator's
/// TIP rate, and the status (the worse of the two).</summary>
public sealed record MonthDrift(
    DateOnly Month,
    int Calls,
    double Psi,
    string PsiStatus,
    double MeanProbability,
    double FlagRate,
    double? OperatorTipRate,
    double? GapShift,
    string GapStatus,
    string Status);

/// <summary>The drift of every month against the reference (training) months, with the bins used.</summary>
public sealed record DriftReport(IReadOnlyList<MonthDrift> Months, IReadOnlyList<double> BinEdges, int ReferenceCalls, double ReferenceFlagRate, double? ReferenceOperatorTipRate);

/// <summary>Score drift monitoring (<c>tipw model drift</c>): per month, the population stability index (PSI) of the
/// probabilities against the model's training months, and how far the gap between the flag rate and the operator's TIP rate
/// moved from the gap in the training months.</summary>
/// <remarks>
/// Bins: the deciles of the training months' probabilities (10 bins, equal shares of the reference by construction; tied cut
/// points merged). PSI = Σ (a − e) ln(a / e) over the bins, with e the reference share and a the month's, each at least
/// 0.0001 so an empty bin counts without dividing by zero. The usual reading: PSI &lt; 0.1 stable, 0.1–0.25 watch, &gt; 0.25 alert.
/// Rates: flag rate = flagged calls / calls; operator TIP rate = calls with a TIP category / calls with any category; the gap
/// (flag − operator) of a month less the gap of the training months is the shift: |shift| ≤ 3 points stable, 3–5 watch,
/// &gt; 5 alert (a month of ~1,000 calls has a sampling SD of about 1 point for the shift).
/// </remarks>
public static class ScoreDrift
{
    /// <summary>How many reference quantile bins the PSI uses.</summary>
    public const int BinCount = 10;

    /// <summary>PSI at or above this is 'watch'.</summary>
    public const double WatchPsi = 0.1;

    /// <summary>PSI above this is 'alert'.</summary>
    public const double AlertPsi = 0.25;

    /// <summary>A shift of the flag-vs-operator gap above this (absolute, as a share) is 'watch'.</summary>
    public const double WatchGapShift = 0.03;

    /// <summary>A shift of the flag-vs-operator gap above this is 'alert'.</summary>
    public const double AlertGapShift = 0.05;

    /// <summary>The smallest share a bin counts with (an empty bin would make the PSI infinite).</summary>
    public const double MinimumShare = 1e-4;

    /// <summary>The three statuses, best to worst.</summary>
    public const string Stable = "stable";

    /// <inheritdoc cref="Stable"/>
    public const string Watch = "watch";

    /// <inheritdoc cref="Stable"/>
    public const string Alert = "alert";

    /// <summary>The cut points between the <see cref="BinCount"/> quantile bins of <paramref name="reference"/> (ascending, distinct).</summary>
    public static double[] BinEdges(IReadOnlyList<double> reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (reference.Count == 0)
        {
            return [];
        }

        var sorted = reference.Order().ToArray();
        var edges = new List<double>(BinCount - 1);
        for (var k = 1; k < BinCount; k++)
        {
            var edge = sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(k * sorted.Length / (double)BinCount) - 1)];
            if (edges.Count == 0 || edge > edges[^1])
            {
                edges.Add(edge);
            }
        }

        return [.. edges];
    }

    /// <summary>The share of <paramref name="probabilities"/> in each bin (bin i holds the values above edge i−1 up to edge i).</summary>
    public static double[] Shares(IEnumerable<double> probabilities, IReadOnlyList<double> edges)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(edges);
        var counts = new double[edges.Count + 1];
        var total = 0;
        foreach (var p in probabilities)
        {
            counts[Bin(p, edges)]++;
            total++;
        }

        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = total == 0 ? 0 : counts[i] / total;
        }

        return counts;
    }

    /// <summary>The population stability index of <paramref name="actual"/> shares against <paramref name="expected"/> shares.</summary>
    public static double Index(IReadOnlyList<double> expected, IReadOnlyList<double> actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        if (expected.Count != actual.Count)
        {
            throw new ArgumentException("Both distributions need the same bins.", nameof(actual));
        }

        double psi = 0;
        for (var i = 0; i < expected.Count; i++)
        {
            var e = Math.Max(MinimumShare, expected[i]);
            var a = Math.Max(MinimumShare, actual[i]);
            psi += (a - e) * Math.Log(a / e);
        }

        return psi;
    }

    /// <summary>stable, watch or alert for a PSI.</summary>
    public static string PsiStatus(double psi) => psi < WatchPsi ? Stable : psi <= AlertPsi ? Watch : Alert;

    /// <summary>stable, watch or alert for a shift of the flag-vs-operator gap (no operator rate: stable).</summary>
    public static string GapStatus(double? shift) => shift is not { } s || Math.Abs(s) <= WatchGapShift ? Stable : Math.Abs(s) <= AlertGapShift ? Watch : Alert;

    /// <summary>Measures every month of <paramref name="calls"/> against <paramref name="reference"/>.</summary>
    public static DriftReport Measure(IReadOnlyList<DriftCall> reference, IReadOnlyList<DriftCall> calls)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(calls);
        var baseline = new Baseline();
        foreach (var call in reference)
        {
            baseline.Add(call);
        }

        var months = new Months(baseline.Complete());
        foreach (var call in calls)
        {
            months.Add(call);
        }

        return months.Report();
    }

    /// <summary>The drift of <paramref name="model"/>'s scores in the warehouse, against its training months
    /// (<see cref="ModelMetadata.TrainFrom"/> to <see cref="ModelMetadata.TrainTo"/>).</summary>
    /// <remarks>Two passes that hold no scored call: the training months' probabilities (for the bins), then every score, month by
    /// month, into per-month counts. Holding every scored call took about 1.5 GB at ~10M calls.</remarks>
    public static DriftReport ForModel(DuckDBConnection connection, RegisteredModel model, ModelMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(metadata);
        const string Scores = """
            SELECT c.call_date_key, s.probability, CAST(s.is_flagged AS INTEGER), c.operator_category
            FROM dw.fact_call_score s JOIN dw.fact_hotline_call c ON c.call_key = s.call_key
            WHERE s.model_key = $model
            """;
        var baseline = new Baseline();
        ReadScores(connection, Scores + " AND c.call_date_key BETWEEN $from AND $to", baseline.Add,
            ("model", model.ModelKey), ("from", DateKey(metadata.TrainFrom)), ("to", DateKey(metadata.TrainTo)));
        var months = new Months(baseline.Complete());
        ReadScores(connection, Scores + " ORDER BY c.call_date_key, c.call_key", months.Add, ("model", model.ModelKey));
        return months.Report();
    }

    private static void ReadScores(DuckDBConnection connection, string sql, Action<DriftCall> add, params (string Name, object? Value)[] parameters)
    {
        using var command = Sql.Command(connection, sql, parameters);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var dateKey = Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture);
            add(new DriftCall(dateKey / 100, reader.GetDouble(1), Convert.ToInt32(reader.GetValue(2), CultureInfo.InvariantCulture) == 1,
                TipLabels.FromOperatorCategory(reader.IsDBNull(3) ? null : reader.GetString(3))));
        }
    }

    /// <summary>The report as a table, one row per month, with the reference, bins and thresholds as notes.</summary>
    public static ResultTable ToTable(DriftReport report, string modelName, ModelMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(metadata);
        var rows = report.Months
            .Select(m => new object?[]
            {
                m.Month, m.Calls, Math.Round(m.Psi, 4), m.PsiStatus, Math.Round(m.MeanProbability, 4), Math.Round(m.FlagRate, 4),
                m.OperatorTipRate is { } o ? Math.Round(o, 4) : null, m.GapShift is { } g ? Math.Round(g, 4) : null, m.GapStatus, m.Status,
            })
            .ToList();
        var alerts = report.Months.Where(m => m.Status == Alert).Select(m => m.Month.ToString("yyyy-MM", CultureInfo.InvariantCulture)).ToList();
        return new ResultTable(
            [
                new("month", typeof(DateOnly)), new("calls", typeof(int)), new("psi", typeof(double)), new("psi_status", typeof(string)),
                new("mean_probability", typeof(double)), new("flag_rate", typeof(double)), new("operator_tip_rate", typeof(double)),
                new("gap_shift", typeof(double)), new("gap_status", typeof(string)), new("status", typeof(string)),
            ],
            rows,
            [
                string.Create(CultureInfo.InvariantCulture, $"{modelName}: reference = its training months {metadata.TrainFrom:yyyy-MM-dd}..{metadata.TrainTo:yyyy-MM-dd} ({report.ReferenceCalls} scored calls, flag rate {report.ReferenceFlagRate:0.0000}, operator TIP rate {report.ReferenceOperatorTipRate:0.0000})"),
                "bins: the reference's probability deciles, cut at " + string.Join(" ", report.BinEdges.Select(e => e.ToString("0.0000", CultureInfo.InvariantCulture))),
                string.Create(CultureInfo.InvariantCulture, $"psi_status: PSI < {WatchPsi} stable, {WatchPsi}-{AlertPsi} watch, > {AlertPsi} alert; gap_shift = (flag_rate - operator_tip_rate) - the same gap in the reference: |shift| <= {WatchGapShift} stable, <= {AlertGapShift} watch, above alert; status = the worse"),
                alerts.Count == 0 ? "no month alerts" : $"{alerts.Count} month(s) alert: {string.Join(", ", alerts)}",
            ]);
    }

    // The bin of probability p (bin i holds the values above edge i-1 up to edge i).
    private static int Bin(double p, IReadOnlyList<double> edges)
    {
        var bin = 0;
        while (bin < edges.Count && p > edges[bin])
        {
            bin++;
        }

        return bin;
    }

    // The flag and operator counts of some calls, and their rates.
    private class Rates
    {
        public int Calls { get; private set; }

        public double FlagRate => Flagged / (double)Calls;

        // Calls with a TIP category / calls with any category (null: none has one).
        public double? OperatorRate => Categorised == 0 ? null : OperatorTips / (double)Categorised;

        private int Flagged { get; set; }

        private int Categorised { get; set; }

        private int OperatorTips { get; set; }

        protected void Count(DriftCall call)
        {
            Calls++;
            Flagged += call.IsFlagged ? 1 : 0;
            Categorised += call.OperatorTip is null ? 0 : 1;
            OperatorTips += call.OperatorTip == true ? 1 : 0;
        }
    }

    // The reference (training) months: their probabilities until the bins are cut, and their rates.
    private sealed class Baseline : Rates
    {
        private readonly List<double> _probabilities = [];

        public double[] Edges { get; private set; } = [];

        public double[] Expected { get; private set; } = [];

        public double? Gap => FlagRate - OperatorRate;

        public void Add(DriftCall call)
        {
            Count(call);
            _probabilities.Add(call.Probability);
        }

        public Baseline Complete()
        {
            if (Calls == 0)
            {
                throw new TipwException("The model has no scores in its training months to compare with; score the warehouse first ('tipw model score').");
            }

            Edges = BinEdges(_probabilities);
            Expected = Shares(_probabilities, Edges);
            _probabilities.Clear();
            _probabilities.TrimExcess();
            return this;
        }
    }

    // One month's calls, counted per bin of the baseline as they arrive (their probabilities summed in arrival order).
    private sealed class MonthTally(int month, int bins) : Rates
    {
        private readonly double[] _counts = new double[bins];
        private double _sum;

        public void Add(DriftCall call, IReadOnlyList<double> edges)
        {
            Count(call);
            _sum += call.Probability;
            _counts[Bin(call.Probability, edges)]++;
        }

        public MonthDrift Drift(Baseline baseline)
        {
            var psi = Index(baseline.Expected, [.. _counts.Select(c => c / Calls)]);
            var shift = FlagRate - OperatorRate - baseline.Gap;
            var psiStatus = PsiStatus(psi);
            var gapStatus = GapStatus(shift);
            return new MonthDrift(new DateOnly(month / 100, month % 100, 1), Calls, psi, psiStatus, _sum / Calls, FlagRate, OperatorRate, shift,
                gapStatus, Worse(psiStatus, gapStatus));
        }
    }

    // Every month's tally against one baseline, in month order.
    private sealed class Months(Baseline baseline)
    {
        private readonly SortedDictionary<int, MonthTally> _tallies = [];

        public void Add(DriftCall call)
        {
            if (!_tallies.TryGetValue(call.Month, out var tally))
            {
                tally = new MonthTally(call.Month, baseline.Edges.Length + 1);
                _tallies.Add(call.Month, tally);
            }

            tally.Add(call, baseline.Edges);
        }

        public DriftReport Report() =>
            new([.. _tallies.Values.Select(t => t.Drift(baseline))], baseline.Edges, baseline.Calls, baseline.FlagRate, baseline.OperatorRate);
    }

    private static string Worse(string a, string b) => a == Alert || b == Alert ? Alert : a == Watch || b == Watch ? Watch : Stable;

    private static int DateKey(DateOnly date) => (date.Year * 10000) + (date.Month * 100) + date.Day;
}
