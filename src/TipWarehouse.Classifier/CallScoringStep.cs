using System.Globalization;
using DuckDB.NET.Data;
using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;

namespace TipWarehouse.Classifier;

/// <summary>The <c>scoring</c> pipeline step: scores the calls the active model has not scored yet into <c>dw.fact_call_score</c>.</summary>
/// <remarks>Runs inside the engine's batch transaction. Scores of earlier models stay; a re-run finds nothing new and changes
/// nothing. Without an active model the step reads 0 rows and says so. On a rebuild it re-scores every call (<see cref="CallRescoring"/>):
/// read = calls, loaded = scores changed or added, duplicate = scores unchanged.</remarks>
public sealed class CallScoringStep : IPipelineStep
{
    /// <summary>The spec kind this step runs.</summary>
    public const string StepKind = "scoring";

    private const int DefaultChunkSize = 50_000;
    private readonly Action<string>? _log;

    public CallScoringStep(Action<string>? log = null)
    {
        _log = log;
    }

    /// <inheritdoc />
    public string Kind => StepKind;

    /// <inheritdoc />
    public IReadOnlyList<string> Reads { get; } = ["dw.fact_hotline_call"];

    /// <inheritdoc />
    public IReadOnlyList<string> Writes { get; } = ["dw.dim_model", "dw.fact_call_score"];

    /// <inheritdoc />
    public Task<StepOutcome> RunAsync(PipelineStepContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var chunk = context.Settings.TryGetValue("chunk_size", out var text) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : DefaultChunkSize;
        var active = ModelRegistry.Active(context.Connection);
        if (active is null)
        {
            _log?.Invoke($"{context.Pipeline}: no active model; nothing scored. Train one with 'tipw model train --home {context.Home.Root} --activate'.");
            return Task.FromResult(new StepOutcome(0, 0, 0, 0));
        }

        var scorer = active.LoadScorer(context.Home);
        if (context.IsRebuild)
        {
            // tipw rebuild: every call again (a rebuilt hotline transform may have changed what the model reads); only differences are written.
            var rescored = CallRescoring.Rescore(context.Connection, scorer, active.ModelKey, context.BatchId, context.Time, chunk, context.Progress, cancellationToken);
            _log?.Invoke(CallRescoring.Describe(context.Pipeline, active.ModelName, rescored));
            return Task.FromResult(new StepOutcome(rescored.Scored, rescored.Changed + rescored.Added, 0, rescored.Unchanged));
        }

        var scored = ScoreUnscored(context.Connection, scorer, active.ModelKey, context.BatchId, context.Time, chunk, context.Progress, cancellationToken);
        _log?.Invoke($"{context.Pipeline}: {scored.Scored} call(s) scored by {active.ModelName}, {scored.Flagged} flagged as TIP-related.");
        if (LatestMonthAlert(context.Connection, active, context.Home) is { } warning)
        {
            _log?.Invoke($"warning: {context.Pipeline}: {warning}");
        }

        return Task.FromResult(new StepOutcome(scored.Scored, scored.Scored, 0, 0));
    }

    /// <summary>The warning to log when the latest scored month's drift status is 'alert' (see <see cref="ScoreDrift"/>), else null
    /// (also when the model has no metadata or no scores in its training months to compare with).</summary>
    public static string? LatestMonthAlert(DuckDBConnection connection, RegisteredModel active, TipwHome home)
    {
        ArgumentNullException.ThrowIfNull(active);
        if (!File.Exists(active.MetadataPath(home)))
        {
            return null;
        }

        DriftReport report;
        try
        {
            report = ScoreDrift.ForModel(connection, active, ModelMetadata.Load(active.MetadataPath(home)));
        }
        catch (TipwException)
        {
            return null;
        }

        if (report.Months.Count == 0 || report.Months[^1] is not { Status: ScoreDrift.Alert } latest)
        {
            return null;
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"the scores of {latest.Month:yyyy-MM} drift from {active.ModelName}'s training months (PSI {latest.Psi:0.000}, {latest.PsiStatus}; flag rate {latest.FlagRate:0.000} vs operator TIP rate {latest.OperatorTipRate:0.000}, gap shift {latest.GapShift:+0.000;-0.000}, {latest.GapStatus}). See 'tipw model drift --home {home.Root}'; consider retraining.");
    }

