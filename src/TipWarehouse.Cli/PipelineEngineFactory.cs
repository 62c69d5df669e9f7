using TipWarehouse.Classifier;
using TipWarehouse.Cli.Commands;
using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;
using TipWarehouse.Etl.Engine;
using TipWarehouse.Linkage;
using TipWarehouse.Linkage.Determination;

namespace TipWarehouse.Cli;

/// <summary>The composition root of the pipeline engine: the ETL engine plus the downstream steps (linkage, call scoring, TIP determination), the same for run, serve, schedule and demo.</summary>
internal static class PipelineEngineFactory
{
    /// <summary>The downstream step kinds the engine runs besides its own extractors.</summary>
    public static IReadOnlyList<IPipelineStep> Steps(CliContext context) =>
    [
        new LinkageStep(),
        new CallScoringStep(message => context.Error.WriteLine(message)),
        new TipDeterminationStep(),
    ];

    /// <summary>Creates the engine over the pipeline specs in <paramref name="pipelinesDirectory"/> (or the default location).</summary>
    public static PipelineEngine Create(CliContext context, TipwHome home, string? pipelinesDirectory, IProgress<PipelineProgress>? progress = null) =>
        new(
            home,
            PipelineEngine.LocatePipelinesDirectory(pipelinesDirectory, context.GetEnvironmentVariable),
            context.Time,
            Steps(context),
            new PipelineEngineOptions
            {
                Environment = context.GetEnvironmentVariable,
                Faults = context.Faults,
                Progress = progress,
            });
}
