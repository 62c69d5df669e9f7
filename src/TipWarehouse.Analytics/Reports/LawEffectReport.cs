using System.Globalization;
using DuckDB.NET.Data;
using TipWarehouse.Analytics.Disclosure;
using TipWarehouse.Analytics.Statistics;
using TipWarehouse.Core;

namespace TipWarehouse.Analytics.Reports;

/// <summary>
/// <c>law-effect</c>: the national monthly KPI before and after Law 28950 (January 2007) as an interrupted time series:
/// segmented regression with a level and a slope change at 2007-01, month-of-year seasonality, a step when the hotline
/// opened (2006-03) when the window spans it, and Newey-West standard errors. Reads <c>rpt.v_monthly_national</c>.
/// </summary>
public static class LawEffectReport
{
    /// <summary>The KPIs that can be chosen with <c>--kpi</c> (columns of the monthly series); the first is the default.</summary>
    public static readonly IReadOnlyList<string> Kpis =
    [
        "tip_police_reports", "tip_arrests", "cases_sent_to_prosecution", "formalizations", "sentences", "convictions", "hotline_calls", "calls_tip_by_operator",
    ];

    /// <summary>Effects are estimates, not cell counts.</summary>
    public static readonly DisclosureSpec Disclosure = new([], [], ColumnTotalsPublished: false);

    /// <summary>Builds the report for <paramref name="request"/>.</summary>
    public static ResultTable Build(DuckDBConnection connection, ReportRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var kpi = request.Kpi ?? Kpis[0];
        if (!Kpis.Contains(kpi))
        {
            throw new UsageException($"Unknown --kpi '{kpi}' for law-effect. Choose one of: {string.Join(", ", Kpis)}.");
        }

        var series = MonthlyReport.ReadSeries(connection);
        var (first, last) = MonthlyReport.DataRange(series);
        var window = ReportWindow.Resolve(request, first, last);
        var points = series.Where(s => window.Contains(s.Month)).Select(s => (s.Month, Y: (double)s.Get(kpi))).ToArray();
        return Fit(points, kpi, window);
    }

    /// <summary>Fits the segmented regression to a monthly series (exposed for tests on synthetic series).</summary>
    public static ResultTable Fit(IReadOnlyList<(YearMonth Month, double Y)> points, string kpi, ReportWindow window)
    {
        ArgumentNullException.ThrowIfNull(points);
        var law = YearMonth.LawEnacted;
        var before = points.Count(p => p.Month < law);
        var after = points.Count - before;
        if (before < 6 || after < 6)
        {
            throw new UsageException($"law-effect needs at least 6 months before and 6 months from January 2007 in the window; {window} has {before} before and {after} after. Widen --from/--to.");
        }

        var n = points.Count;
        var hotlineStep = points.Any(p => p.Month < YearMonth.HotlineOpened) && points.Any(p => p.Month >= YearMonth.HotlineOpened);
        var useDummies = n >= 24;
        var names = new List<string> { "intercept", "pre_law_trend_per_month" };
        if (hotlineStep)
        {
            names.Add("hotline_opening_step_2006_03");
        }

        names.Add("law_level_change_2007_01");
        names.Add("law_slope_change_per_month");
        var seasonalStart = names.Count;
        if (useDummies)
        {
            for (var m = 2; m <= 12; m++)
            {
                names.Add(string.Create(CultureInfo.InvariantCulture, $"month_{m:00}"));
            }
        }
        else
        {
            names.Add("season_sin");
            names.Add("season_cos");
        }

        var x = new double[n, names.Count];
        var y = new double[n];
        var origin = points[0].Month.Index;
        for (var i = 0; i < n; i++)
        {
            var month = points[i].Month;
            var c = 0;
            x[i, c++] = 1;
            x[i, c++] = month.Index - origin;
            if (hotlineStep)
            {
                x[i, c++] = month >= YearMonth.HotlineOpened ? 1 : 0;
            }

            var post = month >= law;
            x[i, c++] = post ? 1 : 0;
            x[i, c++] = post ? month.Index - law.Index : 0;
            if (useDummies)
            {
                if (month.Month > 1)
                {
                    x[i, seasonalStart + month.Month - 2] = 1;
                }
            }
            else
            {
                x[i, seasonalStart] = Math.Sin(2 * Math.PI * month.Month / 12);
                x[i, seasonalStart + 1] = Math.Cos(2 * Math.PI * month.Month / 12);
            }

            y[i] = points[i].Y;
        }

        var lags = (int)Math.Floor(4 * Math.Pow(n / 100.0, 2.0 / 9.0));
        LeastSquaresFit fit;
        try
        {
            fit = LeastSquares.FitNeweyWest(x, y, lags);
        }
        catch (InvalidOperationException ex)
        {
            throw new TipwException($"law-effect cannot be estimated on {window} for {kpi}: {ex.Message}");
        }

        var t = Distributions.StudentT975(n - names.Count);
        var columns = new ResultColumn[]
        {
            new("term", typeof(string)),
            new("estimate", typeof(double)),
            new("std_error", typeof(double)),
            new("ci_low", typeof(double)),
            new("ci_high", typeof(double)),
        };
        var rows = new List<object?[]>();
        for (var i = 0; i < seasonalStart; i++)
        {
            var se = fit.StandardError(i);
            rows.Add([names[i], Round(fit.Coefficients[i]), Round(se), Round(fit.Coefficients[i] - (t * se)), Round(fit.Coefficients[i] + (t * se))]);
        }

        var meanBefore = points.Where(p => p.Month < law).Average(p => p.Y);
        var meanAfter = points.Where(p => p.Month >= law).Average(p => p.Y);
        var notes = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"KPI: {kpi} (national, per month), {window}: {before} months before January 2007 (mean {meanBefore:0.##}), {after} from it (mean {meanAfter:0.##}); R² {fit.RSquared:0.###}."),
            "Method: interrupted time series, segmented OLS regression y_t = b0 + b1·t" + (hotlineStep ? " + h·[t ≥ 2006-03]" : string.Empty)
                + " + b2·[t ≥ 2007-01] + b3·(months since 2007-01)·[t ≥ 2007-01] + seasonality ("
                + (useDummies ? "11 month-of-year dummies" : "one annual Fourier pair, as the window is shorter than 24 months")
                + string.Create(CultureInfo.InvariantCulture, $"); b2 is the immediate level change and b3 the change in monthly trend after the law. 95% CI: Newey-West (HAC, Bartlett, {lags} lags) standard errors and Student t with {n - names.Count} df."),
            "Assumptions: without the law the pre-law trend and seasonality would have continued; no other change at January 2007 (police TIP-database training from April 2007 and the PNP-prosecution linkage from May 2007 fall in the post period and are confounded with the slope change); the definition of TIP-related records is consistent across the law date (the law redefines article 153, so recording practice may itself change).",
        };
        if (hotlineStep)
        {
            notes.Add("The hotline opened on 2006-03-13; its step term absorbs the level change it caused, so the law effect is measured against the post-hotline level.");
        }

        return new ResultTable(columns, rows, notes);
    }

    private static double Round(double value) => Math.Round(value, 4);
}
