namespace TipWarehouse.Classifier;

/// <summary>One bin of a reliability (calibration) table: predicted probabilities in [From, To) against the observed positive rate.</summary>
public sealed record CalibrationBin(double From, double To, int Count, double MeanPredicted, double ObservedRate);

/// <summary>Threshold-free and at-threshold quality of a binary scorer on one labelled set.</summary>
public sealed record BinaryMetrics(
    int Count,
    int Positives,
    double Threshold,
    double Auc,
    double PrAuc,
    double Precision,
    double Recall,
    double F1,
    int TruePositives,
    int FalsePositives,
    int TrueNegatives,
    int FalseNegatives,
    double Brier,
    double ExpectedCalibrationError,
    IReadOnlyList<CalibrationBin> Calibration)
{
    /// <summary>Computes the metrics of <paramref name="probabilities"/> against <paramref name="labels"/> at <paramref name="threshold"/>.</summary>
    /// <remarks>AUC is the Mann-Whitney statistic with ties counted half; PR-AUC is average precision (step-wise, no interpolation).</remarks>
    public static BinaryMetrics Compute(IReadOnlyList<float> probabilities, IReadOnlyList<bool> labels, double threshold, int calibrationBins = 10)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(labels);
        if (probabilities.Count != labels.Count)
        {
            throw new ArgumentException("probabilities and labels differ in length", nameof(labels));
        }

        var n = probabilities.Count;
        int tp = 0, fp = 0, tn = 0, fn = 0, positives = 0;
        double brier = 0;
        var binCount = new int[calibrationBins];
        var binSum = new double[calibrationBins];
        var binPos = new int[calibrationBins];
        for (var i = 0; i < n; i++)
        {
            var p = probabilities[i];
            var y = labels[i];
            positives += y ? 1 : 0;
            var flagged = p >= threshold;
            if (flagged && y) { tp++; }
            else if (flagged) { fp++; }
            else if (y) { fn++; }
            else { tn++; }

            var err = p - (y ? 1.0 : 0.0);
            brier += err * err;
            var b = Math.Clamp((int)(p * calibrationBins), 0, calibrationBins - 1);
            binCount[b]++;
            binSum[b] += p;
            binPos[b] += y ? 1 : 0;
        }

        var bins = new List<CalibrationBin>(calibrationBins);
        double ece = 0;
        for (var b = 0; b < calibrationBins; b++)
        {
            var mean = binCount[b] == 0 ? 0 : binSum[b] / binCount[b];
            var rate = binCount[b] == 0 ? 0 : (double)binPos[b] / binCount[b];
            bins.Add(new CalibrationBin((double)b / calibrationBins, (double)(b + 1) / calibrationBins, binCount[b], mean, rate));
            ece += n == 0 ? 0 : (double)binCount[b] / n * Math.Abs(mean - rate);
        }

        var precision = tp + fp == 0 ? 0 : (double)tp / (tp + fp);
        var recall = tp + fn == 0 ? 0 : (double)tp / (tp + fn);
        var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        var (auc, prAuc) = RankMetrics(probabilities, labels, positives);
        return new BinaryMetrics(n, positives, threshold, auc, prAuc, precision, recall, f1, tp, fp, tn, fn,
            n == 0 ? 0 : brier / n, ece, bins);
    }

    /// <summary>The highest threshold whose recall on <paramref name="labels"/> reaches <paramref name="recallTarget"/>.</summary>
    public static double ThresholdForRecall(IReadOnlyList<float> probabilities, IReadOnlyList<bool> labels, double recallTarget)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(labels);
        var positiveScores = new List<float>();
        for (var i = 0; i < probabilities.Count; i++)
        {
            if (labels[i])
            {
                positiveScores.Add(probabilities[i]);
            }
        }

        if (positiveScores.Count == 0)
        {
            return 0.5;
        }

        positiveScores.Sort();
        positiveScores.Reverse();
        // The k-th highest positive score flags k positives: the smallest k reaching the target gives the highest threshold.
        var needed = Math.Clamp((int)Math.Ceiling(recallTarget * positiveScores.Count), 1, positiveScores.Count);
        return positiveScores[needed - 1];
    }

    /// <summary>Moves <paramref name="threshold"/> down into the middle (in log-odds) of the sparse band of scores below it: as far
    /// as flagging at most <paramref name="extraFlagShare"/> more calls, then half way back.</summary>
    /// <remarks>The recall-target threshold sits right at the edge of the positives' scores on the validation months; narratives
    /// worded unlike the training data score a little lower, so a threshold centred in the gap keeps them without flagging
    /// many more of the calls the model was trained on (precision drops by at most about that share).</remarks>
    public static double CenterInGap(IReadOnlyList<float> probabilities, double threshold, double extraFlagShare = 0.05)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        var descending = probabilities.Where(p => !float.IsNaN(p)).OrderByDescending(p => p).ToArray();
        var flagged = descending.Count(p => p >= threshold);
        if (extraFlagShare <= 0 || flagged == 0 || flagged == descending.Length || threshold <= 0 || threshold >= 1)
        {
            return threshold;
        }

        // The lowest score that still flags no more than flagged * (1 + share) calls.
        var allowed = Math.Min(descending.Length, flagged + (int)Math.Floor(flagged * extraFlagShare));
        var low = allowed < descending.Length ? Math.Max(descending[allowed], 1e-6) : 1e-6;
        if (low >= threshold)
        {
            return threshold;
        }

        static double Logit(double p) => Math.Log(p / (1 - p));
        var middle = (Logit(threshold) + Logit(low)) / 2;
        return 1 / (1 + Math.Exp(-middle));
    }

    /// <summary>The lowest of the distinct <paramref name="probabilities"/> above <paramref name="above"/> at which the
    /// precision (<see cref="Compute"/>'s: flagged when p ≥ threshold) reaches <paramref name="precisionFloor"/>, or null when
    /// none does.</summary>
    /// <remarks>One sort and one pass: the calls at or above each candidate are a suffix of the scores in ascending order, so
    /// its precision is that suffix's positives over its length, the same counts <see cref="Compute"/> makes at that threshold.</remarks>
    public static double? LowestThresholdReachingPrecision(IReadOnlyList<float> probabilities, IReadOnlyList<bool> labels, double above, double precisionFloor)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(labels);
        var n = probabilities.Count;
        var scores = new float[n];
        var positive = new bool[n];
        for (var i = 0; i < n; i++)
        {
            scores[i] = probabilities[i];
            positive[i] = labels[i];
        }

        // NaN sorts first and is never flagged, never a candidate.
        Array.Sort(scores, positive);
        var positivesFrom = new int[n + 1];
        for (var i = n - 1; i >= 0; i--)
        {
            positivesFrom[i] = positivesFrom[i + 1] + (positive[i] ? 1 : 0);
        }

        for (var i = 0; i < n; i++)
        {
            if (!(scores[i] > above) || (i > 0 && scores[i] == scores[i - 1]))
            {
                continue;
            }

            // Calls flagged at scores[i]: indices i..n-1 (every score from here on is ≥ it).
            var flagged = n - i;
            if ((double)positivesFrom[i] / flagged >= precisionFloor)
            {
                return scores[i];
            }
        }

        return null;
    }

    private static (double Auc, double PrAuc) RankMetrics(IReadOnlyList<float> probabilities, IReadOnlyList<bool> labels, int positives)
    {
        var n = probabilities.Count;
        var negatives = n - positives;
        if (positives == 0 || negatives == 0)
        {
            return (double.NaN, double.NaN);
        }

        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (a, b) => probabilities[b].CompareTo(probabilities[a]));

        // Walk from the highest score down, one group of tied scores at a time.
        double aucSum = 0, ap = 0;
        int tpSeen = 0, fpSeen = 0;
        var i0 = 0;
        while (i0 < n)
        {
            var i1 = i0;
            int groupPos = 0, groupNeg = 0;
            while (i1 < n && probabilities[order[i1]] == probabilities[order[i0]])
            {
                if (labels[order[i1]]) { groupPos++; } else { groupNeg++; }
                i1++;
            }

            // Positives in this group beat every negative below them and tie with the group's negatives.
            aucSum += groupNeg * (tpSeen + (groupPos / 2.0));
            tpSeen += groupPos;
            fpSeen += groupNeg;
            if (groupPos > 0)
            {
                ap += (double)groupPos / positives * ((double)tpSeen / (tpSeen + fpSeen));
            }

            i0 = i1;
        }

        return (aucSum / ((double)positives * negatives), ap);
    }
}
