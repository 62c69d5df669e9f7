using System.Globalization;
using DuckDB.NET.Data;
using TipWarehouse.Analytics.Reports;
using TipWarehouse.Core;

namespace TipWarehouse.Analytics.Disclosure;

/// <summary>
/// Publishes <c>regions</c>, <c>referrals</c> and <c>funnel</c> as cells of the <see cref="PublicationCube"/>: the
/// window must be one cell of the period grid (a month, a quarter, a year or all years), every count is the cell of its
/// measure and area in that period, suppressed where the cube suppresses it, and shares, rates, medians and ranks
/// computed from a suppressed count are suppressed too.
/// </summary>
public static class CubeCut
{
    /// <summary>The note every report cut from the cube carries.</summary>
    public static string Note(DisclosureCube cube, int suppressedCells)
    {
        ArgumentNullException.ThrowIfNull(cube);
        return string.Create(CultureInfo.InvariantCulture, $"Disclosure control: every figure is a cell of one cube per measure on the grid {cube.First}..{cube.Last} (month, quarter, year, all years) × geography (national, departments, PNP directorates, referral directorates), ")
            + "with complementary suppression solved across all levels of both at once, so no combination of published reports (monthly at any --by, regions at either --level, referrals, funnel) and aligned windows recovers a suppressed cell; "
            + string.Create(CultureInfo.InvariantCulture, $"{suppressedCells} cell(s) suppressed here; in the whole cube {cube.Measures.Sum(cube.PrimaryCount)} of {cube.Measures.Sum(cube.CellsOf)} cells are suppressed as small and {cube.Measures.Sum(m => cube.SuppressedCount(m) - cube.PrimaryCount(m))} as their complements. Suppressed cells are empty in CSV/JSON/Parquet/Arrow (column {DisclosureControl.SuppressedColumn} names them) and shown as '{DisclosureControl.Marker}' in tables; zeros are published.");
    }

    /// <summary>The period cell of a published report's window; a window that is not one cell of the grid is a usage error naming the allowed windows.</summary>
    public static int PeriodCell(DisclosureCube cube, string report, ReportRequest request)
    {
        ArgumentNullException.ThrowIfNull(cube);
        ArgumentNullException.ThrowIfNull(request);
        var from = request.From ?? cube.First;
        var to = request.To ?? cube.Last;
        return cube.WindowCell(from, to) ?? throw new UsageException(string.Create(CultureInfo.InvariantCulture,
            $"With --publish, {report} covers one period of the published grid {cube.First}..{cube.Last}, not {from}..{to}: one month (--from {cube.First} --to {cube.First}), "
            + $"one quarter (--from {cube.First.Year}-01 --to {cube.First.Year}-03, or 04-06, 07-09, 10-12), one year (--from {cube.First.Year}-01 --to {cube.First.Year}-12), or all years (no --from/--to)."));
    }

    /// <summary>Publishes a built <c>regions</c>, <c>referrals</c> or <c>funnel</c> report.</summary>
    public static ResultTable Publish(DuckDBConnection connection, string report, ResultTable table, ReportRequest request, DisclosurePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(policy);
        if (request.K < 2)
        {
            throw new UsageException($"--k {request.K} is too small for disclosure control: use 2 or more (the default is 10).");
        }

        var cube = PublicationCube.Build(connection, policy, request.K);
        if (cube is null)
        {
            return DisclosureControl.Apply(table, Spec(report), request.K, c => policy.ThresholdOf(c, request.K)).Table;
        }

        var period = PeriodCell(cube, report, request);
        Func<object?[], string, (string Measure, int Cell)> cellOf = report switch
        {
            "regions" => Regions(cube, table, request, period),
            "referrals" => Referrals(cube, table, period),
            "funnel" => Funnel(cube, table, request, period),
            _ => throw new ArgumentOutOfRangeException(nameof(report), report, "Only regions, referrals and funnel are cut by CubeCut."),
        };
        var spec = Spec(report);
        var published = Cut(table, cube, spec, cellOf, out var suppressedCells);
        if (report == "regions")
        {
            published = Rerank(published);
        }

        return new ResultTable(published.Columns, published.Rows, published.Notes.Append(Note(cube, suppressedCells)).ToArray());
    }

    private static DisclosureSpec Spec(string report) => report switch
    {
        "regions" => RegionsReport.Disclosure,
        "referrals" => ReferralsReport.Disclosure,
        _ => FunnelReport.Disclosure,
    };

    private static Func<object?[], string, (string, int)> Regions(DisclosureCube cube, ResultTable table, ReportRequest request, int period)
    {
        var (prefix, column) = request.Level == RegionLevel.Department ? (PublicationCube.Department, "department") : (PublicationCube.Directorate, "directorate");
        var name = table.IndexOf(column);
        return (row, count) =>
        {
            var measure = PublicationCube.RegionalMeasures[count];
            return (measure, cube.Cell(measure, prefix + (string)row[name]!, period));
        };
    }