    /// <summary>The score date key and the time (to the second) a scoring run at <paramref name="time"/>'s now stamps on its scores.</summary>
    internal static (int DateKey, DateTime ScoredAt) ScoreStamp(TimeProvider time)
    {
        var now = time.GetUtcNow();
        return ((now.Year * 10000) + (now.Month * 100) + now.Day,
            new DateTime(now.UtcDateTime.Ticks - (now.UtcDateTime.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Unspecified));
    }

    /// <summary>Scores the calls <paramref name="readChunk"/> pages through (the chunk after a call key; empty at the end) into the
    /// temp table <paramref name="stage"/> (call_key, probability, is_flagged), reporting the calls scored out of
    /// <paramref name="total"/> as <paramref name="phase"/> after each chunk; returns the calls scored and flagged.</summary>
    internal static (long Scored, long Flagged) ScoreIntoStage(DuckDBConnection connection, CallScorer scorer, string stage, Func<long, List<(long CallKey, CallFeatures Features)>> readChunk, string phase, long? total, IProgress<StepProgress>? progress, CancellationToken cancellationToken)
    {
        long scored = 0, flagged = 0, after = long.MinValue;
        progress?.Report(new StepProgress(phase, 0, total, "calls"));
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rows = readChunk(after);
            if (rows.Count == 0)
            {
                return (scored, flagged);
            }

            var features = new CallFeatures[rows.Count];
            for (var i = 0; i < rows.Count; i++)
            {
                features[i] = rows[i].Features;
            }

            var probabilities = scorer.Score(features);
            using (var appender = connection.CreateAppender(stage))
            {
                for (var i = 0; i < rows.Count; i++)
                {
                    var isFlagged = scorer.IsFlagged(probabilities[i]);
                    flagged += isFlagged ? 1 : 0;
                    appender.CreateRow().AppendValue(rows[i].CallKey).AppendValue((double)probabilities[i]).AppendValue(isFlagged).EndRow();
                }
            }

            scored += rows.Count;
            after = rows[^1].CallKey;
            progress?.Report(new StepProgress(phase, scored, total, "calls"));
        }
    }

    /// <summary>Scores every call <paramref name="modelKey"/> has not scored, in chunks, appending to <c>dw.fact_call_score</c>
    /// on <paramref name="connection"/> (inside whatever transaction is open there); after each chunk, reports the calls
    /// scored out of those unscored at the start (phase <c>scoring</c>) to <paramref name="progress"/>.</summary>
    public static (long Scored, long Flagged) ScoreUnscored(DuckDBConnection connection, CallScorer scorer, int modelKey, long batchId, TimeProvider time, int chunkSize = DefaultChunkSize, IProgress<StepProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(time);
        var (scoreDateKey, scoredAt) = ScoreStamp(time);
        Sql.Execute(connection, "CREATE TEMP TABLE IF NOT EXISTS call_score_stage (call_key BIGINT, probability DOUBLE, is_flagged BOOLEAN)");
        Sql.Execute(connection, "DELETE FROM call_score_stage");
        var unscored = WarehouseCalls.CollectUnscored(connection, modelKey);
        var (scored, flagged) = ScoreIntoStage(connection, scorer, "call_score_stage", after => WarehouseCalls.ReadUnscored(connection, after, chunkSize), "scoring", unscored, progress, cancellationToken);

        using (var insert = connection.CreateCommand())
        {
            // The stage has our own types; DuckDB casts into the warehouse's (BIT may be BOOLEAN or TINYINT there).
            insert.CommandText = """
                INSERT INTO dw.fact_call_score (call_key, model_key, score_date_key, probability, is_flagged, scored_at, batch_id)
                SELECT call_key, $model, $date_key, probability, is_flagged, $scored_at, $batch FROM call_score_stage
                """;
            insert.Parameters.Add(new DuckDBParameter("model", modelKey));
            insert.Parameters.Add(new DuckDBParameter("date_key", scoreDateKey));
            insert.Parameters.Add(new DuckDBParameter("scored_at", scoredAt));
            insert.Parameters.Add(new DuckDBParameter("batch", batchId));
            insert.ExecuteNonQuery();
        }

        Sql.Execute(connection, $"DROP TABLE call_score_stage; DROP TABLE {WarehouseCalls.UnscoredTable}");
        return (scored, flagged);
    }
}
