namespace TipWarehouse.Classifier.Tests;

/// <summary><see cref="IndicatorLexicon.Find"/> looks words up in a first-character index of the patterns; these tests hold
/// it to the lexicon's definition, written here the direct way (every pattern searched for in the whole text, its word-start
/// occurrences kept, one hit per concept and position with the first pattern that matched there), so the features of every
/// trained model stay what they were.</summary>
public sealed class IndicatorLexiconEquivalenceTests
{
    [Fact]
    public void Indexed_lookup_finds_the_same_hits_as_searching_every_pattern_on_the_written_narratives()
    {
        var texts = File.ReadAllLines(HandwrittenNarratives.FilePath)
            .Concat(File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "data", "independent_narratives.csv")))
            .ToList();
        Assert.True(texts.Count > 350);
        var withHits = 0;
        foreach (var text in texts)
        {
            var folded = TextFeaturizer.FoldText(text);
            var expected = ReferenceFind(folded);
            Assert.Equal(expected, IndicatorLexicon.Find(folded));
            withHits += expected.Count > 0 ? 1 : 0;
        }

        Assert.True(withHits > texts.Count / 2, $"only {withHits} narratives have indicators: the comparison would prove little");
    }

    [Fact]
    public void Indexed_lookup_finds_the_same_hits_as_searching_every_pattern_on_texts_made_of_overlapping_patterns()
    {
        // Patterns, their prefixes and plain words back to back: overlapping matches of one concept, patterns that end in a
        // space, documents near and far from a retention verb, a pattern at the very start and end of the text.
        var concepts = IndicatorLexicon.Concepts;
        var pieces = concepts.SelectMany(c => c.Patterns.Concat(c.Near ?? []))
            .SelectMany(p => new[] { p.Trim(), p.Trim()[..Math.Max(1, p.Trim().Length - 2)] })
            .Concat(["la", "casa", "de", "su", "tia", "en", "lima", "desde", "hace", "muchos", "anos", "ayer", "xyz", "ñandú", "Ángela"])
            .ToArray();
        var random = new Random(20);
        var hits = 0;
        for (var t = 0; t < 3000; t++)
        {
            var words = Enumerable.Range(0, random.Next(1, 40)).Select(_ => pieces[random.Next(pieces.Length)]);
            var folded = TextFeaturizer.FoldText(string.Join(random.Next(4) == 0 ? ", " : " ", words));
            var expected = ReferenceFind(folded);
            Assert.Equal(expected, IndicatorLexicon.Find(folded));
            hits += expected.Count;
        }

        Assert.True(hits > 10_000);
    }

    [Fact]
    public void Featurized_vectors_of_the_written_narratives_are_the_same_as_with_the_reference_indicators()
    {
        // The indicator block of the vector is built from Find's hits: the concept slots present must be the reference's.
        var names = TextFeaturizer.IndicatorNames;
        var first = TextFeaturizer.Size - names.Count;
        foreach (var narrative in HandwrittenNarratives.Load())
        {
            var indices = new int[8];
            var values = new float[8];
            var n = TextFeaturizer.Featurize(narrative.Call, ref indices, ref values);
            var present = indices.AsSpan(0, n).ToArray().Where(i => i >= first && i < first + IndicatorLexicon.Concepts.Count).Select(i => i - first).ToArray();
            var expected = ReferenceFind(TextFeaturizer.FoldText(narrative.Call.Narrative ?? "")).Select(h => h.Concept).Distinct().Order().ToArray();
            Assert.Equal(expected, present);
        }
    }

    // The lexicon's matching rule, the direct way (the implementation before the index).
    private static List<IndicatorLexicon.Hit> ReferenceFind(string folded)
    {
        var hits = new List<IndicatorLexicon.Hit>();
        for (var c = 0; c < IndicatorLexicon.Concepts.Count; c++)
        {
            var concept = IndicatorLexicon.Concepts[c];
            var own = new List<IndicatorLexicon.Hit>();
            foreach (var pattern in concept.Patterns)
            {
                foreach (var at in WordStartOccurrences(folded, pattern))
                {
                    if (concept.Near is null || IsNear(folded, concept.Near, at, pattern.Length))
                    {
                        own.Add(new IndicatorLexicon.Hit(c, at, pattern.TrimEnd().Length));
                    }
                }
            }

            hits.AddRange(own.DistinctBy(h => h.Start).OrderBy(h => h.Start));
        }

        return hits;
    }

    private static List<int> WordStartOccurrences(string text, string pattern)
    {
        var found = new List<int>();
        for (var at = text.IndexOf(pattern, StringComparison.Ordinal); at >= 0; at = text.IndexOf(pattern, at + 1, StringComparison.Ordinal))
        {
            if (at > 0 && text[at - 1] == ' ')
            {
                found.Add(at);
            }
        }

        return found;
    }

    private static bool IsNear(string text, IReadOnlyList<string> patterns, int at, int length)
    {
        var from = Math.Max(0, at - IndicatorLexicon.NearChars);
        while (from > 0 && text[from - 1] != ' ')
        {
            from--;
        }

        var to = Math.Min(text.Length, at + length + IndicatorLexicon.NearChars);
        var window = from == 0 ? text[..to] : text[(from - 1)..to];
        return patterns.Any(p => WordStartOccurrences(window, p).Count > 0);
    }
}
