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
    public void Monthly_excess_variance_is_what_the_binomial_error_leaves_of_the_correction_dispersion()
    {
        // Six months of 1,000 labelled calls, 150 of them filed as TIP; the model is confident about 140 of those being TIP
        // (10 not) and about 800 of the 850 others (15 confidently TIP, 35 unsure).
        static ConfidentCounts Month(long notTipConfidentTip) => new(850, notTipConfidentTip, 800, 150, 140, 10);
        var steady = Enumerable.Repeat(Month(15), 6).ToList();
        var moving = new[] { 5L, 25, 8, 30, 3, 27 }.Select(Month).ToList();
        var all = moving.Aggregate(default(ConfidentCounts), (t, m) => t + m);

        Assert.Equal(0, Prevalence.MonthlyExcessVariance(steady, all));
        Assert.Equal(0, Prevalence.MonthlyExcessVariance(moving.Take(2), all));
        var excess = Prevalence.MonthlyExcessVariance(moving, all);
        // The corrections: share - 0.15, share = 0.85 k / (800 + k) + 0.15 · 140/150.
        var corrections = moving.Select(m => (0.85 * m.NotTipConfidentTip / (800.0 + m.NotTipConfidentTip)) + (0.15 * 140 / 150) - 0.15).ToList();
        var mean = corrections.Average();
        var dispersion = corrections.Sum(c => (c - mean) * (c - mean)) / 5;
        var binomial = moving.Select(m =>
        {
            var r0 = (m.NotTipConfidentTip + 0.5) / (m.NotTipConfidentTip + 801.0);
            var r1 = 140.5 / 151;
            return ((850.0 * 850 * r0 * (1 - r0) / (800 + m.NotTipConfidentTip)) + (150.0 * 150 * r1 * (1 - r1) / 150)) / 1e6;
        }).Average();
        Assert.Equal(dispersion - binomial, excess, 10);
        Assert.True(excess > 0);

        // The interval of a month widens by it, a quarter's by a third of it, and the share does not move.
        var plain = Prevalence.FromConfidentCounts(1000, moving[1], all);
        var month = Prevalence.FromConfidentCounts(1000, moving[1], all, excess);
        var quarter = Prevalence.FromConfidentCounts(3000, moving[0] + moving[1] + moving[2], all, excess, months: 3);
        var quarterPlain = Prevalence.FromConfidentCounts(3000, moving[0] + moving[1] + moving[2], all);
        Assert.Equal(plain.Share, month.Share, 12);
        var plainSd = (plain.High - plain.Share) / Prevalence.Z95;
        Assert.Equal(Math.Sqrt((plainSd * plainSd) + excess), (month.High - month.Share) / Prevalence.Z95, 9);
        var quarterSd = (quarterPlain.High - quarterPlain.Share) / Prevalence.Z95;
        Assert.Equal(Math.Sqrt((quarterSd * quarterSd) + (excess / 3)), (quarter.High - quarter.Share) / Prevalence.Z95, 9);
    }

    [Fact]
    public void Noise_corrected_posterior_recovers_a_known_prior_shift_that_the_operator_share_misses()
    {
        // Three kinds of call: surely TIP (eta 1), ambiguous (eta 0.5), surely not (eta 0). Operators file a TIP call as TIP
        // with a = 0.85 and another call with b = 0.05 (class-conditional noise); the model's calibrated probability is the
        // chance of a TIP label, p = b + (a - b) * eta. Period 1 is 12% TIP, period 2 20% (a prior shift: more TIP calls).
        const double a = 0.85, b = 0.05;
        var rng = new Random(17);
        var calls = new List<(int Period, double P, bool Label, bool Truth)>();
        foreach (var (period, mix) in new[] { (1, new[] { 0.08, 0.08 }), (2, new[] { 0.14, 0.12 }) })
        {
            for (var i = 0; i < 100_000; i++)
            {
                var u = rng.NextDouble();
                var eta = u < mix[0] ? 1.0 : u < mix[0] + mix[1] ? 0.5 : 0.0;
                var truth = rng.NextDouble() < eta;
                calls.Add((period, b + ((a - b) * eta), rng.NextDouble() < (truth ? a : b), truth));
            }
        }

        // The noise rates on the confident sets, as rpt.v_model_noise_rates measures them.
        var tipThreshold = calls.Where(c => c.Label).Average(c => c.P);
        var notThreshold = calls.Where(c => !c.Label).Average(c => 1 - c.P);
        bool SureTip((int Period, double P, bool Label, bool Truth) c) => c.P >= tipThreshold && 1 - c.P < notThreshold;
        bool SureNot((int Period, double P, bool Label, bool Truth) c) => c.P < tipThreshold && 1 - c.P >= notThreshold;
        var rates = NoiseRates.FromConfidentCounts(new ConfidentCounts(
            calls.Count(c => !c.Label), calls.Count(c => !c.Label && SureTip(c)), calls.Count(c => !c.Label && SureNot(c)),
            calls.Count(c => c.Label), calls.Count(c => c.Label && SureTip(c)), calls.Count(c => c.Label && SureNot(c))));
        Assert.Equal(a, rates.TipLabelRate, 2);
        Assert.Equal(b, rates.FalseTipLabelRate, 2);

        foreach (var period in calls.GroupBy(c => c.Period))
        {
            var q = period.Select(c => Prevalence.Posterior(c.P, c.Label, rates)).ToList();
            var estimate = Prevalence.FromPosteriorSums(new PosteriorSums(q.Count, q.Count, period.Count(c => c.Label), q.Sum(), q.Sum(x => x * (1 - x)), q.Sum(), q.Sum()));
            var trueShare = (double)period.Count(c => c.Truth) / period.Count();
            var operatorShare = (double)period.Count(c => c.Label) / period.Count();
            Assert.InRange(estimate.Share - trueShare, -0.005, 0.005);
            Assert.InRange(trueShare, estimate.Low, estimate.High);
            Assert.True(Math.Abs(operatorShare - trueShare) > 0.008, $"period {period.Key}: the operators' share {operatorShare:0.000} should miss the true {trueShare:0.000}");
        }

        // A call without a category is TIP with eta; a TIP label raises it, another label lowers it; no usable rates, no estimate.
        Assert.Equal(0.5, Prevalence.Posterior(0.45, null, rates), 1);
        Assert.True(Prevalence.Posterior(0.45, true, rates) > 0.9 && Prevalence.Posterior(0.45, false, rates) < 0.2);
        Assert.True(double.IsNaN(Prevalence.Posterior(0.45, true, new NoiseRates(0.3, 0.3, 0.01, 0.01))));
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
