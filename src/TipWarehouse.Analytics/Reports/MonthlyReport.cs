using DuckDB.NET.Data;
using TipWarehouse.Analytics.Disclosure;
using TipWarehouse.Core;

namespace TipWarehouse.Analytics.Reports;

/// <summary>
/// <c>monthly</c>: nationwide figures per period from <c>rpt.v_monthly_national</c>: hotline calls, calls flagged
/// TIP-related by operators and by the active model with their shares, TIP-related police reports, arrests, cases sent to
/// prosecution, formalizations, sentences and convictions.
/// </summary>
public static class MonthlyReport
{
    /// <summary>The count columns, in output order (shares are inserted after the flag counts).</summary>
    public static readonly IReadOnlyList<string> CountColumns =
    [
        "hotline_calls", "calls_tip_by_operator", "calls_scored", "calls_tip_by_model", "tip_police_reports", "tip_arrests",
        "cases_sent_to_prosecution", "formalizations", "sentences", "convictions",
    ];

    /// <summary>Disclosure rules: every count column; shares derive from their counts; column totals are published (yearly figures).</summary>
    public static readonly DisclosureSpec Disclosure = new(
        CountColumns,
        [
            new DerivedColumn("tip_share_operator", ["calls_tip_by_operator", "hotline_calls"]),
            new DerivedColumn("tip_share_model", ["calls_scored"]),
            new DerivedColumn("tip_share_model_low", ["calls_scored"]),
            new DerivedColumn("tip_share_model_high", ["calls_scored"]),
        ]);

    /// <summary>Reads the nationwide monthly series (every month of the date dimension, zeros where nothing happened).</summary>
    public static IReadOnlyList<MonthlyFigures> ReadSeries(DuckDBConnection connection) => Series(ReadSummary(connection));

    // Every column of ReportSummary.MonthlyColumns for every month, in month order, in one query: from the summary table while it
    // is fresh, else from the views (one evaluation of them for the whole report).
    private static IReadOnlyList<object?[]> ReadSummary(DuckDBConnection connection) =>
        ReportSql.Read(connection, $"SELECT {string.Join(", ", ReportSummary.MonthlyColumns)} FROM {ReportSummary.MonthlyRelation(connection)} AS s ORDER BY year_month").Rows;

    private static int Column(string name) => ReportSummary.MonthlyColumns.ToList().IndexOf(name);

    private static MonthlyFigures[] Series(IReadOnlyList<object?[]> summary)
    {
        var columns = CountColumns.Select(Column).ToArray();
        return summary.Select(r => new MonthlyFigures(ReportSql.Month(r[0]), columns.Select(c => ReportSql.Long(r[c])).ToArray())).ToArray();
    }

    /// <summary>
    /// The TIP series from the TIP determination (<c>rpt.v_tip_monthly</c>), after the other columns: TIP cases whose first prosecution
    /// event falls in the period (institutional acts), TIP cases open at the period's end (a stock: the last month's value), persons
    /// formally charged in cases of the pimping series (persons), convictions in TIP cases (institutional acts).
    /// </summary>
    public static readonly IReadOnlyList<string> TipColumns = ["tip_cases_sent_to_prosecution", "tip_cases_in_process", "persons_charged_pimping", "tip_convictions"];

    /// <summary>Reads <c>rpt.v_tip_monthly</c> by month (through <see cref="ReportSummary"/>).</summary>
    public static IReadOnlyDictionary<YearMonth, TipMonthFigures> ReadTipSeries(DuckDBConnection connection) => TipSeries(ReadSummary(connection));

    private static Dictionary<YearMonth, TipMonthFigures> TipSeries(IReadOnlyList<object?[]> summary)
    {
        var c = TipColumns.Select(Column).ToArray();
        return summary.ToDictionary(r => ReportSql.Month(r[0]), r => new TipMonthFigures(ReportSql.Long(r[c[0]]), ReportSql.Long(r[c[1]]), ReportSql.Long(r[c[2]]), ReportSql.Long(r[c[3]])));
    }

    private static object?[] TipPeriod(IReadOnlyDictionary<YearMonth, TipMonthFigures> tip, YearMonth[] months)
    {
        var figures = months.Select(m => tip.GetValueOrDefault(m) ?? new TipMonthFigures(0, 0, 0, 0)).ToArray();
        return [figures.Sum(f => f.SentToProsecution), figures[^1].InProcess, figures.Sum(f => f.PersonsChargedPimping), figures.Sum(f => f.Convictions)];
    }

