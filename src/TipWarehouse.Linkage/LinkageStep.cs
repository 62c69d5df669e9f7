using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;

namespace TipWarehouse.Linkage;

/// <summary>
/// The <c>linkage</c> pipeline kind: runs <see cref="LinkageEngine"/> inside the engine's batch transaction. Counts:
/// read = records in a case, loaded = records whose case is new or changed, duplicate = records whose case is unchanged.
/// </summary>
public sealed class LinkageStep : IPipelineStep
{
    /// <summary>The <c>source.kind</c> of <c>pipelines/linkage.yaml</c>.</summary>
    public const string StepKind = "linkage";

    /// <inheritdoc />
    public string Kind => StepKind;

    /// <inheritdoc />
    public IReadOnlyList<string> Reads { get; } = ["dw.fact_hotline_call", "dw.fact_police_report", "dw.fact_arrest", "dw.fact_case_event", "dw.bridge_report_person", "dw.bridge_case_event_defendant", "dw.dim_person"];

    /// <inheritdoc />
    public IReadOnlyList<string> Writes { get; } = ["dw.bridge_case_link", "dw.case_membership", "dw.fact_case_lifecycle"];

    /// <summary>The summary of the last run (for logs and tests).</summary>
    public LinkageRunSummary? LastSummary { get; private set; }

    /// <inheritdoc />
    public Task<StepOutcome> RunAsync(PipelineStepContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = LinkageOptions.FromSettings(context.Settings, $"pipeline '{context.Pipeline}'");
        // A run after the first is incremental unless the settings say full; a rebuild (tipw rebuild linkage) always re-links in full.
        if (context.IsRebuild)
        {
            options = options with { Full = true };
        }

        Sql.Execute(context.Connection, $"SET memory_limit = {Sql.Literal(options.MemoryLimit)}");

        // The step watermark is the batch of the last linkage run: records written by later batches are new or changed.
        var since = Sql.Scalar<string>(context.Connection, "SELECT watermark_value FROM meta.watermark WHERE pipeline = $p AND watermark_name = 'step'", ("p", context.Pipeline));
        long? sinceBatch = long.TryParse(since, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
        var summary = new LinkageEngine(options, context.Time) { Progress = context.Progress }.Run(context.Connection, context.BatchId, sinceBatch, cancellationToken);
        LastSummary = summary;
        return Task.FromResult(new StepOutcome(summary.CaseRecords, summary.MembershipsChanged, 0, summary.CaseRecords - summary.MembershipsChanged,
            context.BatchId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }
}
