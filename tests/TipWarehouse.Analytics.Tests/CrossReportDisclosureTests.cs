using System.Diagnostics;
using TipWarehouse.Analytics.Disclosure;
using TipWarehouse.Analytics.Reports;
using TipWarehouse.Core;
using Xunit.Abstractions;

namespace TipWarehouse.Analytics.Tests;

/// <summary>
/// Safe across reports and geography: every published report (monthly at every --by and aligned window, regions at
/// both levels, referrals and the funnel at every window that is a grid cell, national and regional) is collected as
/// cells (measure, area, period); the test writes the additivity equations itself (months → quarters → years → all
/// years in every area; departments → directorates → nation; the referral directorates → nation) and checks by exact
/// elimination that no cell any report suppressed follows from the cells the reports publish.
/// </summary>
public sealed class CrossReportDisclosureTests : IClassFixture<WarehouseFixture>
{
    private readonly SyntheticWarehouse _warehouse;
    private readonly ITestOutputHelper _output;

    public CrossReportDisclosureTests(WarehouseFixture fixture, ITestOutputHelper output)
    {
        _warehouse = fixture.Warehouse;
        _output = output;
    }

    [Fact]
    public void No_combination_of_published_reports_across_time_and_geography_recovers_a_suppressed_cell()
    {
        var grid = PublicationCube.Grid(_warehouse.Connection) ?? throw new InvalidOperationException("no data");
        var years = grid.Last.Year - grid.First.Year + 1;
        var periods = (years * 12) + (years * 4) + years + 1;
        var published = new Dictionary<(string Measure, string Area, int Period), long>();
        var suppressed = new HashSet<(string Measure, string Area, int Period)>();
        var reports = 0;

        void Record(string measure, string area, int period, object? value, bool isSuppressed)
        {
            var cell = (measure, area, period);
            if (isSuppressed)
            {
                suppressed.Add(cell);
                Assert.False(published.ContainsKey(cell), $"{cell} is published in one report and suppressed in another");
                return;
            }

            if (value is null)
            {
                return; // not a count in this report (model columns without an active model)
            }

            var count = Assert.IsType<long>(value);
            Assert.False(suppressed.Contains(cell), $"{cell} is suppressed in one report and published in another");
            if (published.TryGetValue(cell, out var seen))
            {
                Assert.Equal(seen, count);
            }

            published[cell] = count;
        }

        // Period cells, written here from the grid: months, then quarters, years and the total.
        int PeriodOf(PeriodGrain by, YearMonth month)
        {
            var offset = month.Index - grid.First.Index;
            return by switch { PeriodGrain.Month => offset, PeriodGrain.Quarter => (years * 12) + (offset / 3), _ => (years * 16) + (offset / 12) };
        }

        var windows = new List<(YearMonth From, YearMonth To, int Period)>();
        for (var m = grid.First; m <= grid.Last; m = m.AddMonths(1))
        {
            windows.Add((m, m, PeriodOf(PeriodGrain.Month, m)));
            if ((m.Month - 1) % 3 == 0)
            {
                windows.Add((m, m.AddMonths(2), PeriodOf(PeriodGrain.Quarter, m)));
            }

            if (m.Month == 1)
            {
                windows.Add((m, m.AddMonths(11), PeriodOf(PeriodGrain.Year, m)));
            }
        }

        windows.Add((grid.First, grid.Last, periods - 1));

        // monthly: every --by, each period alone and the whole grid (national cells). A longer aligned window publishes
        // the same cells as its periods alone (MonthlyDisclosureCubeTests runs all 600+ windows and checks each cell is
        // one cube cell), so these cover every published national cell.
        var nationalMeasures = MonthlyReport.CountColumns.Concat(["tip_cases_sent_to_prosecution", "persons_charged_pimping", "tip_convictions"]).ToArray();
        foreach (var (by, size) in new[] { (PeriodGrain.Month, 1), (PeriodGrain.Quarter, 3), (PeriodGrain.Year, 12) })
        {
            var monthlyWindows = Enumerable.Range(0, years * 12 / size).Select(i => (From: grid.First.AddMonths(i * size), To: grid.First.AddMonths((i * size) + size - 1))).Append((grid.First, grid.Last));
            foreach (var (from, to) in monthlyWindows)
            {
                var table = Run("monthly", new ReportRequest { From = from, To = to, By = by });
                reports++;
                foreach (var row in table.Rows)
                {
                    var label = (string)row[table.IndexOf("period")]!;
                    var month = Enumerable.Range(0, years * 12).Select(grid.First.AddMonths).First(m => m.PeriodLabel(by) == label);
                    var names = DisclosureControl.SuppressedNames(row[table.IndexOf(DisclosureControl.SuppressedColumn)]).ToHashSet();
                    foreach (var measure in nationalMeasures)
                    {
                        Record(measure, "national", PeriodOf(by, month), row[table.IndexOf(measure)], names.Contains(measure));
                    }
                }
            }
        }

        // regions (both levels), referrals and the funnel (TIP and all cases): every window that is a grid cell.
        var regional = new (string Column, string Measure)[] { ("hotline_calls", "hotline_calls"), ("tip_calls", "calls_tip_by_operator"), ("tip_reports", "tip_police_reports"), ("tip_cases", "cases_sent_to_prosecution"), ("calls_scored", "calls_scored") };
        var referral = new (string Column, string Measure)[] { ("tip_calls", "calls_tip_by_operator"), ("referred_calls", "referred_calls"), ("referred_became_report", "referred_became_report") };
        var referralAreas = new HashSet<string>();
        foreach (var (from, to, period) in windows)
        {
            foreach (var level in new[] { RegionLevel.Department, RegionLevel.Directorate })
            {
                var table = Run("regions", new ReportRequest { From = from, To = to, Level = level });
                reports++;
                var nameColumn = level == RegionLevel.Department ? "department" : "directorate";
                foreach (var row in table.Rows)
                {
                    var names = DisclosureControl.SuppressedNames(row[^1]).ToHashSet();
                    foreach (var (column, measure) in regional)
                    {
                        Record(measure, $"{nameColumn}:{row[table.IndexOf(nameColumn)]}", period, row[table.IndexOf(column)], names.Contains(column));
                    }
                }
            }

            var referrals = Run("referrals", new ReportRequest { From = from, To = to });
            reports++;
            foreach (var row in referrals.Rows)
            {
                var area = "referral:" + DirectorateName.Key((string)row[0]!);
                referralAreas.Add(area);
                var names = DisclosureControl.SuppressedNames(row[^1]).ToHashSet();
                foreach (var (column, measure) in referral)
                {
                    Record(measure, area, period, row[referrals.IndexOf(column)], names.Contains(column));
                }
            }

            foreach (var allCases in new[] { false, true })
            {
                var funnel = Run("funnel", new ReportRequest { From = from, To = to, AllCases = allCases });
                reports++;
                for (var s = 0; s < funnel.Rows.Count; s++)
                {
                    var row = funnel.Rows[s];
                    var names = DisclosureControl.SuppressedNames(row[^1]).ToHashSet();
                    var scope = allCases ? "all" : "tip";
                    Record($"funnel.{scope}.cases.{row[0]}", "national", period, row[1], names.Contains("cases"));
                    if (s > 0)
                    {
                        Record($"funnel.{scope}.cases.{funnel.Rows[s - 1][0]}", "national", period, row[2], names.Contains("previous_stage_cases"));
                        Record($"funnel.{scope}.from_previous.{row[0]}", "national", period, row[3], names.Contains("cases_from_previous"));
                    }
                }
            }
        }

        // The geography the synthetic world was written with: which directorate each department lies in (and the unknown place).
        var reported = published.Keys.Concat(suppressed).Select(c => c.Area).ToHashSet();
        var pairs = SyntheticWarehouse.Geographies.Select(g => (g.Department, g.Directorate)).Append(("Desconocido", "Desconocida"))
            .Select(p => (Department: "department:" + p.Item1, Directorate: "directorate:" + p.Item2))
            .Where(p => reported.Contains(p.Department))
            .ToArray();
        var totalSuppressed = 0;
        var recovered = new List<string>();
        foreach (var measure in published.Keys.Concat(suppressed).Select(c => c.Measure).Distinct())
        {
            var areas = new List<string> { "national" };
            var sums = new List<(string Parent, string[] Children)>();
            if (regional.Any(r => r.Measure == measure))
            {
                areas.AddRange(pairs.Select(p => p.Department));
                areas.AddRange(pairs.Select(p => p.Directorate).Distinct());
                sums.Add(("national", pairs.Select(p => p.Directorate).Distinct().ToArray()));
                sums.AddRange(pairs.GroupBy(p => p.Directorate).Select(g => (g.Key, g.Select(p => p.Department).ToArray())));
            }

            if (referral.Any(r => r.Measure == measure))
            {
                areas.AddRange(referralAreas);
                sums.Add(("national", referralAreas.ToArray()));
            }

            var equations = new List<(int Parent, int[] Children)>();
            for (var a = 0; a < areas.Count; a++)
            {
                var o = a * periods;
                for (var q = 0; q < years * 4; q++)
                {
                    equations.Add((o + (years * 12) + q, [o + (3 * q), o + (3 * q) + 1, o + (3 * q) + 2]));
                }

                for (var y = 0; y < years; y++)
                {
                    var q = o + (years * 12) + (4 * y);
                    equations.Add((o + (years * 16) + y, [q, q + 1, q + 2, q + 3]));
                }

                equations.Add((o + periods - 1, Enumerable.Range(o + (years * 16), years).ToArray()));
            }

            foreach (var (parent, children) in sums)
            {
                for (var t = 0; t < periods; t++)
                {
                    equations.Add(((areas.IndexOf(parent) * periods) + t, children.Select(c => (areas.IndexOf(c) * periods) + t).ToArray()));
                }
            }

            var hidden = new bool[areas.Count * periods];
            var sensitive = new bool[hidden.Length];
            for (var c = 0; c < hidden.Length; c++)
            {
                var cell = (measure, areas[c / periods], c % periods);
                hidden[c] = !published.ContainsKey(cell);
                sensitive[c] = suppressed.Contains(cell);
                totalSuppressed += sensitive[c] ? 1 : 0;
            }

            recovered.AddRange(LinearRecovery.Recoverable(hidden, equations, c => sensitive[c]).Select(c => $"{measure} {areas[c / periods]} period {c % periods}"));
        }

        _output.WriteLine($"{reports} reports, {published.Count} published cells, {totalSuppressed} suppressed cells");
        Assert.True(reports > 300, $"{reports} reports");
        Assert.True(suppressed.Any(s => s.Area.StartsWith("department:", StringComparison.Ordinal)), "the synthetic world has small regional cells, so some must be suppressed");
        Assert.True(recovered.Count == 0, $"{recovered.Count} suppressed cell(s) follow from the published ones, e.g. {string.Join("; ", recovered.Take(5))}");
    }