    private static IEnumerable<string> TipNotes(DuckDBConnection connection, IReadOnlyList<object?[]> summary)
    {
        // The distinct definition versions of dw.tip_determination, joined with ", " in order (NULL when it is empty).
        var versions = summary.Count == 0 ? null : Convert.ToString(summary[0][Column("tip_definition_versions")], System.Globalization.CultureInfo.InvariantCulture);
        yield return string.IsNullOrEmpty(versions)
            ? "TIP determination: not run yet (the tip_determination pipeline runs after linkage): TIP series are 0 and TIP-related columns count statutes only."
            : $"TIP definition {versions} (reference/tip_definition.yaml; 'tipw report definitions'): tip_cases_* and tip_convictions count TIP prosecution cases; tip_cases_in_process is the stock at the period's end; persons_charged_pimping counts defendants formalized in cases charged under the pimping articles of the definition (series.pimping_articles: art. 181, proxenetismo), TIP or not.";
        var mapped = ReportSql.Read(connection, "SELECT operator_category FROM dw.ref_operator_category WHERE is_tip = 1 ORDER BY 1").Rows.Select(r => Convert.ToString(r[0], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        yield return $"calls_tip_by_operator counts the operator categories mapped to TIP (reference/operator_categories.csv): {string.Join(", ", mapped)}.";
    }

    /// <summary>The first and last month with any fact.</summary>
    public static (YearMonth? First, YearMonth? Last) DataRange(IReadOnlyList<MonthlyFigures> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var withData = series.Where(s => s.Counts.Any(c => c != 0)).Select(s => s.Month).ToArray();
        return withData.Length == 0 ? (null, null) : (withData.Min(), withData.Max());
    }

    /// <summary>Builds the report for <paramref name="request"/>.</summary>
    public static ResultTable Build(DuckDBConnection connection, ReportRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var summary = ReadSummary(connection);
        var series = Series(summary);
        var (first, last) = DataRange(series);
        var window = ReportWindow.Resolve(request, first, last);
        var notes = new List<string>
        {
            $"Nationwide figures {window}, by {request.By.ToString().ToLowerInvariant()}. TIP-related police reports, arrests and prosecution figures count TIP-related records only.",
            "The hotline opened on 2006-03-13: months before March 2006 have no calls by construction. Law 28950 (TIP law) was enacted in January 2007.",
        };

        var activeModels = Sql.Scalar<long>(connection, "SELECT COUNT(*) FROM dw.dim_model WHERE is_active = 1 AND model_key > 0");
        var hasModel = activeModels > 0;
        if (!hasModel)
        {
            notes.Add("No active model: model-flagged calls are not available (train and activate one with 'tipw model train').");
        }

        var inWindow = series.Where(s => window.Contains(s.Month)).ToArray();
        if (inWindow.Sum(s => s[0]) == 0)
        {
            // Nothing to score is not a scoring problem: the advice is about the window or the hotline load.
            notes.Add($"The window {window} has no hotline calls: choose months with data (--from/--to) or load the hotline ('tipw run hotline').");
        }
        else if (hasModel && inWindow.Sum(s => s[2]) == 0)
        {
            notes.Add("An active model exists but no call in the window has been scored by it yet ('tipw model score').");
        }

        var columns = new List<ResultColumn>
        {
            new("period", typeof(string)),
            new("hotline_calls", typeof(long)),
            new("calls_tip_by_operator", typeof(long)),
            new("tip_share_operator", typeof(double)),
            new("calls_scored", typeof(long)),
            new("calls_tip_by_model", typeof(long)),
            new("tip_share_model", typeof(double)),
            new("tip_share_model_low", typeof(double)),
            new("tip_share_model_high", typeof(double)),
            new("tip_police_reports", typeof(long)),
            new("tip_arrests", typeof(long)),
            new("cases_sent_to_prosecution", typeof(long)),
            new("formalizations", typeof(long)),
            new("sentences", typeof(long)),
            new("convictions", typeof(long)),
        };

        if (hasModel)
        {
            notes.Add("tip_share_model is the active model's prevalence estimate (not the flag count): the mean over the scored calls of each call's chance of being TIP given its calibrated probability and its operator category, correcting the operators' label noise (their rates of TIP labels on TIP and on other calls, measured on the calls the model is confident about); tip_share_model_low/high bound its 95% interval (Bernoulli variance of those chances, the noise rates' uncertainty, and the month-to-month dispersion of the correction that these do not explain, per month of the period).");
        }

        var prevalence = hasModel ? PosteriorSumsByMonth(summary) : [];
        var tip = TipSeries(summary);
        columns.AddRange(TipColumns.Select(c => new ResultColumn(c, typeof(long))));
        notes.AddRange(TipNotes(connection, summary));

        var rows = new List<object?[]>();
        foreach (var period in inWindow.GroupBy(s => s.Month.PeriodLabel(request.By)))
        {
            var sum = new long[CountColumns.Count];
            foreach (var month in period)
            {
                for (var i = 0; i < sum.Length; i++)
                {
                    sum[i] += month.Counts[i];
                }
            }

            rows.Add(
            [
                period.Key,
                sum[0], sum[1], ReportSql.Ratio(sum[1], sum[0]),
                hasModel ? sum[2] : null, hasModel ? sum[3] : null, .. PrevalenceCells(hasModel, sum[2], period.Select(m => m.Month), prevalence),
                sum[4], sum[5], sum[6], sum[7], sum[8], sum[9],
                .. TipPeriod(tip, [.. period.Select(m => m.Month)]),
            ]);
        }

        return new ResultTable(columns, rows, notes);
    }

    /// <summary>The view columns of <see cref="ReadPosteriorSums"/>, in order.</summary>
    public const string PosteriorColumns = "calls_scored, op_not_tip_calls, op_tip_calls, tip_posterior_by_model, tip_posterior_variance, tip_posterior_rate_shift, tip_posterior_false_rate_shift";

    /// <summary>The active model's noise-corrected posterior sums per month with scored calls (<c>rpt.v_monthly_national</c>),
    /// what <c>tip_share_model</c> is made of; empty when the noise rates cannot be measured (<see cref="NoiseRates.Usable"/>).</summary>
    public static Dictionary<YearMonth, PosteriorSums> ReadPosteriorSumsByMonth(DuckDBConnection connection) => PosteriorSumsByMonth(ReadSummary(connection));

    // The summary carries the noise rates on every row (one set per active model), so the check costs no query of its own.
    private static Dictionary<YearMonth, PosteriorSums> PosteriorSumsByMonth(IReadOnlyList<object?[]> summary)
    {
        if (summary.Count == 0
            || ReportSql.Double(summary[0][Column("tip_label_rate")]) is not { } a
            || ReportSql.Double(summary[0][Column("false_tip_label_rate")]) is not { } b
            || ReportSql.Double(summary[0][Column("false_tip_label_rate_sd")]) is not { } bSd
            || !new NoiseRates(a, b, ReportSql.Double(summary[0][Column("tip_label_rate_sd")]) ?? 0, bSd).Usable)
        {
            return [];
        }

        var scored = Column("calls_scored");
        var notTip = Column("op_not_tip_calls");
        var tip = Column("op_tip_calls");
        var posterior = Column("tip_posterior_by_model");
        var variance = Column("tip_posterior_variance");
        var rateShift = Column("tip_posterior_rate_shift");
        var falseRateShift = Column("tip_posterior_false_rate_shift");
        return summary.Where(r => ReportSql.Long(r[scored]) > 0).ToDictionary(
            r => ReportSql.Month(r[0]),
            r => new PosteriorSums(
                ReportSql.Long(r[scored]), ReportSql.Long(r[notTip]) + ReportSql.Long(r[tip]), ReportSql.Long(r[tip]), ReportSql.Double(r[posterior]) ?? 0,
                ReportSql.Double(r[variance]) ?? 0, ReportSql.Double(r[rateShift]) ?? 0, ReportSql.Double(r[falseRateShift]) ?? 0));
    }

    /// <summary>The posterior sums of a view row, from column <paramref name="first"/> on, in <see cref="PosteriorColumns"/> order.</summary>
    public static PosteriorSums ReadPosteriorSums(object?[] row, int first)
    {
        ArgumentNullException.ThrowIfNull(row);
        var notTip = ReportSql.Long(row[first + 1]);
        var tip = ReportSql.Long(row[first + 2]);
        return new PosteriorSums(
            ReportSql.Long(row[first]), notTip + tip, tip, ReportSql.Double(row[first + 3]) ?? 0, ReportSql.Double(row[first + 4]) ?? 0,
            ReportSql.Double(row[first + 5]) ?? 0, ReportSql.Double(row[first + 6]) ?? 0);
    }

    // tip_share_model and its interval for a period of months: the posterior sums of its months add up; the excess variance
    // comes from all the model's scored months.
    private static object?[] PrevalenceCells(bool hasModel, long scored, IEnumerable<YearMonth> months, Dictionary<YearMonth, PosteriorSums> byMonth)
    {
        if (!hasModel || scored == 0 || byMonth.Count == 0)
        {
            return [null, null, null];
        }

        var sums = default(PosteriorSums);
        var monthCount = 0;
        foreach (var month in months)
        {
            if (byMonth.TryGetValue(month, out var m))
            {
                sums += m;
                monthCount++;
            }
        }

        var estimate = Prevalence.FromPosteriorSums(sums, Prevalence.PosteriorExcessVariance(byMonth.Values), monthCount);
        return double.IsNaN(estimate.Share) ? [null, null, null] : [estimate.Share, estimate.Low, estimate.High];
    }
}

/// <summary>One month of the TIP series of <c>rpt.v_tip_monthly</c>, in <see cref="MonthlyReport.TipColumns"/> order.</summary>
public sealed record TipMonthFigures(long SentToProsecution, long InProcess, long PersonsChargedPimping, long Convictions);

/// <summary>One month of the national series; counts in <see cref="MonthlyReport.CountColumns"/> order.</summary>
public sealed record MonthlyFigures(YearMonth Month, long[] Counts)
{
    /// <summary>The count at position <paramref name="index"/>.</summary>
    public long this[int index] => Counts[index];

    /// <summary>The count of the named column.</summary>
    public long Get(string column)
    {
        var index = MonthlyReport.CountColumns.ToList().IndexOf(column);
        return index >= 0 ? Counts[index] : throw new ArgumentException($"Unknown monthly column '{column}'.", nameof(column));
    }
}
