using System.Globalization;

namespace TipWarehouse.Benchmarks.Tests;

public sealed class BaselineFiguresTests
{
    [Fact]
    public void Ratios_are_tipw_over_the_baseline_against_their_targets()
    {
        var sqlOnly = BaselineFigures.SqlOnlyRatio(90_000, 60_000, null, "at 1,000 calls");
        var readCsv = BaselineFigures.IngestRatio(30_000, 100_000, null, "at 1,000 calls");

        Assert.Equal(1.5, sqlOnly.Value!.Value, 9);
        Assert.True(sqlOnly.Pass);
        Assert.Equal("≥ 1.5", sqlOnly.Target);
        Assert.Equal(0.3, readCsv.Value!.Value, 9);
        Assert.False(readCsv.Pass);
        Assert.Equal("≥ 0.35", readCsv.Target);
        Assert.Contains("read_csv 100,000 rows/s", readCsv.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_baseline_is_not_measured_and_its_error_is_in_the_note()
    {
        var figure = BaselineFigures.SqlOnlyRatio(80_000, null, "Out of Memory Error: failed to pin block of size 256.0 KiB", "at 1,000 calls");

        Assert.Null(figure.Value);
        Assert.Null(figure.Pass);
        Assert.Equal("n/a", figure.Verdict);
        Assert.Equal("not measured", figure.Formatted);
        Assert.Contains("SQL-only DuckDB pipeline failed (Out of Memory Error", figure.Note, StringComparison.Ordinal);
        Assert.Contains("80,000 rows/s", figure.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void Targets_and_notes_are_written_the_same_whatever_the_current_culture()
    {
        var before = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            var figure = BaselineFigures.IngestRatio(30_000, 100_000, null, "at 1,000 calls");

            Assert.Equal("≥ 0.35", figure.Target);
            Assert.Contains("pipeline 30,000 rows/s, read_csv 100,000 rows/s", figure.Note, StringComparison.Ordinal);
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }
}
