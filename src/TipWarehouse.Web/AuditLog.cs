using System.Globalization;
using System.Text.Json;
using DuckDB.NET.Data;
using TipWarehouse.Core;

namespace TipWarehouse.Web;

/// <summary>The audit trail in <c>meta.audit_event</c>: who did what, when (the injected clock), with which parameters, and how it ended.</summary>
public sealed class AuditLog(TipwHome home, TimeProvider time)
{
    public const string SignIn = "sign_in";
    public const string Export = "export";
    public const string Query = "query";
    public const string ReviewDecision = "review_decision";
    public const string UserChange = "user_change";

    /// <summary>A pipeline triggered, paused or resumed from the operations page.</summary>
    public const string Schedule = "schedule";

    private static readonly Lock s_writeLock = new();

    /// <summary>Appends one event; <paramref name="parameters"/> are stored as a JSON object.</summary>
    public void Record(string user, string role, string action, IReadOnlyDictionary<string, string?> parameters, string outcome = "ok")
    {
        var json = JsonSerializer.Serialize(parameters);
        lock (s_writeLock)
        {
            using var connection = Warehouse.Open(home);
            using var next = connection.CreateCommand();
            next.CommandText = "SELECT COALESCE(max(event_id), 0) + 1 FROM meta.audit_event";
            var id = Convert.ToInt64(next.ExecuteScalar(), CultureInfo.InvariantCulture);
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO meta.audit_event (event_id, occurred_at, user_name, role, action, parameters, outcome) VALUES ($1, $2, $3, $4, $5, $6, $7)";
            foreach (var value in new object?[] { id, time.GetUtcNow().UtcDateTime, user, role, action, json, outcome })
            {
                insert.Parameters.Add(new DuckDBParameter(value ?? DBNull.Value));
            }

            insert.ExecuteNonQuery();
        }
    }

    /// <summary>The events, oldest first; only the last <paramref name="last"/> when given; only one action when given.</summary>
    public static ResultTable Read(DuckDBConnection connection, int? last = null, string? action = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT * FROM (
                SELECT event_id, occurred_at, user_name, role, action, parameters, outcome FROM meta.audit_event
                WHERE $1 IS NULL OR action = $1
                ORDER BY event_id DESC {(last is { } n ? $"LIMIT {n.ToString(CultureInfo.InvariantCulture)}" : string.Empty)}
            ) ORDER BY event_id
            """;
        command.Parameters.Add(new DuckDBParameter((object?)action ?? DBNull.Value));
        using var reader = command.ExecuteReader();
        return ResultTable.FromReader(reader);
    }
}
