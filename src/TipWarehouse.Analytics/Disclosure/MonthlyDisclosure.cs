using DuckDB.NET.Data;
using TipWarehouse.Analytics.Reports;
using TipWarehouse.Core;

namespace TipWarehouse.Analytics.Disclosure;

/// <summary>Publishes the national time series (<c>monthly</c>, every <c>--by</c> level and window) as cells of one <see cref="DisclosureCube"/> per measure.</summary>
public static class MonthlyDisclosure
{
    /// <summary>The grid of the published national series: whole years from the first to the last year with data, or null without data.</summary>
    public static (YearMonth First, YearMonth Last)? Grid(DuckDBConnection connection)
    {
        var (first, last) = MonthlyReport.DataRange(MonthlyReport.ReadSeries(connection));
        return first is null || last is null ? null : (new YearMonth(first.Value.Year, 1), new YearMonth(last.Value.Year, 12));
    }

    /// <summary>The cube of the warehouse's national series: whole years from the first to the last year with data.</summary>
    public static DisclosureCube? Cube(DuckDBConnection connection, DisclosurePolicy policy, int k)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var series = MonthlyReport.ReadSeries(connection);
        var (first, last) = MonthlyReport.DataRange(series);
        if (first is null || last is null)
        {
            return null;
        }

        var gridFirst = new YearMonth(first.Value.Year, 1);
        var months = (last.Value.Year - first.Value.Year + 1) * 12;
        var byMonth = series.ToDictionary(s => s.Month.Index);
        var monthly = new Dictionary<string, long[]>(StringComparer.Ordinal);
        for (var c = 0; c < MonthlyReport.CountColumns.Count; c++)
        {
            var values = new long[months];
            for (var m = 0; m < months; m++)
            {
                values[m] = byMonth.TryGetValue(gridFirst.Index + m, out var figures) ? figures[c] : 0;
            }

            monthly[MonthlyReport.CountColumns[c]] = values;
        }

        // The TIP series that add up over months are measures of the cube too; the stock of cases in process does not
        // add up (a period shows its last month's stock), so it is suppressed cell by cell in Publish instead.
        var tip = MonthlyReport.ReadTipSeries(connection);
        (string Name, Func<TipMonthFigures, long> Value)[] additiveTip =
        [
            ("tip_cases_sent_to_prosecution", f => f.SentToProsecution),
            ("persons_charged_pimping", f => f.PersonsChargedPimping),
            ("tip_convictions", f => f.Convictions),
        ];
        foreach (var (name, value) in additiveTip)
        {
            var values = new long[months];
            for (var m = 0; m < months; m++)
            {
                values[m] = tip.TryGetValue(gridFirst.AddMonths(m), out var figures) ? value(figures) : 0;
            }

            monthly[name] = values;
        }

        // Every report of the same data cuts the same cube: keep the last one (a report run is then a lookup).
        var key = string.Join(';', monthly.Select(kv => kv.Key + "=" + string.Join(',', kv.Value))) + $"|{gridFirst}|{k}|{policy.InstitutionalK}";
        lock (s_lock)
        {
            if (s_last is { } cached && cached.Key == key)
            {
                return cached.Cube;
            }
        }

        var cube = DisclosureCube.Build(gridFirst, monthly, m => policy.ThresholdOf(m, k));
        lock (s_lock)
        {
            s_last = (key, cube);
        }

        return cube;
    }

    // A stock at the period's end: no sum of published cells gives it, so primary suppression per cell protects it.
    private const string StockMeasure = "tip_cases_in_process";

    private static readonly object s_lock = new();
    private static (string Key, DisclosureCube Cube)? s_last;

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

        var note = $"Disclosure control: every figure is a cell of one cube per measure on the grid {cube.First}..{cube.Last} (month, quarter, year, all years), "
            + $"with complementary suppression solved across all levels, so no combination of published windows and --by levels recovers a suppressed cell; "
            + $"{suppressedCells} cell(s) suppressed here. Suppressed cells are empty in CSV/JSON/Parquet/Arrow (column {DisclosureControl.SuppressedColumn} names them) and shown as '{DisclosureControl.Marker}' in tables; zeros are published.";
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
