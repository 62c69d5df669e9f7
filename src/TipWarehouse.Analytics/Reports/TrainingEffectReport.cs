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

        var training = ReportSql.Read(connection, "SELECT directorate, training_date FROM rpt.v_station_training").Rows
            .Where(r => r[0] is string)
            .GroupBy(r => DirectorateName.Key((string)r[0]!), StringComparer.Ordinal)
            .Where(g => g.Key.Length > 0)
            .ToDictionary(g => g.Key, g => DirectorateTrainingMonth(g.Select(r => TrainingMonth(r[1])).ToArray()), StringComparer.Ordinal);
        var panelRows = ReportSql.Read(connection, "SELECT directorate, year_month, tip_calls, referred_tip_calls, referred_tip_calls_reported, tip_reports FROM rpt.v_directorate_monthly").Rows
            .Select(r => (Directorate: DirectorateName.Key(r[0] as string), Month: ReportSql.Month(r[1]), Values: r.Skip(2).Select(ReportSql.Long).ToArray()))
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
            "Per cohort (directorates trained in the same month): difference-in-differences against not-yet-trained directorates (Callaway-Sant'Anna style): for each of up to 12 months after the training month, the cohort's change from its mean over the 12 months before training minus the same change of the directorates still untrained that month; the estimate is the mean over those months (the training month itself is left out). treated_/control_ pre and post are the matching group means. Ratio KPIs are ratios of sums, count KPIs monthly counts. 95% CI: percentile cluster bootstrap, resampling directorates with replacement (" + request.BootstrapReplications.ToString(CultureInfo.InvariantCulture) + " replications, seed " + request.BootstrapSeed.ToString(CultureInfo.InvariantCulture) + ").",
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
        var panel = new Panel(num, den, kpi, window, treatedMonth);
        foreach (var cohort in cohorts)
        {
            var label = $"trained {cohort}";
            var preFrom = Max(window.From, cohort.AddMonths(-12));
            var preTo = cohort.AddMonths(-1);
            var postFrom = cohort.AddMonths(1);
            var postTo = Min(window.To, cohort.AddMonths(12));
            var row = new object?[columns.Length];
            row[0] = label;
            row[3] = $"{preFrom}..{preTo}";
            var all = Enumerable.Range(0, directorates.Length).ToArray();
            var estimate = panel.CohortEffect(all, cohort, preFrom, preTo, postFrom, postTo);
            if (estimate is null)
            {
                notes.Add($"{label}: no month after training inside {window} with both a trained directorate and a not-yet-trained one with a defined KPI; no estimate.");
                row[1] = (long)treatedMonth.Count(m => m == cohort);
                row[2] = 0L;
                row[4] = postFrom <= postTo ? $"{postFrom}..{postTo}" : null;
                rows.Add(row);
                continue;
            }

            var e = estimate.Value;
            row[1] = (long)e.Treated;
            row[2] = (long)e.Controls;
            row[4] = $"{postFrom}..{e.LastMonth}";
            row[5] = Round(e.TreatedPre);
            row[6] = Round(e.TreatedPost);
            row[7] = Round(e.ControlPre);
            row[8] = Round(e.ControlPost);
            row[9] = Round(e.Effect);
            if (e.Treated + e.Controls < 3)
            {
                notes.Add($"{label}: one trained and one untrained directorate only; the estimate has no interval.");
                rows.Add(row);
                continue;
            }

            var replicates = new List<double>(request.BootstrapReplications);
            for (var b = 0; b < request.BootstrapReplications; b++)
            {
                var sample = new int[directorates.Length];
                for (var i = 0; i < sample.Length; i++)
                {
                    sample[i] = random.Next(directorates.Length);
                }

                if (panel.CohortEffect(sample, cohort, preFrom, preTo, postFrom, postTo) is { } replicate)
                {
                    replicates.Add(replicate.Effect);
                }
            }

            if (replicates.Count >= 20)
            {
                var sorted = replicates.Order().ToArray();
                row[10] = Round(Distributions.Quantile(sorted, 0.025));
                row[11] = Round(Distributions.Quantile(sorted, 0.975));
            }
            else
            {
                notes.Add($"{label}: too few bootstrap samples had both trained and untrained directorates for an interval.");
            }

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

    /// <summary>The directorate × month panel of one KPI, with the estimator of one training cohort's effect.</summary>
    private sealed class Panel(long[,] num, long[,] den, PanelKpi kpi, ReportWindow window, YearMonth?[] trainedFrom)
    {
        // Not-yet-trained comparison (Callaway and Sant'Anna style): for each month t after training, the cohort's change
        // from its own pre-training level is compared with the change of the directorates still untrained at t; the
        // cohort effect is the mean of those monthly differences. Directorates are indexed through 'sample', so a
        // bootstrap replicate is the same computation on directorates drawn with replacement.
        public CohortEstimate? CohortEffect(int[] sample, YearMonth cohort, YearMonth preFrom, YearMonth preTo, YearMonth postFrom, YearMonth postTo)
        {
            if (preFrom > preTo || postFrom > postTo)
            {
                return null;
            }

            var baseline = new double?[sample.Length];
            for (var i = 0; i < sample.Length; i++)
            {
                baseline[i] = Value(sample[i], preFrom, preTo);
            }

            var effects = new List<double>();
            double treatedPre = 0, treatedPost = 0, controlPre = 0, controlPost = 0;
            var treatedSet = new HashSet<int>();
            var controlSet = new HashSet<int>();
            var last = postFrom;
            for (var t = postFrom; t <= postTo; t = t.AddMonths(1))
            {
                double tSum = 0, tPre = 0, cSum = 0, cPre = 0;
                int tN = 0, cN = 0;
                for (var i = 0; i < sample.Length; i++)
                {
                    var d = sample[i];
                    if (baseline[i] is not { } pre || Value(d, t, t) is not { } y)
                    {
                        continue;
                    }

                    if (trainedFrom[d] == cohort)
                    {
                        tSum += y;
                        tPre += pre;
                        tN++;
                        treatedSet.Add(d);
                    }
                    else if (trainedFrom[d] is null || trainedFrom[d]!.Value > t)
                    {
                        cSum += y;
                        cPre += pre;
                        cN++;
                        controlSet.Add(d);
                    }
                }

                if (tN == 0 || cN == 0)
                {
                    continue;
                }

                effects.Add(((tSum - tPre) / tN) - ((cSum - cPre) / cN));
                treatedPre += tPre / tN;
                treatedPost += tSum / tN;
                controlPre += cPre / cN;
                controlPost += cSum / cN;
                last = t;
            }

            if (effects.Count == 0)
            {
                return null;
            }

            var n = effects.Count;
            return new CohortEstimate(effects.Average(), treatedSet.Count, controlSet.Count, last, treatedPre / n, treatedPost / n, controlPre / n, controlPost / n);
        }

        // Ratio KPIs are ratios of sums over the months; count KPIs monthly means. Null when the denominator is zero.
        private double? Value(int d, YearMonth from, YearMonth to)
        {
            long n = 0, q = 0;
            for (var m = from; m <= to; m = m.AddMonths(1))
            {
                var i = m.Index - window.From.Index;
                n += num[d, i];
                q += den[d, i];
            }

            return q == 0 ? null : kpi.Scale * n / q;
        }
    }

    private readonly record struct CohortEstimate(double Effect, int Treated, int Controls, YearMonth LastMonth, double TreatedPre, double TreatedPost, double ControlPre, double ControlPost);
}
