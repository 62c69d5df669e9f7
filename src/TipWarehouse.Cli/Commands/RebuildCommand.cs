using System.CommandLine;
using TipWarehouse.Analytics.Reports;
using TipWarehouse.Classifier;
using TipWarehouse.Cli.Output;
using TipWarehouse.Core;
using TipWarehouse.Etl.Engine;
using TipWarehouse.Etl.Specs;
using TipWarehouse.Linkage;
using TipWarehouse.Linkage.Determination;

namespace TipWarehouse.Cli.Commands;

/// <summary>
/// <c>tipw rebuild [PIPELINE|--all]</c>: re-derives <c>dw</c> rows from what the warehouse retained, one transaction per pipeline
/// through the engine: a source pipeline (<c>hotline</c>, <c>police_*</c>, <c>prosecution</c>) by replaying its archive of accepted
/// staging rows through its current transforms (then the call scoring, linkage and TIP determination downstream of it), the call scores
/// by the active model, the linkage from the loaded facts, the TIP determination from the facts, links and scores by the current definition; prints the headline figures before
/// and after, and on stderr each replayed batch's counts and how each owned table changed.
/// </summary>
internal static class RebuildCommand
{
    /// <summary>The step kinds whose pipelines re-derive from <c>dw</c> alone.</summary>
    public static readonly IReadOnlyList<string> RebuildableKinds = [CallScoringStep.StepKind, LinkageStep.StepKind, TipDeterminationStep.StepKind];

