using Microsoft.ML;
using Microsoft.ML.Data;
using TipWarehouse.Core;

namespace TipWarehouse.Classifier;

/// <summary>One term or field and how much it moved a call's score (in the model's margin, log-odds for logistic regression).</summary>
public sealed record FeatureContribution(string Kind, string Feature, double Value, double Contribution);

/// <summary>Why a call got its score: its probability and the features that pushed it up or down the most.</summary>
public sealed record CallExplanation(string CallId, double Probability, bool IsFlagged, double Threshold, IReadOnlyList<FeatureContribution> Contributions);

/// <summary>Explains a single call's score by occlusion: each active feature is removed in turn and the score change is its contribution.</summary>
/// <remarks>For the linear (SDCA) model this is exactly weight × value; for tree models it is the effect of removing that feature alone.</remarks>
public static class ModelExplainer
{
    /// <summary>Explains <paramref name="call"/> with <paramref name="scorer"/>, returning the <paramref name="top"/> strongest contributions each way.</summary>
    public static CallExplanation Explain(CallScorer scorer, CallFeatures call, int top = 12)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(call);
        if (scorer.Model is not TransformerChain<ITransformer> chain)
        {
            throw new TipwException("The model cannot be explained: it is not a transformer chain (retrain it with 'tipw model train').");
        }

        var ml = scorer.Context;
        var steps = chain.ToArray();
        var featurizer = new TransformerChain<ITransformer>(steps[..^1]);
        var predictor = steps[^1];
        var featurized = featurizer.Transform(ml.Data.LoadFromEnumerable([call]));
        var featureColumn = featurized.Schema[FeatureColumns.Features];
        var size = SizeOf(featureColumn.Type);
        VBuffer<float> features = default;
        using (var cursor = featurized.GetRowCursor([featureColumn]))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(featureColumn);
            cursor.MoveNext();
            getter(ref features);
        }

        VBuffer<ReadOnlyMemory<char>> slotNames = default;
        if (featureColumn.HasSlotNames())
        {
            featureColumn.GetSlotNames(ref slotNames);
        }

        var blocks = BlockRanges(featurized.Schema);
        var active = new List<(int Index, float Value)>();
        foreach (var (index, value) in features.Items())
        {
            if (value != 0)
            {
                active.Add((index, value));
            }
        }

        // Row 0 is the call as is; row k+1 is the call without its k-th active feature.
        var rows = new List<FeatureRow>(active.Count + 1) { new() { Features = features } };
        foreach (var (index, _) in active)
        {
            var values = new float[active.Count - 1];
            var indices = new int[active.Count - 1];
            var j = 0;
            foreach (var (other, value) in active)
            {
                if (other != index)
                {
                    indices[j] = other;
                    values[j++] = value;
                }
            }

            rows.Add(new FeatureRow { Features = new VBuffer<float>(size, values.Length, values, indices) });
        }

        var definition = SchemaDefinition.Create(typeof(FeatureRow));
        definition[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
        var scored = predictor.Transform(ml.Data.LoadFromEnumerable(rows, definition));
        var margins = scored.GetColumn<float>("Score").ToArray();
        var probability = scored.GetColumn<float>("Probability").First();
        var contributions = new List<FeatureContribution>(active.Count);
        var names = slotNames.DenseValues().ToArray();
        for (var k = 0; k < active.Count; k++)
        {
            var (index, value) = active[k];
            var delta = margins[0] - margins[k + 1];
            if (delta == 0)
            {
                continue;
            }

            var name = index < names.Length ? names[index].ToString() : $"#{index}";
            contributions.Add(new FeatureContribution(KindOf(blocks, index), Readable(name), value, delta));
        }

        var strongest = contributions.Where(c => c.Contribution > 0).OrderByDescending(c => c.Contribution).Take(top)
            .Concat(contributions.Where(c => c.Contribution < 0).OrderBy(c => c.Contribution).Take(top / 2))
            .ToList();
        return new CallExplanation(call.CallId, probability, scorer.IsFlagged(probability), scorer.Threshold, strongest);
    }

    /// <summary>The explanation as a table: kind, feature, value, contribution.</summary>
    public static ResultTable ToTable(CallExplanation explanation)
    {
        ArgumentNullException.ThrowIfNull(explanation);
        var rows = explanation.Contributions
            .Select(c => new object?[] { c.Kind, c.Feature, Math.Round(c.Value, 4), Math.Round(c.Contribution, 4), c.Contribution > 0 ? "TIP" : "no TIP" })
            .ToList();
        return new ResultTable(
            [new("kind", typeof(string)), new("feature", typeof(string)), new("value", typeof(double)), new("contribution", typeof(double)), new("pushes_towards", typeof(string))],
            rows,
            [$"call {explanation.CallId}: probability {explanation.Probability:0.000} (threshold {explanation.Threshold:0.000}) -> {(explanation.IsFlagged ? "flagged as TIP-related" : "not flagged")}",
             "contribution = change of the model's margin (log-odds) when the feature is removed"]);
    }

    private static List<(int Start, int End, string Kind)> BlockRanges(DataViewSchema schema)
    {
        var ranges = new List<(int, int, string)>();
        var start = 0;
        foreach (var block in FeatureColumns.Blocks)
        {
            var count = SizeOf(schema[block].Type);
            ranges.Add((start, start + count, FeatureColumns.Describe(block)));
            start += count;
        }

        return ranges;
    }

    private static int SizeOf(DataViewType type) => type is VectorDataViewType vector ? vector.Size : 1;

    private static string KindOf(List<(int Start, int End, string Kind)> blocks, int index)
    {
        foreach (var (start, end, kind) in blocks)
        {
            if (index >= start && index < end)
            {
                return kind;
            }
        }

        return "feature";
    }

    // Slot names look like "WordNgrams.deuda|pasaje" or "Char4grams.<␂>tra": keep the n-gram, show spaces and markers plainly.
    private static string Readable(string slotName)
    {
        var dot = slotName.IndexOf('.', StringComparison.Ordinal);
        var name = dot >= 0 ? slotName[(dot + 1)..] : slotName;
        return name.Replace("<␂>", "^", StringComparison.Ordinal).Replace("<␃>", "$", StringComparison.Ordinal)
            .Replace("<␠>", "_", StringComparison.Ordinal).Replace('|', ' ');
    }

    private sealed class FeatureRow
    {
        public VBuffer<float> Features { get; set; }
    }
}
