namespace TipWarehouse.Linkage;

/// <summary>
/// One comparison of a record pair with ordered agreement levels (0 = disagree … Levels-1 = full agreement); a
/// level of -1 means a value is missing on one side and the field then adds no weight.
/// </summary>
public sealed record ComparisonField(string Name, int Levels, IReadOnlyList<double> DefaultM, IReadOnlyList<double> DefaultU)
{
    /// <summary>Throws when the configured probabilities do not describe <see cref="Levels"/> levels.</summary>
    public void Validate()
    {
        if (Levels < 2 || DefaultM.Count != Levels || DefaultU.Count != Levels)
        {
            throw new ArgumentException($"Comparison field '{Name}' needs {Levels} m and u probabilities.");
        }
    }
}

/// <summary>Fellegi–Sunter parameters: per field and level the match (m) and non-match (u) probabilities, and the match prior.</summary>
public sealed record FellegiSunterModel(IReadOnlyList<ComparisonField> Fields, double[][] M, double[][] U, double Prior, int Iterations, bool Estimated)
{
    /// <summary>
    /// True when a pair's weight includes the prior odds log2(λ/(1-λ)) (Splink's match weight: the posterior log-odds
    /// of a match), so that thresholds are on the match probability and do not move with the number of candidate pairs
    /// per true pair, which grows with the volume; false for a likelihood ratio alone.
    /// </summary>
    public bool WeighsPrior { get; init; }

    /// <summary>True when EM stopped because the parameters stopped changing, not at its iteration cap.</summary>
    public bool Converged { get; init; }

    /// <summary>The prior's part of a weight: log2(λ/(1-λ)) when <see cref="WeighsPrior"/>, else 0.</summary>
    public double PriorWeight => WeighsPrior ? Math.Log2(Math.Clamp(Prior, 1e-9, 1 - 1e-9) / (1 - Math.Clamp(Prior, 1e-9, 1 - 1e-9))) : 0;

    /// <summary>The smallest probability kept, so that an unseen level weighs a lot but not infinitely.</summary>
    public const double Floor = 1e-4;

    /// <summary>
    /// The smallest m used in a weight: a disagreement never seen among matches (a late age correction, a misspelt
    /// name) costs at most about 10 bits, so one noisy field cannot veto an otherwise strong match.
    /// </summary>
    public const double MatchFloor = 1e-3;

    /// <summary>The configured model: the fields' default m and u, no estimation.</summary>
    public static FellegiSunterModel Configured(IReadOnlyList<ComparisonField> fields, double prior = 0.01)
    {
        ArgumentNullException.ThrowIfNull(fields);
        foreach (var field in fields)
        {
            field.Validate();
        }

        return new FellegiSunterModel(fields, [.. fields.Select(f => f.DefaultM.ToArray())], [.. fields.Select(f => f.DefaultU.ToArray())], prior, 0, false);
    }

    /// <summary>log2(m/u) of one field at one level; 0 for a missing value.</summary>
    public double FieldWeight(int field, int level) =>
        level < 0 ? 0 : Math.Log2(Math.Max(M[field][level], MatchFloor) / Math.Max(U[field][level], Floor));

    /// <summary>The match weight of a comparison vector: the sum of log2(m/u) over its non-missing fields, plus <see cref="PriorWeight"/>.</summary>
    public double Weight(ReadOnlySpan<int> levels)
    {
        var weight = PriorWeight;
        for (var f = 0; f < levels.Length; f++)
        {
            weight += FieldWeight(f, levels[f]);
        }

        return weight;
    }
}

/// <summary>A distinct comparison vector (-1 = missing), how many candidate pairs show it and how many of those are seed matches.</summary>
public sealed record ComparisonPattern(int[] Levels, long Count, long Seeds);

/// <summary>
/// Estimates the Fellegi–Sunter parameters from the data, deterministically. u is the level frequency among the
/// candidate pairs that are not seed matches (blocked pairs are overwhelmingly non-matches, so this is the usual
/// "u from random pairs" estimate, and it keeps EM from swapping the classes); m and the match share are fitted by
/// expectation–maximization under conditional independence, started from the seed matches (exact references), on
/// the distinct comparison patterns with their counts, with a fixed iteration cap and tolerance.
/// </summary>
public static class FellegiSunterEstimator
{
    /// <summary>Fits the model to <paramref name="vectors"/>; falls back to the configured model when the data cannot identify it.</summary>
    /// <param name="fields">The comparison fields, in vector order.</param>
    /// <param name="vectors">One comparison vector per candidate pair.</param>
    /// <param name="seedMatches">Vectors of pairs known to match (e.g. exact references; the same array instances as in <paramref name="vectors"/>), used for the starting m and left out of u; may be empty.</param>
    /// <param name="maxIterations">The iteration cap.</param>
    /// <param name="minPairs">Below this many pairs the configured model is returned.</param>
    public static FellegiSunterModel Estimate(
        IReadOnlyList<ComparisonField> fields,
        IReadOnlyList<int[]> vectors,
        IReadOnlyList<int[]> seedMatches,
        int maxIterations = 100,
        int minPairs = 50)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(seedMatches);
        var seeds = new HashSet<int[]>(seedMatches, ReferenceEqualityComparer.Instance);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var grouped = new List<(int[] Levels, long Count, long Seeds)>();
        foreach (var vector in vectors)
        {
            var key = string.Join(',', vector);
            var seed = seeds.Contains(vector) ? 1 : 0;
            if (index.TryGetValue(key, out var i))
            {
                grouped[i] = (grouped[i].Levels, grouped[i].Count + 1, grouped[i].Seeds + seed);
            }
            else
            {
                index[key] = grouped.Count;
                grouped.Add((vector, 1, seed));
            }
        }

