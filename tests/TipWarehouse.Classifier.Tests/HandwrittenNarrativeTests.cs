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

    [Fact]
    public void Held_out_hand_written_narratives_meet_the_triage_targets()
    {
        var rows = HandwrittenNarratives.Load().Where(r => r.Split == HandwrittenNarratives.HeldOut).ToList();
        Assert.True(rows.Count >= 150, $"{rows.Count} held-out narratives");
        var scores = world.Scorer.Score(rows.Select(r => r.Call).ToList());

        var m = BinaryMetrics.Compute(scores, rows.Select(r => r.Call.Label).ToArray(), world.Result.Threshold);

        output.WriteLine($"heldout: n={m.Count} positives={m.Positives} auc={m.Auc:0.000} precision={m.Precision:0.000} recall={m.Recall:0.000} threshold={m.Threshold:0.000} fp={m.FalsePositives} fn={m.FalseNegatives}");
        Assert.True(m.Auc >= 0.95, $"AUC {m.Auc:0.000}");
        Assert.True(m.Precision >= 0.85, $"precision {m.Precision:0.000} at threshold {m.Threshold:0.000}");
        Assert.True(m.Recall >= 0.85, $"recall {m.Recall:0.000} at threshold {m.Threshold:0.000}");
    }
}
