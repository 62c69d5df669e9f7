using System.CommandLine;
using TipWarehouse.Cli.Output;
using TipWarehouse.Core;
using TipWarehouse.Linkage.Determination;

namespace TipWarehouse.Cli.Commands;

/// <summary><c>tipw evaluate tip</c>: precision and recall of the TIP determination per level, and exploitation-type accuracy, against the simulator's truth.</summary>
public static class EvaluateTipCommand
{
    /// <summary>Creates the <c>tip</c> command that goes under <c>evaluate</c>.</summary>
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var home = CommonOptions.Home();
        var format = CommonOptions.Format("table", "csv", "json");
        var output = CommonOptions.Out();
        var truth = new Option<string>("--truth")
        {
            Description = "The simulator's truth folder (hotline_labels.csv, police_reports.csv, prosecution_cases.csv), e.g. HOME/sources/truth",
            Required = true,
        };
        var command = new Command("tip", "Precision, recall and F1 of the TIP determination per level (hotline_call, police_report, prosecution_case) and exploitation-type accuracy against ground truth")
        {
            home, truth, format, output,
        };
        command.SetAction(parseResult =>
        {
            var tipwHome = TipwHome.At(parseResult.GetValue(home));
            using var connection = Warehouse.Open(tipwHome, readOnly: true);
            var table = TipEvaluator.Evaluate(connection, Path.GetFullPath(parseResult.GetValue(truth)!));
            ResultWriter.WriteTo(table, parseResult.GetValue(format)!, parseResult.GetValue(output), context.Out);
            return CliApp.Success;
        });
        return command;
    }
}
