namespace TipWarehouse.Core;

/// <summary>A prevalence estimate: the expected share of TIP calls among scored calls, with its 95% interval.</summary>
public readonly record struct PrevalenceEstimate(long Calls, double Share, double Low, double High);

/// <summary>Prevalence from calibrated probabilities (probability averaging): the share is the mean probability; its variance
/// is the Bernoulli variance of the calls given their probabilities, Σ p(1 − p) / n², plus the model's calibration variance
/// (the model metadata's <c>prevalence_sd</c>, measured on its test months), which does not shrink with more calls.</summary>
public static class Prevalence
{
    /// <summary>The normal quantile of a two-sided 95% interval.</summary>
    public const double Z95 = 1.959964;

    /// <summary>The estimate from the sum of probabilities, the sum of p(1 − p) and the call count of a period.</summary>
    public static PrevalenceEstimate FromSums(long calls, double sumProbability, double sumVariance, double calibrationSd)
    {
        if (calls <= 0)
        {
            return new PrevalenceEstimate(0, double.NaN, double.NaN, double.NaN);
        }

        var share = sumProbability / calls;
        var sd = Math.Sqrt((sumVariance / ((double)calls * calls)) + (calibrationSd * calibrationSd));
        return new PrevalenceEstimate(calls, share, Math.Max(0, share - (Z95 * sd)), Math.Min(1, share + (Z95 * sd)));
    }

    /// <summary>The estimate over <paramref name="probabilities"/> (calibrated).</summary>
    public static PrevalenceEstimate Estimate(IReadOnlyList<float> probabilities, double calibrationSd)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        double sum = 0, variance = 0;
        foreach (var p in probabilities)
        {
            sum += p;
            variance += p * (1.0 - p);
        }

        return FromSums(probabilities.Count, sum, variance, calibrationSd);
    }
}
