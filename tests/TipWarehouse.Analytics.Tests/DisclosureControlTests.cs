using TipWarehouse.Analytics.Disclosure;
using TipWarehouse.Analytics.Reports;
using TipWarehouse.Core;

namespace TipWarehouse.Analytics.Tests;

public sealed class DisclosureControlTests : IClassFixture<WarehouseFixture>
{
    private static readonly DisclosureSpec s_spec = new(["a", "b"], [new DerivedColumn("share", ["b", "a"])]);

    private readonly SyntheticWarehouse _warehouse;

    public DisclosureControlTests(WarehouseFixture fixture) => _warehouse = fixture.Warehouse;

    [Fact]
    public void Counts_between_1_and_k_minus_1_are_suppressed_and_zeros_are_published()
    {
        var table = Table([("r1", 0, 0), ("r2", 5, 3), ("r3", 40, 12), ("r4", 50, 20)]);
        var result = DisclosureControl.Apply(table, s_spec, 10);
        var published = result.Table;
        Assert.Equal(0L, published.Rows[0][1]);
        Assert.Null(published.Rows[1][1]);
        Assert.Null(published.Rows[1][2]);
        Assert.Null(published.Rows[1][3]);
        Assert.Equal("a;b;share", published.Rows[1][^1]);
        Assert.Equal(2, result.PrimarySuppressed);
        Assert.Contains(published.Notes, n => n.Contains("suppressed", StringComparison.Ordinal));
    }

    [Fact]
    public void A_lone_suppressed_cell_in_a_column_gets_a_partner_so_the_total_cannot_reveal_it()
    {
        var table = Table([("r1", 100, 30), ("r2", 4, 15), ("r3", 40, 12), ("r4", 50, 20)]);
        var result = DisclosureControl.Apply(table, s_spec, 10);
        Assert.Equal(1, result.PrimarySuppressed);
        Assert.Equal(1, result.SecondarySuppressed);

        // The smallest other non-zero cell of column a (40, row r3) is suppressed with it; its share goes too.
        Assert.Null(result.Table.Rows[2][1]);
        Assert.Null(result.Table.Rows[2][3]);
        Assert.Equal(12L, result.Table.Rows[2][2]);
        AssertNoRecoverableCell(result.Table, ["a", "b"], 10);
    }

    [Fact]
    public void Random_tables_never_publish_a_small_count_or_a_recoverable_cell()
    {
        var random = new Random(42);
        for (var trial = 0; trial < 300; trial++)
        {
            var rows = Enumerable.Range(0, random.Next(2, 15))
                .Select(i => ($"r{i}", (long)Pick(random), (long)Pick(random)))
                .ToArray();
            var k = random.Next(3, 12);
            var result = DisclosureControl.Apply(Table(rows), s_spec, k);
            AssertNoRecoverableCell(result.Table, ["a", "b"], k);
            Assert.Equal(result.TotalSuppressed, result.Table.Rows.Sum(r => DisclosureControl.SuppressedNames(r[^1]).Count()));
        }
    }

    [Fact]
    public void Published_monthly_report_has_no_small_count_and_no_recoverable_cell()
    {
        var request = new ReportRequest { From = new(2006, 1), To = new(2007, 12), Publish = true, K = 10 };
        var table = ReportCatalog.Run(_warehouse.Connection, "monthly", request);
        Assert.Equal(24, table.Rows.Count);
        // Small counts (under each measure's policy threshold) are never published; recoverability across every window
        // and --by level is checked on the cube (MonthlyDisclosureCubeTests).
        AssertNoSmallCount(table, MonthlyReport.CountColumns.Where(c => c is not "calls_scored" and not "calls_tip_by_model").ToArray(), c => DisclosurePolicy.Default.ThresholdOf(c, 10));
        Assert.Contains(table.Rows, r => ((string)r[^1]!).Length > 0);
        Assert.Equal(0L, table.Rows[0][table.IndexOf("hotline_calls")]);
        Assert.Contains(table.Notes, n => n.StartsWith("Disclosure control: every figure is a cell of one cube per measure", StringComparison.Ordinal));

        // A share is never shown beside a suppressed count it was computed from.
        foreach (var row in table.Rows.Where(r => r[table.IndexOf("calls_tip_by_operator")] is null))
        {
            Assert.Null(row[table.IndexOf("tip_share_operator")]);
        }
    }

