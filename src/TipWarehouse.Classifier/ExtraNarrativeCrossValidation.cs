using Microsoft.ML;

namespace TipWarehouse.Classifier;

/// <summary>The out-of-fold result of one (weight, L2) setting in <see cref="ExtraNarrativeCrossValidation"/>: every narrative
/// scored by the model that did not see it, flagged at that model's own threshold.</summary>
public sealed record CrossValidationResult(
    double Weight,
    float L2Regularization,
    int Narratives,
    int Positives,
    double Auc,
    double Precision,
    double Recall,
    double F1,
    int FalsePositives,
    int FalseNegatives,
    double MeanThreshold);

/// <summary>Chooses the weight of the extra narratives and the L2 by k-fold cross-validation within the labelled narratives
/// that will be training data (<c>tipw model crossvalidate</c>): each fold's model is trained on the warehouse's fit months
/// plus the other folds, calibrated and given its threshold on the validation months exactly as <c>tipw model train</c> does,
/// and scores the left-out fold. No other narrative (the held-out hand-written part) takes part.</summary>
public static class ExtraNarrativeCrossValidation
{
    /// <summary>Runs every (weight, L2) setting over <paramref name="folds"/> folds of <paramref name="narratives"/>; a weight
    /// of 0 is the model without extra narratives (trained once: all its folds are the same model).</summary>
    public static IReadOnlyList<CrossValidationResult> Run(
        IReadOnlyList<CallFeatures> labelled,
        TrainingOptions options,
        IReadOnlyList<CallFeatures> narratives,
        int folds,
        IReadOnlyList<double> weights,
        IReadOnlyList<float> l2s,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(labelled);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(narratives);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(l2s);
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        var split = TimeSplit.Create(labelled, options.TestMonths, options.ValidationMonths);
        var fold = Folds(narratives, folds);
        var labels = narratives.Select(n => n.Label).ToArray();
        var results = new List<CrossValidationResult>();
        foreach (var l2 in l2s)
        {
            foreach (var weight in weights)
            {
                var scores = new float[narratives.Count];
                var thresholds = new double[narratives.Count];
                var rounds = weight > 0 ? folds : 1;
                for (var k = 0; k < rounds; k++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var left = weight > 0 ? Enumerable.Range(0, narratives.Count).Where(i => fold[i] == k).ToArray() : [.. Enumerable.Range(0, narratives.Count)];
                    var fitted = CallClassifierTrainer.FitAndCalibrate(new MLContext(options.Seed), split, options with
                    {
                        L2Regularization = l2,
                        ExtraNarrativeWeight = weight,
                        ExtraNarratives = weight > 0 ? [.. narratives.Where((_, i) => fold[i] != k)] : [],
                    });
                    var scorer = new CallScorer(new MLContext(options.Seed), fitted.Model, fitted.Threshold, fitted.Calibration);
                    var foldScores = scorer.Score([.. left.Select(i => narratives[i])]);
                    for (var j = 0; j < left.Length; j++)
                    {
                        scores[left[j]] = foldScores[j];
                        thresholds[left[j]] = fitted.Threshold;
                    }
                }

                results.Add(Measure(weight, l2, scores, thresholds, labels));
            }
        }

        return results;
    }

    /// <summary>The fold of each narrative, stratified by label: the j-th positive (and the j-th negative) in file order goes
    /// to fold j mod <paramref name="folds"/>, so every fold has its share of both classes.</summary>
    public static int[] Folds(IReadOnlyList<CallFeatures> narratives, int folds)
    {
        ArgumentNullException.ThrowIfNull(narratives);
        int positives = 0, negatives = 0;
        return [.. narratives.Select(n => n.Label ? positives++ % folds : negatives++ % folds)];
    }

    /// <summary>The setting to use: the highest out-of-fold min(precision, recall), the margin above the triage
    /// target (precision and recall both at least 0.85); ties: the higher AUC, then the smaller weight.</summary>
    public static CrossValidationResult? Choose(IReadOnlyList<CrossValidationResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        return results.OrderByDescending(r => Math.Min(r.Precision, r.Recall)).ThenByDescending(r => r.Auc).ThenBy(r => r.Weight).FirstOrDefault();
    }

    private static CrossValidationResult Measure(double weight, float l2, float[] scores, double[] thresholds, bool[] labels)
    {
        int tp = 0, fp = 0, fn = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            var flagged = scores[i] >= thresholds[i];
            tp += flagged && labels[i] ? 1 : 0;
            fp += flagged && !labels[i] ? 1 : 0;
            fn += !flagged && labels[i] ? 1 : 0;
        }

        var precision = tp + fp == 0 ? 0 : (double)tp / (tp + fp);
        var recall = tp + fn == 0 ? 0 : (double)tp / (tp + fn);
        var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        // The AUC pools the folds' calibrated probabilities (each fold's calibration maps onto the same warehouse-label scale).
        var auc = BinaryMetrics.Compute(scores, labels, 0.5).Auc;
        return new CrossValidationResult(weight, l2, scores.Length, labels.Count(l => l), auc, precision, recall, f1, fp, fn, thresholds.Average());
    }
}
