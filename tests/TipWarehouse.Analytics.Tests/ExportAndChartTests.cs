using System.Globalization;
using SkiaSharp;
using TipWarehouse.Analytics.Charts;
using TipWarehouse.Analytics.Export;
using TipWarehouse.Analytics.Reports;
using TipWarehouse.Core;

namespace TipWarehouse.Analytics.Tests;

public sealed class ExportAndChartTests : IClassFixture<WarehouseFixture>, IDisposable
{
    private readonly SyntheticWarehouse _warehouse;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tipw-analytics-" + Guid.NewGuid().ToString("N"));

    public ExportAndChartTests(WarehouseFixture fixture)
    {
        _warehouse = fixture.Warehouse;
        Directory.CreateDirectory(_directory);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("dw.fact_hotline_call")]
    [InlineData("dw.fact_police_report")]
    [InlineData("dw.dim_geography")]
    [InlineData("rpt.v_monthly_national")]
    [InlineData("fact_case_lifecycle")]
    public async Task Arrow_export_reads_back_equal_to_the_source_rows(string name)
    {
        var source = WarehouseExport.Resolve(_warehouse.Connection, name);
        var path = Path.Combine(_directory, source + ".arrow");
        var written = await WarehouseExport.ToArrowAsync(_warehouse.Connection, source, path);
        var expected = WarehouseExport.ReadAll(_warehouse.Connection, source);
        var actual = await ArrowExport.ReadAsync(path);
        Assert.Equal(expected.Rows.Count, written);
        Assert.Equal(expected.Columns.Select(c => c.Name), actual.Columns.Select(c => c.Name));
        Assert.Equal(expected.Rows.Count, actual.Rows.Count);

        // Views have no guaranteed order (DuckDB scans in parallel): compare the rows as multisets.
        Assert.Equal(Canonical(expected), Canonical(actual));

        // The file starts and ends with the Arrow IPC file magic (not the stream format).
        var bytes = await File.ReadAllBytesAsync(path);
        Assert.Equal("ARROW1"u8.ToArray(), bytes[..6]);
        Assert.Equal("ARROW1"u8.ToArray(), bytes[^6..]);
    }

    [Theory]
    [InlineData("dw.fact_hotline_call")]
    [InlineData("rpt.v_regional_monthly")]
    public void Parquet_export_reads_back_equal_to_the_source_rows(string name)
    {
        var source = WarehouseExport.Resolve(_warehouse.Connection, name);
        var path = Path.Combine(_directory, source + ".parquet");
        var written = WarehouseExport.ToParquet(_warehouse.Connection, source, path);
        Assert.Equal(WarehouseExport.ReadAll(_warehouse.Connection, source).Rows.Count, written);
        Assert.Equal(0L, Scalar($"SELECT COUNT(*) FROM (SELECT * FROM {source.QuotedName} EXCEPT ALL SELECT * FROM read_parquet('{path}'))"));
        Assert.Equal(0L, Scalar($"SELECT COUNT(*) FROM (SELECT * FROM read_parquet('{path}') EXCEPT ALL SELECT * FROM {source.QuotedName})"));
    }

    [Theory]
    [InlineData("rpt.v_monthly_national")]
    [InlineData("rpt.v_regional_monthly")]
    public void Parquet_export_of_a_report_view_writes_its_sums_as_bigint_not_double(string name)
    {
        var source = WarehouseExport.Resolve(_warehouse.Connection, name);
        var hugeints = WarehouseExport.ColumnTypes(_warehouse.Connection, source).Where(c => c.Value == "HUGEINT").Select(c => c.Key).ToList();
        Assert.NotEmpty(hugeints);
        var path = Path.Combine(_directory, source + ".types.parquet");
        WarehouseExport.ToParquet(_warehouse.Connection, source, path);

        using var describe = _warehouse.Connection.CreateCommand();
        describe.CommandText = $"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('{path}'))";
        using var reader = describe.ExecuteReader();
        var written = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            written[reader.GetString(0)] = reader.GetString(1);
        }

