using TipWarehouse.Analytics.Disclosure;

namespace TipWarehouse.Analytics.Tests;

/// <summary>The exact sparse solver agrees with a plain dense elimination over the rationals on random suppression patterns.</summary>
public sealed class LinearRecoveryTests
{
    [Fact]
    public void Sparse_modular_elimination_finds_exactly_the_cells_dense_rational_elimination_finds()
    {
        // Two areas and the nation over one year (12 months, 4 quarters, the year, the total): 3 × 18 cells.
        const int period = 18;
        var equations = new List<(int Parent, int[] Children)>();
        for (var a = 0; a < 3; a++)
        {
            var o = a * period;
            for (var q = 0; q < 4; q++)
            {
                equations.Add((o + 12 + q, [o + (3 * q), o + (3 * q) + 1, o + (3 * q) + 2]));
            }

            equations.Add((o + 16, [o + 12, o + 13, o + 14, o + 15]));
            equations.Add((o + 17, [o + 16]));
        }

        for (var t = 0; t < period; t++)
        {
            equations.Add((t, [period + t, (2 * period) + t]));
        }

        var random = new Random(20070116);
        var compared = 0;
        for (var trial = 0; trial < 400; trial++)
        {
            var hidden = Enumerable.Range(0, 3 * period).Select(_ => random.NextDouble() < 0.25 + (trial % 4 * 0.1)).ToArray();
            var expected = DenseDetermined(hidden, equations);
            var actual = LinearRecovery.Recoverable(hidden, equations, _ => true);
            Assert.Equal(expected, actual);
            compared += expected.Count;
        }

        Assert.True(compared > 50, "the random patterns include recoverable cells");
    }

    private static List<int> DenseDetermined(bool[] hidden, List<(int Parent, int[] Children)> equations)
    {
        var unknowns = Enumerable.Range(0, hidden.Length).Where(c => hidden[c]).ToList();
        var rows = equations.Select(e =>
        {
            var row = new double[unknowns.Count];
            var p = unknowns.IndexOf(e.Parent);
            if (p >= 0)
            {
                row[p] += 1;
            }

            foreach (var child in e.Children)
            {
                var c = unknowns.IndexOf(child);
                if (c >= 0)
                {
                    row[c] -= 1;
                }
            }

            return row;
        }).ToList();
        var pivots = new List<int>();
        var r = 0;
        for (var c = 0; c < unknowns.Count && r < rows.Count; c++)
        {
            var best = Enumerable.Range(r, rows.Count - r).Where(i => Math.Abs(rows[i][c]) > 1e-9).DefaultIfEmpty(-1).First();
            if (best < 0)
            {
                continue;
            }

            (rows[r], rows[best]) = (rows[best], rows[r]);
            var pivot = rows[r][c];
            for (var j = 0; j < unknowns.Count; j++)
            {
                rows[r][j] /= pivot;
            }

            for (var i = 0; i < rows.Count; i++)
            {
                if (i != r && Math.Abs(rows[i][c]) > 1e-9)
                {
                    var f = rows[i][c];
                    for (var j = 0; j < unknowns.Count; j++)
                    {
                        rows[i][j] -= f * rows[r][j];
                    }
                }
            }

            pivots.Add(c);
            r++;
        }

        return pivots.Where((c, i) => Enumerable.Range(0, unknowns.Count).All(j => j == c || Math.Abs(rows[i][j]) <= 1e-9)).Select(c => unknowns[c]).Order().ToList();
    }
}
