using DuckDB.NET.Data;

namespace TipWarehouse.Core;

/// <summary>A prevalence estimate: the expected share of TIP calls among scored calls, with its 95% interval.</summary>
public readonly record struct PrevalenceEstimate(long Calls, double Share, double Low, double High);

/// <summary>The confident-learning counts of a set of scored calls: per operator label (TIP category or not), how many calls
/// carry it and how many of them the model is confident are TIP or not TIP (see <see cref="Prevalence.FromConfidentCounts"/>).</summary>
public readonly record struct ConfidentCounts(
    long NotTipLabelled,
    long NotTipConfidentTip,
    long NotTipConfidentNot,
    long TipLabelled,
    long TipConfidentTip,
    long TipConfidentNot)
{
    /// <summary>Calls with an operator label.</summary>
    public long Labelled => NotTipLabelled + TipLabelled;

    /// <summary>The counts of both sets together.</summary>
    public static ConfidentCounts operator +(ConfidentCounts a, ConfidentCounts b) => new(
        a.NotTipLabelled + b.NotTipLabelled, a.NotTipConfidentTip + b.NotTipConfidentTip, a.NotTipConfidentNot + b.NotTipConfidentNot,
        a.TipLabelled + b.TipLabelled, a.TipConfidentTip + b.TipConfidentTip, a.TipConfidentNot + b.TipConfidentNot);

    /// <summary>The counts of both sets together (the named form of <c>+</c>).</summary>
    public static ConfidentCounts Add(ConfidentCounts a, ConfidentCounts b) => a + b;
}

/// <summary>The operators' label noise estimated on the model's confident sets (<c>rpt.v_model_noise_rates</c>): the rate of
/// TIP labels on TIP calls (<paramref name="TipLabelRate"/>, a) and on other calls (<paramref name="FalseTipLabelRate"/>, b),
/// with their binomial SDs.</summary>
public readonly record struct NoiseRates(double TipLabelRate, double FalseTipLabelRate, double TipLabelRateSd, double FalseTipLabelRateSd)
{
    /// <summary>True when the rates can correct a label: a above b by more than b's SD.</summary>
    public bool Usable => TipLabelRate > FalseTipLabelRate + FalseTipLabelRateSd;

    /// <summary>The active model's rates from <c>rpt.v_model_noise_rates</c>, or null when no model is active or a rate cannot be measured.</summary>
    public static NoiseRates? Read(DuckDBConnection connection)
    {
        var rates = Sql.Query(connection, "SELECT tip_label_rate, false_tip_label_rate, tip_label_rate_sd, false_tip_label_rate_sd FROM rpt.v_model_noise_rates",
            r => (A: Sql.ReadDouble(r, 0), B: Sql.ReadDouble(r, 1), ASd: Sql.ReadDouble(r, 2), BSd: Sql.ReadDouble(r, 3)));
        return rates.SingleOrDefault() is { A: { } a, B: { } b, BSd: { } bSd } row ? new NoiseRates(a, b, row.ASd ?? 0, bSd) : null;
    }

    /// <summary>The rates from confident-learning counts (as the view computes them): a = TIP-labelled share of the
    /// confidently TIP calls, b = TIP-labelled share of the confidently not TIP calls.</summary>
    public static NoiseRates FromConfidentCounts(ConfidentCounts counts)
    {
        double sureTip = counts.TipConfidentTip + counts.NotTipConfidentTip;
        double sureNot = counts.TipConfidentNot + counts.NotTipConfidentNot;
        var a = counts.TipConfidentTip / sureTip;
        var b = counts.TipConfidentNot / sureNot;
        return new NoiseRates(a, b, Math.Sqrt(a * (1 - a) / sureTip), Math.Sqrt(b * (1 - b) / sureNot));
    }
}

