using DuckDB.NET.Data;
using TipWarehouse.Core;

namespace TipWarehouse.Linkage;

/// <summary>The analyst review queue: uncertain pairs in <c>dw.bridge_case_link</c>, decisions in <c>meta.linkage_decision</c>.</summary>
public static class LinkageReview
{
    /// <summary>The latest decision per pair; later linkage runs apply them before scoring.</summary>
    public static IReadOnlyList<AnalystDecision> LatestDecisions(DuckDBConnection connection) =>
        Sql.Query(connection, """
            SELECT link_type, left_record_id, right_record_id, decision, decided_by
            FROM meta.linkage_decision
            QUALIFY row_number() OVER (PARTITION BY link_type, left_record_id, right_record_id ORDER BY decided_at DESC, decision_id DESC) = 1
            ORDER BY link_type, left_record_id, right_record_id
            """,
            r => new AnalystDecision(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3) == "accept", r.GetString(4)));

    /// <summary>The pairs waiting for a decision (status <c>review</c>), best score first; with <paramref name="includeDecided"/> also the decided ones.</summary>
    public static ResultTable Queue(DuckDBConnection connection, bool includeDecided = false)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT b.link_key AS id, b.link_type, b.left_record_id, b.right_record_id, b.score, b.method, b.status, b.case_id,
                   CASE WHEN b.link_date_key > 0 THEN CAST(strptime(CAST(b.link_date_key AS VARCHAR), '%Y%m%d') AS DATE) END AS link_date,
                   b.decided_by
            FROM dw.bridge_case_link b
            WHERE b.status = 'review' {(includeDecided ? "OR b.decided_by IS NOT NULL" : string.Empty)}
            ORDER BY b.status, b.score DESC NULLS LAST, b.link_type, b.left_record_id, b.right_record_id
            """;
        using var reader = command.ExecuteReader();
        return ResultTable.FromReader(reader);
    }

    /// <summary>Records an analyst's accept or reject of the pair with link key <paramref name="linkKey"/> and applies it to the link at once.</summary>
    public static ResultTable Decide(DuckDBConnection connection, long linkKey, bool accept, string decidedBy, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(time);
        if (string.IsNullOrWhiteSpace(decidedBy))
        {
            throw new UsageException("The analyst's name is empty: pass --by NAME.");
        }

        decidedBy = decidedBy.Trim();
        if (decidedBy.Length > 40)
        {
            decidedBy = decidedBy[..40];
        }

        var pair = Sql.Query(connection, "SELECT link_type, left_record_id, right_record_id, score FROM dw.bridge_case_link WHERE link_key = $key",
            r => (LinkType: r.GetString(0), Left: r.GetString(1), Right: r.GetString(2), Score: Sql.ReadDouble(r, 3)), ("key", linkKey));
        if (pair.Count == 0)
        {
            throw new UsageException($"No candidate link with id {linkKey}. List the queue with 'tipw linkage review --home HOME'.");
        }

        var (linkType, left, right, score) = pair[0];
        using var transaction = connection.BeginTransaction();
        var decisionId = Sql.Scalar<long>(connection, "SELECT COALESCE(max(decision_id), 0) + 1 FROM meta.linkage_decision");
        Sql.Execute(connection, """
            INSERT INTO meta.linkage_decision (decision_id, link_type, left_record_id, right_record_id, decision, decided_by, decided_at, link_key, score_at_decision)
            VALUES ($id, $type, $left, $right, $decision, $by, $at, $key, $score)
            """,
            ("id", decisionId), ("type", linkType), ("left", left), ("right", right), ("decision", accept ? "accept" : "reject"),
            ("by", decidedBy), ("at", time.GetUtcNow().UtcDateTime), ("key", linkKey), ("score", score));
        Sql.Execute(connection, """
            UPDATE dw.bridge_case_link SET status = $status, decided_by = $by, method = CASE WHEN $accept THEN 'analyst' ELSE method END
            WHERE link_key = $key
            """,
            ("status", accept ? LinkTypes.StatusLinked : LinkTypes.StatusRejected), ("by", decidedBy), ("accept", accept), ("key", linkKey));
        transaction.Commit();

        using var command = connection.CreateCommand();
        command.CommandText = "SELECT link_key AS id, link_type, left_record_id, right_record_id, score, method, status, decided_by FROM dw.bridge_case_link WHERE link_key = $key";
        command.Parameters.Add(new DuckDBParameter("key", linkKey));
        using var reader = command.ExecuteReader();
        return ResultTable.FromReader(reader, ["Recorded. The next linkage run ('tipw run linkage') regroups the cases and keeps this decision."]);
    }
}
