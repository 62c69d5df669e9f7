using System.Globalization;
using DuckDB.NET.Data;
using nietras.SeparatedValues;
using TipWarehouse.Core;

namespace TipWarehouse.Classifier;

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
        var active = ModelRegistry.Active(connection)
            ?? throw new TipwException($"No active model. Train and activate one first: tipw model train --home {home.Root} --activate");
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
