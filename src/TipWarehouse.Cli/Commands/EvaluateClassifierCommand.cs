using System.CommandLine;
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
        var command = new Command("classifier", "Measure the active model on its test months against the simulator's true labels") { home, truth, format, output };
        command.SetAction(parseResult =>
        {
            var tipwHome = TipwHome.At(parseResult.GetValue(home));
            using var connection = Warehouse.Open(tipwHome, readOnly: true);
            var result = TruthEvaluation.Evaluate(connection, tipwHome, parseResult.GetValue(truth)!);
            ResultWriter.WriteTo(TruthEvaluation.ToTable(result), parseResult.GetValue(format)!, parseResult.GetValue(output), context.Out);
            return CliApp.Success;
        });
        return command;
    }
}
