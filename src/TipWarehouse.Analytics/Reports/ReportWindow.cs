using TipWarehouse.Core;

namespace TipWarehouse.Analytics.Reports;

/// <summary>The months a report covers, resolved from <c>--from/--to</c> and the months that hold data.</summary>
public readonly record struct ReportWindow(YearMonth From, YearMonth To)
{
    /// <summary>Number of months in the window.</summary>
    public int Months => To.Index - From.Index + 1;

    /// <summary>True when <paramref name="month"/> is inside the window.</summary>
    public bool Contains(YearMonth month) => month >= From && month <= To;

    /// <summary>Every month of the window, in order.</summary>
    public IEnumerable<YearMonth> EachMonth()
    {
        for (var m = From; m <= To; m = m.AddMonths(1))
        {
            yield return m;
        }
    }

    /// <summary>Resolves the window: explicit bounds win; a missing bound is the first/last month with data.</summary>
    public static ReportWindow Resolve(ReportRequest request, YearMonth? firstWithData, YearMonth? lastWithData)
    {
        ArgumentNullException.ThrowIfNull(request);
        var from = request.From ?? firstWithData;
        var to = request.To ?? lastWithData;
        if (from is null || to is null)
        {
            throw new TipwException("The warehouse holds no facts yet, so the report window cannot be chosen: load data ('tipw run' or 'tipw demo') or give --from and --to.");
        }

        if (from.Value > to.Value)
        {
            throw new UsageException($"--from {from} is after --to {to}.");
        }

        return new ReportWindow(from.Value, to.Value);
    }

    public override string ToString() => $"{From}..{To}";
}
