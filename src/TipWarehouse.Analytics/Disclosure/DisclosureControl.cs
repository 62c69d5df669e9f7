using System.Globalization;
using TipWarehouse.Core;

namespace TipWarehouse.Analytics.Disclosure;

/// <summary>Which columns of a report are counts, which are derived from counts, and which totals are published.</summary>
/// <param name="CountColumns">Count cells: primary suppression applies to them (1..k-1 suppressed; 0 is published).</param>
/// <param name="DerivedColumns">Cells computed from counts of the same row (shares, rates, medians): suppressed when any source is.</param>
/// <param name="ColumnTotalsPublished">True when each count column's sum over the rows is published (here or in another report, e.g. the yearly figure), so secondary suppression must protect it.</param>
public sealed record DisclosureSpec(
    IReadOnlyList<string> CountColumns,
    IReadOnlyList<DerivedColumn> DerivedColumns,
    bool ColumnTotalsPublished = true);

/// <summary>A column computed from count columns of the same row.</summary>
public sealed record DerivedColumn(string Column, IReadOnlyList<string> Sources);

/// <summary>The published table and how many cells were suppressed, by reason.</summary>
public sealed record DisclosureResult(ResultTable Table, int PrimarySuppressed, int SecondarySuppressed, int DerivedSuppressed)
{
    /// <summary>All suppressed cells.</summary>
    public int TotalSuppressed => PrimarySuppressed + SecondarySuppressed + DerivedSuppressed;
}

/// <summary>
/// Small-cell disclosure control for published reports: primary suppression of counts 1..k-1 (zeros are published: a
/// structural zero such as "no calls before the hotline opened" reveals nobody), secondary suppression so that no
/// suppressed cell can be recovered by subtracting the published cells of a column from its published total, and
/// suppression of derived shares, rates and medians whose inputs are suppressed.
/// </summary>
public static class DisclosureControl
{
    /// <summary>The name of the column that lists, per row, the suppressed columns (semicolon-separated).</summary>
    public const string SuppressedColumn = "suppressed_cells";

    /// <summary>The marker shown instead of a suppressed cell in readable tables.</summary>
    public const string Marker = "x";

    /// <summary>Applies primary, secondary and derived suppression to <paramref name="table"/> with threshold <paramref name="k"/>.</summary>
    public static DisclosureResult Apply(ResultTable table, DisclosureSpec spec, int k) => Apply(table, spec, k, _ => k);

    /// <summary>Applies suppression with a threshold per count column (the policy's class of each measure); <paramref name="k"/> is the persons threshold.</summary>
    public static DisclosureResult Apply(ResultTable table, DisclosureSpec spec, int k, Func<string, int> thresholdOf)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(thresholdOf);
        if (k < 2)
        {
            throw new UsageException($"--k {k} is too small for disclosure control: use 2 or more (the default is 10).");
        }

        var countIndexes = spec.CountColumns.Select(c => RequireColumn(table, c)).ToArray();
        var rows = table.Rows.Count;
        var suppressed = new bool[rows, table.Columns.Count];
        var primary = 0;
        foreach (var column in countIndexes)
        {
            var threshold = thresholdOf(table.Columns[column].Name);
            for (var r = 0; r < rows; r++)
            {
                var value = ToCount(table.Rows[r][column]);
                if (value is >= 1 && value < threshold)
                {
                    suppressed[r, column] = true;
                    primary++;
                }
            }
        }

        var secondary = spec.ColumnTotalsPublished ? ProtectColumnTotals(table, countIndexes, suppressed) : 0;

        var derived = 0;
        foreach (var derivedColumn in spec.DerivedColumns)
        {
            var target = RequireColumn(table, derivedColumn.Column);
            var sources = derivedColumn.Sources.Select(s => RequireColumn(table, s)).ToArray();
            for (var r = 0; r < rows; r++)
            {
                if (!suppressed[r, target] && sources.Any(s => suppressed[r, s]))
                {
                    suppressed[r, target] = true;
                    derived++;
                }
            }
        }

        var columns = table.Columns.Append(new ResultColumn(SuppressedColumn, typeof(string))).ToArray();
        var published = new List<object?[]>(rows);
        for (var r = 0; r < rows; r++)
        {
            var source = table.Rows[r];
            var row = new object?[columns.Length];
            var names = new List<string>();
            for (var c = 0; c < source.Length; c++)
            {
                if (suppressed[r, c])
                {
                    names.Add(table.Columns[c].Name);
                }
                else
                {
                    row[c] = source[c];
                }
            }

            row[^1] = string.Join(';', names);
            published.Add(row);
        }

