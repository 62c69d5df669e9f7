using TipWarehouse.Core.Pipelines;

namespace TipWarehouse.Linkage.Determination;

/// <summary>
/// The <c>tip</c> pipeline kind (<c>pipelines/tip_determination.yaml</c>): runs <see cref="TipDeterminationEngine"/> over the whole
/// warehouse inside the engine's batch transaction. Setting <c>definition</c>: the definition file (absolute, or relative to the
/// reference folder; default <c>tip_definition.yaml</c>). Counts: read = records determined, loaded = records whose determination
/// changed, duplicate = records unchanged.
/// </summary>
public sealed class TipDeterminationStep : IPipelineStep
{
    /// <summary>The <c>kind</c> of <c>pipelines/tip_determination.yaml</c>.</summary>
    public const string StepKind = "tip";

    /// <inheritdoc />
    public string Kind => StepKind;

    /// <inheritdoc />
    public IReadOnlyList<string> Reads { get; } = ["dw.fact_hotline_call", "dw.fact_police_report", "dw.fact_case_event", "dw.fact_call_score", "dw.bridge_case_link", "dw.case_membership", "dw.bridge_report_person", "dw.ref_operator_category", "dw.dim_crime_type"];

    /// <inheritdoc />
    public IReadOnlyList<string> Writes { get; } = ["dw.tip_determination", "dw.bridge_record_means_of_control", "dw.fact_police_report", "dw.fact_case_event", "dw.fact_case_lifecycle"];

    /// <summary>The summary of the last run (for logs and tests).</summary>
    public TipDeterminationSummary? LastSummary { get; private set; }

    /// <summary>The definition file a step with these settings reads.</summary>
    public static string DefinitionPath(IReadOnlyDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.TryGetValue("definition", out var path) && !string.IsNullOrWhiteSpace(path)
            ? Path.IsPathRooted(path) ? path : Path.Combine(Path.GetDirectoryName(TipDefinition.DefaultPath)!, path)
            : TipDefinition.DefaultPath;
    }

    /// <inheritdoc />
    public Task<StepOutcome> RunAsync(PipelineStepContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var definition = TipDefinition.Load(DefinitionPath(context.Settings));
        var summary = new TipDeterminationEngine(definition) { Progress = context.Progress }.Run(context.Connection, context.BatchId, cancellationToken);
        LastSummary = summary;
        return Task.FromResult(new StepOutcome(summary.Records, summary.Changed, 0, summary.Records - summary.Changed, summary.DefinitionVersion));
    }
}
