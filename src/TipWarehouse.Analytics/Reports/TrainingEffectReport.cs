using System.Globalization;
using DuckDB.NET.Data;
using TipWarehouse.Analytics.Disclosure;
using TipWarehouse.Analytics.Statistics;
using TipWarehouse.Core;

namespace TipWarehouse.Analytics.Reports;

/// <summary>A directorate KPI of the training-effect report: numerator / denominator × scale (no denominator: a monthly count).</summary>
public sealed record PanelKpi(string Name, string Numerator, string? Denominator, double Scale, string Description);

/// <summary>
/// <c>training-effect</c>: difference-in-differences of a directorate KPI between directorates trained on the PNP TIP
/// database and those not yet trained, before and after each training date (one 2×2 estimate per training cohort, with a
/// cluster bootstrap interval) and pooled over all cohorts (two-way fixed effects, cluster-robust interval). Reads
/// <c>rpt.v_directorate_monthly</c> and <c>rpt.v_station_training</c>.
/// </summary>
public static class TrainingEffectReport
{
    /// <summary>The KPIs that can be chosen with <c>--kpi</c>; the first is the default.</summary>
    public static readonly IReadOnlyList<PanelKpi> Kpis =
    [
        new("tip_reports_per_100_tip_calls", "tip_reports", "tip_calls", 100, "TIP-related police reports per 100 TIP hotline calls"),
        new("tip_reports", "tip_reports", null, 1, "TIP-related police reports per month"),
        new("referral_to_report_rate", "referred_tip_calls_reported", "referred_tip_calls", 1, "share of referred TIP calls that a police report cites"),
        new("tip_calls", "tip_calls", null, 1, "TIP hotline calls per month"),
    ];

    /// <summary>Effects are estimates, not cell counts: only the count columns (directorate numbers) are checked.</summary>
    public static readonly DisclosureSpec Disclosure = new([], [], ColumnTotalsPublished: false);

    private static readonly string[] s_panelColumns = ["tip_calls", "referred_tip_calls", "referred_tip_calls_reported", "tip_reports"];