    [Fact]
    public void A_published_regional_window_must_be_one_period_of_the_grid()
    {
        var grid = PublicationCube.Grid(_warehouse.Connection)!.Value;
        foreach (var report in new[] { "regions", "referrals", "funnel" })
        {
            var error = Assert.Throws<UsageException>(() => Run(report, new ReportRequest { From = grid.First, To = grid.First.AddMonths(1) }));
            Assert.Contains("one quarter", error.Message, StringComparison.Ordinal);
            Run(report, new ReportRequest { From = grid.First, To = grid.First.AddMonths(2) });
        }
    }

    [Fact]
    public void The_regional_cube_shares_the_national_cells_of_the_monthly_series_and_reports_its_size()
    {
        var stopwatch = Stopwatch.StartNew();
        var cube = PublicationCube.Build(_warehouse.Connection, DisclosurePolicy.Default, 10)!;
        stopwatch.Stop();
        foreach (var measure in new[] { "hotline_calls", "calls_tip_by_operator", "tip_police_reports", "cases_sent_to_prosecution" })
        {
            var geography = cube.GeographyOf(measure);
            Assert.True(geography.Areas.Count > 1, $"{measure} has a geography");
            var national = cube.Value(measure, cube.TotalCell);
            var departments = geography.Areas.Select((a, i) => (a, i)).Where(x => x.a.StartsWith(PublicationCube.Department, StringComparison.Ordinal)).Sum(x => cube.Value(measure, (x.i * cube.CellCount) + cube.TotalCell));
            Assert.Equal(national, departments);
            _output.WriteLine($"{measure}: {cube.CellsOf(measure)} cells, {cube.PrimaryCount(measure)} primary, {cube.SuppressedCount(measure) - cube.PrimaryCount(measure)} complementary");
        }

        _output.WriteLine($"cube built in {stopwatch.ElapsedMilliseconds} ms");
    }

    private ResultTable Run(string report, ReportRequest request) =>
        ReportCatalog.Run(_warehouse.Connection, report, request with { Publish = true, K = 10 });
}
