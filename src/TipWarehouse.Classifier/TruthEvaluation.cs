using System.Globalization;
using DuckDB.NET.Data;
using nietras.SeparatedValues;
using TipWarehouse.Core;

namespace TipWarehouse.Classifier;

/// <summary>One period of the prevalence check: the model's estimate and interval against the true share of TIP calls.</summary>
public sealed record PrevalencePeriod(string Period, long Calls, double TrueShare, double Estimate, double Low, double High, double OperatorShare)
{
    /// <summary>Estimate minus true share.</summary>
    public double Error => Estimate - TrueShare;

    /// <summary>True when the interval holds the true share.</summary>
    public bool Covered => TrueShare >= Low && TrueShare <= High;
}

/// <summary>The active model's prevalence estimates over every scored month and quarter, against the truth.</summary>
public sealed record PrevalenceCheck(string ModelName, IReadOnlyList<PrevalencePeriod> Months, IReadOnlyList<PrevalencePeriod> Quarters)
{
    /// <summary>The largest absolute quarterly error.</summary>
    public double MaxQuarterError => Quarters.Count == 0 ? double.NaN : Quarters.Max(q => Math.Abs(q.Error));

    /// <summary>The share of months whose interval holds the true share.</summary>
    public double MonthlyCoverage => Months.Count == 0 ? double.NaN : (double)Months.Count(m => m.Covered) / Months.Count;

    /// <summary>The monthly excess variance the intervals include (<see cref="Prevalence.PosteriorExcessVariance"/>).</summary>
    public double MonthlyExcessVariance { get; init; }

    /// <summary>The other estimators the view supports, measured the same way (confident learning, probability averaging).</summary>
    public IReadOnlyList<PrevalenceAlternative> Alternatives { get; init; } = [];
}

/// <summary>An estimator other than the published one, against the same truth: its largest quarterly error and its monthly coverage.</summary>
public sealed record PrevalenceAlternative(string Name, double MaxQuarterError, int MonthsCovered, int Months);

/// <summary>The active model judged against the simulator's true labels on its test months.</summary>
public sealed record TruthEvaluationResult(string ModelName, DateOnly TestFrom, DateOnly TestTo, int CallsWithoutTruth, BinaryMetrics Model, BinaryMetrics OperatorCategory);

/// <summary><c>tipw evaluate classifier</c>: the only code that reads the simulator's truth (<c>DIR/truth/hotline_labels.csv</c>).</summary>
public static class TruthEvaluation
{
    /// <summary>The truth file inside the simulated sources folder.</summary>
    public static string TruthFile(string truthDirectory) =>
        File.Exists(Path.Combine(truthDirectory, "hotline_labels.csv"))
            ? Path.Combine(truthDirectory, "hotline_labels.csv")
            : Path.Combine(truthDirectory, "truth", "hotline_labels.csv");

    /// <summary>Reads <c>hotline_labels.csv</c> (<c>id_llamada,is_tip,...</c>) into call id → is TIP.</summary>
    public static Dictionary<string, bool> ReadTruth(string truthDirectory)
    {
        var path = TruthFile(truthDirectory);
        if (!File.Exists(path))
        {
            throw new TipwException($"No truth labels at {path}; pass the simulated sources folder (or its truth/ folder) to --truth.");
        }

        var (text, _) = NarrativeFilePredictor.Decode(File.ReadAllBytes(path));
        using var reader = Sep.Reader(o => o with { Sep = new Sep(NarrativeFilePredictor.DetectSeparator(text)), Unescape = true, ColNameComparer = StringComparer.OrdinalIgnoreCase }).FromText(text);
        if (!reader.Header.ColNames.Contains("id_llamada", StringComparer.OrdinalIgnoreCase) || !reader.Header.ColNames.Contains("is_tip", StringComparer.OrdinalIgnoreCase))
        {
            throw new TipwException($"{path}: expected the columns id_llamada and is_tip (found: {string.Join(", ", reader.Header.ColNames)}).");
        }

        var truth = new Dictionary<string, bool>(StringComparer.Ordinal);
        var line = 1;
        foreach (var row in reader)
        {
            line++;
            var value = row["is_tip"].ToString().Trim();
            truth[row["id_llamada"].ToString().Trim()] = value switch
            {
                "1" or "true" or "True" or "TRUE" => true,
                "0" or "false" or "False" or "FALSE" => false,
                _ => throw new TipwException($"{path}, row {line}, column is_tip: '{value}' is not 0/1 or true/false."),
            };
        }

        return truth;
    }

