using System.Globalization;
using DuckDB.NET.Data;
using TipWarehouse.Core;
using TipWarehouse.Etl.Specs;

namespace TipWarehouse.Etl.Quality;

/// <summary>One source's freshness: its declared cadence, when a batch last loaded new rows, and whether that is within the cadence.</summary>
public sealed record FreshnessStatus(string Pipeline, TimeSpan Cadence, DateTime? LastNewDataAt, string Status)
{
    /// <summary>True when no new data arrived within the cadence (or none ever did).</summary>
    public bool IsStale => Status == Freshness.Stale;

    /// <summary>One line for logs and notes: what is stale and since when.</summary>
    public string Describe() => LastNewDataAt is { } last
        ? string.Create(CultureInfo.InvariantCulture, $"{Pipeline}: {Status} (last new data {last:yyyy-MM-dd HH:mm} UTC; expected every {DurationText(Cadence)})")
        : $"{Pipeline}: {Status} (no data loaded yet; expected every {DurationText(Cadence)})";

    private static string DurationText(TimeSpan span) =>
        span.TotalDays >= 1 && span.TotalDays == Math.Floor(span.TotalDays) ? $"{span.TotalDays:0}d"
        : span.TotalHours >= 1 && span.TotalHours == Math.Floor(span.TotalHours) ? $"{span.TotalHours:0}h"
        : span.ToString("c", CultureInfo.InvariantCulture);
}

/// <summary>Freshness of the sources (dbt source freshness, Dagster freshness policies): a pipeline that declares <c>freshness</c> is stale when no batch loaded new rows within it.</summary>
public static class Freshness
{
    public const string Fresh = "fresh";
    public const string Stale = "stale";

    /// <summary>The freshness of every spec that declares a cadence, as of <paramref name="now"/>.</summary>
    public static IReadOnlyList<FreshnessStatus> Evaluate(DuckDBConnection connection, IEnumerable<PipelineSpec> specs, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(specs);
        var last = new Dictionary<string, DateTime>(StringComparer.Ordinal);
        using (var command = connection.CreateCommand())
        {
            // A rebuild re-derives rows already loaded: no new data arrived, so it does not make a source fresh.
            command.CommandText = """
                SELECT b.pipeline, max(coalesce(b.finished_at, b.started_at)) FROM meta.batch AS b JOIN meta.pipeline_run AS r ON r.run_id = b.run_id
                WHERE b.status = 'succeeded' AND b.rows_loaded > 0 AND r.trigger_kind <> 'rebuild' GROUP BY b.pipeline
                """;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                last[reader.GetString(0)] = reader.GetDateTime(1);
            }
        }

        var result = new List<FreshnessStatus>();
        foreach (var spec in specs)
        {
            if (spec.Freshness is not { } cadence)
            {
                continue;
            }

            DateTime? at = last.TryGetValue(spec.Name, out var t) ? t : null;
            var stale = at is null || now.UtcDateTime - DateTime.SpecifyKind(at.Value, DateTimeKind.Utc) > cadence;
            result.Add(new FreshnessStatus(spec.Name, cadence, at, stale ? Stale : Fresh));
        }

        return result;
    }

    /// <summary>The statuses as a result table (pipeline, cadence_seconds, last_new_data_at, status).</summary>
    public static ResultTable ToTable(IReadOnlyList<FreshnessStatus> statuses)
    {
        ArgumentNullException.ThrowIfNull(statuses);
        return new ResultTable(
            [new ResultColumn("pipeline", typeof(string)), new ResultColumn("cadence_seconds", typeof(long)), new ResultColumn("last_new_data_at", typeof(DateTime)), new ResultColumn("status", typeof(string))],
            [.. statuses.Select(s => new object?[] { s.Pipeline, (long)s.Cadence.TotalSeconds, s.LastNewDataAt, s.Status })]);
    }
}
