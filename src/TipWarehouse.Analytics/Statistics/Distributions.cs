namespace TipWarehouse.Analytics.Statistics;

/// <summary>Quantiles and order statistics used by the reports.</summary>
public static class Distributions
{
    /// <summary>The 97.5% quantile of the standard normal distribution.</summary>
    public const double Z975 = 1.959963984540054;

    /// <summary>The 97.5% quantile of Student's t with <paramref name="degreesOfFreedom"/> (Cornish-Fisher expansion; within 0.1% for df ≥ 3).</summary>
    public static double StudentT975(int degreesOfFreedom)
    {
        if (degreesOfFreedom <= 0)
        {
            return double.NaN;
        }

        // Exact values for very small df, where the expansion is poor.
        switch (degreesOfFreedom)
        {
            case 1: return 12.706204736;
            case 2: return 4.302652730;
            default: break;
        }

        var z = Z975;
        double v = degreesOfFreedom;
        var z3 = z * z * z;
        var z5 = z3 * z * z;
        var z7 = z5 * z * z;
        var z9 = z7 * z * z;
        return z
            + ((z3 + z) / (4 * v))
            + (((5 * z5) + (16 * z3) + (3 * z)) / (96 * v * v))
            + (((3 * z7) + (19 * z5) + (17 * z3) - (15 * z)) / (384 * v * v * v))
            + (((79 * z9) + (776 * z7) + (1482 * z5) - (1920 * z3) - (945 * z)) / (92160 * v * v * v * v));
    }

    /// <summary>The median of <paramref name="values"/> (mean of the two middle values for an even count); null when empty.</summary>
    public static double? Median(IReadOnlyCollection<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return null;
        }

        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>The <paramref name="p"/> quantile of sorted values (linear interpolation between order statistics).</summary>
    public static double Quantile(double[] sorted, double p)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var position = p * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(sorted.Length - 1, lower + 1);
        return sorted[lower] + ((position - lower) * (sorted[upper] - sorted[lower]));
    }
}
