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
