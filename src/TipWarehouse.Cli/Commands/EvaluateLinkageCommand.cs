using System.CommandLine;
using TipWarehouse.Cli.Output;
using TipWarehouse.Core;
using TipWarehouse.Linkage;

namespace TipWarehouse.Cli.Commands;

/// <summary><c>tipw evaluate linkage</c>: precision, recall and F1 per link type against the simulator's truth.</summary>
public static class EvaluateLinkageCommand
{
    /// <summary>Creates the <c>linkage</c> command that goes under <c>evaluate</c>.</summary>
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var home = CommonOptions.Home();
        var format = CommonOptions.Format("table", "csv", "json");
        var output = CommonOptions.Out();
        var truth = new Option<string>("--truth")
        {
            Description = "The simulator's truth folder (holds links.csv), e.g. HOME/sources/truth",
            Required = true,
        };
        var command = new Command("linkage", "Precision, recall and F1 of the linked pairs per link type (hotline_police, police_prosecution) against ground truth")
        {
            home, truth, format, output,
        };
        command.SetAction(parseResult =>
        {
            var tipwHome = TipwHome.At(parseResult.GetValue(home));
            using var connection = Warehouse.Open(tipwHome, readOnly: true);
            var qualities = LinkageEvaluator.Evaluate(connection, Path.GetFullPath(parseResult.GetValue(truth)!));
            foreach (var quality in qualities)
            {
                context.Error.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{quality.LinkType}: {quality.TruePositives} true of {quality.Predicted} linked; {quality.TruthPairsLoaded} true pairs with both records loaded ({quality.TruthPairs} in truth)."));
            }

            ResultWriter.WriteTo(LinkageEvaluator.ToTable(qualities), parseResult.GetValue(format)!, parseResult.GetValue(output), context.Out);
            return CliApp.Success;
        });
        return command;
    }
}
