using System.CommandLine;

namespace TipWarehouse.Cli.Commands;

/// <summary><c>tipw evaluate linkage|classifier</c>: measure the warehouse against the simulator's ground truth (the only place the truth is read).</summary>
internal static class EvaluateCommand
{
    public static Command Create(CliContext context) =>
        new("evaluate", "Measure linkage and the classifier against the simulator's ground truth")
        {
            EvaluateLinkageCommand.Create(context),
            EvaluateClassifierCommand.Create(context),
        };
}
