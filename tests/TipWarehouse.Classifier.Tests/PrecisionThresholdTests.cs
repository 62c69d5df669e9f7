namespace TipWarehouse.Classifier.Tests;

/// <summary><see cref="BinaryMetrics.LowestThresholdReachingPrecision"/> replaces a walk that computed every metric at every
/// candidate threshold; it must pick the same threshold.</summary>
public sealed class PrecisionThresholdTests
{
    [Theory]
    [InlineData(1, 200, 0.85)]
    [InlineData(2, 5_000, 0.85)]
    [InlineData(3, 5_000, 0.97)]
    [InlineData(4, 2_000, 0.5)]
    [InlineData(5, 50, 1.01)]
    public void The_sorted_pass_picks_the_threshold_of_the_walk_through_every_candidate(int seed, int calls, double floor)
    {
        var random = new Random(seed);
        // Coarse scores (many ties) for half the calls, fine ones for the rest; labels more likely the higher the score.
        var scores = Enumerable.Range(0, calls).Select(i => i % 2 == 0 ? MathF.Round((float)random.NextDouble(), 2) : (float)random.NextDouble()).ToArray();
        var labels = scores.Select(p => random.NextDouble() < p * p).ToArray();
        foreach (var above in new[] { 0.0, 0.2, 0.5, 0.9 })
        {
            double? expected = null;
            foreach (var candidate in scores.Where(p => p > above).Distinct().Order())
            {
                if (BinaryMetrics.Compute(scores, labels, candidate).Precision >= floor)
                {
                    expected = candidate;
                    break;
                }
            }

            Assert.Equal(expected, BinaryMetrics.LowestThresholdReachingPrecision(scores, labels, above, floor));
        }
    }

    [Fact]
    public void Threshold_is_raised_only_as_far_as_the_precision_floor_needs()
    {
        float[] scores = [0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, float.NaN];
        bool[] labels = [false, true, false, false, true, true, true];
        // At 0.4: 2 of 3 flagged are positive; at 0.5: 2 of 2.
        Assert.Equal(0.5f, BinaryMetrics.LowestThresholdReachingPrecision(scores, labels, 0.2, 0.9));
        Assert.Equal(0.4f, BinaryMetrics.LowestThresholdReachingPrecision(scores, labels, 0.3, 0.6));
        Assert.Null(BinaryMetrics.LowestThresholdReachingPrecision(scores, labels, 0.3, 1.01));
        Assert.Null(BinaryMetrics.LowestThresholdReachingPrecision(scores, labels, 0.65, 0.5));
    }
}
