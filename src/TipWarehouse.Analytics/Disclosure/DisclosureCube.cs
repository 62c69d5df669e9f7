using TipWarehouse.Analytics.Reports;

namespace TipWarehouse.Analytics.Disclosure;

/// <summary>
/// One disclosure-controlled cube per measure on the fixed national period grid (month → quarter → year → all years):
/// every published figure of a time-series report is a cell of this cube, whatever the window or <c>--by</c> level, so
/// complementary suppression solved once over all levels holds for every combination of published reports. A
/// suppressed cell is recoverable by linear differencing exactly when its unit vector lies in the row space of the
/// grid's additivity equations restricted to the suppressed cells; suppression grows until no cell is.
/// </summary>
public sealed class DisclosureCube
{
    private readonly Dictionary<string, bool[]> _suppressed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long[]> _values = new(StringComparer.Ordinal);

    private DisclosureCube(YearMonth first, int years)
    {
        First = first;
        Years = years;
    }

    /// <summary>The first month of the grid (a January).</summary>
    public YearMonth First { get; }

    /// <summary>Number of whole years in the grid.</summary>
    public int Years { get; }

    /// <summary>Number of months in the grid.</summary>
    public int Months => Years * 12;

    /// <summary>Number of cells of one measure: months, quarters, years and the total.</summary>
    public int CellCount => Months + (Years * 4) + Years + 1;

    /// <summary>The last month of the grid (a December).</summary>
    public YearMonth Last => First.AddMonths(Months - 1);

    /// <summary>The measures of the cube.</summary>
    public IEnumerable<string> Measures => _values.Keys;

    /// <summary>
    /// Builds the cube from monthly series (one value per month from <paramref name="first"/>, a January, for whole years)
    /// and suppresses: counts 1..k-1 of each measure's threshold, then complementary cells until none is recoverable.
    /// </summary>
    public static DisclosureCube Build(YearMonth first, IReadOnlyDictionary<string, long[]> monthly, Func<string, int> thresholdOf)
    {
        ArgumentNullException.ThrowIfNull(monthly);
        ArgumentNullException.ThrowIfNull(thresholdOf);
        if (first.Month != 1)
        {
            throw new ArgumentException("The grid starts in January.", nameof(first));
        }

        var months = monthly.Values.FirstOrDefault()?.Length ?? 0;
        if (months % 12 != 0 || monthly.Values.Any(v => v.Length != months))
        {
            throw new ArgumentException("Every series covers the same whole years.", nameof(monthly));
        }

        var cube = new DisclosureCube(first, months / 12);
        var equations = cube.Equations();
        foreach (var (measure, series) in monthly)
        {
            var values = cube.Aggregate(series);
            var k = thresholdOf(measure);
            var suppressed = new bool[values.Length];
            for (var c = 0; c < values.Length; c++)
            {
                suppressed[c] = values[c] >= 1 && values[c] < k;
            }

            Protect(values, suppressed, equations);
            cube._values[measure] = values;
            cube._suppressed[measure] = suppressed;
        }

        return cube;
    }

    /// <summary>The cell index of a period label ("2006-01", "2006-Q1", "2006") or of the total ("all").</summary>
    public int CellOf(PeriodGrain grain, YearMonth month)
    {
        var offset = month.Index - First.Index;
        if (offset < 0 || offset >= Months)
        {
            throw new ArgumentOutOfRangeException(nameof(month), $"{month} is outside the grid {First}..{Last}.");
        }

        return grain switch
        {
            PeriodGrain.Month => offset,
            PeriodGrain.Quarter => Months + (offset / 3),
            _ => Months + (Years * 4) + (offset / 12),
        };
    }

    /// <summary>The index of the all-years total cell.</summary>
    public int TotalCell => CellCount - 1;

    /// <summary>True when the cell of the measure is suppressed.</summary>
    public bool IsSuppressed(string measure, int cell) => _suppressed[measure][cell];

    /// <summary>The true value of a cell (for tests and for the published, unsuppressed cells).</summary>
    public long Value(string measure, int cell) => _values[measure][cell];

    /// <summary>Number of suppressed cells of a measure.</summary>
    public int SuppressedCount(string measure) => _suppressed[measure].Count(s => s);

    /// <summary>The additivity equations of the grid: each parent cell and the cells that add up to it.</summary>
    public IReadOnlyList<(int Parent, int[] Children)> Equations()
    {
        var result = new List<(int, int[])>();
        var quarters = Years * 4;
        for (var q = 0; q < quarters; q++)
        {
            result.Add((Months + q, [3 * q, (3 * q) + 1, (3 * q) + 2]));
        }

        for (var y = 0; y < Years; y++)
        {
            var quarter = Months + (4 * y);
            result.Add((Months + quarters + y, [quarter, quarter + 1, quarter + 2, quarter + 3]));
        }

        result.Add((CellCount - 1, Enumerable.Range(Months + quarters, Years).ToArray()));
        return result;
    }