/// <summary>A period's sums of the noise-corrected posteriors (<c>rpt.v_model_call_posterior</c>): the scored calls, the
/// labelled ones and those labelled TIP, Σ posterior, Σ posterior(1 − posterior), and Σ posterior with a (rate shift) or b
/// (false-rate shift) one SD higher.</summary>
public readonly record struct PosteriorSums(long Calls, long Labelled, long TipLabelled, double Posterior, double Variance, double RateShift, double FalseRateShift)
{
    /// <summary>The sums of both sets together.</summary>
    public static PosteriorSums operator +(PosteriorSums a, PosteriorSums b) => new(
        a.Calls + b.Calls, a.Labelled + b.Labelled, a.TipLabelled + b.TipLabelled, a.Posterior + b.Posterior,
        a.Variance + b.Variance, a.RateShift + b.RateShift, a.FalseRateShift + b.FalseRateShift);

    /// <summary>The sums of both sets together (the named form of <c>+</c>).</summary>
    public static PosteriorSums Add(PosteriorSums a, PosteriorSums b) => a + b;
}

/// <summary>Prevalence estimates from calibrated probabilities.</summary>
/// <remarks>
/// <para><see cref="FromPosteriorSums"/> is what the reports publish: the mean over a period's calls of
/// <see cref="Posterior"/>, each call's chance of being TIP given its calibrated probability and its operator label under
/// class-conditional label noise, the noise rates measured on the model's confident sets (<see cref="NoiseRates"/>).
/// Confident learning (below) takes a label's split of TIP and not TIP from its confident calls, which are chosen by the
/// narrative: when a label's ambiguous calls are TIP less often than its confident ones (calls filed as not TIP whose
/// wording is like TIP calls), it over-counts. The noise rates, P(label | truth), do not depend on which calls are chosen by
/// the narrative when the noise is class-conditional, which is the assumption confident learning also makes.</para>
/// <para><see cref="FromConfidentCounts"/> (confident learning) was the published estimate before; it is kept for the comparison
/// of <c>tipw evaluate classifier --prevalence</c>. The model is fitted and calibrated on the operators'
/// categories, which are noisy (a category picked wrongly, most often an information request or a labour dispute filed as
/// TRATA), so the mean calibrated probability estimates the share of calls an operator would file as TIP, not the share that
/// is TIP. Confident learning (Northcutt, Jiang and Chuang 2021, JAIR 70) estimates the joint distribution of the operator's
/// label and the true one from the model's probabilities: a call is confidently TIP when its probability reaches the mean
/// probability of the calls operators filed as TIP, confidently not TIP when 1 − p reaches the mean of 1 − p of the calls
/// filed otherwise (a call reaching both, possible only for a model that does not separate the labels, is neither);
/// within each operator label the confident calls' split is taken for all of its calls. The share is
/// then Σ over the two labels of n_label · r_label / n, with r_label the confident-TIP fraction among that label's confident
/// calls; the calls without a category are assumed to have the labelled calls' share (a missing category is an operator's
/// omission, not a kind of call).</para>
/// <para>The interval is the binomial uncertainty of the two fractions, Σ n_label² · r(1 − r) / m_label / n², with m_label
/// the confident calls of the label and r smoothed to (k + ½) / (m + 1) so an all-or-nothing fraction still has a width,
/// plus the month-to-month excess variance of the estimate's correction (<see cref="MonthlyExcessVariance"/>) per month of the period.</para>
/// <para><see cref="FromSums"/> is probability averaging (the mean calibrated probability with its Bernoulli variance plus a
/// calibration variance): the estimate of the share of calls operators file as TIP.</para>
/// </remarks>
public static class Prevalence
{
    /// <summary>The normal quantile of a two-sided 95% interval.</summary>
    public const double Z95 = 1.959964;

