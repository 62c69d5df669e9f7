using System.CommandLine;
using TipWarehouse.Cli.Output;
using TipWarehouse.Core;
using TipWarehouse.Etl.Engine;
using TipWarehouse.Etl.Specs;
using TipWarehouse.Linkage.Determination;

namespace TipWarehouse.Cli.Commands;

/// <summary><c>tipw evaluate tip</c>: precision and recall of the TIP determination per level, and exploitation-type accuracy, against the
/// simulator's truth; with <c>--signatures</c> the evidence signatures and what no rule on them decides, with <c>--series</c> the
/// assessment's yearly series beside the truth's.</summary>
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
            Description = "The simulator's truth folder (hotline_labels.csv, police_reports.csv, prosecution_cases.csv, summary.json; links.csv for the evidence ceiling's linkage misses), e.g. HOME/sources/truth",
            Required = true,
        };
        var signatures = new Option<bool>("--signatures")
        {
            Description = "One row per evidence signature (what the determination reads of a record): records, true TIP, what the determination says, the records any rule on it must get wrong, and whether it carries an evidence element; undecidable first",
        };
        var level = new Option<string?>("--level") { Description = "--signatures: only police_report or prosecution_case (default: both)" };
        level.AcceptOnlyFromAmong([.. EvidenceSignature.Levels]);
        var series = new Option<bool>("--series")
        {
            Description = "The assessment's series per year (and the simulator's periods, e.g. 2006-01..07): the warehouse's tip_cases_sent_to_prosecution, tip_convictions, persons_charged_pimping beside the truth's, and each TIP case missed or added with its evidence signature",
        };
        var command = new Command("tip", "Precision, recall and F1 of the TIP determination per level (hotline_call, police_report, prosecution_case) and exploitation-type accuracy against ground truth")
        {
            home, truth, signatures, level, series, format, output,
        };
        command.SetAction(parseResult =>
        {
            var bySignature = parseResult.GetValue(signatures);
            var bySeries = parseResult.GetValue(series);
            if (bySignature && bySeries)
            {
                throw new UsageException("--signatures and --series are two views; give one of them.");
            }

            if (parseResult.GetValue(level) is not null && !bySignature)
            {
                throw new UsageException("--level selects the level of --signatures; add --signatures.");
            }

            var definition = ActiveDefinition(context);
            var tipwHome = TipwHome.At(parseResult.GetValue(home));
            using var connection = Warehouse.Open(tipwHome, readOnly: true);
            var truthDirectory = Path.GetFullPath(parseResult.GetValue(truth)!);
            var table = bySignature ? TipEvaluator.Signatures(connection, truthDirectory, definition, parseResult.GetValue(level))
                : bySeries ? TipEvaluator.Series(connection, truthDirectory, definition)
                : TipEvaluator.Evaluate(connection, truthDirectory, definition);
            ResultWriter.WriteTo(table, parseResult.GetValue(format)!, parseResult.GetValue(output), context.Out);
            return CliApp.Success;
        });
        return command;
    }

    /// <summary>The definition the <c>tip_determination</c> pipeline reads (its spec's <c>definition</c> setting), else the shipped one.</summary>
    private static TipDefinition ActiveDefinition(CliContext context)
    {
        var directory = PipelineEngine.LocatePipelinesDirectory(null, context.GetEnvironmentVariable);
        var spec = SpecLoader.LoadDirectory(directory, PipelineEngineFactory.Steps(context).Select(s => s.Kind))
            .FirstOrDefault(s => s.Kind == TipDeterminationStep.StepKind);
        return TipDefinition.Load(spec is null ? TipDefinition.DefaultPath : TipDeterminationStep.DefinitionPath(spec.Source.Settings));
    }
}
