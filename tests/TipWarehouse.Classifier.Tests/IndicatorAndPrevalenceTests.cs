using TipWarehouse.Core;

namespace TipWarehouse.Classifier.Tests;

public sealed class IndicatorAndPrevalenceTests
{
    private static HashSet<string> Codes(string narrative) =>
        IndicatorLexicon.Find(TextFeaturizer.FoldText(narrative)).Select(h => IndicatorLexicon.Concepts[h.Concept].Code).ToHashSet();

    [Fact]
    public void Documents_count_as_withheld_only_next_to_a_retention_verb()
    {
        Assert.Contains("WITHHOLDS_DOCUMENTS", Codes("La patrona le quitó el DNI y no la deja salir"));
        Assert.DoesNotContain("WITHHOLDS_DOCUMENTS", Codes("Pregunta qué documentos necesita para el trámite del DNI"));
    }

    [Fact]
    public void Act_means_and_purpose_together_only_when_all_three_are_told()
    {
        string[] names = [.. TextFeaturizer.IndicatorNames];
        var combined = Array.IndexOf(names, "ACT+MEANS+PURPOSE");
        bool Has(string text)
        {
            var indices = new int[8];
            var values = new float[8];
            var n = TextFeaturizer.Featurize(CallFeatures.Create("1", 0, text), ref indices, ref values);
            return indices.AsSpan(0, n).Contains(TextFeaturizer.Size - names.Length + combined);
        }

        Assert.True(Has("La trajeron de Pucallpa, le quitaron el DNI y la obligan a atender clientes en un bar"));
        Assert.False(Has("Mi esposo me golpea y no me deja salir de la casa"));
        Assert.False(Has("El dueño del taller no me pagó la quincena, ya renuncié"));
    }

    [Fact]
    public void Platt_calibration_brings_the_mean_probability_to_the_observed_rate()
    {
        // Scores that overstate TIP: half the calls score 0.6 but only one in five of them is TIP.
        var scores = new List<float>();
        var labels = new List<bool>();
        for (var i = 0; i < 1000; i++)
        {
            var high = i % 2 == 0;
            scores.Add(high ? 0.6f : 0.2f);
            labels.Add(high ? i % 10 == 0 : i % 50 == 1);
        }

        var calibration = PlattCalibration.Fit(scores, labels);
        var calibrated = scores.Select(calibration.Apply).ToList();

        Assert.Equal(labels.Count(l => l) / 1000.0, calibrated.Average(p => (double)p), 2);
        Assert.Equal(0.2, calibration.Apply(0.6f), 2);
        Assert.Same(PlattCalibration.Identity, PlattCalibration.Fit([0.5f], [true]));
    }

    // The confident-learning counts of calls (probability, operator label), as rpt.v_monthly_national computes them.
    private static ConfidentCounts Counts(IReadOnlyList<(double P, bool Label)> calls)
    {
        var tipThreshold = calls.Where(c => c.Label).Average(c => c.P);
        var notTipThreshold = calls.Where(c => !c.Label).Average(c => 1 - c.P);
        long Count(bool label, Func<double, bool> confident) => calls.Count(c => c.Label == label && confident(c.P));
        bool SureTip(double p) => p >= tipThreshold && 1 - p < notTipThreshold;
        bool SureNot(double p) => p < tipThreshold && 1 - p >= notTipThreshold;
        return new ConfidentCounts(
            calls.Count(c => !c.Label), Count(false, SureTip), Count(false, SureNot),
            calls.Count(c => c.Label), Count(true, SureTip), Count(true, SureNot));
    }

