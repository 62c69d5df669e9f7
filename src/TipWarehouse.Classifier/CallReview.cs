using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using TipWarehouse.Core;

namespace TipWarehouse.Classifier;

/// <summary>A supervisor's latest decision on one call: confirmed as TIP-related (<see cref="IsTip"/>) or rejected.</summary>
public sealed record SupervisorDecision(string CallId, bool IsTip, string DecidedBy, DateTime DecidedAt);

/// <summary>The supervisor review of model-flagged hotline calls: the queue of calls the active model flagged, and
/// confirm/reject decisions in <c>meta.call_label_decision</c>, which the next <c>tipw model train</c> uses as labels.</summary>
public static class CallReview
{
    /// <summary>The decision that marks a flagged call as TIP-related.</summary>
    public const string Confirm = "confirm";

    /// <summary>The decision that marks a flagged call as not TIP-related.</summary>
    public const string Reject = "reject";

    /// <summary>How many words pushing towards TIP the queue's <c>top_words</c> column names.</summary>
    public const int TopWords = 5;

    private const int MaxNameLength = 40;

    /// <summary>The latest decision per call (a later decision replaces an earlier one); empty when the warehouse predates the table.</summary>
    public static IReadOnlyDictionary<string, SupervisorDecision> LatestDecisions(DuckDBConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var decisions = new Dictionary<string, SupervisorDecision>(StringComparer.Ordinal);
        if (!TableExists(connection))
        {
            return decisions;
        }

        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT call_id, decision, decided_by, decided_at FROM meta.call_label_decision
            QUALIFY row_number() OVER (PARTITION BY call_id ORDER BY decided_at DESC, decision_id DESC) = 1
            """;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var callId = reader.GetString(0);
            decisions[callId] = new SupervisorDecision(callId, reader.GetString(1) == Confirm, reader.GetString(2), reader.GetDateTime(3));
        }

        return decisions;
    }

    /// <summary>The calls <paramref name="active"/> flagged that no supervisor decided yet (newest first, then by probability),
    /// at most <paramref name="limit"/>, each with the words that pushed its score towards TIP the most; with
    /// <paramref name="includeDecided"/> the decided calls come first. With <paramref name="withSpans"/> each row also carries the
    /// (already PII-scrubbed) narrative and every word's <c>start:length:contribution</c> span, for highlighting.</summary>
    public static ResultTable Queue(DuckDBConnection connection, RegisteredModel active, CallScorer scorer, bool includeDecided = false, int limit = 50, bool withSpans = false)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(active);
        ArgumentNullException.ThrowIfNull(scorer);
        RequireTable(connection);
        using var command = connection.CreateCommand();
        command.CommandText = """
            WITH decided AS (
                SELECT call_id, decision, decided_by, decided_at FROM meta.call_label_decision
                QUALIFY row_number() OVER (PARTITION BY call_id ORDER BY decided_at DESC, decision_id DESC) = 1)
            SELECT c.call_id, CAST(strptime(CAST(c.call_date_key AS VARCHAR), '%Y%m%d') AS DATE) AS call_date, g.department_name,
                   s.probability, c.operator_category, d.decision, d.decided_by, d.decided_at
            FROM dw.fact_call_score s
            JOIN dw.fact_hotline_call c ON c.call_key = s.call_key
            LEFT JOIN dw.dim_geography g ON g.geography_key = c.geography_key
            LEFT JOIN decided d ON d.call_id = c.call_id
            WHERE s.model_key = $model
              AND ((CAST(s.is_flagged AS INTEGER) = 1 AND d.call_id IS NULL) OR ($all AND d.call_id IS NOT NULL))
            ORDER BY d.decided_at DESC NULLS LAST, c.call_date_key DESC, s.probability DESC, c.call_id
            LIMIT $limit
            """;
        command.Parameters.Add(new DuckDBParameter("model", active.ModelKey));
        command.Parameters.Add(new DuckDBParameter("all", includeDecided));
        command.Parameters.Add(new DuckDBParameter("limit", Math.Max(1, limit)));
        var listed = new List<object?[]>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var values = new object?[reader.FieldCount];
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                }

                listed.Add(values);
            }
        }

        var rows = new List<object?[]>(listed.Count);
        foreach (var values in listed)
        {
            var callId = (string)values[0]!;
            var call = WarehouseCalls.ReadOne(connection, callId)!;
            var explanation = ModelExplainer.ExplainWords(scorer, call);
            var category = (string?)values[4];
            object?[] row =
            [
                callId, values[1] is DateTime date ? DateOnly.FromDateTime(date) : values[1], values[2], Math.Round(Convert.ToDouble(values[3], CultureInfo.InvariantCulture), 4),
                category, TipLabels.FromOperatorCategory(category), TopWordsOf(explanation), values[5], values[6], values[7],
            ];
            rows.Add(withSpans ? [.. row, explanation.Narrative, SpansOf(explanation)] : row);
        }

        List<ResultColumn> columns =
        [
            new("call_id", typeof(string)), new("call_date", typeof(DateOnly)), new("department", typeof(string)), new("probability", typeof(double)),
            new("operator_category", typeof(string)), new("operator_tip", typeof(bool)), new("top_words", typeof(string)),
            new("decision", typeof(string)), new("decided_by", typeof(string)), new("decided_at", typeof(DateTime)),
        ];
        if (withSpans)
        {
            columns.AddRange([new("narrative", typeof(string)), new("spans", typeof(string))]);
        }

        return new ResultTable(columns, rows,
        [
            $"calls flagged by {active.ModelName} (threshold {active.Threshold.ToString("0.000", CultureInfo.InvariantCulture)}) {(includeDecided ? "with the decided ones first" : "that no supervisor decided yet")}, newest first, at most {Math.Max(1, limit)}",
            $"top_words: up to {TopWords} words pushing the score towards TIP the most (at least a tenth of the strongest) (change of the model's margin, log-odds); operator_tip: the operator's category is a TIP category",
            .. withSpans ? ["spans: start:length:contribution of every word with a non-zero contribution (UTF-16 offsets into the narrative, which is PII-scrubbed at load)"] : Array.Empty<string>(),
        ]);
    }

    /// <summary>Records a supervisor's <paramref name="confirm"/> (TIP-related) or reject of call <paramref name="callId"/>,
    /// with the active model's probability for it; the next training uses it as the call's label.</summary>
    public static ResultTable Decide(DuckDBConnection connection, string callId, bool confirm, string decidedBy, RegisteredModel? active, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(time);
        if (string.IsNullOrWhiteSpace(decidedBy))
        {
            throw new UsageException("The supervisor's name is empty: pass --by NAME.");
        }

        decidedBy = decidedBy.Trim();
        if (decidedBy.Length > MaxNameLength)
        {
            decidedBy = decidedBy[..MaxNameLength];
        }

        callId = (callId ?? string.Empty).Trim();
        RequireTable(connection);
        double? probability;
        using (var find = connection.CreateCommand())
        {
            find.CommandText = """
                SELECT c.call_id, s.probability FROM dw.fact_hotline_call c
                LEFT JOIN dw.fact_call_score s ON s.call_key = c.call_key AND s.model_key = $model
                WHERE c.call_id = $id
                """;
            find.Parameters.Add(new DuckDBParameter("model", active?.ModelKey ?? -1));
            find.Parameters.Add(new DuckDBParameter("id", callId));
            using var reader = find.ExecuteReader();
            if (!reader.Read())
            {
                throw new UsageException($"No hotline call with id '{callId}'. List the flagged calls with 'tipw model review --home HOME'.");
            }

            probability = reader.IsDBNull(1) ? null : reader.GetDouble(1);
        }

        var decidedAt = time.GetUtcNow().UtcDateTime;
        using (var insert = connection.CreateCommand())
        {
            insert.CommandText = """
                INSERT INTO meta.call_label_decision (decision_id, call_id, decision, decided_by, decided_at, model_name, probability_at_decision)
                SELECT COALESCE(max(decision_id), 0) + 1, $id, $decision, $by, $at, $model, $probability FROM meta.call_label_decision
                """;
            insert.Parameters.Add(new DuckDBParameter("id", callId));
            insert.Parameters.Add(new DuckDBParameter("decision", confirm ? Confirm : Reject));
            insert.Parameters.Add(new DuckDBParameter("by", decidedBy));
            insert.Parameters.Add(new DuckDBParameter("at", decidedAt));
            insert.Parameters.Add(new DuckDBParameter("model", active?.ModelName));
            insert.Parameters.Add(new DuckDBParameter("probability", probability));
            insert.ExecuteNonQuery();
        }

        return new ResultTable(
            [new("call_id", typeof(string)), new("decision", typeof(string)), new("decided_by", typeof(string)), new("decided_at", typeof(DateTime)), new("model", typeof(string)), new("probability", typeof(double))],
            [[callId, confirm ? Confirm : Reject, decidedBy, decidedAt, active?.ModelName, probability is { } p ? Math.Round(p, 4) : null]],
            [$"Recorded. The next 'tipw model train' labels this call {(confirm ? "TIP-related" : "not TIP-related")} (a supervisor decision wins over the operator category)."]);
    }

    private static string TopWordsOf(CallExplanation explanation)
    {
        var text = new StringBuilder();
        var towards = explanation.Contributions.Where(c => c.Kind == "word" && c.Contribution > 0).OrderByDescending(c => c.Contribution).ToList();
        // Words below a tenth of the strongest one say nothing a supervisor needs (the page leaves them unmarked too).
        foreach (var word in towards.Where(c => c.Contribution >= towards[0].Contribution / 10).Take(TopWords))
        {
            text.Append(text.Length == 0 ? string.Empty : ", ").Append(word.Feature).Append(CultureInfo.InvariantCulture, $" {word.Contribution:+0.00;-0.00}");
        }

        return text.ToString();
    }

    private static string SpansOf(CallExplanation explanation) =>
        string.Join(";", explanation.Spans.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Start}:{s.Length}:{Math.Round(s.Contribution, 4)}")));

    private static void RequireTable(DuckDBConnection connection)
    {
        if (!TableExists(connection))
        {
            throw new TipwException("This warehouse predates meta.call_label_decision (the supervisor decisions): upgrade it with 'tipw init --home HOME'.");
        }
    }

    private static bool TableExists(DuckDBConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'meta' AND table_name = 'call_label_decision'";
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
    }
}