    /// <summary>Builds the report for <paramref name="request"/>.</summary>
    public static ResultTable Build(DuckDBConnection connection, ReportRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var kpi = Kpis.FirstOrDefault(k => k.Name == (request.Kpi ?? Kpis[0].Name))
            ?? throw new UsageException($"Unknown --kpi '{request.Kpi}' for training-effect. Choose one of: {string.Join(", ", Kpis.Select(k => k.Name))}.");

        var training = Sql.Read(connection, "SELECT directorate, training_date FROM rpt.v_station_training").Rows
            .Where(r => r[0] is string)
            .GroupBy(r => DirectorateName.Key((string)r[0]!), StringComparer.Ordinal)
            .Where(g => g.Key.Length > 0)
            .ToDictionary(g => g.Key, g => DirectorateTrainingMonth(g.Select(r => TrainingMonth(r[1])).ToArray()), StringComparer.Ordinal);
        var panelRows = Sql.Read(connection, "SELECT directorate, year_month, tip_calls, referred_tip_calls, referred_tip_calls_reported, tip_reports FROM rpt.v_directorate_monthly").Rows
            .Select(r => (Directorate: DirectorateName.Key(r[0] as string), Month: Sql.Month(r[1]), Values: r.Skip(2).Select(Sql.Long).ToArray()))
            .Where(r => training.ContainsKey(r.Directorate))
            .ToArray();
        if (training.Count == 0 || panelRows.Length == 0)
        {
            throw new TipwException("No directorate panel yet: the training-effect report needs police units (dw.dim_police_unit) and hotline calls or police reports. Load data first ('tipw run' or 'tipw demo').");
        }

        var window = ReportWindow.Resolve(request, panelRows.Min(r => r.Month), panelRows.Max(r => r.Month));
        var directorates = training.Keys.Order(StringComparer.Ordinal).ToArray();
        var months = window.EachMonth().ToArray();
        var numerator = Array.IndexOf(s_panelColumns, kpi.Numerator);
        var denominator = kpi.Denominator is null ? -1 : Array.IndexOf(s_panelColumns, kpi.Denominator);
        var num = new long[directorates.Length, months.Length];
        var den = new long[directorates.Length, months.Length];
        var directorateIndex = directorates.Select((d, i) => (d, i)).ToDictionary(x => x.d, x => x.i, StringComparer.Ordinal);
        foreach (var row in panelRows.Where(r => window.Contains(r.Month)))
        {
            var d = directorateIndex[row.Directorate];
            var m = row.Month.Index - window.From.Index;
            num[d, m] += row.Values[numerator];
            den[d, m] += denominator >= 0 ? row.Values[denominator] : 1;
        }

        var treatedMonth = directorates.Select(d => training[d]).ToArray();
        var cohorts = treatedMonth.Where(m => m is not null && m.Value > window.From && m.Value < window.To).Select(m => m!.Value).Distinct().Order().ToArray();
        var notes = new List<string>
        {
            $"KPI: {kpi.Name} ({kpi.Description}), {window}, {directorates.Length} directorates; a directorate counts as trained from the month by which half of its stations were trained on the TIP database (the median station training date; never, if fewer than half are trained).",
            "Per cohort (directorates trained in the same month): 2x2 difference-in-differences of the KPI between the 12 months before training and the months after it (up to 12, and before the next cohort is trained), against the directorates not yet trained by the end of that window; the training month itself is left out. Ratio KPIs are ratios of sums over each window. 95% CI: percentile cluster bootstrap resampling directorates within the treated and control groups (" + request.BootstrapReplications.ToString(CultureInfo.InvariantCulture) + " replications, seed " + request.BootstrapSeed.ToString(CultureInfo.InvariantCulture) + ").",
            "Pooled: two-way fixed effects regression of the monthly KPI on a trained indicator with directorate and month fixed effects (directorate-months with a zero denominator dropped); 95% CI from cluster-robust (CR1, by directorate) standard errors and Student t with G-1 degrees of freedom.",
            "Assumptions: parallel trends (without training, trained and untrained directorates' KPI would have moved alike), no anticipation before the training month, no spillover from trained to untrained directorates, and training timing unrelated to KPI shocks. With few directorates the intervals are wide and approximate; the pooled TWFE estimate can be biased when effects differ between cohorts or grow over time, so read it beside the per-cohort estimates.",
        };

        var columns = new ResultColumn[]
        {
            new("estimate", typeof(string)),
            new("treated_directorates", typeof(long)),
            new("control_directorates", typeof(long)),
            new("pre_window", typeof(string)),
            new("post_window", typeof(string)),
            new("treated_pre", typeof(double)),
            new("treated_post", typeof(double)),
            new("control_pre", typeof(double)),
            new("control_post", typeof(double)),
            new("did_estimate", typeof(double)),
            new("ci_low", typeof(double)),
            new("ci_high", typeof(double)),
        };
        var rows = new List<object?[]>();
        var random = new Random(request.BootstrapSeed);
        for (var c = 0; c < cohorts.Length; c++)
        {
            var cohort = cohorts[c];
            var preFrom = Max(window.From, cohort.AddMonths(-12));
            var preTo = cohort.AddMonths(-1);
            var postFrom = cohort.AddMonths(1);
            var postTo = Min(window.To, cohort.AddMonths(12));
            if (c + 1 < cohorts.Length)
            {
                postTo = Min(postTo, cohorts[c + 1].AddMonths(-1));
            }

            var label = $"trained {cohort}";
            if (postFrom > postTo || preFrom > preTo)
            {
                notes.Add($"{label}: no months on one side of the training date inside {window}; no estimate.");
                continue;
            }

            var treated = Enumerable.Range(0, directorates.Length).Where(d => treatedMonth[d] == cohort).ToArray();
            var controls = Enumerable.Range(0, directorates.Length).Where(d => treatedMonth[d] is null || treatedMonth[d]!.Value > postTo).ToArray();
            var treatedDeltas = Deltas(treated, num, den, kpi, window, preFrom, preTo, postFrom, postTo);
            var controlDeltas = Deltas(controls, num, den, kpi, window, preFrom, preTo, postFrom, postTo);
            var row = new object?[columns.Length];
            row[0] = label;
            row[1] = (long)treatedDeltas.Count;
            row[2] = (long)controlDeltas.Count;
            row[3] = $"{preFrom}..{preTo}";
            row[4] = $"{postFrom}..{postTo}";
            if (treatedDeltas.Count == 0 || controlDeltas.Count == 0)
            {
                notes.Add($"{label}: {(treatedDeltas.Count == 0 ? "no treated" : "no untrained control")} directorate with a defined KPI in both windows; no estimate.");
                rows.Add(row);
                continue;
            }

            row[5] = Round(treatedDeltas.Average(x => x.Pre));
            row[6] = Round(treatedDeltas.Average(x => x.Post));
            row[7] = Round(controlDeltas.Average(x => x.Pre));
            row[8] = Round(controlDeltas.Average(x => x.Post));
            var tDelta = treatedDeltas.Select(x => x.Post - x.Pre).ToArray();
            var cDelta = controlDeltas.Select(x => x.Post - x.Pre).ToArray();
            row[9] = Round(tDelta.Average() - cDelta.Average());
            var (low, high) = BootstrapInterval(tDelta, cDelta, request.BootstrapReplications, random);
            row[10] = Round(low);
            row[11] = Round(high);
            rows.Add(row);
        }

        rows.Add(Pooled(directorates, months, treatedMonth, num, den, kpi, columns.Length, notes));
        return new ResultTable(columns, rows, notes);
    }

