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
    public void Feature_vectors_are_sorted_unique_and_each_text_block_has_unit_length()
    {
        var (indices, values) = Vector(CallFeatures.Create("1", 0, "le quitaron el dni y no la dejan salir, no la dejan salir", "FAMILIAR", "F", "LIMA", 22, 15, null, 240));

        Assert.True(indices.Zip(indices.Skip(1)).All(p => p.First < p.Second));
        Assert.All(indices, i => Assert.InRange(i, 0, TextFeaturizer.Size - 1));
        var words = Norm(indices, values, 0, 1 << TextFeaturizer.WordBits);
        var chars = Norm(indices, values, 1 << TextFeaturizer.WordBits, 2 << TextFeaturizer.WordBits);
        Assert.Equal(1.0, words, 4);
        Assert.Equal(1.0, chars, 4);
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

        Assert.Equal(3, indices.Length);
        Assert.All(values, v => Assert.Equal(1f, v));
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
