using System.Globalization;
using System.Numerics;
using DuckDB.NET.Data;
using TipWarehouse.Core;

namespace TipWarehouse.Analytics.Reports;

/// <summary>Runs report SQL on the warehouse and converts DuckDB values (HUGEINT sums, FLOAT, DECIMAL) to plain numbers.</summary>
internal static class ReportSql
{
    public static ResultTable Read(DuckDBConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Sql.Command(connection, sql, parameters);
        try
        {
            using var reader = command.ExecuteReader();
            return ResultTable.FromReader(reader);
        }
        catch (DuckDBException ex) when (ex.Message.Contains("does not exist", StringComparison.OrdinalIgnoreCase))
        {
            throw new WarehouseException($"The warehouse lacks a report object: {ex.Message}. Rebuild it with 'tipw init' so the rpt views exist.", ex);
        }
    }

    public static long Long(object? value) => value switch
    {
        null or DBNull => 0,
        long l => l,
        int i => i,
        short s => s,
        byte b => b,
        bool flag => flag ? 1 : 0,
        BigInteger big => (long)big,
        decimal m => (long)m,
        double d => (long)d,
        float f => (long)f,
        _ => Convert.ToInt64(value, CultureInfo.InvariantCulture),
    };

    public static double? Double(object? value) => value switch
    {
        null or DBNull => null,
        double d => d,
        float f => f,
        decimal m => (double)m,
        BigInteger big => (double)big,
        _ => Convert.ToDouble(value, CultureInfo.InvariantCulture),
    };

    public static bool Flag(object? value) => Long(value) != 0;

    /// <summary>A yyyymmdd date key as a date; null for the unknown member (-1) or any non-positive key.</summary>
    public static DateOnly? DateKey(object? value)
    {
        var key = Long(value);
        if (key <= 0)
        {
            return null;
        }

        return new DateOnly((int)(key / 10000), (int)(key / 100 % 100), (int)(key % 100));
    }

    public static YearMonth Month(object? value) =>
        YearMonth.TryParse(value as string, out var month) ? month : throw new WarehouseException($"A report view returned '{value}' where a year_month (YYYY-MM) was expected.");

    public static double? Ratio(long numerator, long denominator, double scale = 1) =>
        denominator == 0 ? null : Math.Round(scale * numerator / denominator, 4);
}
