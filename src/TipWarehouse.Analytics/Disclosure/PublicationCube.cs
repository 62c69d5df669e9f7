using System.Text;
using DuckDB.NET.Data;
using TipWarehouse.Analytics.Reports;

namespace TipWarehouse.Analytics.Disclosure;

/// <summary>
/// Builds the one <see cref="DisclosureCube"/> every published report is cut from: the national series of
/// <c>monthly</c>; the regional counts of <c>regions</c> (departments nest in PNP directorates in the geography, else
/// both add up from their unpublished intersections) and of <c>referrals</c> (directorates of the referred stations,
/// another partition of the same national TIP calls); and the case funnel's stage counts by entry month. Measures
/// that are the same count share one cube: the regional and referral TIP calls are cells of <c>calls_tip_by_operator</c>,
/// whose national row is the monthly series, so suppression is solved jointly over time and geography.
/// </summary>
public static class PublicationCube
{
    /// <summary>Area name prefix of departments.</summary>
    public const string Department = "department:";

    /// <summary>Area name prefix of PNP directorates (by the caller's or the place's district).</summary>
    public const string Directorate = "directorate:";

    /// <summary>Area name prefix of the directorates of the police stations TIP calls were referred to (the referrals report's rows, by <see cref="DirectorateName.Key"/>).</summary>
    public const string Referral = "referral:";

    /// <summary>The national area (area 0 of every measure).</summary>
    public const string National = "national";

