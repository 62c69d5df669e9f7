using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using TipWarehouse.Cli.Output;
using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;
using TipWarehouse.Etl.Engine;

namespace TipWarehouse.Cli.Commands;

/// <summary><c>tipw run</c>: runs pipelines once (or backfills a date window) with progress on stderr and a summary on stdout.</summary>
internal static class RunCommand
{
    public static Command Create(CliContext context)
    {
        var home = CommonOptions.Home();
        var format = CommonOptions.Format("table", "csv", "json");
        var output = CommonOptions.Out();
        var names = new Argument<string[]>("pipeline") { Description = "Pipelines to run (upstream first); none with --all", Arity = ArgumentArity.ZeroOrMore };
        var all = new Option<bool>("--all") { Description = "Run every pipeline, upstream first" };
        var sources = new Option<string?>("--sources") { Description = "The folder of the agency sources (default: HOME/sources)" };
        var from = new Option<string?>("--from") { Description = "Backfill window start (yyyy-MM-dd): re-read the sources from this date; already-loaded rows count as duplicates" };
        var to = new Option<string?>("--to") { Description = "Backfill window end (yyyy-MM-dd), inclusive" };
        var fullCompare = new Option<bool>("--full-compare") { Description = "Sweep the whole source now: load every row whose content changed since it was loaded, even without a newer updated_at (as incremental.full_compare_every does periodically)" };
        var pipelines = new Option<string?>("--pipelines") { Description = "The folder of pipeline specs (default: TIPW_PIPELINES_DIR, ./pipelines, or the copy beside tipw)" };
        var command = new Command("run", "Run pipelines once: extract, validate, pseudonymize, stage and transform, one transaction per batch")
        {
            names, all, home, sources, from, to, fullCompare, pipelines, format, output,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var selected = parseResult.GetValue(names) ?? [];
            var runAll = parseResult.GetValue(all);
            if (runAll == (selected.Length > 0))
            {
                throw new UsageException("Name the pipelines to run, or pass --all (not both). 'tipw run --help' lists the options.");
            }

            var window = (Parse(parseResult.GetValue(from), "--from"), Parse(parseResult.GetValue(to), "--to"));
            if (window.Item1 is null != window.Item2 is null)
            {
                throw new UsageException("A backfill window needs both --from and --to.");
            }

            var sweep = parseResult.GetValue(fullCompare);
            if (sweep && window.Item1 is not null)
            {
                throw new UsageException("--full-compare reads the whole source: it cannot be combined with a backfill window (--from/--to).");
            }

            if (window.Item1 > window.Item2)
            {
                throw new UsageException($"--from {window.Item1:yyyy-MM-dd} is after --to {window.Item2:yyyy-MM-dd}.");
            }

            var tipwHome = TipwHome.At(parseResult.GetValue(home));
            var sourcesDirectory = Path.GetFullPath(parseResult.GetValue(sources) ?? tipwHome.DefaultSourcesDirectory);
            if (!Directory.Exists(sourcesDirectory))
            {
                throw new UsageException($"The sources folder {sourcesDirectory} does not exist; pass --sources DIR (e.g. the output of 'tipw simulate').");
            }

            var progress = new RunProgress(context);
            var engine = PipelineEngineFactory.Create(context, tipwHome, parseResult.GetValue(pipelines), progress);

            // One RunManyAsync for every mode: it is what holds a downstream pipeline back when its upstream failed.
            var results = context.ErrorIsTerminal
                ? await RunWithBarsAsync(context, engine, progress, runAll ? null : selected, sourcesDirectory, window, sweep, cancellationToken)
                : await engine.RunManyAsync(runAll ? null : selected, sourcesDirectory, "cli", window.Item1, window.Item2, sweep, cancellationToken);

            ResultWriter.WriteTo(Summary(results), parseResult.GetValue(format)!, parseResult.GetValue(output), context.Out);
            foreach (var failed in results.Where(r => !r.Succeeded))
            {
                await context.Error.WriteLineAsync($"error: pipeline {failed.Pipeline} failed: {failed.Error}");
            }

            return results.All(r => r.Succeeded) ? CliApp.Success : CliApp.Failure;
        });
        return command;
    }

    private static async Task<IReadOnlyList<PipelineRunResult>> RunWithBarsAsync(CliContext context, PipelineEngine engine, RunProgress progress, IReadOnlyCollection<string>? selected, string sources, (DateOnly? From, DateOnly? To) window, bool fullCompare, CancellationToken cancellationToken)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(context.Error) });
        IReadOnlyList<PipelineRunResult> results = [];
        await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn(), new ElapsedTimeColumn())
            .StartAsync(async ctx =>
            {
                var names = engine.Pipelines.Select(p => p.Name).Where(n => selected is null || selected.Contains(n)).ToList();
                progress.Attach(names.ToDictionary(n => n, n => ctx.AddTask(Markup.Escape(n) + ": waiting", autoStart: false, maxValue: 1)));
                results = await engine.RunManyAsync(selected, sources, "cli", window.From, window.To, fullCompare, cancellationToken);
                progress.Finish(results);
            });
        return results;
    }

    private static DateOnly? Parse(string? text, string option)
    {
        if (text is null)
        {
            return null;
        }

        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new UsageException($"{option} '{text}' is not a date in the format yyyy-MM-dd.");
    }

    internal static ResultTable Summary(IReadOnlyList<PipelineRunResult> results)
    {
        ResultColumn[] columns =
        [
            new("pipeline", typeof(string)), new("run_id", typeof(long)), new("status", typeof(string)), new("batches", typeof(int)),
            new("rows_read", typeof(long)), new("rows_loaded", typeof(long)), new("rows_rejected", typeof(long)), new("rows_duplicate", typeof(long)),
            new("error", typeof(string)),
        ];
        var rows = results.Select(r => new object?[] { r.Pipeline, r.RunId, r.Status, r.Batches, r.RowsRead, r.RowsLoaded, r.RowsRejected, r.RowsDuplicate, r.Error }).ToList();
        return new ResultTable(columns, rows);
    }
}
