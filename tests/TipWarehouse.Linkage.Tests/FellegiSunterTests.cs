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

    [Fact]
    public void Anchored_em_takes_m_from_the_seeds_or_as_fixed_and_fits_the_match_share_and_u_of_the_other_pairs()
    {
        // Half of the matches are seeds; the other 100 hide among the 2000 non-matches, a share of 100 / 2100 of the free pairs.
        var vectors = Population(out var matches);
        var seeds = matches[..100].ToHashSet(ReferenceEqualityComparer.Instance);
        var grouped = vectors.GroupBy(v => string.Join(',', v))
            .Select(g => new ComparisonPattern(g.First(), g.Count(), g.Count(seeds.Contains))).ToList();
        var model = FellegiSunterEstimator.EstimateAnchored(s_fields, grouped, maxIterations: 1000, fixedM: new Dictionary<int, double[]> { [2] = [1, 1, 2] });
        Assert.True(model.Estimated);
        Assert.True(model.Converged);
        Assert.Equal([0.25, 0.25, 0.5], model.M[2]);
        var seedNames = matches[..100].Count(v => v[1] == 1);
        Assert.Equal((seedNames + (0.9 * 2)) / (100 + 2), model.M[1][1], 9);
        Assert.InRange(model.Prior, 0.02, 0.09);
        Assert.True(model.U[1][1] < 0.05, $"name u={model.U[1][1]}");
        Assert.False(FellegiSunterEstimator.EstimateAnchored(s_fields, [.. grouped.Select(g => g with { Seeds = 0 })]).Estimated);
    }

    [Fact]
    public void A_model_that_weighs_the_prior_adds_its_log_odds_to_every_weight()
    {
        var likelihood = FellegiSunterModel.Configured(s_fields, prior: 0.2);
        var posterior = likelihood with { WeighsPrior = true };
        Assert.Equal(0, likelihood.PriorWeight);
        Assert.Equal(-2, posterior.PriorWeight, 12);
        Assert.Equal(likelihood.Weight([1, 0, 2]) - 2, posterior.Weight([1, 0, 2]), 12);
        Assert.Equal(-2, posterior.Weight([-1, -1, -1]), 12);
    }

    [Fact]
    public void Em_reports_whether_it_converged_before_its_cap()
    {
        var vectors = Population(out var matches);
        Assert.True(FellegiSunterEstimator.Estimate(s_fields, vectors, matches, maxIterations: 1000).Converged);
        Assert.False(FellegiSunterEstimator.Estimate(s_fields, vectors, matches, maxIterations: 1).Converged);
    }
}