    /// <summary>The <c>regions</c> count columns and the cube measure each is a cell of (the same count as the monthly column).</summary>
    public static readonly IReadOnlyDictionary<string, string> RegionalMeasures = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["hotline_calls"] = "hotline_calls",
        ["tip_calls"] = "calls_tip_by_operator",
        ["tip_reports"] = "tip_police_reports",
        ["tip_cases"] = "cases_sent_to_prosecution",
        ["calls_scored"] = "calls_scored",
    };

    /// <summary>The <c>referrals</c> count columns and their cube measures.</summary>
    public static readonly IReadOnlyDictionary<string, string> ReferralMeasures = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["tip_calls"] = "calls_tip_by_operator",
        ["referred_calls"] = "referred_calls",
        ["referred_became_report"] = "referred_became_report",
    };

    // The TIP series that add up over months; the stock of cases in process does not (a period shows its last month's stock).
    private static readonly (string Name, Func<TipMonthFigures, long> Value)[] s_additiveTip =
    [
        ("tip_cases_sent_to_prosecution", f => f.SentToProsecution),
        ("persons_charged_pimping", f => f.PersonsChargedPimping),
        ("tip_convictions", f => f.Convictions),
    ];

    private static readonly object s_lock = new();
    private static (string Key, DisclosureCube Cube)? s_last;

    /// <summary>The cube measure of a funnel stage count (<paramref name="allCases"/>: every linked case, else the TIP ones).</summary>
    public static string FunnelCases(bool allCases, string stage) => $"funnel.{(allCases ? "all" : "tip")}.cases.{stage}";

    /// <summary>The cube measure of the cases that reached a funnel stage and the stage before it.</summary>
    public static string FunnelFromPrevious(bool allCases, string stage) => $"funnel.{(allCases ? "all" : "tip")}.from_previous.{stage}";

    /// <summary>The grid of every published report: whole years from the first to the last year with data, or null without data.</summary>
    public static (YearMonth First, YearMonth Last)? Grid(DuckDBConnection connection) => Grid(Read(connection));

    /// <summary>The cube of the warehouse's published counts under the policy and persons threshold <paramref name="k"/>, or null without data.</summary>
    public static DisclosureCube? Build(DuckDBConnection connection, DisclosurePolicy policy, int k)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var data = Read(connection);
        if (Grid(data) is not { } grid)
        {
            return null;
        }

        var months = grid.Last.Index - grid.First.Index + 1;
        var measures = Measures(data, grid.First, months);

        // Every report of the same data cuts the same cube: keep the last one (a report run is then a lookup).
        var key = new StringBuilder().Append(grid.First).Append('|').Append(k).Append('|').Append(policy.InstitutionalK);
        foreach (var measure in measures)
        {
            key.Append('|').Append(measure.Name).Append(':').AppendJoin(';', measure.Geography.Areas).Append(':');
            foreach (var series in measure.Monthly)
            {
                key.AppendJoin(',', series).Append(';');
            }
        }

        var text = key.ToString();
        lock (s_lock)
        {
            if (s_last is { } cached && cached.Key == text)
            {
                return cached.Cube;
            }
        }

        var cube = DisclosureCube.Build(grid.First, measures, m => policy.ThresholdOf(m, k));
        lock (s_lock)
        {
            s_last = (text, cube);
        }

        return cube;
    }

    private sealed record SourceData(
        IReadOnlyList<MonthlyFigures> National,
        IReadOnlyDictionary<YearMonth, TipMonthFigures> Tip,
        (string Department, string Directorate, YearMonth Month, long[] Counts)[] Regional,
        (string Directorate, YearMonth Month, bool Referred, bool Report, long Count)[] Referrals,
        (YearMonth Entry, bool Tip, bool[] Reached)[] Funnel);

    private static SourceData Read(DuckDBConnection connection)
    {
        var regional = ReportSql.Read(connection, "SELECT department_name, pnp_directorate, year_month, hotline_calls, tip_calls, tip_reports, tip_cases, calls_scored FROM rpt.v_regional_monthly").Rows
            .Select(r => ((string)r[0]!, (string)r[1]!, ReportSql.Month(r[2]), r.Skip(3).Select(ReportSql.Long).ToArray()))
            .ToArray();
        var referrals = ReportSql.Read(connection, "SELECT directorate, year_month, is_referred, became_report, call_count FROM rpt.v_tip_call_referrals").Rows
            .Select(r => (DirectorateName.Key((string?)r[0] ?? "Desconocida"), ReportSql.Month(r[1]), ReportSql.Flag(r[2]), ReportSql.Flag(r[3]), ReportSql.Long(r[4])))
            .ToArray();
        var dateColumns = string.Join(", ", FunnelReport.Stages.Select(s => s.DateColumn));
        var funnel = ReportSql.Read(connection, $"SELECT entry_year_month, is_tip_related, {dateColumns} FROM rpt.v_funnel_cases").Rows
            .Select(r => (ReportSql.Month(r[0]), ReportSql.Flag(r[1]), r.Skip(2).Select(d => ReportSql.DateKey(d) is not null).ToArray()))
            .ToArray();
        return new SourceData(MonthlyReport.ReadSeries(connection), MonthlyReport.ReadTipSeries(connection), regional, referrals, funnel);
    }

    private static (YearMonth First, YearMonth Last)? Grid(SourceData data)
    {
        var (first, last) = MonthlyReport.DataRange(data.National);
        var months = new List<YearMonth>();
        if (first is { } f && last is { } l)
        {
            months.Add(f);
            months.Add(l);
        }

        months.AddRange(data.Funnel.Select(c => c.Entry));
        return months.Count == 0 ? null : (new YearMonth(months.Min().Year, 1), new YearMonth(months.Max().Year, 12));
    }

    private static List<CubeMeasure> Measures(SourceData data, YearMonth first, int months)
    {
        long[] Series(Func<YearMonth, long> value)
        {
            var values = new long[months];
            for (var m = 0; m < months; m++)
            {
                values[m] = value(first.AddMonths(m));
            }

            return values;
        }

        int MonthOf(YearMonth month) => month.Index - first.Index;

        var national = data.National.ToDictionary(s => s.Month);
        var regionalGeography = RegionalGeography(data, withReferrals: false);
        var tipCallsGeography = RegionalGeography(data, withReferrals: true);
        var result = new List<CubeMeasure>();
        for (var c = 0; c < MonthlyReport.CountColumns.Count; c++)
        {
            var name = MonthlyReport.CountColumns[c];
            var column = c;
            var nationalSeries = Series(m => national.TryGetValue(m, out var figures) ? figures[column] : 0);
            var regionalColumn = RegionalMeasures.FirstOrDefault(kv => kv.Value == name).Key;
            if (regionalColumn is null)
            {
                result.Add(new CubeMeasure(name, name, CubeGeography.National, [nationalSeries]));
                continue;
            }

            var geography = name == "calls_tip_by_operator" ? tipCallsGeography : regionalGeography;
            var monthly = geography.Areas.Select(_ => new long[months]).ToArray();
            monthly[0] = nationalSeries;
            var r = RegionalMeasures.Keys.ToList().IndexOf(regionalColumn);
            foreach (var (department, directorate, month, counts) in data.Regional)
            {
                monthly[geography.IndexOf(Department + department)][MonthOf(month)] += counts[r];
                monthly[geography.IndexOf(Directorate + directorate)][MonthOf(month)] += counts[r];
                if (geography.IndexOf(Pair(department, directorate)) is var pair and >= 0)
                {
                    monthly[pair][MonthOf(month)] += counts[r];
                }
            }

            if (name == "calls_tip_by_operator")
            {
                foreach (var call in data.Referrals)
                {
                    monthly[geography.IndexOf(Referral + call.Directorate)][MonthOf(call.Month)] += call.Count;
                }
            }

            result.Add(new CubeMeasure(name, name, geography, monthly));
        }

        foreach (var (name, value) in s_additiveTip)
        {
            result.Add(new CubeMeasure(name, name, CubeGeography.National, [Series(m => data.Tip.TryGetValue(m, out var figures) ? value(figures) : 0)]));
        }

        // Referred calls are published per referral directorate only: their national total is an unpublished area.
        var referralKeys = data.Referrals.Select(c => c.Directorate).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var referralGeography = new CubeGeography(
            [National, .. referralKeys.Select(k => Referral + k)],
            [(0, Enumerable.Range(1, referralKeys.Length).ToArray())],
            [1, .. referralKeys.Select(_ => 0)],
            new HashSet<int> { 0 });
        foreach (var (name, selected) in new (string, Func<(string Directorate, YearMonth Month, bool Referred, bool Report, long Count), bool>)[]
        {
            ("referred_calls", c => c.Referred),
            ("referred_became_report", c => c.Referred && c.Report),
        })
        {
            var monthly = referralGeography.Areas.Select(_ => new long[months]).ToArray();
            foreach (var call in data.Referrals.Where(selected))
            {
                monthly[0][MonthOf(call.Month)] += call.Count;
                monthly[referralGeography.IndexOf(Referral + call.Directorate)][MonthOf(call.Month)] += call.Count;
            }

            result.Add(new CubeMeasure(name, name, referralGeography, monthly));
        }

        // The funnel counts linked cases by the month they entered: additive over months, a table of its own.
        foreach (var allCases in new[] { false, true })
        {
            var cases = data.Funnel.Where(c => allCases || c.Tip).ToArray();
            for (var s = 0; s < FunnelReport.Stages.Count; s++)
            {
                var stage = s;
                var reached = new long[months];
                var fromPrevious = new long[months];
                foreach (var c in cases)
                {
                    reached[MonthOf(c.Entry)] += c.Reached[stage] ? 1 : 0;
                    fromPrevious[MonthOf(c.Entry)] += stage > 0 && c.Reached[stage - 1] && c.Reached[stage] ? 1 : 0;
                }

                result.Add(new CubeMeasure(FunnelCases(allCases, FunnelReport.Stages[s].Stage), "cases", CubeGeography.National, [reached]));
                if (s > 0)
                {
                    result.Add(new CubeMeasure(FunnelFromPrevious(allCases, FunnelReport.Stages[s].Stage), "cases_from_previous", CubeGeography.National, [fromPrevious]));
                }
            }
        }

        return result;
    }

    private static string Pair(string department, string directorate) => $"pair:{department}|{directorate}";

    // National, departments and directorates (and, for TIP calls, the referral directorates). Departments nest in
    // directorates when each department's districts lie in one directorate; otherwise both are sums of their
    // unpublished intersections.
    private static CubeGeography RegionalGeography(SourceData data, bool withReferrals)
    {
        var departments = data.Regional.Select(r => r.Department).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var directorates = data.Regional.Select(r => r.Directorate).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var pairs = data.Regional.Select(r => (r.Department, r.Directorate)).Distinct().OrderBy(p => p.Department, StringComparer.Ordinal).ThenBy(p => p.Directorate, StringComparer.Ordinal).ToArray();
        var nested = pairs.Length == departments.Length;
        var areas = new List<string> { National };
        var levels = new List<int> { 3 };
        areas.AddRange(departments.Select(d => Department + d));
        levels.AddRange(departments.Select(_ => nested ? 0 : 1));
        areas.AddRange(directorates.Select(d => Directorate + d));
        levels.AddRange(directorates.Select(_ => nested ? 1 : 2));
        var unpublished = new HashSet<int>();
        if (!nested)
        {
            foreach (var (department, directorate) in pairs)
            {
                unpublished.Add(areas.Count);
                areas.Add(Pair(department, directorate));
                levels.Add(0);
            }
        }

        int Index(string area) => areas.IndexOf(area);
        var sums = new List<(int Parent, int[] Children)>
        {
            (0, directorates.Select(d => Index(Directorate + d)).ToArray()),
        };
        if (nested)
        {
            foreach (var directorate in directorates)
            {
                sums.Add((Index(Directorate + directorate), pairs.Where(p => p.Directorate == directorate).Select(p => Index(Department + p.Department)).ToArray()));
            }
        }
        else
        {
            foreach (var department in departments)
            {
                sums.Add((Index(Department + department), pairs.Where(p => p.Department == department).Select(p => Index(Pair(p.Department, p.Directorate))).ToArray()));
            }

            foreach (var directorate in directorates)
            {
                sums.Add((Index(Directorate + directorate), pairs.Where(p => p.Directorate == directorate).Select(p => Index(Pair(p.Department, p.Directorate))).ToArray()));
            }
        }

        if (withReferrals)
        {
            var referralKeys = data.Referrals.Select(c => c.Directorate).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            var first = areas.Count;
            areas.AddRange(referralKeys.Select(k => Referral + k));
            levels.AddRange(referralKeys.Select(_ => 0));
            sums.Add((0, Enumerable.Range(first, referralKeys.Length).ToArray()));
        }

        return new CubeGeography(areas, sums, levels, unpublished);
    }
}
