using Microsoft.ML.Data;
using TipWarehouse.Core;

namespace TipWarehouse.Classifier;

/// <summary>One term or field and how much it moved a call's score (in the model's margin, log-odds for logistic regression).</summary>
public sealed record FeatureContribution(string Kind, string Feature, double Value, double Contribution);

/// <summary>Why a call got its score: its probability and the features that pushed it up or down the most.</summary>
public sealed record CallExplanation(string CallId, double Probability, bool IsFlagged, double Threshold, IReadOnlyList<FeatureContribution> Contributions);

/// <summary>Explains a single call's score by occlusion: each active feature is removed in turn and the change of the margin is
/// its contribution.</summary>
/// <remarks>For the linear (SDCA) model this is exactly weight × value; for tree models it is the effect of removing that
/// feature alone. Feature names come from re-running the featurizer on the call, so n-grams are shown as text.</remarks>
public static class ModelExplainer
{
    /// <summary>Explains <paramref name="call"/> with <paramref name="scorer"/>, returning the <paramref name="top"/> strongest
    /// contributions towards TIP and half as many away from it.</summary>
    public static CallExplanation Explain(CallScorer scorer, CallFeatures call, int top = 12)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(call);
        var names = new List<TextFeaturizer.FeatureName>();
        var indices = new int[512];
        var values = new float[512];
        var n = TextFeaturizer.Featurize(call, ref indices, ref values, names);
        var byIndex = names.GroupBy(f => f.Index).ToDictionary(
            g => g.Key,
            g => (Kind: g.First().Kind, Name: string.Join(" / ", g.Select(f => f.Name).Distinct(StringComparer.Ordinal).Take(3))));

        // Row 0 is the call as is; row k+1 is the call without its k-th active feature.
        var rows = new List<FeatureRow>(n + 1) { Row(indices, values, n, -1) };
        for (var k = 0; k < n; k++)
        {
            rows.Add(Row(indices, values, n, k));
        }

        var scored = scorer.Model.Transform(CallScorer.ToDataView(scorer.Context, rows));
        var margins = scored.GetColumn<float>("Score").ToArray();
        var probability = scored.GetColumn<float>("Probability").First();
        var contributions = new List<FeatureContribution>(n);
        for (var k = 0; k < n; k++)
        {
            var delta = margins[0] - margins[k + 1];
            if (delta == 0)
            {
                continue;
            }

            var index = indices[k];
            var (kind, name) = byIndex.TryGetValue(index, out var named)
                ? named
                : ("number", TextFeaturizer.NumberName(index) ?? $"#{index}");
            contributions.Add(new FeatureContribution(kind, name, values[k], delta));
        }

        var strongest = contributions.Where(c => c.Contribution > 0).OrderByDescending(c => c.Contribution).Take(top)
            .Concat(contributions.Where(c => c.Contribution < 0).OrderBy(c => c.Contribution).Take(Math.Max(1, top / 2)))
            .ToList();
        return new CallExplanation(call.CallId, probability, scorer.IsFlagged(probability), scorer.Threshold, strongest);
    }

    /// <summary>The explanation as a table: kind, feature, value, contribution, direction.</summary>
    public static ResultTable ToTable(CallExplanation explanation)
    {
        ArgumentNullException.ThrowIfNull(explanation);
        var rows = explanation.Contributions
            .Select(c => new object?[] { c.Kind, c.Feature, Math.Round(c.Value, 4), Math.Round(c.Contribution, 4), c.Contribution > 0 ? "tip" : "not_tip" })
            .ToList();
        return new ResultTable(
            [new("kind", typeof(string)), new("feature", typeof(string)), new("value", typeof(double)), new("contribution", typeof(double)), new("pushes_towards", typeof(string))],
            rows,
            [$"call {explanation.CallId}: probability {explanation.Probability:0.000} (threshold {explanation.Threshold:0.000}) -> {(explanation.IsFlagged ? "flagged as TIP-related" : "not flagged")}",
             "contribution = change of the model's margin (log-odds for sdca) when the feature is removed; chars: '_' is a word boundary"]);
    }

    private static FeatureRow Row(int[] indices, float[] values, int n, int skip)
    {
        var count = skip < 0 ? n : n - 1;
        var rowIndices = new int[count];
        var rowValues = new float[count];
        var j = 0;
        for (var i = 0; i < n; i++)
        {
            if (i != skip)
            {
                rowIndices[j] = indices[i];
                rowValues[j++] = values[i];
            }
        }

        return new FeatureRow { Features = new VBuffer<float>(TextFeaturizer.Size, count, rowValues, rowIndices) };
    }
}
