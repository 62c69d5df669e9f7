namespace TipWarehouse.Classifier.Tests;

public sealed class BinaryMetricsTests
{
    [Fact]
    public void Perfect_ranking_has_auc_and_pr_auc_of_one()
    {
        var m = BinaryMetrics.Compute([0.9f, 0.8f, 0.3f, 0.1f], [true, true, false, false], 0.5);

        Assert.Equal(1.0, m.Auc, 9);
        Assert.Equal(1.0, m.PrAuc, 9);
        Assert.Equal((2, 0, 2, 0), (m.TruePositives, m.FalsePositives, m.TrueNegatives, m.FalseNegatives));
        Assert.Equal(1.0, m.F1, 9);
    }

    [Fact]
    public void Auc_counts_ties_as_half_and_inversions_as_zero()
    {
        // Pairs (pos, neg): (0.6, 0.6) tie = 0.5, (0.6, 0.2) = 1, (0.1, 0.6) = 0, (0.1, 0.2) = 0 → 1.5 / 4.
        var m = BinaryMetrics.Compute([0.6f, 0.1f, 0.6f, 0.2f], [true, true, false, false], 0.5);

        Assert.Equal(0.375, m.Auc, 9);
    }

    [Fact]
    public void Precision_recall_and_confusion_follow_the_threshold()
    {
        var m = BinaryMetrics.Compute([0.9f, 0.7f, 0.4f, 0.6f, 0.2f], [true, true, true, false, false], 0.5);

        Assert.Equal((2, 1, 1, 1), (m.TruePositives, m.FalsePositives, m.TrueNegatives, m.FalseNegatives));
        Assert.Equal(2.0 / 3, m.Precision, 9);
        Assert.Equal(2.0 / 3, m.Recall, 9);
    }

    [Fact]
    public void Threshold_for_recall_is_the_highest_that_reaches_the_target()
    {
        float[] scores = [0.95f, 0.9f, 0.8f, 0.7f, 0.6f, 0.5f, 0.4f, 0.3f, 0.2f, 0.1f, 0.05f];
        bool[] labels = [true, false, true, true, false, true, true, true, true, true, false];

        var threshold = BinaryMetrics.ThresholdForRecall(scores, labels, 0.75);

        // 8 positives; 6 are needed; the 6th highest positive score is 0.3.
        Assert.Equal(0.3f, (float)threshold);
        Assert.True(BinaryMetrics.Compute(scores, labels, threshold).Recall >= 0.75);
        Assert.True(BinaryMetrics.Compute(scores, labels, 0.31).Recall < 0.75);
    }

    [Fact]
    public void Calibration_bins_report_predicted_against_observed_rates()
    {
        var m = BinaryMetrics.Compute([0.05f, 0.05f, 0.95f, 0.95f], [false, true, true, true], 0.5);

        var low = m.Calibration[0];
        var high = m.Calibration[9];
        Assert.Equal((2, 0.5), (low.Count, low.ObservedRate));
        Assert.Equal((2, 1.0), (high.Count, high.ObservedRate));
        Assert.Equal(((0.45 * 2) + (0.05 * 2)) / 4, m.ExpectedCalibrationError, 6);
    }
}
