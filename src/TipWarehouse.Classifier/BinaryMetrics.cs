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
