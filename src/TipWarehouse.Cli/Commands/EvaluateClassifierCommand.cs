using System.CommandLine;
using TipWarehouse.Analytics.Reports;
using TipWarehouse.Classifier;
using TipWarehouse.Cli.Output;
using TipWarehouse.Core;

namespace TipWarehouse.Cli.Commands;

/// <summary><c>tipw evaluate classifier --truth DIR</c>: the active model against the simulator's true labels (the only reader of the truth).</summary>
internal static class EvaluateClassifierCommand
{
    public static Command Create(CliContext context)
    {
        var home = CommonOptions.Home();
        var format = CommonOptions.Format("table", "csv", "json");
        var output = CommonOptions.Out();
        var truth = new Option<string>("--truth")
        {
            Description = "The simulated sources folder (or its truth/ folder) holding hotline_labels.csv",
            Required = true,
        };
        var prevalence = new Option<string?>("--prevalence")
        {
            Description = "Instead of the test-month metrics, the prevalence estimate (tip_share_model and its 95% interval) against the true share, per month or quarter; 'breakdown': per operator category and probability band, the true TIP calls and the confident sets (a diagnosis)",
        };
        prevalence.AcceptOnlyFromAmong("month", "quarter", "breakdown");
        var command = new Command("classifier", "Measure the active model on its test months against the simulator's true labels, and its prevalence estimates over every scored month") { home, truth, prevalence, format, output };
        command.SetAction(parseResult =>
        {
            var tipwHome = TipwHome.At(parseResult.GetValue(home));
            using var connection = Warehouse.Open(tipwHome, readOnly: true);
            var truthDirectory = parseResult.GetValue(truth)!;
            var by = parseResult.GetValue(prevalence);
            if (by == "breakdown")
            {
                ResultWriter.WriteTo(TruthEvaluation.PrevalenceBreakdown(connection, tipwHome, truthDirectory), parseResult.GetValue(format)!, parseResult.GetValue(output), context.Out);
                return CliApp.Success;
            }

            var published = MonthlyReport.ReadPosteriorSumsByMonth(connection).ToDictionary(m => (m.Key.Year * 100) + m.Key.Month, m => m.Value);
            var check = TruthEvaluation.CheckPrevalence(connection, tipwHome, truthDirectory, published);
            if (by is not null)
            {
                ResultWriter.WriteTo(TruthEvaluation.ToTable(check, quarters: by == "quarter"), parseResult.GetValue(format)!, parseResult.GetValue(output), context.Out);
                return CliApp.Success;
            }

            var result = TruthEvaluation.Evaluate(connection, tipwHome, truthDirectory);
            var table = TruthEvaluation.ToTable(result);
            table = new ResultTable(table.Columns, table.Rows, [.. table.Notes, .. TruthEvaluation.PrevalenceNotes(check)]);
            ResultWriter.WriteTo(table, parseResult.GetValue(format)!, parseResult.GetValue(output), context.Out);
            return CliApp.Success;
        });
        return command;
    }
}
