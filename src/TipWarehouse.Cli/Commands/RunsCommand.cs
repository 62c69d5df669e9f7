using System.CommandLine;
using TipWarehouse.Cli.Output;
using TipWarehouse.Core;
using TipWarehouse.Etl.Engine;
using TipWarehouse.Etl.Specs;

namespace TipWarehouse.Cli.Commands;

/// <summary><c>tipw runs</c>: the run history, one row per batch with its reconciliation counts and watermarks.</summary>
internal static class RunsCommand
{
    public static Command Create(CliContext context)
    {
        var home = CommonOptions.Home();
        var format = CommonOptions.Format("table", "csv", "json");
        var output = CommonOptions.Out();
        var pipeline = new Option<string?>("--pipeline") { Description = "Only the runs of this pipeline" };
        var limit = new Option<int?>("--last") { Description = "Only the last N rows" };
        var command = new Command("runs", "Show the run history: runs and batches with rows read, loaded, rejected and duplicate, watermarks, duration, status and error")
        {
            home, format, output, pipeline, limit,
        };
        command.SetAction(parseResult =>
        {
            if (parseResult.GetValue(limit) is < 1)
            {
                throw new UsageException("--last must be at least 1.");
            }

            if (parseResult.GetValue(pipeline) is { } name && KnownPipelines(context) is { } known && !known.Contains(name, StringComparer.Ordinal))
            {
                var hint = UsageMessages.Nearest(name, known) is { } near ? $" Did you mean '{near}'?" : "";
                throw new UsageException($"Unknown pipeline '{name}'.{hint} Known: {string.Join(", ", known)}.");
            }

            var table = RunHistory.Query(TipwHome.At(parseResult.GetValue(home)), parseResult.GetValue(pipeline), parseResult.GetValue(limit));
            ResultWriter.WriteTo(table, parseResult.GetValue(format)!, parseResult.GetValue(output), context.Out);
            return CliApp.Success;
        });
        return command;
    }

    /// <summary>The pipelines of the specs, or null when the specs cannot be read (then any name is looked up as given).</summary>
    private static IReadOnlyList<string>? KnownPipelines(CliContext context)
    {
        try
        {
            var directory = PipelineEngine.LocatePipelinesDirectory(null, context.GetEnvironmentVariable);
            return [.. SpecLoader.LoadDirectory(directory, PipelineEngineFactory.Steps(context).Select(s => s.Kind)).Select(s => s.Name)];
        }
        catch (TipwException)
        {
            return null;
        }
    }
}
