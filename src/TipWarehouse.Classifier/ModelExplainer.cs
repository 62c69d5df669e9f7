using Microsoft.ML.Data;
using TipWarehouse.Core;

namespace TipWarehouse.Classifier;

/// <summary>One term or field and how much it moved a call's score (in the model's margin, log-odds for logistic regression).</summary>
/// <remarks>For words, <paramref name="Spans"/> lists where the word occurs in the narrative as <c>start:length</c> pairs
/// (UTF-16 offsets into the narrative as stored) separated by <c>;</c>; empty for fields.</remarks>
public sealed record FeatureContribution(string Kind, string Feature, double Value, double Contribution, string Spans = "");

/// <summary>One highlighted stretch of the narrative: a word and what it contributed (positive: towards TIP).</summary>
public sealed record NarrativeSpan(int Start, int Length, string Text, double Contribution);

/// <summary>Why a call got its score: its probability, the words and fields that pushed it up or down the most, and the
/// narrative's words with their contributions (<see cref="Spans"/>, in narrative order) for highlighting.</summary>
public sealed record CallExplanation(string CallId, double Probability, bool IsFlagged, double Threshold, IReadOnlyList<FeatureContribution> Contributions)
{
    /// <summary>The narrative the spans point into.</summary>
    public string Narrative { get; init; } = string.Empty;

    /// <summary>Every word of the narrative with a non-zero contribution, in narrative order.</summary>
    public IReadOnlyList<NarrativeSpan> Spans { get; init; } = [];
}

/// <summary>Explains a single call's score by occlusion, in the narrative's own words: each active feature is removed in turn
/// and the change of the margin is its contribution; contributions of n-grams and indicators are then folded back onto the
/// words they were built from, and fields are named.</summary>
/// <remarks>For the linear (SDCA) model a feature's contribution is exactly weight × value; for tree models it is the effect
/// of removing that feature alone. A feature that occurs several times is split equally over its occurrences, and an
/// occurrence over the words it overlaps in proportion to the letters it shares with each (a character 4-gram across a word
/// boundary gives most to the word it lies mostly in; an indicator matched by a phrase gives to every word of the phrase; a
/// combination such as control + exploitation gives to the matches of both groups). A word's contribution is the sum over
/// its occurrences, so the words' contributions and the fields' add up to the margin less the bias.</remarks>
public static class ModelExplainer
{
    /// <summary>Explains <paramref name="call"/> with <paramref name="scorer"/>: the <paramref name="top"/> words and fields
    /// pushing towards TIP the most and half as many pushing away, plus every word's span.</summary>
    public static CallExplanation Explain(CallScorer scorer, CallFeatures call, int top = 12) => ExplainWords(scorer, call, top);

    /// <summary>The library API behind <c>tipw model explain</c> and the web call review: contributions aggregated to the
    /// narrative's words and to named fields, with the spans to highlight.</summary>
    public static CallExplanation ExplainWords(CallScorer scorer, CallFeatures call, int top = 12)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(call);
        var names = new List<TextFeaturizer.FeatureName>();
        var indices = new int[512];
        var values = new float[512];
        var n = TextFeaturizer.Featurize(call, ref indices, ref values, names);
        var byIndex = names.GroupBy(f => f.Index).ToDictionary(g => g.Key, g => g.ToList());

        // Row 0 is the call as is; row k+1 is the call without its k-th active feature.
        var rows = new List<FeatureRow>(n + 1) { Row(indices, values, n, -1) };
        for (var k = 0; k < n; k++)
        {
            rows.Add(Row(indices, values, n, k));
        }

        var scored = scorer.Model.Transform(CallScorer.ToDataView(scorer.Context, rows));
        var margins = scored.GetColumn<float>("Score").ToArray();
        var probability = scorer.Calibration.Apply(scored.GetColumn<float>("Probability").First());

        var narrative = call.Narrative ?? string.Empty;
        var folded = TextFeaturizer.FoldText(narrative, out var sourceIndex);
        var words = FoldedWords(folded);
        var wordShare = new double[words.Count];
        var fields = new List<FeatureContribution>();
        for (var k = 0; k < n; k++)
        {
            var delta = margins[0] - margins[k + 1];
            if (delta == 0)
            {
                continue;
            }

            var index = indices[k];
            if (!byIndex.TryGetValue(index, out var occurrences))
            {
                fields.Add(new FeatureContribution("number", TextFeaturizer.NumberName(index) ?? $"#{index}", values[k], delta));
                continue;
            }

            var located = occurrences.Where(o => o.Start >= 0).ToList();
            if (located.Count == 0)
            {
                fields.Add(new FeatureContribution(occurrences[0].Kind, occurrences[0].Name, values[k], delta));
                continue;
            }

            var perOccurrence = delta / located.Count;
            foreach (var occurrence in located)
            {
                Spread(words, wordShare, occurrence.Start, occurrence.Length, perOccurrence);
            }
        }

