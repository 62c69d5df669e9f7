using System.Globalization;
using DuckDB.NET.Data;
using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;

namespace TipWarehouse.Classifier;

/// <summary>What a re-scoring did: calls scored, scores rewritten because the probability or flag changed, scores added for calls
/// the model had not scored, and calls flagged.</summary>
public readonly record struct RescoreResult(long Scored, long Changed, long Added, long Flagged)
{
    /// <summary>Calls whose stored score was already what the model gives them now.</summary>
    public long Unchanged => Scored - Changed - Added;
}

/// <summary>
/// <c>tipw rebuild call_scoring</c> (and the rebuild chain after <c>hotline</c>): scores every call again with the active model and writes
/// only what differs, so the scores follow a rebuilt hotline transform (a narrative scrub, a field the featurizer reads) and a second
/// rebuild changes nothing. Runs inside the caller's transaction; scores of other models are left as they were.
/// </summary>
public static class CallRescoring
{
    /// <summary>Re-scores every call of <c>dw.fact_hotline_call</c> by <paramref name="modelKey"/>: a stored score whose probability or flag
    /// differs is rewritten (with this batch, the score date and time of <paramref name="time"/>), a missing one added, an equal one kept as it
    /// was (its batch and time too). Reports the calls scored out of all calls (phase <c>rescoring</c>) after each chunk.</summary>
    public static RescoreResult Rescore(DuckDBConnection connection, CallScorer scorer, int modelKey, long batchId, TimeProvider time, int chunkSize, IProgress<StepProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(time);
        var (scoreDateKey, scoredAt) = CallScoringStep.ScoreStamp(time);
        Sql.Execute(connection, "CREATE OR REPLACE TEMP TABLE call_rescore_stage (call_key BIGINT, probability DOUBLE, is_flagged BOOLEAN)");
        var total = Sql.Scalar<long>(connection, "SELECT count(*) FROM dw.fact_hotline_call");
        var (scored, flagged) = CallScoringStep.ScoreIntoStage(connection, scorer, "call_rescore_stage", after => WarehouseCalls.ReadAll(connection, after, chunkSize), "rescoring", total, progress, cancellationToken);

        var parameters = new (string, object?)[] { ("model", modelKey), ("date_key", scoreDateKey), ("scored_at", scoredAt), ("batch", batchId) };
        // BIT may be BOOLEAN or TINYINT in the warehouse: compared as BOOLEAN, DuckDB casts on write.
        Sql.Execute(connection, """
            CREATE OR REPLACE TEMP TABLE call_rescore_changed AS
            SELECT n.call_key, n.probability, n.is_flagged FROM call_rescore_stage AS n
            JOIN dw.fact_call_score AS s ON s.call_key = n.call_key AND s.model_key = CAST($model AS INTEGER)
            WHERE s.probability IS DISTINCT FROM n.probability OR CAST(s.is_flagged AS BOOLEAN) IS DISTINCT FROM n.is_flagged
            """, parameters[0]);
        var changed = Sql.Scalar<long>(connection, "SELECT count(*) FROM call_rescore_changed");
        Sql.Execute(connection, """
            UPDATE dw.fact_call_score AS s
            SET probability = c.probability, is_flagged = c.is_flagged, score_date_key = $date_key, scored_at = $scored_at, batch_id = $batch
            FROM call_rescore_changed AS c
            WHERE s.call_key = c.call_key AND s.model_key = CAST($model AS INTEGER)
            """, parameters);
        var added = Sql.Scalar<long>(connection, """
            SELECT count(*) FROM call_rescore_stage AS n
            WHERE NOT EXISTS (SELECT 1 FROM dw.fact_call_score AS s WHERE s.call_key = n.call_key AND s.model_key = CAST($model AS INTEGER))
            """, parameters[0]);
        Sql.Execute(connection, """
            INSERT INTO dw.fact_call_score (call_key, model_key, score_date_key, probability, is_flagged, scored_at, batch_id)
            SELECT n.call_key, $model, $date_key, n.probability, n.is_flagged, $scored_at, $batch FROM call_rescore_stage AS n
            WHERE NOT EXISTS (SELECT 1 FROM dw.fact_call_score AS s WHERE s.call_key = n.call_key AND s.model_key = CAST($model AS INTEGER))
            """, parameters);
        Sql.Execute(connection, "DROP TABLE call_rescore_stage");
        Sql.Execute(connection, "DROP TABLE call_rescore_changed");
        return new RescoreResult(scored, changed, added, flagged);
    }

    /// <summary>The log line of a re-scoring.</summary>
    public static string Describe(string pipeline, string modelName, RescoreResult result) => string.Create(CultureInfo.InvariantCulture,
        $"{pipeline}: rebuild: {result.Scored} call(s) re-scored by {modelName}: {result.Changed} score(s) changed, {result.Added} added, {result.Unchanged} unchanged; {result.Flagged} flagged as TIP-related.");
}
