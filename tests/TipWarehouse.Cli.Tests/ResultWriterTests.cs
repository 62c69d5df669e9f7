using TipWarehouse.Cli.Output;
using TipWarehouse.Core;

namespace TipWarehouse.Cli.Tests;

public sealed class ResultWriterTests
{
    private static readonly ResultTable s_table = new(
        [new ResultColumn("pipeline", typeof(string)), new ResultColumn("day", typeof(DateOnly)), new ResultColumn("share", typeof(double)), new ResultColumn("rows_read", typeof(long))],
        [
            ["hotline", new DateOnly(2006, 3, 13), 0.155, 1042L],
            ["police, \"PNP\"", new DateTime(2007, 1, 2, 13, 5, 0), null, 7L],
        ]);

    [Fact]
    public void Csv_is_rfc4180_with_snake_case_header_iso_dates_and_invariant_decimals()
    {
        var writer = new StringWriter();
        ResultWriter.Write(s_table, "csv", writer);
        Assert.Equal(
            "pipeline,day,share,rows_read\r\nhotline,2006-03-13,0.155,1042\r\n\"police, \"\"PNP\"\"\",2007-01-02T13:05:00,,7\r\n",
            writer.ToString());
    }

    [Fact]
    public void Json_is_an_array_of_objects_with_typed_values()
    {
        var writer = new StringWriter();
        ResultWriter.Write(s_table, "json", writer);
        using var document = System.Text.Json.JsonDocument.Parse(writer.ToString());
        var rows = document.RootElement.EnumerateArray().ToArray();
        Assert.Equal(2, rows.Length);
        Assert.Equal(1042, rows[0].GetProperty("rows_read").GetInt64());
        Assert.Equal("2006-03-13", rows[0].GetProperty("day").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, rows[1].GetProperty("share").ValueKind);
    }

    [Fact]
    public void Table_shows_every_value_and_a_row_count()
    {
        var writer = new StringWriter();
        ResultWriter.Write(s_table, "table", writer);
        var text = writer.ToString();
        Assert.Contains("rows_read", text, StringComparison.Ordinal);
        Assert.Contains("police, \"PNP\"", text, StringComparison.Ordinal);
        Assert.Contains("2 rows", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_format_is_a_usage_error()
    {
        var ex = Assert.Throws<UsageException>(() => ResultWriter.Write(s_table, "xml", new StringWriter()));
        Assert.Equal(2, ex.ExitCode);
    }
}