        var spans = new List<NarrativeSpan>();
        for (var w = 0; w < words.Count; w++)
        {
            var (start, length) = words[w];
            var from = sourceIndex[start];
            var to = sourceIndex[start + length - 1] + 1;
            if (wordShare[w] != 0 && from >= 0 && to > from)
            {
                spans.Add(new NarrativeSpan(from, to - from, narrative[from..to], wordShare[w]));
            }
        }

        var byWord = spans
            .GroupBy(s => TextFeaturizer.FoldText(s.Text).Trim(), StringComparer.Ordinal)
            .Select(g => new FeatureContribution("word", g.First().Text, g.Count(), g.Sum(s => s.Contribution), string.Join(";", g.Select(s => FormattableString.Invariant($"{s.Start}:{s.Length}")))))
            .Concat(fields)
            .ToList();
        var strongest = byWord.Where(c => c.Contribution > 0).OrderByDescending(c => c.Contribution).Take(top)
            .Concat(byWord.Where(c => c.Contribution < 0).OrderBy(c => c.Contribution).Take(Math.Max(1, top / 2)))
            .ToList();
        return new CallExplanation(call.CallId, probability, scorer.IsFlagged(probability), scorer.Threshold, strongest)
        {
            Narrative = narrative,
            Spans = spans,
        };
    }

    /// <summary>The explanation as a table: kind, feature, value (occurrences for words), contribution, direction, spans.</summary>
    public static ResultTable ToTable(CallExplanation explanation)
    {
        ArgumentNullException.ThrowIfNull(explanation);
        var rows = explanation.Contributions
            .Select(c => new object?[] { c.Kind, c.Feature, Math.Round(c.Value, 4), Math.Round(c.Contribution, 4), c.Contribution > 0 ? "tip" : "not_tip", c.Spans })
            .ToList();
        return new ResultTable(
            [new("kind", typeof(string)), new("feature", typeof(string)), new("value", typeof(double)), new("contribution", typeof(double)), new("pushes_towards", typeof(string)), new("spans", typeof(string))],
            rows,
            [$"call {explanation.CallId}: probability {explanation.Probability:0.000} (threshold {explanation.Threshold:0.000}) -> {(explanation.IsFlagged ? "flagged as TIP-related" : "not flagged")}",
             "contribution = change of the model's margin (log-odds for sdca) when the feature is removed, with word and character n-grams and indicators folded back onto the narrative's words; value = a word's occurrences; spans = start:length in the narrative",
             "narrative, words pushing towards TIP in [[ ]], away in (( )): " + Highlight(explanation)]);
    }

    /// <summary>The narrative with the words of the strongest contributions marked: <c>[[...]]</c> towards TIP, <c>((...))</c> away.</summary>
    public static string Highlight(CallExplanation explanation)
    {
        ArgumentNullException.ThrowIfNull(explanation);
        var shown = explanation.Contributions.Where(c => c.Kind == "word").Select(c => TextFeaturizer.FoldText(c.Feature).Trim()).ToHashSet(StringComparer.Ordinal);
        var text = explanation.Narrative;
        var result = new System.Text.StringBuilder(text.Length + 64);
        var at = 0;
        foreach (var span in explanation.Spans.Where(s => shown.Contains(TextFeaturizer.FoldText(s.Text).Trim())).OrderBy(s => s.Start))
        {
            result.Append(text, at, span.Start - at);
            result.Append(span.Contribution > 0 ? "[[" : "((").Append(span.Text).Append(span.Contribution > 0 ? "]]" : "))");
            at = span.Start + span.Length;
        }

        return result.Append(text, at, text.Length - at).ToString();
    }

    // The words of folded text: (start, length) of each run of non-spaces.
    private static List<(int Start, int Length)> FoldedWords(string folded)
    {
        var words = new List<(int, int)>();
        var start = -1;
        for (var i = 0; i < folded.Length; i++)
        {
            if (folded[i] != ' ' && start < 0)
            {
                start = i;
            }
            else if (folded[i] == ' ' && start >= 0)
            {
                words.Add((start, i - start));
                start = -1;
            }
        }

        return words;
    }

    // Gives amount to the words that [start, start + length) overlaps, in proportion to the letters shared with each.
    private static void Spread(List<(int Start, int Length)> words, double[] share, int start, int length, double amount)
    {
        var end = start + length;
        var overlaps = new List<(int Word, int Letters)>();
        var total = 0;
        for (var w = 0; w < words.Count; w++)
        {
            var (ws, wl) = words[w];
            var letters = Math.Min(end, ws + wl) - Math.Max(start, ws);
            if (letters > 0)
            {
                overlaps.Add((w, letters));
                total += letters;
            }
        }

        foreach (var (word, letters) in overlaps)
        {
            share[word] += amount * letters / total;
        }
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