    /// <summary>Scores the active model's test months with the active model and compares with the truth; the operator's
    /// category is measured the same way as a baseline.</summary>
    public static TruthEvaluationResult Evaluate(DuckDBConnection connection, TipwHome home, string truthDirectory)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(home);
        var active = ModelRegistry.RequireActive(connection, home);
        var metadata = ModelMetadata.Load(active.MetadataPath(home));
        var truth = ReadTruth(truthDirectory);
        var from = Key(metadata.TestFrom);
        var to = Key(metadata.TestTo);
        var calls = new List<CallFeatures>();
        var operatorFlags = new List<float>();
        var missing = 0;
        foreach (var (call, category) in WarehouseCalls.ReadWindow(connection, from, to))
        {
            if (!truth.TryGetValue(call.CallId, out var isTip))
            {
                missing++;
                continue;
            }

            call.Label = isTip;
            calls.Add(call);
            operatorFlags.Add(TipLabels.FromOperatorCategory(category) == true ? 1f : 0f);
        }

        if (calls.Count == 0)
        {
            throw new TipwException($"None of the warehouse's calls from {metadata.TestFrom:yyyy-MM-dd} to {metadata.TestTo:yyyy-MM-dd} has a label in {TruthFile(truthDirectory)}; is it the truth of the world loaded into this home?");
        }

