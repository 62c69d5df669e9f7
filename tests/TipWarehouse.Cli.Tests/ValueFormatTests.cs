using System.Text;
using System.Text.Json;
using TipWarehouse.Cli.Output;
using TipWarehouse.Core;

namespace TipWarehouse.Cli.Tests;

/// <summary>The README's value-format table, type by type: each DuckDB value read through the warehouse's reader, written as CSV/table text and as JSON.</summary>
public sealed class ValueFormatTests
{
    [Theory]
    [InlineData("true", "true", "true")]
    [InlineData("42::TINYINT", "42", "42")]
    [InlineData("-42::BIGINT", "-42", "-42")]
    [InlineData("170141183460469231731687303715884105727::HUGEINT", "170141183460469231731687303715884105727", "170141183460469231731687303715884105727")]
    [InlineData("18446744073709551615::UBIGINT", "18446744073709551615", "18446744073709551615")]
    [InlineData("0.042999304831027985::DOUBLE", "0.042999304831027985", "0.042999304831027985")]
    [InlineData("1e-10::DOUBLE", "1E-10", "1E-10")]
    [InlineData("'nan'::DOUBLE", "NaN", "null")]
    [InlineData("0.1::FLOAT", "0.1", "0.1")]
    [InlineData("'1.50'::DECIMAL(18,2)", "1.50", "1.50")]
    [InlineData("'1.5'::DECIMAL(38,2)", "1.50", "1.50")]
    [InlineData("'-0.05'::DECIMAL(38,3)", "-0.050", "-0.050")]
    [InlineData("'123456789012345678901234567890123456.78'::DECIMAL(38,2)", "123456789012345678901234567890123456.78", "123456789012345678901234567890123456.78")]
    [InlineData("'-0.00000000000000000000000000000000000001'::DECIMAL(38,38)", "-0.00000000000000000000000000000000000001", "-0.00000000000000000000000000000000000001")]
    [InlineData("'Jesús, \"Lima\"'", "Jesús, \"Lima\"", "\"Jesús, \\\"Lima\\\"\"")]
    [InlineData("DATE '2006-03-13'", "2006-03-13", "\"2006-03-13\"")]
    [InlineData("TIME '07:05:00'", "07:05:00", "\"07:05:00\"")]
    [InlineData("TIME '07:05:09.123'", "07:05:09.123", "\"07:05:09.123\"")]
    [InlineData("TIMETZ '07:05:09+05'", "07:05:09+05:00", "\"07:05:09+05:00\"")]
    [InlineData("TIMESTAMP '2006-03-13 00:00:00'", "2006-03-13T00:00:00", "\"2006-03-13T00:00:00\"")]
    [InlineData("TIMESTAMP '2006-03-13 07:05:09.5'", "2006-03-13T07:05:09.5", "\"2006-03-13T07:05:09.5\"")]
    [InlineData("TIMESTAMPTZ '2006-03-13 07:05:09-05'", "2006-03-13T12:05:09+00:00", "\"2006-03-13T12:05:09+00:00\"")]
    [InlineData("INTERVAL 3 DAY", "P3D", "\"P3D\"")]
    [InlineData("INTERVAL '1 year 2 months 3 days 04:05:06.5'", "P1Y2M3DT4H5M6.5S", "\"P1Y2M3DT4H5M6.5S\"")]
    [InlineData("-INTERVAL 90 MINUTE", "-PT1H30M", "\"-PT1H30M\"")]
    [InlineData("INTERVAL 0 SECOND", "PT0S", "\"PT0S\"")]
    [InlineData("'6ba7b810-9dad-11d1-80b4-00c04fd430c8'::UUID", "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "\"6ba7b810-9dad-11d1-80b4-00c04fd430c8\"")]
    [InlineData("'\\xAA\\x0B'::BLOB", "aa0b", "\"aa0b\"")]
    [InlineData("[1, 2, 3]", "[1,2,3]", "[1,2,3]")]
    [InlineData("[[1], [2, NULL]]", "[[1],[2,null]]", "[[1],[2,null]]")]
    [InlineData("['a', 'ñ']", "[\"a\",\"ñ\"]", "[\"a\",\"ñ\"]")]
    [InlineData("[1.5, 2]::DECIMAL(4,2)[]", "[1.50,2.00]", "[1.50,2.00]")]
    [InlineData("[1, 2]::INTEGER[2]", "[1,2]", "[1,2]")]
    [InlineData("{'a': 1, 'b': DATE '2006-03-13'}", "{\"a\":1,\"b\":\"2006-03-13\"}", "{\"a\":1,\"b\":\"2006-03-13\"}")]
    [InlineData("MAP {'k': 1.5::DOUBLE}", "{\"k\":1.5}", "{\"k\":1.5}")]
    [InlineData("'a'::ENUM('a', 'b')", "a", "\"a\"")]
    [InlineData("'1010'::BIT", "1010", "\"1010\"")]
    [InlineData("NULL::INTEGER", "", "null")]
    public void DuckDB_value_has_one_exact_text_form_and_one_json_form(string sql, string text, string json)
    {
        var table = Read(sql);
        Assert.Equal(text, ResultWriter.FormatValue(table.Rows[0][0]));

        var writer = new StringWriter();
        ResultWriter.Write(table, "json", writer);
        using var document = JsonDocument.Parse(writer.ToString());
        Assert.Equal(json, Compact(document.RootElement[0].GetProperty("v")));

        var csv = new StringWriter();
        ResultWriter.Write(table, "csv", csv);
        var cell = csv.ToString().Split("\r\n")[1];
        Assert.Equal(text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text, cell);
    }

    [Fact]
    public void One_timestamp_column_never_mixes_dates_and_timestamps()
    {
        var table = Read("TIMESTAMP '2006-03-13 00:00:00' UNION ALL SELECT TIMESTAMP '2006-03-13 07:00:00' ORDER BY 1");
        Assert.Equal(["2006-03-13T00:00:00", "2006-03-13T07:00:00"], table.Rows.Select(r => ResultWriter.FormatValue(r[0])));
    }

    [Fact]
    public void Table_format_shows_the_same_exact_text()
    {
        var table = Read("0.042999304831027985::DOUBLE");
        var writer = new StringWriter();
        ResultWriter.Write(table, "table", writer);
        Assert.Contains("0.042999304831027985", writer.ToString(), StringComparison.Ordinal);
    }

    private static ResultTable Read(string sql)
    {
        using var connection = Warehouse.OpenPath(":memory:");
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT " + sql.Replace(" UNION ALL SELECT ", " AS v UNION ALL SELECT ", StringComparison.Ordinal).Replace(" ORDER BY 1", "", StringComparison.Ordinal) + (sql.Contains("UNION", StringComparison.Ordinal) ? " ORDER BY 1" : " AS v");
        using var reader = command.ExecuteReader();
        return ResultTable.FromReader(reader);
    }

    private static string Compact(JsonElement element)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            element.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