    [Fact]
    public void Published_regions_and_referrals_have_no_small_count_and_no_recoverable_cell()
    {
        var request = new ReportRequest { From = new(2006, 4), To = new(2006, 6), Publish = true, K = 10 };
        var regions = ReportCatalog.Run(_warehouse.Connection, "regions", request);
        AssertNoSmallCount(regions, RegionsReport.Disclosure.CountColumns, c => DisclosurePolicy.Default.ThresholdOf(c, 10));
        Assert.Contains(regions.Rows, r => ((string)r[^1]!).Length > 0);

        // One suppressed directorate in a column is safe only because the national cell it would be recovered from is
        // suppressed too (CrossReportDisclosureTests checks every combination of reports).
        var cube = PublicationCube.Build(_warehouse.Connection, DisclosurePolicy.Default, 10)!;
        var quarter = cube.CellOf(PeriodGrain.Quarter, new YearMonth(2006, 4));
        foreach (var (column, measure) in PublicationCube.RegionalMeasures)
        {
            var suppressed = regions.Rows.Count(r => DisclosureControl.SuppressedNames(r[^1]).Contains(column));
            Assert.True(suppressed != 1 || cube.IsSuppressed(measure, quarter), $"{column}: one suppressed directorate with the national {measure} published");
        }

        var referrals = ReportCatalog.Run(_warehouse.Connection, "referrals", request);
        AssertNoSmallCount(referrals, ReferralsReport.Disclosure.CountColumns, c => DisclosurePolicy.Default.ThresholdOf(c, 10));
        var funnel = ReportCatalog.Run(_warehouse.Connection, "funnel", request with { From = new(2006, 1), To = new(2006, 12) });
        foreach (var row in funnel.Rows)
        {
            foreach (var column in FunnelReport.Disclosure.CountColumns)
            {
                var k = DisclosurePolicy.Default.ThresholdOf(column, 10);
                Assert.False(row[funnel.IndexOf(column)] is long v && v > 0 && v < k, $"{column} = {row[funnel.IndexOf(column)]}");
            }
        }
    }

    [Fact]
    public void Display_marks_suppressed_cells_instead_of_leaving_them_blank()
    {
        var result = DisclosureControl.Apply(Table([("r1", 100, 30), ("r2", 4, 15), ("r3", 40, 12)]), s_spec, 10);
        var display = DisclosureControl.ForDisplay(result.Table);
        Assert.Equal(DisclosureControl.Marker, display.Rows[1][1]);
        Assert.Equal("100", display.Rows[0][1]);
    }

    [Fact]
    public void A_threshold_below_2_is_a_usage_error()
    {
        Assert.Throws<UsageException>(() => DisclosureControl.Apply(Table([("r1", 1, 1)]), s_spec, 1));
    }

    internal static void AssertNoRecoverableCell(ResultTable table, IReadOnlyList<string> countColumns, int k) => AssertNoRecoverableCell(table, countColumns, _ => k);

    internal static void AssertNoSmallCount(ResultTable table, IReadOnlyList<string> countColumns, Func<string, int> thresholdOf)
    {
        foreach (var column in countColumns)
        {
            var k = thresholdOf(column);
            foreach (var row in table.Rows)
            {
                if (row[table.IndexOf(column)] is { } value)
                {
                    var count = Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
                    Assert.False(count is > 0 && count < k, $"{column} publishes {count} < k={k}");
                }
            }
        }
    }

    internal static void AssertNoRecoverableCell(ResultTable table, IReadOnlyList<string> countColumns, Func<string, int> thresholdOf)
    {
        var flag = table.IndexOf(DisclosureControl.SuppressedColumn);
        foreach (var column in countColumns)
        {
            var k = thresholdOf(column);
            var index = table.IndexOf(column);
            var suppressed = 0;
            foreach (var row in table.Rows)
            {
                var names = DisclosureControl.SuppressedNames(row[flag]).ToArray();
                if (names.Contains(column))
                {
                    suppressed++;
                    Assert.Null(row[index]);
                }
                else if (row[index] is { } value)
                {
                    var count = Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
                    Assert.False(count is > 0 && count < k, $"{column} publishes {count} < k={k}");
                }
            }

            // The column total is published (here or in a coarser report): exactly one hidden cell would be recoverable.
            Assert.True(suppressed != 1 || table.Rows.Count == 1, $"{column} has exactly one suppressed cell");
        }
    }

    private static int Pick(Random random) => random.Next(4) switch
    {
        0 => 0,
        1 => random.Next(1, 12),
        _ => random.Next(10, 200),
    };

    private static ResultTable Table(IEnumerable<(string Name, long A, long B)> rows) =>
        new(
            [new ResultColumn("name", typeof(string)), new ResultColumn("a", typeof(long)), new ResultColumn("b", typeof(long)), new ResultColumn("share", typeof(double))],
            rows.Select(r => new object?[] { r.Name, r.A, r.B, r.A == 0 ? null : (double)r.B / r.A }).ToArray());
}