    /// <summary>True when some suppressed cell's value follows from the published cells and the equations (linear differencing).</summary>
    public static bool AnyRecoverable(bool[] suppressed, IReadOnlyList<(int Parent, int[] Children)> equations) =>
        FirstRecoverable(suppressed, equations) >= 0;

    /// <summary>The first suppressed cell whose value follows from the published cells by linear combination of the equations, or -1.</summary>
    public static int FirstRecoverable(bool[] suppressed, IReadOnlyList<(int Parent, int[] Children)> equations) =>
        FirstRecoverable(suppressed, equations, _ => true);

    /// <summary>The first hidden cell that <paramref name="sensitive"/> selects whose value follows from the visible cells by linear combination of the equations, or -1 (a hidden but harmless cell, such as an unpublished total above the k, may be derivable).</summary>
    public static int FirstRecoverable(bool[] suppressed, IReadOnlyList<(int Parent, int[] Children)> equations, Func<int, bool> sensitive)
    {
        ArgumentNullException.ThrowIfNull(sensitive);
        ArgumentNullException.ThrowIfNull(suppressed);
        ArgumentNullException.ThrowIfNull(equations);
        var unknowns = new List<int>();
        var column = new Dictionary<int, int>();
        for (var c = 0; c < suppressed.Length; c++)
        {
            if (suppressed[c])
            {
                column[c] = unknowns.Count;
                unknowns.Add(c);
            }
        }

        if (unknowns.Count == 0)
        {
            return -1;
        }

        // Rows: each equation restricted to the suppressed cells (parent +1, children -1; published cells are constants).
        var rows = new List<double[]>();
        foreach (var (parent, children) in equations)
        {
            var row = new double[unknowns.Count];
            var any = false;
            if (column.TryGetValue(parent, out var p))
            {
                row[p] = 1;
                any = true;
            }

            foreach (var child in children)
            {
                if (column.TryGetValue(child, out var ch))
                {
                    row[ch] -= 1;
                    any = true;
                }
            }

            if (any)
            {
                rows.Add(row);
            }
        }

        // Reduced row echelon form: x_i is determined iff its column is a pivot whose row has no other non-zero entry.
        var pivotOfRow = new List<int>();
        var r = 0;
        for (var c = 0; c < unknowns.Count && r < rows.Count; c++)
        {
            var best = -1;
            for (var i = r; i < rows.Count; i++)
            {
                if (Math.Abs(rows[i][c]) > 1e-9 && (best < 0 || Math.Abs(rows[i][c]) > Math.Abs(rows[best][c])))
                {
                    best = i;
                }
            }

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

            pivotOfRow.Add(c);
            r++;
        }

        for (var i = 0; i < pivotOfRow.Count; i++)
        {
            var alone = true;
            for (var j = 0; j < unknowns.Count && alone; j++)
            {
                alone = j == pivotOfRow[i] || Math.Abs(rows[i][j]) <= 1e-9;
            }

            if (alone && sensitive(unknowns[pivotOfRow[i]]))
            {
                return unknowns[pivotOfRow[i]];
            }
        }

        return -1;
    }

    private long[] Aggregate(long[] monthly)
    {
        var values = new long[CellCount];
        Array.Copy(monthly, values, Months);
        foreach (var (parent, children) in Equations())
        {
            values[parent] = children.Sum(c => values[c]);
        }

        return values;
    }

    // Complementary suppression: while a suppressed cell is recoverable, suppress one more cell of an equation that
    // holds it — the smallest published non-zero cell (a zero hides nothing and totals should stay published when
    // possible), preferring cells at the same or a finer level than the recoverable one.
    private static void Protect(long[] values, bool[] suppressed, IReadOnlyList<(int Parent, int[] Children)> equations)
    {
        while (true)
        {
            var cell = FirstRecoverable(suppressed, equations);
            if (cell < 0)
            {
                return;
            }

            var best = -1;
            foreach (var (parent, children) in equations)
            {
                if (parent != cell && !children.Contains(cell))
                {
                    continue;
                }

                foreach (var candidate in children.Append(parent))
                {
                    if (suppressed[candidate])
                    {
                        continue;
                    }

                    if (best < 0 || Better(candidate, best, values, cell))
                    {
                        best = candidate;
                    }
                }
            }

            if (best < 0)
            {
                // Every cell of its equations is already suppressed yet it is recoverable: suppress the whole measure.
                Array.Fill(suppressed, true);
                return;
            }

            suppressed[best] = true;
        }
    }

    private static bool Better(int candidate, int best, long[] values, int target)
    {
        // Prefer non-zero cells, then cells that are not above the target's level (months before totals), then small ones.
        var cz = values[candidate] == 0;
        var bz = values[best] == 0;
        if (cz != bz)
        {
            return !cz;
        }

        var cParent = candidate > target;
        var bParent = best > target;
        if (cParent != bParent)
        {
            return !cParent;
        }

        return values[candidate] < values[best];
    }
}
