using TipWarehouse.Analytics.Disclosure;
using TipWarehouse.Analytics.Reports;
using TipWarehouse.Core;

namespace TipWarehouse.Analytics.Tests;

/// <summary>
/// Safe by construction: every published national figure (all --by levels, every window aligned to the grid) is a
/// cell of one cube per measure, and no combination of them recovers a suppressed cell by linear differencing.
/// </summary>
public sealed class MonthlyDisclosureCubeTests : IClassFixture<WarehouseFixture>
{
    private readonly SyntheticWarehouse _warehouse;

    public MonthlyDisclosureCubeTests(WarehouseFixture fixture) => _warehouse = fixture.Warehouse;

    [Fact]
    public void No_combination_of_published_monthly_reports_recovers_a_suppressed_cell()
    {
        var policy = DisclosurePolicy.Default;
        var grid = MonthlyDisclosure.Grid(_warehouse.Connection) ?? throw new InvalidOperationException("no data");
        var cube = MonthlyDisclosure.Cube(_warehouse.Connection, policy, 10)!;
        var published = new Dictionary<(string Measure, int Cell), long>();
        var reports = 0;
        foreach (var (by, size) in new[] { (PeriodGrain.Month, 1), (PeriodGrain.Quarter, 3), (PeriodGrain.Year, 12) })
        {
            for (var from = grid.First; from <= grid.Last; from = from.AddMonths(size))
            {
                for (var to = from.AddMonths(size - 1); to <= grid.Last; to = to.AddMonths(size))
                {
                    var table = ReportCatalog.Run(_warehouse.Connection, "monthly", new ReportRequest { From = from, To = to, By = by, Publish = true, K = 10 });
                    reports++;
                    Collect(table, by, grid.First, cube, published);
                }
            }
        }

        // National default windows too (no --from/--to).
        foreach (var by in new[] { PeriodGrain.Month, PeriodGrain.Quarter, PeriodGrain.Year })
        {
            Collect(ReportCatalog.Run(_warehouse.Connection, "monthly", new ReportRequest { By = by, Publish = true, K = 10 }), by, grid.First, cube, published);
            reports++;
        }

        Assert.True(reports > 600, $"{reports} reports");
        var equations = cube.Equations();
        var anySuppressed = false;
        foreach (var measure in MonthlyReport.CountColumns)
        {
            var k = policy.ThresholdOf(measure, 10);
            var hidden = new bool[cube.CellCount];
            for (var c = 0; c < cube.CellCount; c++)
            {
                hidden[c] = !published.ContainsKey((measure, c));
                var value = cube.Value(measure, c);
                if (value > 0 && value < k)
                {
                    Assert.True(hidden[c], $"{measure} cell {c} = {value} < k={k} is published");
                }
            }

            anySuppressed |= hidden.Take(cube.CellCount - 1).Any(h => h);
            // Only suppressed (or small) cells matter: the all-years total is never published but may be derived.
            var recoverable = DisclosureCube.FirstRecoverable(hidden, equations, c => cube.IsSuppressed(measure, c) || (cube.Value(measure, c) > 0 && cube.Value(measure, c) < k));
            Assert.True(recoverable < 0, $"{measure}: cell {recoverable} (value {(recoverable >= 0 ? cube.Value(measure, recoverable) : 0)}) is recoverable from the published reports");
        }

        Assert.True(anySuppressed, "the synthetic world has small cells, so something must be suppressed");
    }

    [Fact]
    public void The_reviewers_attack_no_longer_works()
    {
        // tip_arrests 2007-01 = 7, Feb 11, Mar 10: the quarter (28) minus the two published months gave January back.
        var months = new long[12];
        months[0] = 7;
        months[1] = 11;
        months[2] = 10;
        for (var m = 3; m < 12; m++)
        {
            months[m] = 12 + m;
        }

        var cube = DisclosureCube.Build(new YearMonth(2007, 1), new Dictionary<string, long[]> { ["tip_arrests"] = months }, _ => 10);
        Assert.True(cube.IsSuppressed("tip_arrests", cube.CellOf(PeriodGrain.Month, new YearMonth(2007, 1))));
        var hidden = Enumerable.Range(0, cube.CellCount).Select(c => cube.IsSuppressed("tip_arrests", c)).ToArray();
        Assert.True(hidden.Count(h => h) >= 2);
        Assert.False(DisclosureCube.AnyRecoverable(hidden, cube.Equations()));
        Assert.True(DisclosureCube.AnyRecoverable([true, .. new bool[cube.CellCount - 1]], cube.Equations()), "one hidden month with its quarter published is recoverable");
    }

    [Fact]
    public void Institutional_acts_are_published_from_their_own_threshold_and_unlisted_measures_count_as_persons()
    {
        var policy = DisclosurePolicy.Default;
        Assert.Equal(3, policy.ThresholdOf("cases_sent_to_prosecution", 10));
        Assert.Equal(3, policy.ThresholdOf("tip_cases_sent_to_prosecution", 10));
        Assert.Equal(3, policy.ThresholdOf("tip_convictions", 10));
        Assert.Equal(10, policy.ThresholdOf("tip_arrests", 10));
        Assert.Equal(10, policy.ThresholdOf("persons_charged_pimping", 10));
        Assert.Equal(20, policy.ThresholdOf("a_measure_nobody_classified", 20));
        Assert.Equal(2, policy.ThresholdOf("hotline_calls", 2));
        Assert.Equal(["calls_tip_by_model", "calls_scored"], policy.Shares["tip_share_model_low"]);
        foreach (var measure in MonthlyReport.CountColumns)
        {
            Assert.True(policy.Lists(measure), $"{measure} is not classified in reference/disclosure_policy.yaml");
        }
    }

    [Fact]
    public void A_bad_policy_names_the_file_and_line()
    {
        var error = Assert.Throws<TipwException>(() => DisclosurePolicy.Parse("thresholds:\n  persons: 10\nmeasures:\n  calls: people\n", "policy.yaml"));
        Assert.Contains("policy.yaml:4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_published_quarterly_window_must_cover_whole_quarters()
    {
        var grid = MonthlyDisclosure.Grid(_warehouse.Connection)!.Value;
        Assert.Throws<UsageException>(() => ReportCatalog.Run(_warehouse.Connection, "monthly", new ReportRequest { From = grid.First.AddMonths(1), To = grid.Last, By = PeriodGrain.Quarter, Publish = true }));
    }

    private static void Collect(ResultTable table, PeriodGrain by, YearMonth first, DisclosureCube cube, Dictionary<(string Measure, int Cell), long> published)
    {
        var labels = new Dictionary<string, YearMonth>(StringComparer.Ordinal);
        for (var m = first; m <= cube.Last; m = m.AddMonths(1))
        {
            labels.TryAdd(m.PeriodLabel(by), m);
        }

        foreach (var row in table.Rows)
        {
            var cell = cube.CellOf(by, labels[(string)row[table.IndexOf("period")]!]);
            foreach (var measure in MonthlyReport.CountColumns)
            {
                if (row[table.IndexOf(measure)] is long value)
                {
                    if (published.TryGetValue((measure, cell), out var seen))
                    {
                        Assert.Equal(seen, value);
                    }

                    published[(measure, cell)] = value;
                    Assert.Equal(cube.Value(measure, cell), value);
                }
            }
        }
    }
}
