namespace TipWarehouse.Linkage.Tests;

public sealed class FellegiSunterTests
{
    private static readonly ComparisonField[] s_fields =
    [
        new("dni", 2, [0.1, 0.9], [0.9, 0.1]),
        new("name", 2, [0.1, 0.9], [0.9, 0.1]),
        new("age", 3, [0.1, 0.2, 0.7], [0.6, 0.3, 0.1]),
    ];

    // A synthetic population: 200 matches that mostly agree, 2000 non-matches that mostly disagree.
    private static List<int[]> Population(out List<int[]> matches)
    {
        var rng = new Random(7);
        var vectors = new List<int[]>();
        matches = [];
        for (var i = 0; i < 2200; i++)
        {
            var match = i < 200;
            int Level(double agree, int levels) => rng.NextDouble() < agree ? levels - 1 : rng.Next(levels - 1);
            var v = match
                ? new[] { rng.NextDouble() < 0.3 ? -1 : Level(0.95, 2), Level(0.85, 2), Level(0.8, 3) }
                : [rng.NextDouble() < 0.3 ? -1 : Level(0.002, 2), Level(0.02, 2), Level(0.15, 3)];
            vectors.Add(v);
            if (match)
            {
                matches.Add(v);
            }
        }

        return vectors;
    }

    [Fact]
    public void Em_recovers_that_agreement_favours_matches_and_the_match_share()
    {
        // Half of the matches are known (exact references); the other half hide among the non-matches.
        var vectors = Population(out var matches);
        var model = FellegiSunterEstimator.Estimate(s_fields, vectors, matches[..100]);
        Assert.True(model.Estimated);
        Assert.InRange(model.Prior, 0.06, 0.13);
        Assert.True(model.M[0][1] > 0.8 && model.U[0][1] < 0.06, $"dni m={model.M[0][1]} u={model.U[0][1]}");
        Assert.True(model.Weight([1, 1, 2]) > 8);
        Assert.True(model.Weight([0, 0, 0]) < -4);
    }

    [Fact]
    public void Without_seeds_em_still_finds_the_matching_class()
    {
        var vectors = Population(out _);
        var model = FellegiSunterEstimator.Estimate(s_fields, vectors, []);
        Assert.True(model.Estimated);
        Assert.True(model.M[1][1] > model.U[1][1] * 5, $"name m={model.M[1][1]} u={model.U[1][1]}");
        Assert.True(model.Weight([1, 1, 2]) > model.Weight([0, 0, 0]) + 8);
    }

    [Fact]
    public void Em_is_deterministic()
    {
        var vectors = Population(out var matches);
        var a = FellegiSunterEstimator.Estimate(s_fields, vectors, matches);
        var b = FellegiSunterEstimator.Estimate(s_fields, vectors, matches);
        Assert.Equal(a.Prior, b.Prior);
        Assert.Equal(a.M.SelectMany(x => x), b.M.SelectMany(x => x));
        Assert.Equal(a.U.SelectMany(x => x), b.U.SelectMany(x => x));
    }

    [Fact]
    public void Too_few_pairs_fall_back_to_the_configured_probabilities()
    {
        var model = FellegiSunterEstimator.Estimate(s_fields, [[1, 1, 2], [0, 0, 0]], []);
        Assert.False(model.Estimated);
        Assert.Equal(Math.Log2(0.9 / 0.1) * 2 + Math.Log2(0.7 / 0.1), model.Weight([1, 1, 2]), 9);
    }

    [Fact]
    public void Missing_values_add_no_weight()
    {
        var model = FellegiSunterModel.Configured(s_fields);
        Assert.Equal(model.Weight([1, -1, -1]), model.FieldWeight(0, 1), 12);
        Assert.Equal(0, model.Weight([-1, -1, -1]));
    }
}