        var scorer = active.LoadScorer(home);
        var labels = calls.Select(c => c.Label).ToArray();
        var model = BinaryMetrics.Compute(scorer.Score(calls), labels, active.Threshold);
        var operatorCategory = BinaryMetrics.Compute(operatorFlags, labels, 0.5);
        return new TruthEvaluationResult(active.ModelName, metadata.TestFrom, metadata.TestTo, missing, model, operatorCategory);
    }

    /// <summary>The active model's prevalence estimates per month and quarter from <paramref name="published"/> (the monthly
    /// report's posterior sums per month, yyyymm, as its reader returns them), with their 95% intervals against the true
    /// share of the scored calls and the operator's share.</summary>
    public static PrevalenceCheck CheckPrevalence(DuckDBConnection connection, TipwHome home, string truthDirectory, IReadOnlyDictionary<int, PosteriorSums> published)
    {
        ArgumentNullException.ThrowIfNull(published);
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(home);
        var active = ModelRegistry.RequireActive(connection, home);
        var truth = ReadTruth(truthDirectory);
        var rows = new List<(int Month, bool IsTip, bool Operator)>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT c.call_id, c.call_date_key, s.probability, c.operator_category
                FROM dw.fact_call_score s
                JOIN dw.fact_hotline_call c ON c.call_key = s.call_key
                WHERE s.model_key = $model
                """;
            command.Parameters.Add(new DuckDBParameter("model", active.ModelKey));
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (truth.TryGetValue(reader.GetString(0), out var isTip))
                {
                    rows.Add((Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture) / 100, isTip,
                        TipLabels.FromOperatorCategory(reader.IsDBNull(3) ? null : reader.GetString(3)) == true));
                }
            }
        }

        if (rows.Count == 0)
        {
            throw new TipwException($"The active model {active.ModelName} has no scored call with a true label; run 'tipw model score --home {home.Root}' and pass the truth of the world loaded into this home.");
        }

        // The published estimate comes from the monthly report's own reader, so what is checked is what the report publishes.
        var counts = ReadConfidentCounts(connection);
        var averaging = ReadProbabilitySums(connection);
        var excess = Prevalence.PosteriorExcessVariance(published.Values);
        var all = counts.Values.Aggregate(default(ConfidentCounts), (total, c) => total + c);
        var confidentExcess = Prevalence.MonthlyExcessVariance(counts.Values, all);
        var calibrationSd = averaging.Values.Select(v => v.Sd).FirstOrDefault();
        List<PrevalencePeriod> Periods(Func<int, string> label, Func<List<int>, long, PrevalenceEstimate> estimate) => [.. rows.GroupBy(r => label(r.Month)).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var months = g.Select(r => r.Month).Distinct().ToList();
            var e = estimate(months, g.Count());
            return new PrevalencePeriod(g.Key, g.Count(), (double)g.Count(r => r.IsTip) / g.Count(), e.Share, e.Low, e.High, (double)g.Count(r => r.Operator) / g.Count());
        })];
        string Month(int m) => $"{m / 100:0000}-{m % 100:00}";
        string Quarter(int m) => $"{m / 100:0000}-Q{((m % 100) + 2) / 3}";

        PrevalenceEstimate Published(List<int> months, long calls) => published.Count == 0
            ? new PrevalenceEstimate(calls, double.NaN, double.NaN, double.NaN)
            : Prevalence.FromPosteriorSums(months.Where(published.ContainsKey).Aggregate(default(PosteriorSums), (total, m) => total + published[m]), excess, months.Count(published.ContainsKey));
        PrevalenceEstimate Confident(List<int> months, long calls) =>
            Prevalence.FromConfidentCounts(calls, months.Where(counts.ContainsKey).Aggregate(default(ConfidentCounts), (total, m) => total + counts[m]), all, confidentExcess, months.Count(counts.ContainsKey));
        PrevalenceEstimate Averaged(List<int> months, long calls)
        {
            var inPeriod = months.Where(averaging.ContainsKey).Select(m => averaging[m]).ToList();
            return Prevalence.FromSums(inPeriod.Sum(v => v.Calls), inPeriod.Sum(v => v.Sum), inPeriod.Sum(v => v.Variance), calibrationSd);
        }

        PrevalenceAlternative Alternative(string name, Func<List<int>, long, PrevalenceEstimate> estimate)
        {
            var monthly = Periods(Month, estimate);
            var quarterly = Periods(Quarter, estimate);
            return new PrevalenceAlternative(name, quarterly.Count == 0 ? double.NaN : quarterly.Max(q => Math.Abs(q.Error)), monthly.Count(m => m.Covered), monthly.Count);
        }

        return new PrevalenceCheck(active.ModelName, Periods(Month, Published), Periods(Quarter, Published))
        {
            MonthlyExcessVariance = excess,
            Alternatives =
            [
                Alternative("confident learning (Prevalence.FromConfidentCounts, the estimate before)", Confident),
                Alternative("probability averaging (Prevalence.FromSums, the share an operator would file as TIP)", Averaged),
            ],
        };
    }

    private static Dictionary<int, ConfidentCounts> ReadConfidentCounts(DuckDBConnection connection)
    {
        var counts = new Dictionary<int, ConfidentCounts>();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT year_month, op_not_tip_calls, op_not_tip_sure_tip, op_not_tip_sure_not, op_tip_calls, op_tip_sure_tip, op_tip_sure_not
            FROM rpt.v_monthly_national
            WHERE calls_scored > 0
            """;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            counts[MonthKey(reader.GetString(0))] = new ConfidentCounts(Count(reader, 1), Count(reader, 2), Count(reader, 3), Count(reader, 4), Count(reader, 5), Count(reader, 6));
        }

        return counts;
    }

    private static Dictionary<int, (long Calls, double Sum, double Variance, double Sd)> ReadProbabilitySums(DuckDBConnection connection)
    {
        var sums = new Dictionary<int, (long, double, double, double)>();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT year_month, calls_scored, tip_expected_by_model, tip_variance_by_model, COALESCE(model_prevalence_sd, 0)
            FROM rpt.v_monthly_national
            WHERE calls_scored > 0
            """;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            sums[MonthKey(reader.GetString(0))] = (Count(reader, 1), Convert.ToDouble(reader.GetValue(2), CultureInfo.InvariantCulture),
                Convert.ToDouble(reader.GetValue(3), CultureInfo.InvariantCulture), Convert.ToDouble(reader.GetValue(4), CultureInfo.InvariantCulture));
        }

        return sums;
    }

    private static int MonthKey(string month) => (int.Parse(month[..4], CultureInfo.InvariantCulture) * 100) + int.Parse(month[5..7], CultureInfo.InvariantCulture);

    /// <summary>Where the prevalence estimate's calls are: per operator category and band of the stored calibrated
    /// probability, the active model's scored calls, how many the simulator says are TIP, their mean probability and how
    /// many the confident-learning rule (<c>rpt.v_model_confidence_thresholds</c>) puts in each confident set — the
    /// diagnosis of an estimator's bias, never an input of one.</summary>
    public static ResultTable PrevalenceBreakdown(DuckDBConnection connection, TipwHome home, string truthDirectory)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(home);
        var active = ModelRegistry.RequireActive(connection, home);
        var truth = ReadTruth(truthDirectory);
        double[] bands = [0.1, 0.3, 0.5, 0.7, 0.9, 1.01];
        var cells = new SortedDictionary<(string Category, int Band), (long Calls, long True, double SumP, long SureTip, long SureNot)>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT c.call_id, s.probability, c.operator_category,
                       s.probability >= th.tip_threshold AND 1.0 - s.probability < th.not_tip_threshold,
                       s.probability < th.tip_threshold AND 1.0 - s.probability >= th.not_tip_threshold
                FROM dw.fact_call_score s
                JOIN dw.fact_hotline_call c ON c.call_key = s.call_key
                CROSS JOIN rpt.v_model_confidence_thresholds th
                WHERE s.model_key = $model
                """;
            command.Parameters.Add(new DuckDBParameter("model", active.ModelKey));
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (!truth.TryGetValue(reader.GetString(0), out var isTip))
                {
                    continue;
                }

                var p = Convert.ToDouble(reader.GetValue(1), CultureInfo.InvariantCulture);
                var category = reader.IsDBNull(2) ? "(none)" : reader.GetString(2);
                var key = (category, Array.FindIndex(bands, b => p < b));
                var cell = cells.GetValueOrDefault(key);
                cells[key] = (cell.Calls + 1, cell.True + (isTip ? 1 : 0), cell.SumP + p,
                    cell.SureTip + (!reader.IsDBNull(3) && reader.GetBoolean(3) ? 1 : 0), cell.SureNot + (!reader.IsDBNull(4) && reader.GetBoolean(4) ? 1 : 0));
            }
        }

        string Band(int i) => string.Create(CultureInfo.InvariantCulture, $"{(i == 0 ? 0 : bands[i - 1]):0.0}-{Math.Min(1, bands[i]):0.0}");
        return new ResultTable(
            [
                new("operator_category", typeof(string)), new("operator_tip", typeof(bool)), new("probability_band", typeof(string)), new("calls", typeof(long)),
                new("true_tip", typeof(long)), new("mean_probability", typeof(double)), new("confident_tip", typeof(long)), new("confident_not", typeof(long)),
            ],
            [.. cells.Select(c => new object?[]
            {
                c.Key.Category, TipLabels.FromOperatorCategory(c.Key.Category == "(none)" ? null : c.Key.Category), Band(c.Key.Band), c.Value.Calls,
                c.Value.True, R(c.Value.SumP / c.Value.Calls), c.Value.SureTip, c.Value.SureNot,
            })],
            [$"scored calls of {active.ModelName} per operator category and probability band against the simulator's truth: a diagnosis, no estimator reads it"]);
    }

    // DuckDB sums integers into HUGEINT, which arrives as a BigInteger.
    private static long Count(System.Data.Common.DbDataReader reader, int ordinal) => reader.GetValue(ordinal) switch
    {
        DBNull => 0,
        System.Numerics.BigInteger big => (long)big,
        var value => Convert.ToInt64(value, CultureInfo.InvariantCulture),
    };

    /// <summary>The prevalence check as a table, one row per period.</summary>
    public static ResultTable ToTable(PrevalenceCheck check, bool quarters)
    {
        ArgumentNullException.ThrowIfNull(check);
        var periods = quarters ? check.Quarters : check.Months;
        return new ResultTable(
            [
                new("period", typeof(string)), new("calls", typeof(long)), new("true_share", typeof(double)), new("tip_share_model", typeof(double)),
                new("tip_share_model_low", typeof(double)), new("tip_share_model_high", typeof(double)), new("error", typeof(double)),
                new("covered", typeof(bool)), new("operator_share", typeof(double)),
            ],
            [.. periods.Select(p => new object?[] { p.Period, p.Calls, R(p.TrueShare), R(p.Estimate), R(p.Low), R(p.High), R(p.Error), p.Covered, R(p.OperatorShare) })],
            [.. PrevalenceNotes(check)]);
    }

    /// <summary>The summary lines of a prevalence check (targets: every quarter within 1.5 points, ≥ 90% monthly coverage).</summary>
    public static IEnumerable<string> PrevalenceNotes(PrevalenceCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        yield return $"prevalence of {check.ModelName} (tip_share_model of the monthly report: the mean noise-corrected posterior of the stored calibrated probabilities and operator categories) against the simulator's true share";
        yield return string.Create(CultureInfo.InvariantCulture, $"intervals: Bernoulli variance of the posteriors, the noise rates' uncertainty, and the monthly correction's excess dispersion, SD {Math.Sqrt(check.MonthlyExcessVariance) * 100:0.00} points per month (divided by the months of a quarter)");
        yield return string.Create(CultureInfo.InvariantCulture, $"quarters: largest |error| {check.MaxQuarterError * 100:0.00} points over {check.Quarters.Count} quarter(s) (target <= 1.50); months: true share inside the 95% interval in {check.Months.Count(m => m.Covered)} of {check.Months.Count} ({check.MonthlyCoverage:P1}; target >= 90%)");
        foreach (var alternative in check.Alternatives)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"for comparison, {alternative.Name}: largest quarterly |error| {alternative.MaxQuarterError * 100:0.00} points; true share inside its interval in {alternative.MonthsCovered} of {alternative.Months} months");
        }
    }

    /// <summary>The evaluation as the table <c>tipw evaluate classifier</c> prints.</summary>
    public static ResultTable ToTable(TruthEvaluationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var m = result.Model;
        var o = result.OperatorCategory;
        return new ResultTable(
            [
                new("model", typeof(string)), new("test_from", typeof(DateOnly)), new("test_to", typeof(DateOnly)), new("calls", typeof(int)),
                new("positives", typeof(int)), new("auc", typeof(double)), new("pr_auc", typeof(double)), new("precision", typeof(double)),
                new("recall", typeof(double)), new("f1", typeof(double)), new("threshold", typeof(double)),
                new("true_positives", typeof(int)), new("false_positives", typeof(int)), new("true_negatives", typeof(int)), new("false_negatives", typeof(int)),
            ],
            [[result.ModelName, result.TestFrom, result.TestTo, m.Count, m.Positives, R(m.Auc), R(m.PrAuc), R(m.Precision), R(m.Recall), R(m.F1), R(m.Threshold),
              m.TruePositives, m.FalsePositives, m.TrueNegatives, m.FalseNegatives]],
            [
                "against the simulator's true labels, on the model's test months",
                $"operator category alone on the same calls: precision {o.Precision:0.000}, recall {o.Recall:0.000}, F1 {o.F1:0.000}",
                result.CallsWithoutTruth > 0 ? $"{result.CallsWithoutTruth} call(s) of the test months had no true label and were left out" : "every call of the test months had a true label",
            ]);
    }

    private static double R(double value) => Math.Round(value, 4);

    private static int Key(DateOnly date) => (date.Year * 10000) + (date.Month * 100) + date.Day;
}
