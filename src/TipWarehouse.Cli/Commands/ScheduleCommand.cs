using System.CommandLine;
using TipWarehouse.Cli.Output;
using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;
using TipWarehouse.Etl.Quality;
using TipWarehouse.Etl.Specs;
using TipWarehouse.Scheduling;

namespace TipWarehouse.Cli.Commands;

/// <summary><c>tipw schedule</c>: lists the scheduled pipelines; <c>trigger</c>, <c>pause</c>, <c>resume</c> and <c>history</c> act on the persistent store.</summary>
internal static class ScheduleCommand
{
    public static Command Create(CliContext context)
    {
        var home = CommonOptions.Home();
        var format = CommonOptions.Format("table", "csv", "json");
        var output = CommonOptions.Out();
        var pipelines = PipelinesOption();
        var command = new Command("schedule", "List the scheduled pipelines: cron, time zone, next fire, last run and status, and each source's freshness (stale when no new data arrived within its cadence)")
        {
            home, format, output, pipelines,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var tipwHome = TipwHome.At(parseResult.GetValue(home));
            var engine = PipelineEngineFactory.Create(context, tipwHome, parseResult.GetValue(pipelines));
            await using var admin = await OpenAsync(context, tipwHome, engine, cancellationToken);
            var (recorded, freshness) = WarehouseState(tipwHome, engine.Specs, context.Time);
            var table = await admin.ListAsync(recorded, freshness, cancellationToken);
            ResultWriter.WriteTo(table, parseResult.GetValue(format)!, parseResult.GetValue(output), context.Out);
            return CliApp.Success;
        });

        command.Subcommands.Add(Action(context, "trigger", "Run a pipeline now (picked up by a running 'tipw serve' within seconds, else when serve next starts)", (admin, p, ct) => admin.TriggerAsync(p, ct), "queued to run now"));
        command.Subcommands.Add(Action(context, "pause", "Pause a pipeline: no cron fires, no chained or retry runs, until resumed", (admin, p, ct) => admin.PauseAsync(p, ct), "paused"));
        command.Subcommands.Add(Action(context, "resume", "Resume a paused pipeline (a fire missed while paused runs once now)", (admin, p, ct) => admin.ResumeAsync(p, ct), "resumed"));
        command.Subcommands.Add(History(context));
        return command;
    }

    private static Command Action(CliContext context, string name, string description, Func<ScheduleAdmin, string, CancellationToken, Task> act, string done)
    {
        var home = CommonOptions.Home();
        var pipelines = PipelinesOption();
        var pipeline = new Argument<string>("pipeline") { Description = "The pipeline name (see 'tipw schedule')" };
        var command = new Command(name, description) { home, pipelines, pipeline };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var pipelineName = parseResult.GetValue(pipeline)!;
            await using var admin = await OpenAsync(context, parseResult.GetValue(home), parseResult.GetValue(pipelines), cancellationToken);
            await act(admin, pipelineName, cancellationToken);
            await context.Error.WriteLineAsync($"{pipelineName}: {done}.");
            return CliApp.Success;
        });
        return command;
    }

    private static Command History(CliContext context)
    {
        var home = CommonOptions.Home();
        var format = CommonOptions.Format("table", "csv", "json");
        var output = CommonOptions.Out();
        var pipelines = PipelinesOption();
        var pipeline = new Argument<string?>("pipeline") { Description = "Only this pipeline", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("history", "The scheduler's run history: one row per fire, with trigger, attempt, status and error")
        {
            home, format, output, pipelines, pipeline,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            await using var admin = await OpenAsync(context, parseResult.GetValue(home), parseResult.GetValue(pipelines), cancellationToken);
            var rows = admin.History(parseResult.GetValue(pipeline))
                .Select(e => new object?[] { e.Id, e.Pipeline, e.TriggerKind, e.Attempt, e.ScheduledAt, e.StartedAt, e.FinishedAt, e.Status, e.RunId, e.Error })
                .ToList();
            var table = new ResultTable(
                [
                    new("id", typeof(long)), new("pipeline", typeof(string)), new("trigger_kind", typeof(string)), new("attempt", typeof(int)),
                    new("scheduled_at", typeof(DateTimeOffset)), new("started_at", typeof(DateTimeOffset)), new("finished_at", typeof(DateTimeOffset)),
                    new("status", typeof(string)), new("run_id", typeof(long)), new("error", typeof(string)),
                ],
                rows);
            ResultWriter.WriteTo(table, parseResult.GetValue(format)!, parseResult.GetValue(output), context.Out);
            return CliApp.Success;
        });
        return command;
    }

    /// <summary>
    /// The latest run of each pipeline in the warehouse's <c>meta.pipeline_run</c> (also manual runs outside the scheduler), and each source's
    /// freshness by <see cref="Freshness.Evaluate"/> (the evaluation <c>tipw runs</c> and the web app show); both empty before init.
    /// </summary>
    private static (Dictionary<string, RecordedRun> Runs, Dictionary<string, string> Freshness) WarehouseState(TipwHome home, IEnumerable<PipelineSpec> specs, TimeProvider time)
    {
        var runs = new Dictionary<string, RecordedRun>(StringComparer.Ordinal);
        if (!File.Exists(home.WarehousePath))
        {
            return (runs, []);
        }

        using var connection = Warehouse.Open(home, readOnly: true);
        var freshness = Freshness.Evaluate(connection, specs, time.GetUtcNow()).ToDictionary(s => s.Pipeline, s => s.Status, StringComparer.Ordinal);
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT pipeline, arg_max(started_at, run_id), arg_max(status, run_id), arg_max(trigger_kind, run_id)
            FROM meta.pipeline_run GROUP BY pipeline
            """;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var startedAt = new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(1), DateTimeKind.Utc));
            runs[reader.GetString(0)] = new RecordedRun(startedAt, reader.GetString(2), reader.GetString(3));
        }

        return (runs, freshness);
    }

    private static Option<string?> PipelinesOption() =>
        new("--pipelines") { Description = "The folder of pipeline specs the jobs are synced with (default: TIPW_PIPELINES_DIR, ./pipelines, or the copy beside tipw)" };

    private static Task<ScheduleAdmin> OpenAsync(CliContext context, string? homePath, string? pipelinesDirectory, CancellationToken cancellationToken)
    {
        var home = TipwHome.At(homePath);
        return OpenAsync(context, home, PipelineEngineFactory.Create(context, home, pipelinesDirectory), cancellationToken);
    }

    private static Task<ScheduleAdmin> OpenAsync(CliContext context, TipwHome home, IPipelineRunner runner, CancellationToken cancellationToken)
    {
        // The store is synced with the pipeline specs first (new, changed and removed specs), so it lists them even
        // before 'tipw serve' ever ran.
        var options = new SchedulingOptions(home, home.DefaultSourcesDirectory) { Time = context.Time, LogToConsole = false, LogToFiles = false };
        return ScheduleAdmin.OpenAsync(options, runner, cancellationToken);
    }
}
