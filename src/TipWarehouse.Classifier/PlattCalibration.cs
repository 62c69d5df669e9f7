namespace TipWarehouse.Classifier;

/// <summary>Platt scaling of a model's probabilities: <c>p' = 1 / (1 + exp(-(A·logit(p) + B)))</c>, fitted by maximum
/// likelihood on a labelled slice the model was not fitted on. The identity is A = 1, B = 0.</summary>
/// <remarks>The learner's own probabilities drift from the label rate (the narrative-only copies double the training rows;
/// regularisation shrinks the margins), and a prevalence estimate that averages probabilities is only as good as their
/// calibration. Platt's targets (N+ + 1)/(N+ + 2) and 1/(N- + 2) keep the fit finite on separable slices.</remarks>
public sealed record PlattCalibration(double A, double B) : IProbabilityCalibration
{
    /// <summary>No calibration.</summary>
    public static PlattCalibration Identity { get; } = new(1, 0);

    /// <summary>The calibrated probability of raw probability <paramref name="p"/>.</summary>
    public float Apply(float p)
    {
        var z = (A * Logit(p)) + B;
        return (float)(1 / (1 + Math.Exp(-z)));
    }

    /// <summary>Fits A and B on <paramref name="probabilities"/> against <paramref name="labels"/> (Newton's method with
    /// backtracking, as in Lin, Lin and Weng 2007).</summary>
    public static PlattCalibration Fit(IReadOnlyList<float> probabilities, IReadOnlyList<bool> labels)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(labels);
        var n = probabilities.Count;
        var positives = labels.Count(l => l);
        if (n == 0 || positives == 0 || positives == n)
        {
            return Identity;
        }

        var hi = (positives + 1.0) / (positives + 2.0);
        var lo = 1.0 / (n - positives + 2.0);
        var x = probabilities.Select(p => Logit(p)).ToArray();
        var t = labels.Select(l => l ? hi : lo).ToArray();
        double a = 1, b = 0;
        var loss = Loss(x, t, a, b);
        for (var iteration = 0; iteration < 100; iteration++)
        {
            double gA = 0, gB = 0, hAA = 1e-12, hAB = 0, hBB = 1e-12;
            for (var i = 0; i < n; i++)
            {
                var p = Sigmoid((a * x[i]) + b);
                var d = p - t[i];
                var w = p * (1 - p);
                gA += d * x[i];
                gB += d;
                hAA += w * x[i] * x[i];
                hAB += w * x[i];
                hBB += w;
            }

            var det = (hAA * hBB) - (hAB * hAB);
            if (Math.Abs(gA) < 1e-7 && Math.Abs(gB) < 1e-7 || det <= 0)
            {
                break;
            }

            var stepA = -((hBB * gA) - (hAB * gB)) / det;
            var stepB = -((-hAB * gA) + (hAA * gB)) / det;
            var scale = 1.0;
            while (scale > 1e-8)
            {
                var candidate = Loss(x, t, a + (scale * stepA), b + (scale * stepB));
                if (candidate < loss + (1e-4 * scale * ((gA * stepA) + (gB * stepB))))
                {
                    a += scale * stepA;
                    b += scale * stepB;
                    loss = candidate;
                    break;
                }

                scale /= 2;
            }

            if (scale <= 1e-8)
            {
                break;
            }
        }

        return new PlattCalibration(a, b);
    }

    private static double Loss(double[] x, double[] t, double a, double b)
    {
        double loss = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var z = (a * x[i]) + b;
            // log(1 + exp(z)) - t·z, computed without overflow.
            loss += (z > 0 ? z + Math.Log(1 + Math.Exp(-z)) : Math.Log(1 + Math.Exp(z))) - (t[i] * z);
        }

        return loss;
    }

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    private static double Logit(float p)
    {
        var q = Math.Clamp(p, 1e-6, 1 - 1e-6);
        return Math.Log(q / (1 - q));
    }
}
