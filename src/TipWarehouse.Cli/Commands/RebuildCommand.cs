using System.CommandLine;
using TipWarehouse.Analytics.Reports;
using TipWarehouse.Cli.Output;
using TipWarehouse.Core;
using TipWarehouse.Linkage;
using TipWarehouse.Linkage.Determination;

namespace TipWarehouse.Cli.Commands;

/// <summary>
/// <c>tipw rebuild [PIPELINE|--all]</c>: re-derives the <c>dw</c> rows that the warehouse can rebuild from what it retained — the
/// linkage (from the loaded facts) and the TIP determination (from the facts, links and scores, by the current definition) — one
/// transaction per pipeline through the engine, and prints the headline figures before and after.
/// </summary>
internal static class RebuildCommand
{
    /// <summary>The step kinds whose pipelines re-derive from <c>dw</c> alone, in the order <c>--all</c> runs them.</summary>
    public static readonly IReadOnlyList<string> RebuildableKinds = [LinkageStep.StepKind, TipDeterminationStep.StepKind];

    public static Command Create(CliContext context)
    {
        var home = CommonOptions.Home();
        var format = CommonOptions.Format("table", "csv", "json");
        var output = CommonOptions.Out();
        var names = new Argument<string[]>("pipeline") { Description = "Pipelines to re-derive (kinds linkage, tip); none with --all", Arity = ArgumentArity.ZeroOrMore };
        var all = new Option<bool>("--all") { Description = "Re-derive every pipeline that derives from the warehouse (linkage, then the TIP determination)" };
        var pipelines = new Option<string?>("--pipelines") { Description = "The folder of pipeline specs (default: TIPW_PIPELINES_DIR, ./pipelines, or the copy beside tipw)" };
        var command = new Command("rebuild", "Re-derive linkage and the TIP determination from the warehouse after a definition, reference or transform change; prints the headline figures before and after")
        {
            names, all, home, pipelines, format, output,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var selected = parseResult.GetValue(names) ?? [];
            var rebuildAll = parseResult.GetValue(all);
            if (rebuildAll == (selected.Length > 0))
            {
                throw new UsageException("Name the pipelines to rebuild, or pass --all (not both). 'tipw rebuild --help' lists the options.");
            }

            var tipwHome = TipwHome.At(parseResult.GetValue(home));
            var engine = PipelineEngineFactory.Create(context, tipwHome, parseResult.GetValue(pipelines), new RunProgress(context));
            var rebuildable = engine.Pipelines.Where(p => RebuildableKinds.Contains(p.Kind)).Select(p => p.Name).ToList();
            foreach (var name in selected)
            {
                var pipeline = engine.Pipelines.FirstOrDefault(p => p.Name == name)
                    ?? throw new UsageException($"Unknown pipeline '{name}'. Pipelines: {string.Join(", ", engine.Pipelines.Select(p => p.Name))}.");
                if (!rebuildable.Contains(pipeline.Name))
                {
                    throw new UsageException($"Pipeline '{name}' (kind {pipeline.Kind}) loads from its source, whose staging rows are not retained: re-run it with 'tipw run {name}' (a backfill with --from/--to re-reads a window). 'tipw rebuild' re-derives: {string.Join(", ", rebuildable)}.");
                }
            }

            var targets = rebuildAll ? rebuildable : rebuildable.Where(selected.Contains).ToList();
            var before = Headline(tipwHome);
            var results = await engine.RunManyAsync(targets, tipwHome.DefaultSourcesDirectory, "rebuild", cancellationToken: cancellationToken);
            var after = Headline(tipwHome);
            ResultWriter.Write(RunCommand.Summary(results), "table", context.Error);
            ResultWriter.WriteTo(Compare(before, after), parseResult.GetValue(format)!, parseResult.GetValue(output), context.Out);
            foreach (var failed in results.Where(r => !r.Succeeded))
            {
                await context.Error.WriteLineAsync($"error: pipeline {failed.Pipeline} failed: {failed.Error} (its transaction was rolled back: the previous state is kept)");
            }

            return results.All(r => r.Succeeded) ? CliApp.Success : CliApp.Failure;
        });
        return command;
    }

    private static IReadOnlyList<(string Figure, long Value)> Headline(TipwHome home)
    {
        using var connection = Warehouse.Open(home, readOnly: true);
        return DefinitionsReport.Headline(connection);
    }

    /// <summary>One row per headline figure: before, after and the change.</summary>
    public static ResultTable Compare(IReadOnlyList<(string Figure, long Value)> before, IReadOnlyList<(string Figure, long Value)> after)
    {
        var columns = new ResultColumn[] { new("figure", typeof(string)), new("before", typeof(long)), new("after", typeof(long)), new("change", typeof(long)) };
        var rows = before.Zip(after, (b, a) => new object?[] { b.Figure, b.Value, a.Value, a.Value - b.Value }).ToList();
        return new ResultTable(columns, rows, ["Headline figures of the warehouse before and after the rebuild (tip_* from dw.tip_determination and rpt.v_tip_monthly)."]);
    }
}