        var total = primary + secondary + derived;
        var notes = table.Notes.Append(string.Create(
            CultureInfo.InvariantCulture,
            $"Disclosure control (k={k}): {total} cell(s) suppressed: {primary} count(s) between 1 and their threshold minus 1, {secondary} more so that published totals do not reveal them, {derived} share(s)/rate(s)/median(s) computed from suppressed counts. Suppressed cells are empty in CSV/JSON/Parquet/Arrow (column {SuppressedColumn} names them) and shown as '{Marker}' in tables; zeros are published.")).ToArray();
        return new DisclosureResult(new ResultTable(columns, published, notes), primary, secondary, derived);
    }

    /// <summary>Replaces suppressed cells with the <see cref="Marker"/> for a readable table.</summary>
    public static ResultTable ForDisplay(ResultTable published)
    {
        ArgumentNullException.ThrowIfNull(published);
        var flag = published.IndexOf(SuppressedColumn);
        if (flag < 0)
        {
            return published;
        }

        var marked = new HashSet<int>();
        foreach (var row in published.Rows)
        {
            foreach (var name in SuppressedNames(row[flag]))
            {
                marked.Add(published.IndexOf(name));
            }
        }

        var columns = published.Columns.Select((c, i) => marked.Contains(i) ? new ResultColumn(c.Name, typeof(string)) : c).ToArray();
        var rows = published.Rows.Select(row =>
        {
            var copy = (object?[])row.Clone();
            foreach (var name in SuppressedNames(row[flag]))
            {
                copy[published.IndexOf(name)] = Marker;
            }

            for (var c = 0; c < copy.Length; c++)
            {
                if (marked.Contains(c) && copy[c] is not null and not string)
                {
                    copy[c] = Convert.ToString(copy[c], CultureInfo.InvariantCulture);
                }
            }

            return copy;
        }).ToArray();
        return new ResultTable(columns, rows, published.Notes);
    }

    /// <summary>The column names listed in a <see cref="SuppressedColumn"/> cell.</summary>
    public static IEnumerable<string> SuppressedNames(object? cell) =>
        cell is string s && s.Length > 0 ? s.Split(';') : [];

    // A column total minus the published cells equals the sum of the suppressed cells: with exactly one suppressed
    // cell in a column, that cell is recovered. Suppress the smallest other cell (a non-zero one when there is one, so
    // the pair hides a real count) until every column has zero or at least two suppressed cells.
    private static int ProtectColumnTotals(ResultTable table, int[] countIndexes, bool[,] suppressed)
    {
        var added = 0;
        var rows = table.Rows.Count;
        if (rows < 2)
        {
            return 0;
        }

        foreach (var column in countIndexes)
        {
            var count = 0;
            for (var r = 0; r < rows; r++)
            {
                count += suppressed[r, column] ? 1 : 0;
            }

            if (count != 1)
            {
                continue;
            }

            var best = -1;
            long bestValue = 0;
            for (var r = 0; r < rows; r++)
            {
                if (suppressed[r, column])
                {
                    continue;
                }

                var value = ToCount(table.Rows[r][column]) ?? 0;
                if (best < 0 || Better(value, bestValue))
                {
                    best = r;
                    bestValue = value;
                }
            }

            suppressed[best, column] = true;
            added++;
        }

        return added;
    }

    private static bool Better(long candidate, long current) =>
        (candidate > 0, current > 0) switch
        {
            (true, false) => true,
            (false, true) => false,
            _ => candidate < current,
        };

    private static int RequireColumn(ResultTable table, string name)
    {
        var index = table.IndexOf(name);
        return index >= 0 ? index : throw new InvalidOperationException($"Disclosure spec names column '{name}', which the report does not have.");
    }

    /// <summary>A count cell as a long (null for NULL or non-numeric).</summary>
    public static long? ToCount(object? value) => value switch
    {
        null => null,
        long l => l,
        int i => i,
        short s => s,
        System.Numerics.BigInteger b => (long)b,
        decimal m => (long)m,
        double d when double.IsFinite(d) => (long)d,
        float f when float.IsFinite(f) => (long)f,
        _ => null,
    };
}