        return EstimatePatterns(fields, [.. grouped.Select(g => new ComparisonPattern(g.Levels, g.Count, g.Seeds))], maxIterations, minPairs);
    }

    /// <summary>
    /// Fits the model to distinct comparison patterns with their counts (as <c>GROUP BY</c> over the candidate pairs
    /// gives them), so that the cost depends on the number of patterns, not of pairs.
    /// </summary>
    /// <param name="fields">The comparison fields, in vector order.</param>
    /// <param name="grouped">Each distinct pattern once, with how many pairs show it and how many of those are seed matches.</param>
    /// <param name="maxIterations">The iteration cap.</param>
    /// <param name="minPairs">Below this many pairs the configured model is returned.</param>
    public static FellegiSunterModel EstimatePatterns(
        IReadOnlyList<ComparisonField> fields,
        IReadOnlyList<ComparisonPattern> grouped,
        int maxIterations = 100,
        int minPairs = 50)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(grouped);
        var configured = FellegiSunterModel.Configured(fields);
        var pairCount = grouped.Sum(g => g.Count);
        var seedCount = grouped.Sum(g => g.Seeds);
        if (pairCount < minPairs || maxIterations <= 0)
        {
            return configured;
        }

        var patterns = grouped.Select(g => g.Levels).ToList();
        var counts = grouped.Select(g => (double)g.Count).ToList();
        var fieldCount = fields.Count;
        var m = Start(fields, grouped, g => g.Seeds, useDefaults: true);
        var u = Start(fields, grouped, g => g.Count - g.Seeds, useDefaults: false);
        var prior = seedCount > 0 ? Math.Clamp((double)seedCount / pairCount, 0.001, 0.5) : 0.05;
        var posterior = new double[patterns.Count];
        var iterations = 0;
        var converged = false;
        for (; iterations < maxIterations; iterations++)
        {
            // E step: probability that each pattern is a match.
            for (var p = 0; p < patterns.Count; p++)
            {
                double lm = prior, lu = 1 - prior;
                var pattern = patterns[p];
                for (var f = 0; f < fieldCount; f++)
                {
                    if (pattern[f] >= 0)
                    {
                        lm *= m[f][pattern[f]];
                        lu *= u[f][pattern[f]];
                    }
                }

                posterior[p] = lm + lu > 0 ? lm / (lm + lu) : 0;
            }

            // M step.
            double total = 0, matched = 0;
            var newM = fields.Select(x => new double[x.Levels]).ToArray();
            for (var p = 0; p < patterns.Count; p++)
            {
                var n = counts[p];
                total += n;
                matched += n * posterior[p];
                for (var f = 0; f < fieldCount; f++)
                {
                    var level = patterns[p][f];
                    if (level >= 0)
                    {
                        newM[f][level] += n * posterior[p];
                    }
                }
            }

            var change = Math.Abs(matched / total - prior);
            prior = Math.Clamp(matched / total, 1e-6, 1 - 1e-6);
            for (var f = 0; f < fieldCount; f++)
            {
                change = Math.Max(change, Normalize(newM[f], m[f]));
            }

            m = newM;
            if (change < 1e-7)
            {
                iterations++;
                converged = true;
                break;
            }
        }

        // Label switching or a collapsed class: the top level must favour matches in most fields.
        var favouring = 0;
        for (var f = 0; f < fieldCount; f++)
        {
            var top = fields[f].Levels - 1;
            if (m[f][top] > u[f][top])
            {
                favouring++;
            }
        }

        if (double.IsNaN(prior) || prior <= 1e-6 || favouring * 2 < fieldCount)
        {
            return configured;
        }

        return new FellegiSunterModel(fields, m, u, prior, iterations, true) { Converged = converged };
    }

    /// <summary>
    /// Fits the model with m anchored: m of every field is its level frequency among the seed matches (exact references,
    /// blended with the configured m as at the start of <see cref="EstimatePatterns"/>) or, for the fields in
    /// <paramref name="fixedM"/>, the given m; EM then fits only the match share λ and u over the pairs that are not seeds,
    /// which a known m identifies. Unanchored EM may settle on another latent class when matches are a small share of the
    /// pairs (at ~1M calls it took "same province, other district" for the match class); with m known it cannot, and u
    /// is not inflated by the matches among the non-seed pairs.
    /// </summary>
    /// <param name="fields">The comparison fields, in vector order.</param>
    /// <param name="grouped">Each distinct pattern once, with how many pairs show it and how many of those are seed matches.</param>
    /// <param name="maxIterations">The iteration cap.</param>
    /// <param name="minPairs">Below this many pairs, or without seeds, the configured model is returned.</param>
    /// <param name="fixedM">m of the fields the seeds do not show, by field index (normalized).</param>
    public static FellegiSunterModel EstimateAnchored(
        IReadOnlyList<ComparisonField> fields,
        IReadOnlyList<ComparisonPattern> grouped,
        int maxIterations = 100,
        int minPairs = 50,
        IReadOnlyDictionary<int, double[]>? fixedM = null)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(grouped);
        var configured = FellegiSunterModel.Configured(fields);
        var free = grouped.Where(g => g.Count > g.Seeds).ToList();
        var freeCount = free.Sum(g => (double)(g.Count - g.Seeds));
        if (freeCount < minPairs || grouped.Sum(g => g.Seeds) == 0 || maxIterations <= 0)
        {
            return configured;
        }

        var m = Start(fields, grouped, g => g.Seeds, useDefaults: true);
        foreach (var (field, values) in fixedM ?? new Dictionary<int, double[]>())
        {
            m[field] = [.. values];
            Normalize(m[field], null);
        }

        var u = Start(fields, grouped, g => g.Count - g.Seeds, useDefaults: false);
        var prior = 0.01;
        var fieldCount = fields.Count;
        var posterior = new double[free.Count];
        var iterations = 0;
        var converged = false;
        for (; iterations < maxIterations; iterations++)
        {
            for (var p = 0; p < free.Count; p++)
            {
                double lm = prior, lu = 1 - prior;
                var levels = free[p].Levels;
                for (var f = 0; f < fieldCount; f++)
                {
                    if (levels[f] >= 0)
                    {
                        lm *= m[f][levels[f]];
                        lu *= u[f][levels[f]];
                    }
                }

                posterior[p] = lm + lu > 0 ? lm / (lm + lu) : 0;
            }

            var matched = 0.0;
            var newU = fields.Select(x => new double[x.Levels]).ToArray();
            for (var p = 0; p < free.Count; p++)
            {
                var n = free[p].Count - free[p].Seeds;
                matched += n * posterior[p];
                for (var f = 0; f < fieldCount; f++)
                {
                    var level = free[p].Levels[f];
                    if (level >= 0)
                    {
                        newU[f][level] += n * (1 - posterior[p]);
                    }
                }
            }

            var newPrior = Math.Clamp(matched / freeCount, 1e-9, 0.5);
            var change = Math.Abs(newPrior - prior) / newPrior;
            prior = newPrior;
            for (var f = 0; f < fieldCount; f++)
            {
                change = Math.Max(change, Normalize(newU[f], u[f]));
            }

            u = newU;
            if (change < 1e-7)
            {
                iterations++;
                converged = true;
                break;
            }
        }

        return new FellegiSunterModel(fields, m, u, prior, iterations, true) { Converged = converged };
    }

    private static double[][] Start(IReadOnlyList<ComparisonField> fields, IReadOnlyList<ComparisonPattern> patterns, Func<ComparisonPattern, long> weight, bool useDefaults)
    {
        var start = new double[fields.Count][];
        for (var f = 0; f < fields.Count; f++)
        {
            var levels = fields[f].Levels;
            var frequencies = new double[levels];
            var seen = 0.0;
            foreach (var pattern in patterns)
            {
                var n = weight(pattern);
                if (pattern.Levels[f] >= 0 && n > 0)
                {
                    frequencies[pattern.Levels[f]] += n;
                    seen += n;
                }
            }

            var defaults = useDefaults ? fields[f].DefaultM : fields[f].DefaultU;
            start[f] = new double[levels];
            for (var l = 0; l < levels; l++)
            {
                // Blend observed frequencies with the configured value so that no level starts at zero.
                start[f][l] = seen > 0 ? ((frequencies[l] + (defaults[l] * 2)) / (seen + 2)) : defaults[l];
            }

            Normalize(start[f], null);
        }

        return start;
    }

    private static double Normalize(double[] values, double[]? previous)
    {
        var sum = values.Sum();
        var change = 0.0;
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Math.Max(sum > 0 ? values[i] / sum : 1.0 / values.Length, FellegiSunterModel.Floor);
            if (previous is not null)
            {
                change = Math.Max(change, Math.Abs(values[i] - previous[i]));
            }
        }

        return change;
    }
}
