namespace TipWarehouse.Classifier.Tests;

public sealed class IsotonicCalibrationTests
{
    // Raw scores shaped like the learner's: a large low bulk, a sparse middle and a high tail; the
    // label rate rises with the score but not along a logistic curve.
    private static (List<float> Scores, List<bool> Labels) Fixture()
    {
        var scores = new List<float>();
        var labels = new List<bool>();
        void Add(float score, int calls, int positives)
        {
            for (var i = 0; i < calls; i++)
            {
                scores.Add(score + (i * 1e-5f));
                labels.Add(i % calls < positives);
            }
        }

        Add(0.05f, 600, 6);
        Add(0.15f, 150, 9);
        Add(0.30f, 60, 12);
        Add(0.45f, 40, 24);
        Add(0.70f, 50, 45);
        Add(0.90f, 100, 97);
        return (scores, labels);
    }

    [Fact]
    public void Isotonic_calibration_is_strictly_increasing_and_keeps_the_ranking()
    {
        var (scores, labels) = Fixture();

        var calibration = IsotonicCalibration.Fit(scores, labels);

        var grid = Enumerable.Range(0, 101).Select(i => i / 100f).ToArray();
        var mapped = grid.Select(calibration.Apply).ToArray();
        for (var i = 1; i < mapped.Length; i++)
        {
            Assert.True(mapped[i] >= mapped[i - 1], $"calibration decreases between {grid[i - 1]} and {grid[i]}");
        }

        // Between the first and the last block centre no two raw scores share a calibrated value.
        var inner = scores.Where(s => s > calibration.Knots[0].Raw && s < calibration.Knots[^1].Raw).Order().Select(calibration.Apply).ToArray();
        Assert.All(inner.Zip(inner.Skip(1)), pair => Assert.True(pair.Second > pair.First));
        Assert.All(calibration.Knots.Zip(calibration.Knots.Skip(1)), pair => Assert.True(pair.Second.Calibrated > pair.First.Calibrated));
    }

    [Fact]
    public void Isotonic_calibration_keeps_the_mean_and_the_low_bulk_rate_of_the_slice_it_was_fitted_on()
    {
        var (scores, labels) = Fixture();
        var observed = labels.Count(l => l) / (double)labels.Count;

        var isotonic = IsotonicCalibration.Fit(scores, labels);

        Assert.Equal(observed, scores.Average(s => (double)isotonic.Apply(s)), 3);
        // Per block of raw scores the calibrated mean is the block's label rate (within the interpolation's slope).
        var low = scores.Where(s => s < 0.1f).ToList();
        Assert.Equal(0.01, low.Average(s => (double)isotonic.Apply(s)), 3);
    }

    [Fact]
    public void Isotonic_calibration_pools_violators_and_holds_the_end_rates_outside_the_fitted_range()
    {
        // 0.2 scores a higher rate than 0.3: the two are pooled into one block of rate 3/8 around raw 0.25.
        float[] scores = [0.1f, 0.1f, 0.2f, 0.2f, 0.2f, 0.2f, 0.3f, 0.3f, 0.3f, 0.3f, 0.9f, 0.9f];
        bool[] labels = [false, false, true, true, false, false, true, false, false, false, true, true];

        var calibration = IsotonicCalibration.Fit(scores, labels);

        Assert.Equal([0f, 0.375f, 1f], calibration.Knots.Select(k => (float)k.Calibrated).Select(v => MathF.Round(v, 4)));
        Assert.Equal(0.25, calibration.Knots[1].Raw, 5);
        Assert.Equal(0f, calibration.Apply(0.01f));
        Assert.Equal(1f, calibration.Apply(0.99f));
        Assert.Equal(0.375f + (0.625f * (0.5f - 0.25f) / 0.65f), calibration.Apply(0.5f), 4);
        Assert.Empty(IsotonicCalibration.Fit([], []).Knots);
        Assert.Equal(0.3f, IsotonicCalibration.Fit([], []).Apply(0.3f));
    }
}
