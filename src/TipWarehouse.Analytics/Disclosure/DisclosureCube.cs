using TipWarehouse.Analytics.Reports;

namespace TipWarehouse.Analytics.Disclosure;

/// <summary>
/// The areas one measure is published for and how they add up: area 0 is the nation; each sum says that a parent
/// area's count equals the sum of its children's (several partitions of the nation may coexist, e.g. departments,
/// PNP directorates and the directorates of referred police stations). <paramref name="Levels"/> ranks each area's
/// coarseness (0 = finest) and <paramref name="Unpublished"/> lists areas no report shows (their cells are unknowns).
/// </summary>
public sealed record CubeGeography(IReadOnlyList<string> Areas, IReadOnlyList<(int Parent, int[] Children)> Sums, IReadOnlyList<int> Levels, IReadOnlySet<int> Unpublished)
{
    /// <summary>The nation alone.</summary>
    public static readonly CubeGeography National = new(["national"], [], [0], new HashSet<int>());

    /// <summary>The index of an area, or -1.</summary>
    public int IndexOf(string area)
    {
        for (var i = 0; i < Areas.Count; i++)
        {
            if (string.Equals(Areas[i], area, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>One measure of a cube: its geography and its monthly counts per area (<c>Monthly[area][month]</c>); <paramref name="PolicyName"/> is the name its threshold is looked up by.</summary>
public sealed record CubeMeasure(string Name, string PolicyName, CubeGeography Geography, long[][] Monthly);

/// <summary>
/// One disclosure-controlled cube per measure over the fixed period grid (month → quarter → year → all years) × the
/// measure's geography (national, and where published, departments, PNP directorates, …): every published figure of
/// every report is a cell of this cube, whatever the window, <c>--by</c> or <c>--level</c>, so complementary
/// suppression solved once over all the additivity equations (time and geography in one system) holds for every
/// combination of published reports. A suppressed cell is recoverable by linear differencing exactly when its unit
/// vector lies in the row space of the equations restricted to the hidden cells (<see cref="LinearRecovery"/>);
/// suppression grows until no suppressed cell is. Cell index = area × <see cref="CellCount"/> + period cell, so the
/// national cells of a measure are its period cells.
/// </summary>
public sealed class DisclosureCube
{
    private readonly Dictionary<string, MeasureCells> _measures = new(StringComparer.Ordinal);

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

    /// <summary>Number of period cells of one area: months, quarters, years and the total.</summary>
    public int CellCount => Months + (Years * 4) + Years + 1;

    /// <summary>The last month of the grid (a December).</summary>
    public YearMonth Last => First.AddMonths(Months - 1);

    /// <summary>The index of the all-years total cell.</summary>
    public int TotalCell => CellCount - 1;

    /// <summary>The measures of the cube.</summary>
    public IEnumerable<string> Measures => _measures.Keys;

    /// <summary>True when the cube has the measure.</summary>
    public bool Has(string measure) => _measures.ContainsKey(measure);

    /// <summary>Builds a national-only cube from monthly series (one value per month from <paramref name="first"/>, a January, for whole years).</summary>
    public static DisclosureCube Build(YearMonth first, IReadOnlyDictionary<string, long[]> monthly, Func<string, int> thresholdOf)
    {
        ArgumentNullException.ThrowIfNull(monthly);
        return Build(first, monthly.Select(kv => new CubeMeasure(kv.Key, kv.Key, CubeGeography.National, [kv.Value])).ToArray(), thresholdOf);
    }

    /// <summary>
    /// Builds the cube and suppresses: counts 1..k-1 of each measure's threshold (<paramref name="thresholdOf"/> its policy
    /// name), then complementary cells until no suppressed cell, and no small cell of an unpublished area, is recoverable.
    /// </summary>
    public static DisclosureCube Build(YearMonth first, IReadOnlyList<CubeMeasure> measures, Func<string, int> thresholdOf)
    {
        ArgumentNullException.ThrowIfNull(measures);
        ArgumentNullException.ThrowIfNull(thresholdOf);
        if (first.Month != 1)
        {
            throw new ArgumentException("The grid starts in January.", nameof(first));
        }

        var months = measures.Count > 0 && measures[0].Monthly.Length > 0 ? measures[0].Monthly[0].Length : 0;
        if (months % 12 != 0 || measures.Any(m => m.Monthly.Length != m.Geography.Areas.Count || m.Monthly.Any(a => a.Length != months)))
        {
            throw new ArgumentException("Every series covers the same whole years, one per area of its geography.", nameof(measures));
        }

        var cube = new DisclosureCube(first, months / 12);
        foreach (var measure in measures)
        {
            cube._measures[measure.Name] = cube.Protect(measure, thresholdOf(measure.PolicyName));
        }

        return cube;
    }

    /// <summary>The period cell of a month at a grain (its month, quarter or year).</summary>
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

    /// <summary>The period cell a window is (one month, one quarter, one year or the whole grid), or null when the window is not a cell.</summary>
    public int? WindowCell(YearMonth from, YearMonth to)
    {
        if (from < First || to > Last || from > to)
        {
            return null;
        }

        var length = to.Index - from.Index + 1;
        return length switch
        {
            1 => CellOf(PeriodGrain.Month, from),
            3 when (from.Month - 1) % 3 == 0 => CellOf(PeriodGrain.Quarter, from),
            12 when from.Month == 1 => CellOf(PeriodGrain.Year, from),
            _ when from == First && to == Last => TotalCell,
            _ => null,
        };
    }

    /// <summary>The cell of an area's period cell in a measure, or -1 when the measure has no such area.</summary>
    public int Cell(string measure, string area, int periodCell)
    {
        var index = _measures[measure].Geography.IndexOf(area);
        return index < 0 ? -1 : (index * CellCount) + periodCell;
    }

    /// <summary>The geography of a measure.</summary>
    public CubeGeography GeographyOf(string measure) => _measures[measure].Geography;

    /// <summary>True when the cell of the measure is suppressed.</summary>
    public bool IsSuppressed(string measure, int cell) => _measures[measure].Suppressed[cell];

    /// <summary>The true value of a cell (for tests and for the published, unsuppressed cells).</summary>
    public long Value(string measure, int cell) => _measures[measure].Values[cell];

    /// <summary>Number of cells of a measure (areas × period cells).</summary>
    public int CellsOf(string measure) => _measures[measure].Values.Length;

    /// <summary>Number of suppressed cells of a measure.</summary>
    public int SuppressedCount(string measure) => _measures[measure].Suppressed.Count(s => s);

    /// <summary>Number of cells of a measure suppressed because they are small (primary suppression), the rest being complementary.</summary>
    public int PrimaryCount(string measure) => _measures[measure].Primary;

    /// <summary>True when the cell belongs to an area no report publishes.</summary>
    public bool IsUnpublished(string measure, int cell) => _measures[measure].Geography.Unpublished.Contains(cell / CellCount);

    /// <summary>The additivity equations of the national period grid: each parent cell and the cells that add up to it.</summary>
    public IReadOnlyList<(int Parent, int[] Children)> Equations() => TimeEquations(0);

    /// <summary>Every additivity equation of a measure: the period grid of each area, and each geographic sum in each period cell.</summary>
    public IReadOnlyList<(int Parent, int[] Children)> Equations(string measure) => _measures[measure].Equations;

    /// <summary>True when some suppressed cell's value follows from the published cells and the equations (linear differencing).</summary>
    public static bool AnyRecoverable(bool[] suppressed, IReadOnlyList<(int Parent, int[] Children)> equations) =>
        FirstRecoverable(suppressed, equations) >= 0;

    /// <summary>The first suppressed cell whose value follows from the published cells by linear combination of the equations, or -1.</summary>
    public static int FirstRecoverable(bool[] suppressed, IReadOnlyList<(int Parent, int[] Children)> equations) =>
        FirstRecoverable(suppressed, equations, _ => true);

    /// <summary>The first hidden cell that <paramref name="sensitive"/> selects whose value follows from the visible cells by linear combination of the equations, or -1 (a hidden but harmless cell, such as an unpublished total above the k, may be derivable).</summary>
    public static int FirstRecoverable(bool[] suppressed, IReadOnlyList<(int Parent, int[] Children)> equations, Func<int, bool> sensitive)
    {
        var recoverable = LinearRecovery.Recoverable(suppressed, equations, sensitive);
        return recoverable.Count == 0 ? -1 : recoverable[0];
    }

    private List<(int Parent, int[] Children)> TimeEquations(int area)
    {
        var result = new List<(int, int[])>();
        var quarters = Years * 4;
        var offset = area * CellCount;
        for (var q = 0; q < quarters; q++)
        {
            result.Add((offset + Months + q, [offset + (3 * q), offset + (3 * q) + 1, offset + (3 * q) + 2]));
        }

        for (var y = 0; y < Years; y++)
        {
            var quarter = offset + Months + (4 * y);
            result.Add((offset + Months + quarters + y, [quarter, quarter + 1, quarter + 2, quarter + 3]));
        }

        result.Add((offset + CellCount - 1, Enumerable.Range(offset + Months + quarters, Years).ToArray()));
        return result;
    }

    private int TimeLevel(int periodCell) =>
        periodCell < Months ? 0 : periodCell < Months + (Years * 4) ? 1 : periodCell < TotalCell ? 2 : 3;

    private MeasureCells Protect(CubeMeasure measure, int k)
    {
        var geography = measure.Geography;
        var equations = new List<(int Parent, int[] Children)>();
        for (var a = 0; a < geography.Areas.Count; a++)
        {
            equations.AddRange(TimeEquations(a));
        }

        foreach (var (parent, children) in geography.Sums)
        {
            for (var t = 0; t < CellCount; t++)
            {
                equations.Add(((parent * CellCount) + t, children.Select(c => (c * CellCount) + t).ToArray()));
            }
        }

        var values = new long[geography.Areas.Count * CellCount];
        for (var a = 0; a < geography.Areas.Count; a++)
        {
            var offset = a * CellCount;
            Array.Copy(measure.Monthly[a], 0, values, offset, Months);
            foreach (var (parent, children) in TimeEquations(a))
            {
                values[parent] = children.Sum(c => values[c]);
            }
        }

        var suppressed = new bool[values.Length];
        var hidden = new bool[values.Length];
        var small = new bool[values.Length];
        var primary = 0;
        for (var c = 0; c < values.Length; c++)
        {
            small[c] = values[c] >= 1 && values[c] < k;
            var unpublished = geography.Unpublished.Contains(c / CellCount);
            suppressed[c] = small[c] && !unpublished;
            hidden[c] = small[c] || unpublished;
            primary += suppressed[c] ? 1 : 0;
        }

        // A small cell, published or not, must stay unknown; a complementary cell need not (see the end).
        bool Sensitive(int c) => small[c];

        var equationsOf = Enumerable.Range(0, values.Length).Select(_ => new List<int>()).ToArray();
        var hiddenIn = new int[equations.Count];
        for (var e = 0; e < equations.Count; e++)
        {
            foreach (var c in equations[e].Children.Append(equations[e].Parent))
            {
                equationsOf[c].Add(e);
                hiddenIn[e] += hidden[c] ? 1 : 0;
            }
        }

        // Complementary suppression in rounds: every recoverable small cell gets one more suppressed cell in an equation
        // that holds it (one per equation per round, so one complement can serve two cells), until none is recoverable.
        // When its own equations are all hidden, the leak runs through hidden cells that are themselves determined: the
        // complement goes into the equations along that path.
        while (true)
        {
            var determined = LinearRecovery.Recoverable(hidden, equations, _ => true).ToHashSet();
            var recoverable = determined.Where(Sensitive).Order().ToList();
            if (recoverable.Count == 0)
            {
                break;
            }

            var touched = new HashSet<int>();
            foreach (var cell in recoverable)
            {
                if (equationsOf[cell].Any(touched.Contains))
                {
                    continue;
                }

                var best = BestComplement(cell, equationsOf[cell], equations, equationsOf, hiddenIn, hidden, values, geography);
                if (best < 0)
                {
                    best = BestComplement(cell, LeakPath(cell, determined, equations, equationsOf, hidden), equations, equationsOf, hiddenIn, hidden, values, geography);
                }

                if (best < 0)
                {
                    Array.Fill(hidden, true);
                    Array.Fill(suppressed, true);
                    break;
                }

                hidden[best] = true;
                suppressed[best] = true;
                foreach (var e in equationsOf[best])
                {
                    touched.Add(e);
                    hiddenIn[e]++;
                }
            }
        }

        // A complementary cell whose value the published cells determine protects nothing: publishing it reveals nothing
        // new (every cell consistent with the published ones stays so), so it is published and no suppressed cell is
        // recoverable at all.
        foreach (var determined in LinearRecovery.Recoverable(hidden, equations, c => suppressed[c] && !small[c]))
        {
            hidden[determined] = false;
            suppressed[determined] = false;
        }

        for (var c = 0; c < values.Length; c++)
        {
            suppressed[c] &= !geography.Unpublished.Contains(c / CellCount);
        }

        return new MeasureCells(geography, values, suppressed, equations, primary);
    }

    // The equations reached from a cell through hidden cells whose values are determined (the path a leak runs along).
    private static List<int> LeakPath(int cell, HashSet<int> determined, List<(int Parent, int[] Children)> equations, List<int>[] equationsOf, bool[] hidden)
    {
        var seen = new HashSet<int> { cell };
        var queue = new Queue<int>([cell]);
        var path = new HashSet<int>();
        while (queue.Count > 0)
        {
            foreach (var e in equationsOf[queue.Dequeue()])
            {
                if (!path.Add(e))
                {
                    continue;
                }

                foreach (var next in equations[e].Children.Append(equations[e].Parent))
                {
                    if (hidden[next] && determined.Contains(next) && seen.Add(next))
                    {
                        queue.Enqueue(next);
                    }
                }
            }
        }

        return path.Order().ToList();
    }

    // The best published cell of the equations to suppress: a non-zero one (a zero, often structural such as calls
    // before the hotline opened, hides little), then one that would not be the only hidden cell of another equation
    // (it closes the pattern instead of needing a complement of its own), then not coarser than the recoverable cell in
    // time or geography (totals stay published), then the smallest.
    private int BestComplement(int target, IEnumerable<int> equationIndexes, List<(int Parent, int[] Children)> equations, List<int>[] equationsOf, int[] hiddenIn, bool[] hidden, long[] values, CubeGeography geography)
    {
        var best = -1;
        var bestKey = (Alone: int.MaxValue, Zero: true, Coarser: true, Value: long.MaxValue);
        var targetTime = TimeLevel(target % CellCount);
        var targetGeo = geography.Levels[target / CellCount];
        foreach (var e in equationIndexes)
        {
            foreach (var candidate in equations[e].Children.Append(equations[e].Parent))
            {
                if (hidden[candidate])
                {
                    continue;
                }

                var alone = 0;
                foreach (var other in equationsOf[candidate])
                {
                    alone += other != e && hiddenIn[other] == 0 ? 1 : 0;
                }

                var key = (
                    Alone: alone,
                    Zero: values[candidate] == 0,
                    Coarser: TimeLevel(candidate % CellCount) > targetTime || geography.Levels[candidate / CellCount] > targetGeo,
                    Value: values[candidate]);
                if (best < 0 || key.CompareTo(bestKey) < 0)
                {
                    best = candidate;
                    bestKey = key;
                }
            }
        }

        return best;
    }

    private sealed record MeasureCells(CubeGeography Geography, long[] Values, bool[] Suppressed, List<(int Parent, int[] Children)> Equations, int Primary);
}
