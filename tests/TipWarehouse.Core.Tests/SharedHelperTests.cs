using System.Text;
using DuckDB.NET.Data;
using TipWarehouse.Core;
using Xunit;

namespace TipWarehouse.Core.Tests;

/// <summary>The one SQL helper, accent folder, UTF-8 detector and CSV writer that every assembly shares.</summary>
public sealed class SharedHelperTests
{
    [Fact]
    public void Sql_binds_named_parameters_nulls_and_converts_hugeint_scalars()
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        Assert.Equal(0, Sql.Execute(connection, "CREATE TABLE t (id INTEGER, name VARCHAR)"));
        Assert.Equal(1, Sql.Execute(connection, "INSERT INTO t VALUES ($id, $name)", ("id", 1), ("name", "Ñuñoa")));
        Assert.Equal(1, Sql.Execute(connection, "INSERT INTO t VALUES ($id, $name)", ("id", 2), ("name", null)));

        Assert.Equal(3L, Sql.Scalar<long>(connection, "SELECT sum(id) FROM t"));
        Assert.Equal("Ñuñoa", Sql.Scalar<string>(connection, "SELECT name FROM t WHERE id = $id", ("id", 1)));
        Assert.Null(Sql.Scalar<string>(connection, "SELECT name FROM t WHERE id = 2"));
        Assert.Null(Sql.Scalar<long?>(connection, "SELECT id FROM t WHERE id = 99"));
        Assert.Equal([(1, "Ñuñoa"), (2, null)], Sql.Query(connection, "SELECT id, name FROM t ORDER BY id", r => (Sql.ReadInt(r, 0), Sql.ReadText(r, 1))));
    }

    [Fact]
    public void Day_numbers_of_date_keys_are_days_since_1970_for_every_day_and_null_for_the_unknown_key()
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        Sql.Execute(connection, """
            CREATE TABLE k AS SELECT CAST(strftime(d, '%Y%m%d') AS INTEGER) AS date_key
            FROM range(DATE '1900-01-01', DATE '2101-01-01', INTERVAL 1 DAY) AS t(d)
            """);
        var wrong = Sql.Query(connection, $"SELECT date_key, {Sql.DayNumber("date_key")} FROM k", r => (Key: r.GetInt32(0), Day: r.GetInt64(1)))
            .Where(x => x.Day != DateOnly.ParseExact(x.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture).DayNumber - new DateOnly(1970, 1, 1).DayNumber)
            .ToList();
        Assert.Equal(73_414, Sql.Scalar<long>(connection, "SELECT count(*) FROM k"));
        Assert.Empty(wrong);
        Assert.Null(Sql.Scalar<long?>(connection, $"SELECT {Sql.DayNumber("CAST(-1 AS INTEGER)")}"));
    }

    [Theory]
    [InlineData("Huánuco", "Huanuco")]
    [InlineData("PEÑA Quispe-Huamán", "PENA Quispe-Huaman")]
    [InlineData("Ayacucho", "Ayacucho")]
    [InlineData("çü ÁÉÍÓÚ", "cu AEIOU")]
    public void Accents_are_removed_and_everything_else_is_kept(string text, string folded)
    {
        Assert.Equal(folded, TextFolding.RemoveAccents(text));
        Assert.Equal(folded, new string([.. text.Select(TextFolding.RemoveAccent)]));
    }

    [Fact]
    public void Utf8_is_told_from_windows_1252_across_blocks()
    {
        var utf8 = Encoding.UTF8.GetBytes("José;Ñaña\n");
        Assert.True(Utf8Detector.Inspect(utf8) is { IsValid: true, HasNonAscii: true, HasBom: false });
        Assert.True(Utf8Detector.Inspect([0xEF, 0xBB, 0xBF, (byte)'a']) is { IsValid: true, HasBom: true, HasNonAscii: true });
        Assert.True(Utf8Detector.Inspect("plain"u8) is { IsValid: true, HasNonAscii: false });

        // "José" in Windows-1252: é is the single byte 0xE9, which UTF-8 rejects.
        Assert.False(Utf8Detector.Inspect([(byte)'J', (byte)'o', (byte)'s', 0xE9]).IsValid);

        // A two-byte character cut between two blocks is still valid; one cut at the end of the file is not.
        var split = new Utf8Detector();
        split.Append(utf8.AsSpan(0, 4));
        split.Append(utf8.AsSpan(4));
        split.Complete();
        Assert.True(split.IsValid);
        var truncated = new Utf8Detector();
        truncated.Append(utf8.AsSpan(0, 4));
        truncated.Complete();
        Assert.False(truncated.IsValid);
    }

    [Fact]
    public void Csv_rows_end_in_crlf_quote_when_needed_and_neutralise_text_formulas_only()
    {
        var text = new StringWriter();
        var csv = new CsvWriter(text);
        csv.Header(["name", "value"]);
        csv.Text("=HYPERLINK(\"x\")").Value("-42").EndRow();
        csv.Text(null).Value("a,b").EndRow();
        Assert.Equal("name,value\r\n\"'=HYPERLINK(\"\"x\"\")\",-42\r\n,\"a,b\"\r\n", text.ToString());
    }
}
