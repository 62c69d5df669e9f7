namespace TipWarehouse.Classifier.Tests;

/// <summary><see cref="ScoreDrift"/> on constructed score distributions: the same distribution is stable, a shifted one alerts,
/// and a flag rate that moves away from the operators' rate alerts too.</summary>
public sealed class ScoreDriftTests
{
    // A skewed score distribution like the classifier's: most calls near 0, a TIP tail near 1 (seeded, no clock).
    private static List<DriftCall> Calls(int month, int count, int seed, double shift = 0, double tipShare = 0.15, double operatorShare = 0.15)
    {
        var random = new Random(seed);
        var calls = new List<DriftCall>(count);
        for (var i = 0; i < count; i++)
        {
            var tip = random.NextDouble() < tipShare;
            var p = tip ? 0.6 + (0.4 * random.NextDouble()) : 0.25 * Math.Pow(random.NextDouble(), 2);
            p = Math.Clamp(p + shift, 0, 1);
            calls.Add(new DriftCall(month, p, p >= 0.5, random.NextDouble() < operatorShare));
        }

        return calls;
    }

    [Fact]
    public void The_same_distribution_is_stable_and_a_shifted_one_alerts()
    {
        var reference = Calls(200601, 5000, seed: 1);
        var same = Calls(200607, 1000, seed: 2);
        var shifted = Calls(200608, 1000, seed: 3, shift: 0.08);

        var report = ScoreDrift.Measure(reference, [.. same, .. shifted]);

        Assert.Equal(ScoreDrift.BinCount - 1, report.BinEdges.Count);
        var (stable, drifted) = (report.Months[0], report.Months[1]);
        Assert.Equal((new DateOnly(2006, 7, 1), 1000), (stable.Month, stable.Calls));
        Assert.True(stable.Psi < ScoreDrift.WatchPsi, $"PSI of the same distribution {stable.Psi:0.000}");
        Assert.Equal(ScoreDrift.Stable, stable.PsiStatus);
        Assert.True(drifted.Psi > ScoreDrift.AlertPsi, $"PSI of the shifted distribution {drifted.Psi:0.000}");
        Assert.Equal((ScoreDrift.Alert, ScoreDrift.Alert), (drifted.PsiStatus, drifted.Status));
    }

    [Fact]
    public void A_flag_rate_that_leaves_the_operator_rate_behind_alerts_even_with_a_stable_score_shape()
    {
        var reference = Calls(200601, 5000, seed: 1);
        // Operators now call 8 points fewer calls TIP-related while the model flags as before.
        var month = Calls(200609, 2000, seed: 4, operatorShare: 0.07);

        var drift = ScoreDrift.Measure(reference, month).Months.Single();

        Assert.Equal(ScoreDrift.Stable, drift.PsiStatus);
        Assert.True(drift.GapShift > ScoreDrift.AlertGapShift, $"gap shift {drift.GapShift:0.000}");
        Assert.Equal((ScoreDrift.Alert, ScoreDrift.Alert), (drift.GapStatus, drift.Status));
    }

    [Theory]
    [InlineData(0.0, "stable")]
    [InlineData(0.099, "stable")]
    [InlineData(0.1, "watch")]
    [InlineData(0.25, "watch")]
    [InlineData(0.2501, "alert")]
    public void Psi_thresholds_are_the_documented_ones(double psi, string status) => Assert.Equal(status, ScoreDrift.PsiStatus(psi));

    [Fact]
    public void Psi_is_zero_for_identical_shares_and_counts_an_empty_bin()
    {
        double[] even = [0.25, 0.25, 0.25, 0.25];
        Assert.Equal(0, ScoreDrift.Index(even, even), 12);
        Assert.True(ScoreDrift.Index(even, [0.5, 0.5, 0, 0]) > 1);
        Assert.Throws<TipWarehouse.Core.TipwException>(() => ScoreDrift.Measure([], Calls(200601, 10, seed: 5)));
    }
}
