using DuckDB.NET.Data;
using TipWarehouse.Analytics.Reports;
using TipWarehouse.Core;

namespace TipWarehouse.Analytics.Disclosure;

/// <summary>Publishes the national time series (<c>monthly</c>, every <c>--by</c> level and window) as the national cells of the <see cref="PublicationCube"/>.</summary>
public static class MonthlyDisclosure
{
    /// <summary>The grid of the published reports: whole years from the first to the last year with data, or null without data.</summary>
    public static (YearMonth First, YearMonth Last)? Grid(DuckDBConnection connection) => PublicationCube.Grid(connection);

    /// <summary>The cube the national series is cut from (its national cells; the same cube as every other published report).</summary>
    public static DisclosureCube? Cube(DuckDBConnection connection, DisclosurePolicy policy, int k) => PublicationCube.Build(connection, policy, k);

    // A stock at the period's end: no sum of published cells gives it, so primary suppression per cell protects it.
    private const string StockMeasure = "tip_cases_in_process";

    /// <summary>Suppresses the cells of a built monthly report that its cube suppresses; the window must align to the grid.</summary>
    public static ResultTable Publish(DuckDBConnection connection, ResultTable table, ReportRequest request, DisclosurePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(policy);
        if (request.K < 2)
        {
            throw new UsageException($"--k {request.K} is too small for disclosure control: use 2 or more (the default is 10).");
        }

        var cube = Cube(connection, policy, request.K);
        if (cube is null || table.Rows.Count == 0)
        {
            return table;
        }

        CheckAligned(request, cube);
        var labels = new Dictionary<string, YearMonth>(StringComparer.Ordinal);
        for (var m = cube.First; m <= cube.Last; m = m.AddMonths(1))
        {
            labels.TryAdd(m.PeriodLabel(request.By), m);
        }

        var period = table.IndexOf("period");
        var columns = table.Columns.Append(new ResultColumn(DisclosureControl.SuppressedColumn, typeof(string))).ToArray();
        var rows = new List<object?[]>(table.Rows.Count);
        var suppressedCells = 0;
        foreach (var source in table.Rows)
        {
            var row = new object?[columns.Length];
            Array.Copy(source, row, source.Length);
            var names = new List<string>();
            if (source[period] is string label && labels.TryGetValue(label, out var month))
            {
                var cell = cube.CellOf(request.By, month);
                foreach (var measure in cube.Measures)
                {
                    var c = table.IndexOf(measure);
                    if (c >= 0 && cube.IsSuppressed(measure, cell))
                    {
                        row[c] = null;
                        names.Add(measure);
                    }
                }

                var stock = table.IndexOf(StockMeasure);
                if (stock >= 0 && source[stock] is long level && level > 0 && level < policy.ThresholdOf(StockMeasure, request.K))
                {
                    row[stock] = null;
                    names.Add(StockMeasure);
                }

                foreach (var (share, sources) in policy.Shares)
                {
                    var c = table.IndexOf(share);
                    if (c >= 0 && sources.Any(names.Contains))
                    {
                        row[c] = null;
                        names.Add(share);
                    }
                }
            }

            suppressedCells += names.Count;
            row[^1] = string.Join(';', names);
            rows.Add(row);
        }

        var note = CubeCut.Note(cube, suppressedCells);
        return new ResultTable(columns, rows, table.Notes.Append(note).ToArray());
    }

    private static void CheckAligned(ReportRequest request, DisclosureCube cube)
    {
        if ((request.From is { } from && (from < cube.First || from > cube.Last)) || (request.To is { } to && (to < cube.First || to > cube.Last)))
        {
            throw new UsageException($"With --publish the window lies inside the published grid {cube.First}..{cube.Last}.");
        }

        var (unit, starts, ends) = request.By switch
        {
            PeriodGrain.Quarter => ("quarters", "01, 04, 07 or 10", "03, 06, 09 or 12"),
            PeriodGrain.Year => ("years", "01", "12"),
            _ => ("months", "", ""),
        };
        var size = request.By switch { PeriodGrain.Quarter => 3, PeriodGrain.Year => 12, _ => 1 };
        if (size > 1 && ((request.From is { } f && (f.Month - 1) % size != 0) || (request.To is { } t && t.Month % size != 0)))
        {
            throw new UsageException($"With --publish and --by {request.By.ToString().ToLowerInvariant()} the window covers whole {unit}: --from month {starts}, --to month {ends}.");
        }
    }
}