    public static Command Create(CliContext context)
    {
        var home = CommonOptions.Home();
        var format = CommonOptions.Format("table", "csv", "json");
        var output = CommonOptions.Out();
        var names = new Argument<string[]>("pipeline") { Description = "Pipelines to re-derive (a source pipeline with a rebuild: section, or kinds scoring, linkage, tip); none with --all", Arity = ArgumentArity.ZeroOrMore };
        var all = new Option<bool>("--all") { Description = "Re-derive every pipeline that can be: the source pipelines from their archive first, then call scoring, linkage and the TIP determination" };
        var pipelines = new Option<string?>("--pipelines") { Description = "The folder of pipeline specs (default: TIPW_PIPELINES_DIR, ./pipelines, or the copy beside tipw)" };
        var command = new Command("rebuild", "Re-derive the warehouse after a definition, reference or transform change: source pipelines from their archive of accepted rows, then call scoring, linkage and the TIP determination; prints the headline figures before and after")
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
            var targets = Targets(engine, selected, rebuildAll, out var notes);
            var blockers = targets.Select(engine.RebuildBlocker).OfType<string>().ToList();
            if (blockers.Count > 0)
            {
                throw new UsageException(string.Join(Environment.NewLine, blockers));
            }

            foreach (var note in notes)
            {
                await context.Error.WriteLineAsync(note);
            }

            var before = Headline(tipwHome);
            var results = await engine.RebuildManyAsync(targets, tipwHome.DefaultSourcesDirectory, cancellationToken);
            var after = Headline(tipwHome);
            ResultWriter.Write(RunCommand.Summary([.. results.Select(r => r.Run)]), "table", context.Error);
            var replays = results.Select(r => r.Replay).OfType<SourceRebuild>().ToList();
            if (replays.Count > 0)
            {
                ResultWriter.Write(ReplayedBatches(replays), "table", context.Error);
                ResultWriter.Write(RebuiltTables(replays), "table", context.Error);
            }

            ResultWriter.WriteTo(Compare(before, after), parseResult.GetValue(format)!, parseResult.GetValue(output), context.Out);
            foreach (var failed in results.Select(r => r.Run).Where(r => !r.Succeeded))
            {
                await context.Error.WriteLineAsync($"error: pipeline {failed.Pipeline} failed: {failed.Error} (its transaction was rolled back: the previous state is kept)");
            }

            return results.All(r => r.Run.Succeeded) ? CliApp.Success : CliApp.Failure;
        });
        return command;
    }

    /// <summary>
    /// The pipelines to re-derive, upstream first: with <paramref name="rebuildAll"/> every source pipeline with a <c>rebuild:</c> section and every
    /// scoring, linkage and TIP pipeline; otherwise the named ones and, after a source pipeline, the scoring, linkage and TIP pipelines downstream of it (the
    /// replay resets what they derive, such as <c>is_tip_related</c>). <paramref name="notes"/> says what was added or left as loaded.
    /// </summary>
    internal static IReadOnlyList<string> Targets(PipelineEngine engine, IReadOnlyList<string> selected, bool rebuildAll, out IReadOnlyList<string> notes)
    {
        var specs = engine.Specs;
        bool IsSource(PipelineSpec spec) => !RebuildableKinds.Contains(spec.Kind) && spec.Target is not null;
        bool Rebuildable(PipelineSpec spec) => RebuildableKinds.Contains(spec.Kind) || (IsSource(spec) && spec.Rebuild.Count > 0);
        var list = new List<string>();
        if (rebuildAll)
        {
            list.AddRange(specs.Where(Rebuildable).Select(s => s.Name));
            notes = [.. specs.Where(s => IsSource(s) && s.Rebuild.Count == 0).Select(s => $"note: {s.Name} is kept as loaded: its spec declares no rebuild: section (re-run it with 'tipw run {s.Name}').")];
            return list;
        }

        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in selected)
        {
            var spec = specs.FirstOrDefault(p => p.Name == name)
                ?? throw new UsageException($"Unknown pipeline '{name}'. Pipelines: {string.Join(", ", specs.Select(p => p.Name))}.");
            if (!Rebuildable(spec))
            {
                throw new UsageException(IsSource(spec)
                    ? $"Pipeline '{name}' ({spec.SpecPath}) declares no rebuild: section (the tables its transforms own), so it is not re-derived from its archive: re-run it with 'tipw run {name}' (a backfill with --from/--to re-reads a window). 'tipw rebuild' re-derives: {string.Join(", ", specs.Where(Rebuildable).Select(s => s.Name))}."
                    : $"Pipeline '{name}' (kind {spec.Kind}) is not re-derived by 'tipw rebuild': run it with 'tipw run {name}'. 'tipw rebuild' re-derives: {string.Join(", ", specs.Where(Rebuildable).Select(s => s.Name))}.");
            }

            wanted.Add(name);
        }

        // Downstream of a replayed source: every scoring, linkage and TIP pipeline that depends on it, directly or through other pipelines.
        var sources = wanted.Where(n => IsSource(specs.First(p => p.Name == n))).ToHashSet(StringComparer.Ordinal);
        var added = specs.Where(s => RebuildableKinds.Contains(s.Kind) && !wanted.Contains(s.Name) && DependsOn(specs, s, sources)).Select(s => s.Name).ToList();
        wanted.UnionWith(added);
        notes = added.Count == 0 ? [] : [$"note: {string.Join(", ", added)} {(added.Count == 1 ? "is" : "are")} re-derived too: the replayed transforms reset what {(added.Count == 1 ? "it derives" : "they derive")} from the rebuilt rows."];
        list.AddRange(specs.Where(s => wanted.Contains(s.Name)).Select(s => s.Name));
        return list;
    }

    private static bool DependsOn(IReadOnlyList<PipelineSpec> specs, PipelineSpec spec, HashSet<string> sources)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(spec.Upstream);
        while (pending.TryPop(out var name))
        {
            if (sources.Contains(name))
            {
                return true;
            }

            if (seen.Add(name) && specs.FirstOrDefault(p => p.Name == name) is { } upstream)
            {
                foreach (var next in upstream.Upstream)
                {
                    pending.Push(next);
                }
            }
        }

        return false;
    }

    private static IReadOnlyList<(string Figure, long Value)> Headline(TipwHome home)
    {
        using var connection = Warehouse.Open(home, readOnly: true);
        return DefinitionsReport.Headline(connection);
    }

    /// <summary>One row per replayed batch: its counts as replayed and as first loaded.</summary>
    public static ResultTable ReplayedBatches(IReadOnlyList<SourceRebuild> replays)
    {
        var columns = new ResultColumn[]
        {
            new("pipeline", typeof(string)), new("batch_id", typeof(long)), new("source", typeof(string)), new("rows_read", typeof(long)), new("rows_loaded", typeof(long)),
            new("rows_rejected", typeof(long)), new("rows_duplicate", typeof(long)), new("loaded_before", typeof(long)), new("rejected_before", typeof(long)),
        };
        var rows = replays.SelectMany(r => r.Batches).Select(b => new object?[] { b.Pipeline, b.BatchId, b.Source, b.RowsRead, b.RowsLoaded, b.RowsRejected, b.RowsDuplicate, b.LoadedBefore, b.RejectedBefore }).ToList();
        return new ResultTable(columns, rows, ["Each archived batch replayed through the current transforms (read = loaded + rejected + duplicate); loaded_before and rejected_before are its counts when first loaded."]);
    }

    /// <summary>One row per table a replayed source pipeline owns: rows before and after, added, removed and changed.</summary>
    public static ResultTable RebuiltTables(IReadOnlyList<SourceRebuild> replays)
    {
        var columns = new ResultColumn[]
        {
            new("pipeline", typeof(string)), new("table", typeof(string)), new("rows_before", typeof(long)), new("rows_after", typeof(long)),
            new("added", typeof(long)), new("removed", typeof(long)), new("changed", typeof(long)),
        };
        var rows = replays.SelectMany(r => r.Tables).Select(t => new object?[] { t.Pipeline, t.Table, t.RowsBefore, t.RowsAfter, t.Added, t.Removed, t.Changed }).ToList();
        return new ResultTable(columns, rows, ["Rows matched by natural key keep their surrogate key; changed = matched rows whose content the current transforms changed (columns a downstream pipeline rewrites, the spec's rebuild downstream, left out)."]);
    }

    /// <summary>One row per headline figure: before, after and the change.</summary>
    public static ResultTable Compare(IReadOnlyList<(string Figure, long Value)> before, IReadOnlyList<(string Figure, long Value)> after)
    {
        var columns = new ResultColumn[] { new("figure", typeof(string)), new("before", typeof(long)), new("after", typeof(long)), new("change", typeof(long)) };
        var rows = before.Zip(after, (b, a) => new object?[] { b.Figure, b.Value, a.Value, a.Value - b.Value }).ToList();
        return new ResultTable(columns, rows, ["Headline figures of the warehouse before and after the rebuild (tip_* from dw.tip_determination and rpt.v_tip_monthly; calls_* from dw.fact_call_score of the active model)."]);
    }
}
