using System.CommandLine;
using TipWarehouse.Cli.Output;
using TipWarehouse.Core;
using TipWarehouse.Etl.Engine;
using TipWarehouse.Etl.Quality;
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
        var freshness = new Option<bool>("--freshness") { Description = "Show each source's freshness instead (cadence declared in its spec, last new data, fresh or stale)" };
        var pipelines = new Option<string?>("--pipelines") { Description = "The folder of pipeline specs whose freshness cadences are read (default: TIPW_PIPELINES_DIR, ./pipelines, or the copy beside tipw)" };
        var command = new Command("runs", "Show the run history: runs and batches with rows read, loaded, rejected and duplicate, watermarks, duration, status, error and failed data tests; stale sources are named")
        {
            home, format, output, pipeline, limit, freshness, pipelines,
        };
        command.SetAction(parseResult =>
        {
            if (parseResult.GetValue(limit) is < 1)
            {
                throw new UsageException("--last must be at least 1.");
            }

            if (parseResult.GetValue(pipeline) is { } name && KnownPipelines(context, parseResult.GetValue(pipelines)) is { } known && !known.Contains(name, StringComparer.Ordinal))
            {
                var hint = UsageMessages.Nearest(name, known) is { } near ? $" Did you mean '{near}'?" : "";
                throw new UsageException($"Unknown pipeline '{name}'.{hint} Known: {string.Join(", ", known)}.");
            }

            var tipwHome = TipwHome.At(parseResult.GetValue(home));
            List<string> notes = [];
            IEnumerable<PipelineSpec> specs = [];
            try
            {
                specs = SpecLoader.LoadDirectory(PipelineEngine.LocatePipelinesDirectory(parseResult.GetValue(pipelines), context.GetEnvironmentVariable))
                    .Where(s => parseResult.GetValue(pipeline) is not { } only || s.Name == only);
            }
            catch (SpecException ex)
            {
                // The history is still shown when a spec is broken; only the cadences are unknown.
                notes.Add($"freshness not evaluated: {ex.Errors.Count} pipeline spec error(s) ('tipw check' lists them)");
            }

            IReadOnlyList<FreshnessStatus> statuses;
            ResultTable table;
            using (var connection = Warehouse.Open(tipwHome, readOnly: true))
            {
                statuses = Freshness.Evaluate(connection, specs, context.Time.GetUtcNow());
                table = parseResult.GetValue(freshness)
                    ? Freshness.ToTable(statuses)
                    : RunHistory.Query(connection, parseResult.GetValue(pipeline), parseResult.GetValue(limit));
            }

            if (!parseResult.GetValue(freshness))
            {
                table = new ResultTable(table.Columns, table.Rows, [.. table.Notes, .. notes, .. statuses.Where(s => s.IsStale).Select(s => s.Describe())]);
            }

            ResultWriter.WriteTo(table, parseResult.GetValue(format)!, parseResult.GetValue(output), context.Out);
            return CliApp.Success;
        });
        return command;
    }

    /// <summary>The pipelines of the specs, or null when the specs cannot be read (then any name is looked up as given).</summary>
    private static IReadOnlyList<string>? KnownPipelines(CliContext context, string? pipelinesDirectory)
    {
        try
        {
            var directory = PipelineEngine.LocatePipelinesDirectory(pipelinesDirectory, context.GetEnvironmentVariable);
            return [.. SpecLoader.LoadDirectory(directory, PipelineEngineFactory.Steps(context).Select(s => s.Kind)).Select(s => s.Name)];
        }
        catch (TipwException)
        {
            return null;
        }
    }
}
