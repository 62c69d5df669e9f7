namespace TipWarehouse.Analytics.Statistics;

/// <summary>An ordinary least-squares fit with its covariance matrix (classical, cluster-robust or Newey-West).</summary>
public sealed record LeastSquaresFit(double[] Coefficients, double[,] Covariance, double[] Residuals, int Observations, int Parameters, double RSquared)
{
    /// <summary>The standard error of coefficient <paramref name="index"/>.</summary>
    public double StandardError(int index) => Math.Sqrt(Math.Max(0, Covariance[index, index]));
}

/// <summary>Small dense least squares (tens of parameters, hundreds of rows): normal equations solved by Gauss-Jordan with pivoting.</summary>
public static class LeastSquares
{
    /// <summary>Fits y = Xb by OLS with the classical covariance s²(X'X)⁻¹.</summary>
    public static LeastSquaresFit Fit(double[,] x, double[] y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var (beta, inverse, residuals, r2) = Solve(x, y);
        var n = y.Length;
        var p = beta.Length;
        var sigma2 = residuals.Sum(e => e * e) / Math.Max(1, n - p);
        var covariance = Scale(inverse, sigma2);
        return new LeastSquaresFit(beta, covariance, residuals, n, p, r2);
    }

    /// <summary>Fits by OLS with the cluster-robust (CR1) covariance: clusters may be correlated inside, independent of each other.</summary>
    public static LeastSquaresFit FitClusterRobust(double[,] x, double[] y, int[] cluster)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(cluster);
        var (beta, inverse, residuals, r2) = Solve(x, y);
        var n = y.Length;
        var p = beta.Length;
        var meat = new double[p, p];
        foreach (var group in Enumerable.Range(0, n).GroupBy(i => cluster[i]))
        {
            var score = new double[p];
            foreach (var i in group)
            {
                for (var a = 0; a < p; a++)
                {
                    score[a] += x[i, a] * residuals[i];
                }
            }

            AddOuter(meat, score, score, 1);
        }