    /// <summary>The chance that a call is TIP given its calibrated probability <paramref name="probability"/> of an operator's
    /// TIP label and that label (<paramref name="operatorTip"/>, null without a category), under class-conditional noise with
    /// <paramref name="rates"/>: eta = (p − b) / (a − b) clipped to [0, 1]; a TIP label gives a·eta/p, another label
    /// (1 − a)·eta/(1 − p), none eta (the formula of <c>rpt.v_model_call_posterior</c>). NaN when the rates are not usable.</summary>
    public static double Posterior(double probability, bool? operatorTip, NoiseRates rates)
    {
        var (a, b) = (rates.TipLabelRate, rates.FalseTipLabelRate);
        if (!rates.Usable)
        {
            return double.NaN;
        }

        var eta = probability <= b ? 0 : probability >= a ? 1 : (probability - b) / (a - b);
        return operatorTip switch
        {
            true => probability <= 0 ? 0 : a * eta / probability,
            false => probability >= a ? 1 : (1 - a) * eta / (1 - probability),
            null => eta,
        };
    }

    /// <summary>The noise-corrected estimate of a period's TIP share from its posterior <paramref name="sums"/>: Σ posterior
    /// over the calls, with a 95% interval whose variance is the Bernoulli one of the posteriors, Σ q(1 − q)/n², plus the
    /// noise rates' uncertainty (the change of the share when a, or b, is one SD higher, squared) plus
    /// <paramref name="monthlyExcessVariance"/> (<see cref="PosteriorExcessVariance"/>) divided by the period's months.</summary>
    public static PrevalenceEstimate FromPosteriorSums(PosteriorSums sums, double monthlyExcessVariance = 0, int months = 1)
    {
        if (sums.Calls <= 0 || double.IsNaN(sums.Posterior))
        {
            return new PrevalenceEstimate(Math.Max(0, sums.Calls), double.NaN, double.NaN, double.NaN);
        }

        double n = sums.Calls;
        var share = sums.Posterior / n;
        var rate = (sums.RateShift - sums.Posterior) / n;
        var falseRate = (sums.FalseRateShift - sums.Posterior) / n;
        var sd = Math.Sqrt((sums.Variance / (n * n)) + (rate * rate) + (falseRate * falseRate) + (Math.Max(0, monthlyExcessVariance) / Math.Max(1, months)));
        return new PrevalenceEstimate(sums.Calls, share, Math.Max(0, share - (Z95 * sd)), Math.Min(1, share + (Z95 * sd)));
    }

    /// <summary>The variance of a month's noise-corrected estimate that its Bernoulli term does not explain: the sample
    /// variance over <paramref name="months"/> of the correction (estimate − operators' share of the labelled calls), less
    /// the mean Bernoulli variance of the monthly estimates (0 when that explains it all, or with fewer than 3 months).</summary>
    public static double PosteriorExcessVariance(IEnumerable<PosteriorSums> months)
    {
        ArgumentNullException.ThrowIfNull(months);
        var corrections = new List<double>();
        double sampling = 0;
        foreach (var month in months)
        {
            if (month.Calls <= 0 || month.Labelled <= 0 || double.IsNaN(month.Posterior))
            {
                continue;
            }

            double n = month.Calls;
            corrections.Add((month.Posterior / n) - ((double)month.TipLabelled / month.Labelled));
            sampling += month.Variance / (n * n);
        }

        return ExcessOver(corrections, sampling);
    }

    // The sample variance of the corrections less the mean sampling variance (summed in sampling), at least 0.
    private static double ExcessOver(List<double> corrections, double sampling)
    {
        if (corrections.Count < 3)
        {
            return 0;
        }

        var mean = corrections.Average();
        var dispersion = corrections.Sum(c => (c - mean) * (c - mean)) / (corrections.Count - 1);
        return Math.Max(0, dispersion - (sampling / corrections.Count));
    }

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

