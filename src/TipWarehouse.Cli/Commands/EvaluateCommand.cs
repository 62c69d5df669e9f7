using System.CommandLine;

namespace TipWarehouse.Cli.Commands;

/// <summary><c>tipw evaluate linkage|classifier|tip</c>: measure the warehouse against the simulator's ground truth (the only place the truth is read).</summary>
internal static class EvaluateCommand
{
    public static Command Create(CliContext context) =>
        new("evaluate", "Measure linkage, the classifier and the TIP determination against the simulator's ground truth")
        {
            EvaluateLinkageCommand.Create(context),
            EvaluateClassifierCommand.Create(context),
            EvaluateTipCommand.Create(context),
        };
}