        var g = cluster.Distinct().Count();
        var correction = g / (double)Math.Max(1, g - 1) * ((n - 1) / (double)Math.Max(1, n - p));
        return new LeastSquaresFit(beta, Scale(Sandwich(inverse, meat), correction), residuals, n, p, r2);
    }

    /// <summary>Fits by OLS with the Newey-West (HAC) covariance for a time series, Bartlett weights up to <paramref name="lags"/>.</summary>
    public static LeastSquaresFit FitNeweyWest(double[,] x, double[] y, int lags)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var (beta, inverse, residuals, r2) = Solve(x, y);
        var n = y.Length;
        var p = beta.Length;
        var meat = new double[p, p];
        var rows = new double[n][];
        for (var i = 0; i < n; i++)
        {
            rows[i] = new double[p];
            for (var a = 0; a < p; a++)
            {
                rows[i][a] = x[i, a] * residuals[i];
            }
        }

        for (var i = 0; i < n; i++)
        {
            AddOuter(meat, rows[i], rows[i], 1);
        }

        for (var lag = 1; lag <= lags; lag++)
        {
            var weight = 1 - (lag / (double)(lags + 1));
            for (var i = lag; i < n; i++)
            {
                AddOuter(meat, rows[i], rows[i - lag], weight);
                AddOuter(meat, rows[i - lag], rows[i], weight);
            }
        }

        var correction = n / (double)Math.Max(1, n - p);
        return new LeastSquaresFit(beta, Scale(Sandwich(inverse, meat), correction), residuals, n, p, r2);
    }

    /// <summary>Inverts a small symmetric positive-definite matrix; throws when it is singular (collinear regressors).</summary>
    public static double[,] Invert(double[,] matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var n = matrix.GetLength(0);
        var a = (double[,])matrix.Clone();
        var inverse = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            inverse[i, i] = 1;
        }

        var scale = 0.0;
        for (var i = 0; i < n; i++)
        {
            scale = Math.Max(scale, Math.Abs(a[i, i]));
        }

        for (var col = 0; col < n; col++)
        {
            var pivot = col;
            for (var r = col + 1; r < n; r++)
            {
                if (Math.Abs(a[r, col]) > Math.Abs(a[pivot, col]))
                {
                    pivot = r;
                }
            }

            if (Math.Abs(a[pivot, col]) <= 1e-12 * Math.Max(1, scale))
            {
                throw new InvalidOperationException("The regressors are collinear: the model cannot be estimated on this window.");
            }

            if (pivot != col)
            {
                SwapRows(a, pivot, col);
                SwapRows(inverse, pivot, col);
            }

            var diag = a[col, col];
            for (var c = 0; c < n; c++)
            {
                a[col, c] /= diag;
                inverse[col, c] /= diag;
            }

            for (var r = 0; r < n; r++)
            {
                if (r == col || a[r, col] == 0)
                {
                    continue;
                }

                var factor = a[r, col];
                for (var c = 0; c < n; c++)
                {
                    a[r, c] -= factor * a[col, c];
                    inverse[r, c] -= factor * inverse[col, c];
                }
            }
        }

        return inverse;
    }

    private static (double[] Beta, double[,] Inverse, double[] Residuals, double RSquared) Solve(double[,] x, double[] y)
    {
        var n = x.GetLength(0);
        var p = x.GetLength(1);
        if (y.Length != n)
        {
            throw new ArgumentException("X and y have different row counts.", nameof(y));
        }

        if (n <= p)
        {
            throw new InvalidOperationException($"Too few observations ({n}) for {p} parameters.");
        }

        var xtx = new double[p, p];
        var xty = new double[p];
        for (var i = 0; i < n; i++)
        {
            for (var a = 0; a < p; a++)
            {
                var xa = x[i, a];
                if (xa == 0)
                {
                    continue;
                }

                xty[a] += xa * y[i];
                for (var b = 0; b < p; b++)
                {
                    xtx[a, b] += xa * x[i, b];
                }
            }
        }

        var inverse = Invert(xtx);
        var beta = new double[p];
        for (var a = 0; a < p; a++)
        {
            for (var b = 0; b < p; b++)
            {
                beta[a] += inverse[a, b] * xty[b];
            }
        }

        var residuals = new double[n];
        var mean = y.Average();
        double rss = 0, tss = 0;
        for (var i = 0; i < n; i++)
        {
            var fitted = 0.0;
            for (var a = 0; a < p; a++)
            {
                fitted += x[i, a] * beta[a];
            }

            residuals[i] = y[i] - fitted;
            rss += residuals[i] * residuals[i];
            tss += (y[i] - mean) * (y[i] - mean);
        }

        return (beta, inverse, residuals, tss > 0 ? 1 - (rss / tss) : 0);
    }

    private static double[,] Sandwich(double[,] bread, double[,] meat)
    {
        var p = bread.GetLength(0);
        var temp = new double[p, p];
        var result = new double[p, p];
        for (var i = 0; i < p; i++)
        {
            for (var j = 0; j < p; j++)
            {
                var sum = 0.0;
                for (var k = 0; k < p; k++)
                {
                    sum += bread[i, k] * meat[k, j];
                }

                temp[i, j] = sum;
            }
        }

        for (var i = 0; i < p; i++)
        {
            for (var j = 0; j < p; j++)
            {
                var sum = 0.0;
                for (var k = 0; k < p; k++)
                {
                    sum += temp[i, k] * bread[k, j];
                }

                result[i, j] = sum;
            }
        }

        return result;
    }

    private static void AddOuter(double[,] target, double[] left, double[] right, double weight)
    {
        for (var a = 0; a < left.Length; a++)
        {
            if (left[a] == 0)
            {
                continue;
            }

            for (var b = 0; b < right.Length; b++)
            {
                target[a, b] += weight * left[a] * right[b];
            }
        }
    }

    private static double[,] Scale(double[,] matrix, double factor)
    {
        var result = (double[,])matrix.Clone();
        for (var i = 0; i < result.GetLength(0); i++)
        {
            for (var j = 0; j < result.GetLength(1); j++)
            {
                result[i, j] *= factor;
            }
        }

        return result;
    }

    private static void SwapRows(double[,] m, int a, int b)
    {
        for (var c = 0; c < m.GetLength(1); c++)
        {
            (m[a, c], m[b, c]) = (m[b, c], m[a, c]);
        }
    }
}