    /// <summary>The confident-learning estimate of a period's TIP share from its <paramref name="counts"/>; an operator label
    /// with no confident call in the period takes its fraction from <paramref name="fallback"/> (the counts of all the
    /// model's scored calls). <paramref name="calls"/> is the period's scored calls (labelled or not). The interval's
    /// variance is the binomial one of the fractions plus <paramref name="monthlyExcessVariance"/> (see
    /// <see cref="MonthlyExcessVariance"/>) divided by the period's <paramref name="months"/>, each month's part being independent.</summary>
    public static PrevalenceEstimate FromConfidentCounts(long calls, ConfidentCounts counts, ConfidentCounts fallback, double monthlyExcessVariance = 0, int months = 1)
    {
        if (calls <= 0 || counts.Labelled <= 0)
        {
            return new PrevalenceEstimate(Math.Max(0, calls), double.NaN, double.NaN, double.NaN);
        }

        var (share, variance) = ConfidentShare(counts, fallback);
        if (double.IsNaN(share))
        {
            return new PrevalenceEstimate(calls, double.NaN, double.NaN, double.NaN);
        }

        var sd = Math.Sqrt(variance + (Math.Max(0, monthlyExcessVariance) / Math.Max(1, months)));
        return new PrevalenceEstimate(calls, share, Math.Max(0, share - (Z95 * sd)), Math.Min(1, share + (Z95 * sd)));
    }

    /// <summary>The variance of a month's estimate that the binomial term does not explain, from the months themselves: the
    /// estimate's correction of the operators' share (confident-learning share − operator share) varies from month to month by
    /// its sampling error and by whatever else moves it (the model's confident sets, the operators' practice); the sample
    /// variance of that correction over <paramref name="months"/>, less the mean binomial variance of the monthly estimates,
    /// is the rest (0 when the binomial error explains it all, or with fewer than 3 months).</summary>
    public static double MonthlyExcessVariance(IEnumerable<ConfidentCounts> months, ConfidentCounts fallback)
    {
        ArgumentNullException.ThrowIfNull(months);
        var corrections = new List<double>();
        double binomial = 0;
        foreach (var month in months)
        {
            if (month.Labelled <= 0)
            {
                continue;
            }

            var (share, variance) = ConfidentShare(month, fallback);
            if (double.IsNaN(share))
            {
                continue;
            }

            corrections.Add(share - ((double)month.TipLabelled / month.Labelled));
            binomial += variance;
        }

        return ExcessOver(corrections, binomial);
    }

    // The confident-learning share of the labelled calls of counts and its binomial variance (NaN when a label has no
    // confident call in the counts or the fallback).
    private static (double Share, double Variance) ConfidentShare(ConfidentCounts counts, ConfidentCounts fallback)
    {
        var (notTipFraction, notTipVariance) = Fraction(counts.NotTipLabelled, counts.NotTipConfidentTip, counts.NotTipConfidentNot, fallback.NotTipConfidentTip, fallback.NotTipConfidentNot);
        var (tipFraction, tipVariance) = Fraction(counts.TipLabelled, counts.TipConfidentTip, counts.TipConfidentNot, fallback.TipConfidentTip, fallback.TipConfidentNot);
        if (double.IsNaN(notTipFraction) || double.IsNaN(tipFraction))
        {
            return (double.NaN, double.NaN);
        }

        double n = counts.Labelled;
        return (((counts.NotTipLabelled * notTipFraction) + (counts.TipLabelled * tipFraction)) / n, (notTipVariance + tipVariance) / (n * n));
    }

    // The confident-TIP fraction of one operator label and the variance of n·fraction; NaN when neither the period nor the
    // fallback has a confident call of a label that the period has.
    private static (double Fraction, double Variance) Fraction(long labelled, long confidentTip, long confidentNot, long fallbackTip, long fallbackNot)
    {
        if (labelled == 0)
        {
            return (0, 0);
        }

        if (confidentTip + confidentNot == 0)
        {
            (confidentTip, confidentNot) = (fallbackTip, fallbackNot);
        }

        var confident = confidentTip + confidentNot;
        if (confident == 0)
        {
            return (double.NaN, double.NaN);
        }

        var smoothed = (confidentTip + 0.5) / (confident + 1.0);
        return ((double)confidentTip / confident, (double)labelled * labelled * smoothed * (1 - smoothed) / confident);
    }
}
