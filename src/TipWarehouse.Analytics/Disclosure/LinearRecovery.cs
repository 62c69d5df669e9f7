namespace TipWarehouse.Analytics.Disclosure;

/// <summary>
/// Which hidden cells of a table follow from its published cells by linear differencing: a hidden cell is recoverable
/// exactly when its unit vector lies in the row space of the additivity equations restricted to the hidden cells.
/// Solved exactly (arithmetic modulo the prime 2^61 − 1, no rounding tolerance) and only over the equations that touch
/// hidden cells, one connected component of hidden cells at a time, with sparse row operations.
/// </summary>
public static class LinearRecovery
{
    private const ulong Prime = (1UL << 61) - 1;

    /// <summary>Every hidden cell that <paramref name="sensitive"/> selects and whose value follows from the visible cells and the equations (each parent cell equals the sum of its children).</summary>
    public static List<int> Recoverable(bool[] hidden, IReadOnlyList<(int Parent, int[] Children)> equations, Func<int, bool> sensitive)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        ArgumentNullException.ThrowIfNull(equations);
        ArgumentNullException.ThrowIfNull(sensitive);
        var column = new int[hidden.Length];
        var unknowns = new List<int>();
        for (var c = 0; c < hidden.Length; c++)
        {
            column[c] = hidden[c] ? unknowns.Count : -1;
            if (hidden[c])
            {
                unknowns.Add(c);
            }
        }

        var result = new List<int>();
        if (unknowns.Count == 0)
        {
            return result;
        }

        // Each equation restricted to the hidden cells (parent +1, children −1; visible cells are constants).
        var rows = new List<(int Column, ulong Value)[]>();
        var entries = new Dictionary<int, ulong>();
        foreach (var (parent, children) in equations)
        {
            entries.Clear();
            if (column[parent] >= 0)
            {
                entries[column[parent]] = 1;
            }

            foreach (var child in children)
            {
                if (column[child] >= 0)
                {
                    entries[column[child]] = Sub(entries.GetValueOrDefault(column[child]), 1);
                }
            }

            var row = entries.Where(e => e.Value != 0).Select(e => (e.Key, e.Value)).OrderBy(e => e.Key).ToArray();
            if (row.Length > 0)
            {
                rows.Add(row);
            }
        }

        // Connected components of hidden cells linked by an equation: each is solved on its own.
        var root = Enumerable.Range(0, unknowns.Count).ToArray();
        foreach (var row in rows)
        {
            for (var i = 1; i < row.Length; i++)
            {
                var a = Find(root, row[0].Column);
                var b = Find(root, row[i].Column);
                if (a != b)
                {
                    root[a] = b;
                }
            }
        }

        var rowsOf = new Dictionary<int, List<(int Column, ulong Value)[]>>();
        foreach (var row in rows)
        {
            var component = Find(root, row[0].Column);
            if (!rowsOf.TryGetValue(component, out var list))
            {
                rowsOf[component] = list = [];
            }

            list.Add(row);
        }

        foreach (var componentRows in rowsOf.Values)
        {
            if (!componentRows.Any(r => r.Any(e => sensitive(unknowns[e.Column]))))
            {
                continue;
            }

            foreach (var determined in Determined(componentRows))
            {
                if (sensitive(unknowns[determined]))
                {
                    result.Add(unknowns[determined]);
                }
            }
        }

        result.Sort();
        return result;
    }

    // Reduced row echelon form of one component: an unknown is determined iff its column is a pivot whose row has no
    // other non-zero entry. Rows are sparse (column → value) because additivity equations touch few cells.
    private static IEnumerable<int> Determined(List<(int Column, ulong Value)[]> componentRows)
    {
        var rows = componentRows.Select(r => r.ToDictionary(e => e.Column, e => e.Value)).ToList();
        var rowsWith = new Dictionary<int, HashSet<int>>();
        for (var i = 0; i < rows.Count; i++)
        {
            foreach (var c in rows[i].Keys)
            {
                RowsWith(rowsWith, c).Add(i);
            }
        }

        var columns = rowsWith.Keys.OrderBy(c => c).ToArray();
        var isPivotRow = new bool[rows.Count];
        var pivotRows = new List<(int Column, int Row)>();
        foreach (var c in columns)
        {
            // The candidate pivot row with the fewest entries keeps fill-in small.
            var best = -1;
            foreach (var i in rowsWith[c])
            {
                if (!isPivotRow[i] && (best < 0 || rows[i].Count < rows[best].Count))
                {
                    best = i;
                }
            }

            if (best < 0)
            {
                continue;
            }

            var pivot = rows[best];
            var inverse = Inverse(pivot[c]);
            foreach (var key in pivot.Keys.ToArray())
            {
                pivot[key] = Mul(pivot[key], inverse);
            }

            isPivotRow[best] = true;
            pivotRows.Add((c, best));
            var entries = pivot.ToArray();
            foreach (var i in rowsWith[c].ToArray())
            {
                if (i == best)
                {
                    continue;
                }

                var target = rows[i];
                var factor = target[c];
                foreach (var (key, value) in entries)
                {
                    var updated = Sub(target.GetValueOrDefault(key), Mul(factor, value));
                    if (updated == 0)
                    {
                        target.Remove(key);
                        RowsWith(rowsWith, key).Remove(i);
                    }
                    else
                    {
                        if (!target.ContainsKey(key))
                        {
                            RowsWith(rowsWith, key).Add(i);
                        }

                        target[key] = updated;
                    }
                }
            }
        }

        foreach (var (c, r) in pivotRows)
        {
            if (rows[r].Count == 1)
            {
                yield return c;
            }
        }
    }

    private static HashSet<int> RowsWith(Dictionary<int, HashSet<int>> rowsWith, int column)
    {
        if (!rowsWith.TryGetValue(column, out var set))
        {
            rowsWith[column] = set = [];
        }

        return set;
    }

    private static int Find(int[] root, int x)
    {
        while (root[x] != x)
        {
            root[x] = root[root[x]];
            x = root[x];
        }

        return x;
    }

    private static ulong Sub(ulong a, ulong b) => a >= b ? a - b : a + Prime - b;

    private static ulong Mul(ulong a, ulong b)
    {
        var product = (UInt128)a * b;
        var folded = (ulong)(product & Prime) + (ulong)(product >> 61);
        return folded >= Prime ? folded - Prime : folded;
    }

    private static ulong Inverse(ulong a)
    {
        // Fermat: a^(p−2) is a's inverse modulo the prime p.
        ulong result = 1, power = a;
        for (var e = Prime - 2; e > 0; e >>= 1)
        {
            if ((e & 1) == 1)
            {
                result = Mul(result, power);
            }

            power = Mul(power, power);
        }

        return result;
    }
}
