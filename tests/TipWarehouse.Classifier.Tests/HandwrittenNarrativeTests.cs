using Xunit.Abstractions;

namespace TipWarehouse.Classifier.Tests;

/// <summary>The model trained on a simulated world's warehouse labels, judged on narratives written by hand in wording the
/// simulator never produces (<c>data/handwritten_narratives.csv</c>, see <c>data/README.md</c>).</summary>
[Collection(SimulatedWorldGroup.Name)]
public sealed class HandwrittenNarrativeTests(SimulatedWorldFixture world, ITestOutputHelper output)
{
    [Fact]
    public void Tuning_part_report()
    {
        var set = HandwrittenNarratives.Load();
        foreach (var part in new[] { HandwrittenNarratives.Tuning })
        {
            var rows = set.Where(r => r.Split == part).ToList();
            var scores = world.Scorer.Score(rows.Select(r => r.Call).ToList());
            var m = BinaryMetrics.Compute(scores, rows.Select(r => r.Call.Label).ToArray(), world.Result.Threshold);
            output.WriteLine($"{part}: n={m.Count} auc={m.Auc:0.000} p={m.Precision:0.000} r={m.Recall:0.000} thr={m.Threshold:0.000} fp={m.FalsePositives} fn={m.FalseNegatives} test-auc={world.Result.TestMetrics.Auc:0.000} test-p={world.Result.TestMetrics.Precision:0.000} test-r={world.Result.TestMetrics.Recall:0.000}");
            if (part == HandwrittenNarratives.Tuning)
            {
                for (var i = 0; i < rows.Count; i++)
                {
                    if ((scores[i] >= m.Threshold) != rows[i].Call.Label)
                    {
                        output.WriteLine($"  {(rows[i].Call.Label ? "FN" : "FP")} {scores[i]:0.000} {rows[i].Kind}: {rows[i].Call.Narrative}");
                    }
                }
            }
        }
        }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Held_out_hand_written_narratives_meet_the_triage_targets(bool withTuningNarratives)
    {
        var rows = HandwrittenNarratives.Load().Where(r => r.Split == HandwrittenNarratives.HeldOut).ToList();
        Assert.True(rows.Count >= 150, $"{rows.Count} held-out narratives");
        var result = withTuningNarratives ? world.ResultWithTuning : world.Result;
        // The held-out part is never training data, with or without the tuning narratives.
        Assert.DoesNotContain(rows, r => world.Tuning.Any(t => t.Narrative == r.Call.Narrative));
        var scores = world.ScorerOf(result).Score(rows.Select(r => r.Call).ToList());

        var m = BinaryMetrics.Compute(scores, rows.Select(r => r.Call.Label).ToArray(), result.Threshold);

        output.WriteLine($"heldout (tuning narratives trained on: {withTuningNarratives}): n={m.Count} positives={m.Positives} auc={m.Auc:0.000} precision={m.Precision:0.000} recall={m.Recall:0.000} threshold={m.Threshold:0.000} fp={m.FalsePositives} fn={m.FalseNegatives}");
        Assert.True(m.Auc >= 0.95, $"AUC {m.Auc:0.000}");
        Assert.True(m.Precision >= 0.85, $"precision {m.Precision:0.000} at threshold {m.Threshold:0.000}");
        Assert.True(m.Recall >= 0.85, $"recall {m.Recall:0.000} at threshold {m.Threshold:0.000}");
    }

    [Fact]
    public void Extra_narratives_are_fitted_on_and_counted_in_the_metadata()
    {
        var with = world.ResultWithTuning;
        var metadata = ModelRegistry.Describe("m", with, world.OptionsWithTuning, new LabelledCalls(world.Labelled, 0, 0, 0), world.Time.GetUtcNow());
        Assert.Equal(163, with.ExtraNarratives);
        Assert.Equal(163, metadata.ExtraNarratives);
        Assert.Equal(TrainingOptions.DefaultExtraNarrativeWeight, metadata.ExtraNarrativeWeight);
        Assert.Equal("handwritten_narratives.csv (tuning)", metadata.ExtraNarrativesSource);
        Assert.Equal(0, world.Result.ExtraNarratives);
        var none = ModelRegistry.Describe("m", world.Result, world.Options, new LabelledCalls(world.Labelled, 0, 0, 0), world.Time.GetUtcNow());
        Assert.Equal((0, 0.0, string.Empty), (none.ExtraNarratives, none.ExtraNarrativeWeight, none.ExtraNarrativesSource));

        // Fitted on: the model trained with them explains them better (lower log loss) than the one without.
        var labels = world.Tuning.Select(c => c.Label).ToArray();
        double LogLoss(TrainingResult result) => world.ScorerOf(result).Score(world.Tuning)
            .Select((p, i) => -Math.Log(Math.Clamp(labels[i] ? p : 1 - p, 1e-6, 1))).Average();
        Assert.True(LogLoss(with) < LogLoss(world.Result), $"log loss on the tuning narratives: {LogLoss(with):0.000} with them, {LogLoss(world.Result):0.000} without");
    }