        Assert.All(hugeints, c => Assert.Equal("BIGINT", written[c]));
    }

    [Fact]
    public async Task Report_tables_export_to_arrow_and_parquet_with_suppressed_cells_as_nulls()
    {
        var table = ReportCatalog.Run(_warehouse.Connection, "monthly", new ReportRequest { From = new(2006, 1), To = new(2006, 12), Publish = true });
        var arrow = Path.Combine(_directory, "monthly.arrow");
        await ArrowExport.WriteAsync(table, arrow);
        var back = await ArrowExport.ReadAsync(arrow);
        Assert.Equal(table.Rows.Count, back.Rows.Count);
        for (var r = 0; r < table.Rows.Count; r++)
        {
            Assert.Equal(table.Rows[r].Select(Normalize), back.Rows[r].Select(Normalize));
        }

        var parquet = Path.Combine(_directory, "monthly.parquet");
        WarehouseExport.ToParquet(table, parquet);
        Assert.Equal(12L, Scalar($"SELECT COUNT(*) FROM read_parquet('{parquet}')"));
        Assert.Equal(
            table.Rows.Count(r => r[table.IndexOf("tip_arrests")] is null),
            Scalar($"SELECT COUNT(*) FROM read_parquet('{parquet}') WHERE tip_arrests IS NULL"));
    }

    [Fact]
    public void Unknown_export_name_is_a_usage_error_with_examples()
    {
        var ex = Assert.Throws<UsageException>(() => WarehouseExport.Resolve(_warehouse.Connection, "dw.nope; DROP TABLE x"));
        Assert.Contains("dw.fact_hotline_call", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("monthly")]
    [InlineData("funnel")]
    [InlineData("regions")]
    public void Charts_render_to_png_with_the_chart_size_and_real_content(string name)
    {
        var table = ReportCatalog.Run(_warehouse.Connection, name, new ReportRequest { From = new(2005, 1), To = new(2007, 12) });
        var path = Path.Combine(_directory, name + ".png");
        ReportCharts.Render(name, table, path);
        using var bitmap = SKBitmap.Decode(path);
        Assert.NotNull(bitmap);
        Assert.Equal(ReportCharts.Width, bitmap.Width);
        Assert.Equal(ReportCharts.Height, bitmap.Height);
        var colors = new HashSet<SKColor>();
        for (var x = 0; x < bitmap.Width; x += 7)
        {
            for (var y = 0; y < bitmap.Height; y += 7)
            {
                colors.Add(bitmap.GetPixel(x, y));
            }
        }

        Assert.True(colors.Count > 10, $"only {colors.Count} colours: the chart looks empty");
    }

    [Fact]
    public void Monthly_chart_renders_for_quarters_and_a_published_table()
    {
        var table = ReportCatalog.Run(_warehouse.Connection, "monthly", new ReportRequest { By = PeriodGrain.Quarter, Publish = true });
        var path = Path.Combine(_directory, "quarterly.png");
        ReportCharts.Render("monthly", table, path);
        Assert.True(new FileInfo(path).Length > 10_000);
    }

    [Fact]
    public void Reports_without_a_chart_refuse_png()
    {
        var table = ReportCatalog.Run(_warehouse.Connection, "referrals", new ReportRequest());
        Assert.Throws<UsageException>(() => ReportCharts.Render("referrals", table, Path.Combine(_directory, "x.png")));
    }

    private long Scalar(string sql)
    {
        using var command = _warehouse.Connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static string[] Canonical(ResultTable table) =>
        table.Rows.Select(r => string.Join('\u001f', r.Select(v => Convert.ToString(Normalize(v), CultureInfo.InvariantCulture) ?? "<null>"))).Order(StringComparer.Ordinal).ToArray();

    private static object? Normalize(object? value) => value switch
    {
        null => null,
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime dt when dt.TimeOfDay == TimeSpan.Zero => dt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime dt => dt.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        System.Numerics.BigInteger b => (long)b,
        int i => (long)i,
        short s => (long)s,
        float f => (double)f,
        _ => value,
    };
}