    private static Func<object?[], string, (string, int)> Referrals(DisclosureCube cube, ResultTable table, int period)
    {
        var name = table.IndexOf("directorate");
        return (row, count) =>
        {
            var measure = PublicationCube.ReferralMeasures[count];
            return (measure, cube.Cell(measure, PublicationCube.Referral + DirectorateName.Key((string)row[name]!), period));
        };
    }

    private static Func<object?[], string, (string, int)> Funnel(DisclosureCube cube, ResultTable table, ReportRequest request, int period)
    {
        var stageColumn = table.IndexOf("stage");
        var stages = FunnelReport.Stages.Select(s => s.Stage).ToList();
        return (row, count) =>
        {
            var s = stages.IndexOf((string)row[stageColumn]!);
            var measure = count switch
            {
                "cases" => PublicationCube.FunnelCases(request.AllCases, stages[s]),
                "previous_stage_cases" => PublicationCube.FunnelCases(request.AllCases, stages[s - 1]),
                _ => PublicationCube.FunnelFromPrevious(request.AllCases, stages[s]),
            };
            return (measure, cube.Cell(measure, PublicationCube.National, period));
        };
    }

    private static ResultTable Cut(ResultTable table, DisclosureCube cube, DisclosureSpec spec, Func<object?[], string, (string Measure, int Cell)> cellOf, out int suppressedCells)
    {
        var columns = table.Columns.Append(new ResultColumn(DisclosureControl.SuppressedColumn, typeof(string))).ToArray();
        var rows = new List<object?[]>(table.Rows.Count);
        suppressedCells = 0;
        foreach (var source in table.Rows)
        {
            var row = new object?[columns.Length];
            Array.Copy(source, row, source.Length);
            var names = new List<string>();
            foreach (var count in spec.CountColumns)
            {
                var c = table.IndexOf(count);
                if (DisclosureControl.ToCount(source[c]) is not { } value)
                {
                    continue;
                }

                var (measure, cell) = cellOf(source, count);
                if (cell < 0)
                {
                    // An area the cube does not hold has no facts: its counts are zeros, which are published.
                    if (value != 0)
                    {
                        throw new InvalidOperationException($"{count} = {value} for an area the disclosure cube does not hold ({measure}).");
                    }

                    continue;
                }

                if (cube.Value(measure, cell) != value)
                {
                    throw new InvalidOperationException($"{count} = {value} differs from its disclosure cube cell ({measure}: {cube.Value(measure, cell)}).");
                }

                if (cube.IsSuppressed(measure, cell))
                {
                    row[c] = null;
                    names.Add(count);
                }
            }

            foreach (var derived in spec.DerivedColumns)
            {
                var c = table.IndexOf(derived.Column);
                if (derived.Sources.Any(names.Contains) && !names.Contains(derived.Column))
                {
                    row[c] = null;
                    names.Add(derived.Column);
                }
            }

            suppressedCells += names.Count;
            row[^1] = string.Join(';', names);
            rows.Add(row);
        }

        return new ResultTable(columns, rows, table.Notes);
    }

    // The ranking by TIP calls would place a suppressed region between two published ones and bound its value:
    // published regions are ranked by their published counts, regions whose TIP calls are suppressed follow, unranked,
    // in name order.
    private static ResultTable Rerank(ResultTable table)
    {
        var rank = table.IndexOf("rank");
        var calls = table.IndexOf("tip_calls");
        var reports = table.IndexOf("tip_reports");
        var name = rank + 1;
        var flag = table.IndexOf(DisclosureControl.SuppressedColumn);
        var ordered = table.Rows
            .OrderByDescending(r => r[calls] is long c ? c : -1)
            .ThenByDescending(r => r[calls] is long && r[reports] is long p ? p : -1)
            .ThenBy(r => (string)r[name]!, StringComparer.Ordinal)
            .Select((r, i) =>
            {
                var copy = (object?[])r.Clone();
                if (r[calls] is long)
                {
                    copy[rank] = i + 1;
                }
                else
                {
                    copy[rank] = null;
                    copy[flag] = string.Join(';', DisclosureControl.SuppressedNames(r[flag]).Prepend("rank"));
                }

                return copy;
            })
            .ToArray();
        return new ResultTable(table.Columns, ordered, table.Notes.Append("Ranks follow the published TIP calls (then TIP reports); regions whose TIP calls are suppressed come last, unranked, by name, so the order bounds no suppressed count.").ToArray());
    }
}
