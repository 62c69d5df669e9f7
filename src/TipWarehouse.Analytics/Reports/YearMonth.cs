using System.Globalization;
using TipWarehouse.Core;

namespace TipWarehouse.Analytics.Reports;

/// <summary>A calendar month (<c>YYYY-MM</c>), the unit of every report window.</summary>
public readonly record struct YearMonth(int Year, int Month) : IComparable<YearMonth>
{
    /// <summary>The month the national TIP hotline opened (2006-03-13).</summary>
    public static readonly YearMonth HotlineOpened = new(2006, 3);

    /// <summary>The month Law 28950 (the TIP law) was enacted (2007-01).</summary>
    public static readonly YearMonth LawEnacted = new(2007, 1);

    /// <summary>Months since year 0, so differences are month counts.</summary>
    public int Index => (Year * 12) + Month - 1;

    /// <summary>The month <paramref name="months"/> after this one.</summary>
    public YearMonth AddMonths(int months)
    {
        var index = Index + months;
        return new YearMonth(index / 12, (index % 12) + 1);
    }

    /// <summary>The first day of the month.</summary>
    public DateTime FirstDay => new(Year, Month, 1, 0, 0, 0, DateTimeKind.Unspecified);

    /// <summary>Parses <c>YYYY-MM</c>; a bad value is a usage error naming the option.</summary>
    public static YearMonth Parse(string text, string optionName)
    {
        if (TryParse(text, out var value))
        {
            return value;
        }

        throw new UsageException($"{optionName} '{text}' is not a month: use YYYY-MM, e.g. {optionName} 2006-03.");
    }

    /// <summary>Parses <c>YYYY-MM</c>.</summary>
    public static bool TryParse(string? text, out YearMonth value)
    {
        value = default;
        if (text is null || text.Length != 7 || text[4] != '-'
            || !int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            || !int.TryParse(text.AsSpan(5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var month)
            || month is < 1 or > 12 || year < 1900)
        {
            return false;
        }

        value = new YearMonth(year, month);
        return true;
    }

    /// <summary>The label of the period containing this month at <paramref name="grain"/>: 2006-03, 2006-Q1 or 2006.</summary>
    public string PeriodLabel(PeriodGrain grain) => grain switch
    {
        PeriodGrain.Quarter => string.Create(CultureInfo.InvariantCulture, $"{Year}-Q{((Month - 1) / 3) + 1}"),
        PeriodGrain.Year => Year.ToString(CultureInfo.InvariantCulture),
        _ => ToString(),
    };

    public int CompareTo(YearMonth other) => Index.CompareTo(other.Index);

    public static bool operator <(YearMonth left, YearMonth right) => left.Index < right.Index;

    public static bool operator >(YearMonth left, YearMonth right) => left.Index > right.Index;

    public static bool operator <=(YearMonth left, YearMonth right) => left.Index <= right.Index;

    public static bool operator >=(YearMonth left, YearMonth right) => left.Index >= right.Index;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Year:0000}-{Month:00}");
}

/// <summary>How report periods are grouped.</summary>
public enum PeriodGrain
{
    /// <summary>One row per calendar month.</summary>
    Month,

    /// <summary>One row per calendar quarter.</summary>
    Quarter,

    /// <summary>One row per calendar year.</summary>
    Year,
}

/// <summary>The geographic level of the regions report.</summary>
public enum RegionLevel
{
    /// <summary>PNP territorial directorate (12 nationwide).</summary>
    Directorate,

    /// <summary>Department (region) of the call, report or case.</summary>
    Department,
}