    private static object?[] Pooled(string[] directorates, YearMonth[] months, YearMonth?[] treatedMonth, long[,] num, long[,] den, PanelKpi kpi, int width, List<string> notes)
    {
        var row = new object?[width];
        row[0] = "pooled (two-way fixed effects)";
        row[3] = $"{months[0]}..{months[^1]}";
        row[4] = row[3];
        var cells = new List<(int D, int M, double Y, bool Treated)>();
        for (var d = 0; d < directorates.Length; d++)
        {
            for (var m = 0; m < months.Length; m++)
            {
                if (treatedMonth[d] == months[m] || den[d, m] == 0)
                {
                    continue;
                }

                cells.Add((d, m, kpi.Scale * num[d, m] / den[d, m], treatedMonth[d] is { } t && months[m] > t));
            }
        }

        var everTreated = cells.Where(c => c.Treated).Select(c => c.D).Distinct().Count();
        var neverInWindow = cells.Select(c => c.D).Distinct().Count() - everTreated;
        row[1] = (long)everTreated;
        row[2] = (long)neverInWindow;
        var usedDirectorates = cells.Select(c => c.D).Distinct().Order().ToArray();
        var usedMonths = cells.Select(c => c.M).Distinct().Order().ToArray();
        if (everTreated == 0 || cells.All(c => c.Treated) || usedDirectorates.Length < 3)
        {
            notes.Add("Pooled: the window has no trained directorate-months, or no untrained ones, or fewer than 3 directorates; no estimate.");
            return row;
        }

        var dIndex = usedDirectorates.Select((d, i) => (d, i)).ToDictionary(x => x.d, x => x.i);
        var mIndex = usedMonths.Select((m, i) => (m, i)).ToDictionary(x => x.m, x => x.i);
        var p = 2 + (usedDirectorates.Length - 1) + (usedMonths.Length - 1);
        var x = new double[cells.Count, p];
        var y = new double[cells.Count];
        var cluster = new int[cells.Count];
        for (var i = 0; i < cells.Count; i++)
        {
            var cell = cells[i];
            x[i, 0] = 1;
            x[i, 1] = cell.Treated ? 1 : 0;
            var di = dIndex[cell.D];
            if (di > 0)
            {
                x[i, 1 + di] = 1;
            }

            var mi = mIndex[cell.M];
            if (mi > 0)
            {
                x[i, usedDirectorates.Length + mi] = 1;
            }

            y[i] = cell.Y;
            cluster[i] = cell.D;
        }