    [Fact]
    public void A_cap_on_fitted_calls_keeps_an_even_stride_of_every_fit_month_and_says_how_many_were_available()
    {
        var all = TimeSplit.Create(world.Labelled, world.Options.TestMonths, world.Options.ValidationMonths).Fit;
        var cap = all.Count / 4;
        var capped = new CallClassifierTrainer(world.Time).Train(world.Labelled, world.Options with { MaxFitCalls = cap });
        Assert.Equal(cap, capped.Split.Fit.Count);
        Assert.Equal(all.Count, capped.FitCallsAvailable);
        Assert.Equal(cap, capped.Split.Fit.Select(c => c.CallId).Distinct().Count());
        foreach (var month in all.GroupBy(c => c.CallDateKey / 100))
        {
            var kept = capped.Split.Fit.Count(c => c.CallDateKey / 100 == month.Key);
            Assert.InRange(kept, (month.Count() / 4) - 1, (month.Count() / 4) + 1);
        }

        // Validation and test months are not thinned, and the metadata says what was left out.
        Assert.Equal(world.Result.Split.Test.Count, capped.Split.Test.Count);
        var metadata = ModelRegistry.Describe("m", capped, world.Options with { MaxFitCalls = cap }, new LabelledCalls(world.Labelled, 0, 0, 0), world.Time.GetUtcNow());
        Assert.Equal((cap, all.Count), (metadata.TrainRows, metadata.FitCallsAvailable));
        Assert.Equal(all.Count, world.Result.FitCallsAvailable);
    }

    [Fact]
    public void Cross_validation_scores_each_narrative_with_a_model_that_did_not_see_it()
    {
        // At a large weight the model fits its own training narratives almost perfectly; out of fold it cannot.
        var options = world.Options with { ExtraNarrativeWeight = 30 };
        var inSample = new CallClassifierTrainer(world.Time).Train(world.Labelled, options with { ExtraNarratives = world.Tuning });
        var inSampleAuc = BinaryMetrics.Compute(world.ScorerOf(inSample).Score(world.Tuning), world.Tuning.Select(c => c.Label).ToArray(), inSample.Threshold).Auc;

        var results = ExtraNarrativeCrossValidation.Run(world.Labelled, world.Options, world.Tuning, folds: 3, weights: [0, 30], l2s: [world.Options.L2Regularization]);

        foreach (var r in results)
        {
            output.WriteLine($"weight {r.Weight}: auc={r.Auc:0.000} p={r.Precision:0.000} r={r.Recall:0.000} fp={r.FalsePositives} fn={r.FalseNegatives}");
        }

        Assert.All(results, r => Assert.Equal((163, world.Tuning.Count(c => c.Label)), (r.Narratives, r.Positives)));
        var withoutNarratives = BinaryMetrics.Compute(world.Scorer.Score(world.Tuning), world.Tuning.Select(c => c.Label).ToArray(), world.Result.Threshold);
        Assert.Equal(withoutNarratives.Auc, results[0].Auc, 6);
        Assert.True(results[1].Auc < inSampleAuc - 0.005, $"out-of-fold AUC {results[1].Auc:0.0000} vs in-sample {inSampleAuc:0.0000}");
    }

    [Fact]
    public void Folds_are_stratified_and_the_choice_is_the_largest_margin_over_both_targets()
    {
        var calls = Enumerable.Range(0, 20).Select(i => CallFeatures.Create($"c{i}", 0, "x", label: i % 4 == 0)).ToList();
        var folds = ExtraNarrativeCrossValidation.Folds(calls, 5);
        Assert.All(Enumerable.Range(0, 5), k => Assert.Equal((1, 3), (calls.Where((c, i) => folds[i] == k && c.Label).Count(), calls.Where((c, i) => folds[i] == k && !c.Label).Count())));

        CrossValidationResult R(double weight, double precision, double recall) => new(weight, 1e-3f, 100, 50, 0.95, precision, recall, 2 * precision * recall / (precision + recall), 0, 0, 0.3);
        var preciseButMissing = R(0, 0.95, 0.80);
        var chosen = R(4, 0.88, 0.90);
        Assert.Same(chosen, ExtraNarrativeCrossValidation.Choose([preciseButMissing, chosen, R(8, 0.86, 0.97)]));
        Assert.Same(preciseButMissing, ExtraNarrativeCrossValidation.Choose([preciseButMissing, R(8, 0.60, 0.99)]));
    }
}