    [Fact]
    public void Confident_learning_recovers_the_true_share_from_noisy_operator_labels_where_averaging_does_not()
    {
        // 150 TIP calls the model scores 0.9 (operators filed 135 as TIP), 850 others it scores 0.05 (operators filed 42 as
        // TIP): the probabilities are calibrated to the operators' labels, so their mean is the operators' share, 0.1775.
        var calls = new List<(double P, bool Label)>();
        calls.AddRange(Enumerable.Range(0, 150).Select(i => (0.9, i < 135)));
        calls.AddRange(Enumerable.Range(0, 850).Select(i => (0.05, i < 42)));

        var counts = Counts(calls);
        var confident = Prevalence.FromConfidentCounts(calls.Count, counts, counts);
        var averaged = Prevalence.Estimate([.. calls.Select(c => (float)c.P)], calibrationSd: 0);

        Assert.Equal(new ConfidentCounts(823, 15, 808, 177, 135, 42), counts);
        Assert.Equal(0.15, confident.Share, 6);
        Assert.Equal(0.1775, averaged.Share, 4);
        // The interval: the binomial variance of the two confident-TIP fractions (smoothed), n_label² r(1 - r) / m_label.
        var notTip = 15.5 / 824;
        var tip = 135.5 / 178;
        var sd = Math.Sqrt(((823.0 * 823 * notTip * (1 - notTip) / 823) + (177.0 * 177 * tip * (1 - tip) / 177)) / 1e6);
        Assert.Equal(0.15 - (Prevalence.Z95 * sd), confident.Low, 6);
        Assert.Equal(0.15 + (Prevalence.Z95 * sd), confident.High, 6);
    }

    [Fact]
    public void Confident_learning_takes_a_label_without_confident_calls_from_the_fallback_and_needs_labelled_calls()
    {
        var period = new ConfidentCounts(NotTipLabelled: 90, NotTipConfidentTip: 0, NotTipConfidentNot: 0, TipLabelled: 10, TipConfidentTip: 8, TipConfidentNot: 2);
        var all = new ConfidentCounts(900, 10, 890, 100, 80, 20);

        var estimate = Prevalence.FromConfidentCounts(120, period, all);

        Assert.Equal(((90 * (10.0 / 900)) + (10 * 0.8)) / 100, estimate.Share, 6);
        Assert.Equal(120, estimate.Calls);
        Assert.True(double.IsNaN(Prevalence.FromConfidentCounts(50, default, all).Share));
        Assert.True(double.IsNaN(Prevalence.FromConfidentCounts(50, period, default).Share));
    }

    [Fact]
    public void Prevalence_interval_adds_the_calibration_variance_to_the_bernoulli_variance()
    {
        var probabilities = Enumerable.Repeat(0.1f, 900).Concat(Enumerable.Repeat(0.9f, 100)).ToList();

        var sure = Prevalence.Estimate(probabilities, calibrationSd: 0);
        var unsure = Prevalence.Estimate(probabilities, calibrationSd: 0.01);

        Assert.Equal(0.18, sure.Share, 6);
        var bernoulli = Math.Sqrt(1000 * 0.09) / 1000;
        Assert.Equal(0.18 - (Prevalence.Z95 * bernoulli), sure.Low, 6);
        Assert.Equal(0.18 + (Prevalence.Z95 * Math.Sqrt((bernoulli * bernoulli) + 0.0001)), unsure.High, 6);
        Assert.True(double.IsNaN(Prevalence.Estimate([], 0.01).Share));
    }

    [Fact]
    public void Threshold_is_raised_to_keep_the_precision_floor()
    {
        float[] scores = [0.9f, 0.8f, 0.7f, 0.6f, 0.5f, 0.4f];
        bool[] labels = [true, true, false, true, false, true];

        var free = CallClassifierTrainer.ChooseThreshold(scores, labels, new TrainingOptions { RecallTarget = 1, PrecisionFloor = 0 });
        var floored = CallClassifierTrainer.ChooseThreshold(scores, labels, new TrainingOptions { RecallTarget = 1, PrecisionFloor = 0.75 });

        Assert.Equal(0.4f, free);
        Assert.Equal(0.6f, floored);
    }
}