        try
        {
            var fit = LeastSquares.FitClusterRobust(x, y, cluster);
            var se = fit.StandardError(1);
            var t = Distributions.StudentT975(usedDirectorates.Length - 1);
            row[9] = Round(fit.Coefficients[1]);
            row[10] = Round(fit.Coefficients[1] - (t * se));
            row[11] = Round(fit.Coefficients[1] + (t * se));
            var trainedDirectorates = cells.Where(c => c.Treated).Select(c => c.D).ToHashSet();
            var treatedPre = cells.Where(c => !c.Treated && trainedDirectorates.Contains(c.D)).Select(c => c.Y).ToArray();
            row[5] = treatedPre.Length > 0 ? Round(treatedPre.Average()) : null;
            row[6] = Round(cells.Where(c => c.Treated).Average(c => c.Y));
            var controlCells = cells.Where(c => !trainedDirectorates.Contains(c.D)).Select(c => c.Y).ToArray();
            row[7] = controlCells.Length > 0 ? Round(controlCells.Average()) : null;
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"Pooled: {cells.Count} directorate-months, {usedDirectorates.Length} clusters, cluster-robust SE {se:0.####}. Its treated_pre/treated_post are the mean monthly KPI of trained directorates before/after training, control_pre the mean of directorates never trained in the window."));
        }
        catch (InvalidOperationException ex)
        {
            notes.Add($"Pooled: {ex.Message}");
        }

        return row;
    }

    private static List<(double Pre, double Post)> Deltas(int[] group, long[,] num, long[,] den, PanelKpi kpi, ReportWindow window, YearMonth preFrom, YearMonth preTo, YearMonth postFrom, YearMonth postTo)
    {
        var result = new List<(double Pre, double Post)>();
        foreach (var d in group)
        {
            var pre = WindowValue(d, num, den, kpi, window, preFrom, preTo);
            var post = WindowValue(d, num, den, kpi, window, postFrom, postTo);
            if (pre is not null && post is not null)
            {
                result.Add((pre.Value, post.Value));
            }
        }

        return result;
    }

    private static double? WindowValue(int d, long[,] num, long[,] den, PanelKpi kpi, ReportWindow window, YearMonth from, YearMonth to)
    {
        long n = 0, q = 0;
        for (var m = from; m <= to; m = m.AddMonths(1))
        {
            var i = m.Index - window.From.Index;
            n += num[d, i];
            q += den[d, i];
        }

        // For a count KPI the denominator is the number of months, so the value is a monthly mean.
        return q == 0 ? null : kpi.Scale * n / q;
    }

    private static (double Low, double High) BootstrapInterval(double[] treated, double[] controls, int replications, Random random)
    {
        var estimates = new double[replications];
        for (var b = 0; b < replications; b++)
        {
            estimates[b] = ResampleMean(treated, random) - ResampleMean(controls, random);
        }

        Array.Sort(estimates);
        return (Distributions.Quantile(estimates, 0.025), Distributions.Quantile(estimates, 0.975));
    }

    private static double ResampleMean(double[] values, Random random)
    {
        var sum = 0.0;
        for (var i = 0; i < values.Length; i++)
        {
            sum += values[random.Next(values.Length)];
        }

        return sum / values.Length;
    }

    /// <summary>The month by which at least half of a directorate's stations were trained; null when fewer than half ever were.</summary>
    public static YearMonth? DirectorateTrainingMonth(IReadOnlyList<YearMonth?> stationMonths)
    {
        ArgumentNullException.ThrowIfNull(stationMonths);
        var trained = stationMonths.Where(m => m is not null).Select(m => m!.Value).Order().ToArray();
        var half = (stationMonths.Count + 1) / 2;
        return trained.Length >= half && half > 0 ? trained[half - 1] : null;
    }

    private static YearMonth? TrainingMonth(object? value) => value switch
    {
        DateTime dt => new YearMonth(dt.Year, dt.Month),
        DateOnly d => new YearMonth(d.Year, d.Month),
        _ => null,
    };

    private static YearMonth Max(YearMonth a, YearMonth b) => a > b ? a : b;

    private static YearMonth Min(YearMonth a, YearMonth b) => a < b ? a : b;

    private static double Round(double value) => Math.Round(value, 4);
}
