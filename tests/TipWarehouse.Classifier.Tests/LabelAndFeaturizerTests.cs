namespace TipWarehouse.Classifier.Tests;

public sealed class LabelAndFeaturizerTests
{
    [Theory]
    [InlineData("TRATA", true)]
    [InlineData("Explotación laboral", true)]
    [InlineData("EXPLOTACION SEXUAL", true)]
    [InlineData(" trata de personas ", true)]
    [InlineData("VIOLENCIA FAMILIAR", false)]
    [InlineData("DESAPARECIDO", false)]
    [InlineData("BROMA/SILENCIO", false)]
    [InlineData("INFORMACION", false)]
    [InlineData("OTRO", false)]
    [InlineData("", null)]
    [InlineData("   ", null)]
    [InlineData(null, null)]
    public void Operator_category_maps_to_positive_negative_or_unlabelled(string? category, bool? expected)
    {
        Assert.Equal(expected, TipLabels.FromOperatorCategory(category));
    }

    private static (int[] Indices, float[] Values) Vector(CallFeatures call)
    {
        var indices = new int[8];
        var values = new float[8];
        var n = TextFeaturizer.Featurize(call, ref indices, ref values);
        return (indices[..n], values[..n]);
    }

    [Fact]
    public void Accents_case_and_punctuation_do_not_change_the_features()
    {
        var a = Vector(CallFeatures.Create("1", 0, "La EXPLOTACIÓN de niñas en Ñaña, ¡urgente!"));
        var b = Vector(CallFeatures.Create("2", 0, "la explotacion de ninas en nana urgente"));

        Assert.Equal(a.Indices, b.Indices);
        Assert.Equal(a.Values, b.Values);
        Assert.Equal(" la explotacion de ninas en nana urgente ", TextFeaturizer.FoldText("La EXPLOTACIÓN de niñas en Ñaña, ¡urgente!"));
    }

    [Fact]
    public void Pii_placeholders_are_not_features()
    {
        Assert.Equal(" la nina de anos trabaja ", TextFeaturizer.FoldText("La niña [NOMBRE] de 14 años [DNI] trabaja"));
    }

    [Fact]
    public void Feature_vectors_are_sorted_unique_and_each_text_block_has_unit_length()
    {
        var (indices, values) = Vector(CallFeatures.Create("1", 0, "le quitaron el dni y no la dejan salir, no la dejan salir", "FAMILIAR", "F", "LIMA", 22, 15, null, 240));

        Assert.True(indices.Zip(indices.Skip(1)).All(p => p.First < p.Second));
        Assert.All(indices, i => Assert.InRange(i, 0, TextFeaturizer.Size - 1));
        var words = Norm(indices, values, 0, 1 << TextFeaturizer.WordBits);
        var chars = Norm(indices, values, 1 << TextFeaturizer.WordBits, 2 << TextFeaturizer.WordBits);
        Assert.Equal(TextFeaturizer.WordWeight, words, 4);
        Assert.Equal(TextFeaturizer.CharWeight, chars, 4);
    }

    [Fact]
    public void Stop_words_are_dropped_but_negations_kept()
    {
        var withStopWords = Vector(CallFeatures.Create("1", 0, "el la de que"));
        var negation = Vector(CallFeatures.Create("2", 0, "no"));
        var wordLimit = 1 << TextFeaturizer.WordBits;

        Assert.DoesNotContain(withStopWords.Indices, i => i < wordLimit);
        Assert.Contains(negation.Indices, i => i < wordLimit);
    }

    [Fact]
    public void A_narrative_alone_still_featurizes_with_missing_field_indicators()
    {
        var (indices, values) = Vector(CallFeatures.Create(null, 0, null));

        // Age and minor flag missing; sex, department, hour and duration are no features.
        Assert.Equal(2, indices.Length);
        Assert.All(values, v => Assert.Equal(1f, v));
    }

    [Fact]
    public void Text_weights_are_one_plus_log_of_each_slot_count_then_unit_length_for_long_and_repetitive_narratives()
    {
        // Long enough for the radix sort, and " la" occurs 600 times (past the 1 + ln(count) table).
        var narrative = string.Concat(Enumerable.Repeat("la trata de personas en la mina ", 300)) + "le quitaron el dni y no la dejan salir";
        var names = new List<TextFeaturizer.FeatureName>();
        var indices = new int[8];
        var values = new float[8];
        var n = TextFeaturizer.Featurize(CallFeatures.Create("1", 0, narrative), ref indices, ref values, names);

        var textLimit = 2 << TextFeaturizer.WordBits;
        var expected = new List<(int Index, float Value)>();
        foreach (var block in names.Where(f => f.Index < textLimit).GroupBy(f => f.Index < (1 << TextFeaturizer.WordBits)))
        {
            var counts = block.GroupBy(f => f.Index).Select(g => (Index: g.Key, Weight: 1f + MathF.Log(g.Count()))).OrderBy(c => c.Index).ToList();
            var norm = Math.Sqrt(counts.Sum(c => (double)c.Weight * c.Weight));
            var scale = block.Key ? TextFeaturizer.WordWeight : TextFeaturizer.CharWeight;
            expected.AddRange(counts.Select(c => (c.Index, (float)(scale * c.Weight / norm))));
        }

        expected.Sort();
        var text = Enumerable.Range(0, n).Where(i => indices[i] < textLimit).Select(i => (indices[i], values[i])).ToList();
        Assert.Contains(names.GroupBy(f => f.Index), g => g.Count() > 255);
        Assert.Equal(expected.Select(e => e.Index), text.Select(t => t.Item1));
        Assert.All(expected.Zip(text), p => Assert.True(Math.Abs(p.First.Value - p.Second.Item2) <= 1e-6, $"slot {p.First.Index}: {p.First.Value} vs {p.Second.Item2}"));
    }

    private static double Norm(int[] indices, float[] values, int from, int to)
    {
        double sum = 0;
        for (var i = 0; i < indices.Length; i++)
        {
            if (indices[i] >= from && indices[i] < to)
            {
                sum += values[i] * values[i];
            }
        }

        return Math.Sqrt(sum);
    }
}
