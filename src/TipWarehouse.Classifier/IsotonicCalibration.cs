namespace TipWarehouse.Classifier;

/// <summary>A map from a learner's raw probability to a calibrated one, fitted on calls the learner was not fitted on.</summary>
public interface IProbabilityCalibration
{
    /// <summary>The calibrated probability of raw probability <paramref name="p"/>.</summary>
    float Apply(float p);
}

/// <summary>Isotonic calibration (pool adjacent violators): the non-decreasing step function of the raw probability that
/// fits the labels of a held-out slice best in squared error, made strictly increasing by interpolating linearly between
/// the blocks' centres (centred isotonic regression, Oron and Flournoy 2017).</summary>
/// <remarks>Unlike Platt's sigmoid it assumes no shape, so it cannot over-predict the low-probability bulk to fit the top.
/// Each <see cref="Knots"/> entry is one block of the fit: the mean raw probability of its calls and their label rate. A
/// pure step function would tie every call of a block (a block can hold a fifth of the calls), so the triage threshold
/// could only jump between blocks; interpolating between the centres keeps the learner's ranking (AUC and every
/// precision/recall pair are the raw model's) while each block's calls still average about its label rate. Below the
/// first centre and above the last the end rates hold.</remarks>
public sealed record IsotonicCalibration(IReadOnlyList<IsotonicKnot> Knots) : IProbabilityCalibration
{
    /// <inheritdoc/>
    public float Apply(float p)
    {
        var knots = Knots;
        if (knots.Count == 0)
        {
            return p;
        }

        if (p <= knots[0].Raw)
        {
            return (float)knots[0].Calibrated;
        }

        if (p >= knots[^1].Raw)
        {
            return (float)knots[^1].Calibrated;
        }

        // The first knot whose raw probability is above p (binary search); p lies between it and the one before.
        int lo = 0, hi = knots.Count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (knots[mid].Raw <= p)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        var left = knots[lo - 1];
        var right = knots[lo];
        var span = right.Raw - left.Raw;
        var t = span <= 0 ? 1 : (p - left.Raw) / span;
        return (float)(left.Calibrated + (t * (right.Calibrated - left.Calibrated)));
    }

    /// <summary>Fits the calibration on <paramref name="probabilities"/> against <paramref name="labels"/> by pool adjacent
    /// violators; equal raw probabilities always fall in one block.</summary>
    public static IsotonicCalibration Fit(IReadOnlyList<float> probabilities, IReadOnlyList<bool> labels)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(labels);
        if (probabilities.Count != labels.Count)
        {
            throw new ArgumentException($"{probabilities.Count} probabilities but {labels.Count} labels.", nameof(labels));
        }

        var order = Enumerable.Range(0, probabilities.Count).OrderBy(i => probabilities[i]).ToArray();
        // The stack of blocks: label sum, raw probability sum, call count and the highest raw probability.
        var blocks = new List<(double Labels, double Raw, int Count, float High)>(order.Length);
        foreach (var i in order)
        {
            var p = probabilities[i];
            var y = labels[i] ? 1.0 : 0.0;
            if (blocks.Count > 0 && blocks[^1].High == p)
            {
                var last = blocks[^1];
                blocks[^1] = (last.Labels + y, last.Raw + p, last.Count + 1, p);
            }
            else
            {
                blocks.Add((y, p, 1, p));
            }

            // Pool while the last block's rate is not above the one before it (equal rates pooled too, so the rates of
            // the blocks strictly increase and so does the interpolation between them).
            while (blocks.Count > 1 && blocks[^1].Labels * blocks[^2].Count <= blocks[^2].Labels * blocks[^1].Count)
            {
                var last = blocks[^1];
                var before = blocks[^2];
                blocks.RemoveAt(blocks.Count - 1);
                blocks[^1] = (before.Labels + last.Labels, before.Raw + last.Raw, before.Count + last.Count, last.High);
            }
        }

        var knots = blocks.Select(b => new IsotonicKnot((float)(b.Raw / b.Count), b.Labels / b.Count)).ToList();
        return new IsotonicCalibration(knots);
    }
}

/// <summary>One block of an <see cref="IsotonicCalibration"/>: the mean raw probability of its calls and their label rate.</summary>
public readonly record struct IsotonicKnot(float Raw, double Calibrated);
