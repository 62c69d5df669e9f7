using System.Globalization;
using Microsoft.Data.Sqlite;
using TipWarehouse.Core;

namespace TipWarehouse.Scheduling;

/// <summary>One row of <c>tipw_job_history</c>: one fire of one pipeline and how it ended.</summary>
public sealed record JobHistoryEntry(
    long Id,
    string Pipeline,
    string FireId,
    string TriggerKind,
    DateTimeOffset? ScheduledAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string Status,
    int Attempt,
    long? RunId,
    string? Error);

/// <summary>The status values of <c>tipw_job_history</c> rows.</summary>
public static class JobStatus
{
    public const string Queued = "queued";
    public const string Waiting = "waiting";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Retrying = "retrying";
    public const string Cancelled = "cancelled";
    public const string Skipped = "skipped";
    public const string Abandoned = "abandoned";
}

/// <summary>
/// The scheduler's own run history and pause flags, kept in the same SQLite file as the Quartz job store
/// (journal in WAL mode), so both survive a restart together.
/// </summary>
public sealed class JobHistory
{
    private readonly string _connectionString;
    private readonly TimeProvider _time;

    public JobHistory(string storePath, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(storePath);
        StorePath = storePath;
        _connectionString = ConnectionString(storePath);
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <summary>The SQLite file.</summary>
    public string StorePath { get; }

    /// <summary>The connection string of the store: shared cache off, a busy timeout so a second process waits instead of failing.</summary>
    public static string ConnectionString(string storePath) => new SqliteConnectionStringBuilder
    {
        DataSource = storePath,
        Mode = SqliteOpenMode.ReadWriteCreate,
        DefaultTimeout = 30,
        Pooling = false,
    }.ToString();

    /// <summary>Creates the file (WAL journal) and the history tables if missing; returns true when the file did not exist before.</summary>
    public bool EnsureCreated()
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(StorePath));
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        var created = !File.Exists(StorePath);
        using var connection = Open();
        Sql.Execute(connection, "PRAGMA journal_mode=WAL;");
        Sql.Execute(connection, """
            CREATE TABLE IF NOT EXISTS tipw_job_history (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                pipeline TEXT NOT NULL,
                fire_id TEXT NOT NULL,
                trigger_kind TEXT NOT NULL,
                scheduled_at TEXT NULL,
                started_at TEXT NULL,
                finished_at TEXT NULL,
                status TEXT NOT NULL,
                attempt INTEGER NOT NULL,
                run_id INTEGER NULL,
                error TEXT NULL);
            CREATE INDEX IF NOT EXISTS ix_tipw_job_history_pipeline ON tipw_job_history (pipeline, id);
            CREATE TABLE IF NOT EXISTS tipw_pipeline_pause (
                pipeline TEXT PRIMARY KEY,
                paused_at TEXT NOT NULL);
            """);
        return created;
    }

    /// <summary>The journal mode of the store (expected: <c>wal</c>).</summary>
    public string JournalMode()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture) ?? "";
    }

    /// <summary>Marks runs left <c>running</c> by a process that died as <c>abandoned</c>; returns their pipelines (one per run, in order), so the host can resume them.</summary>
    public IReadOnlyList<string> MarkAbandonedPipelines()
    {
        var pipelines = new List<string>();
        using (var connection = Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT pipeline FROM tipw_job_history WHERE status = 'running' ORDER BY id";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                pipelines.Add(reader.GetString(0));
            }
        }

        MarkAbandoned();
        return pipelines;
    }

    /// <summary>Marks runs left <c>running</c> by a process that died as <c>abandoned</c>; returns how many.</summary>
    public int MarkAbandoned()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE tipw_job_history SET status = $status, finished_at = $now, error = coalesce(error, 'the scheduler stopped without finishing this run') WHERE status = 'running'";
        command.Parameters.AddWithValue("$status", JobStatus.Abandoned);
        command.Parameters.AddWithValue("$now", Format(_time.GetUtcNow()));
        return command.ExecuteNonQuery();
    }

    /// <summary>Records a downstream run queued by job chaining; returns its id.</summary>
    public long Queue(string pipeline, string triggerKind)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO tipw_job_history (pipeline, fire_id, trigger_kind, scheduled_at, status, attempt)
            VALUES ($pipeline, '', $kind, $now, 'queued', 1) RETURNING id
            """;
        command.Parameters.AddWithValue("$pipeline", pipeline);
        command.Parameters.AddWithValue("$kind", triggerKind);
        command.Parameters.AddWithValue("$now", Format(_time.GetUtcNow()));
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>Records a cron fire held back until the pipeline's upstream pipelines have succeeded; returns its id.</summary>
    public long Wait(string pipeline, string fireId, DateTimeOffset? scheduledAt, string reason)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO tipw_job_history (pipeline, fire_id, trigger_kind, scheduled_at, status, attempt, error)
            VALUES ($pipeline, $fire, 'schedule', $scheduled, 'waiting', 1, $reason) RETURNING id
            """;
        command.Parameters.AddWithValue("$pipeline", pipeline);
        command.Parameters.AddWithValue("$fire", fireId);
        command.Parameters.AddWithValue("$scheduled", scheduledAt is { } s ? Format(s) : Format(_time.GetUtcNow()));
        command.Parameters.AddWithValue("$reason", reason);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>Records the start of a fire (reusing the queued row when there is one); returns the row id.</summary>
    public long Start(string pipeline, string fireId, string triggerKind, DateTimeOffset? scheduledAt, int attempt, long? queuedId = null)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        var now = Format(_time.GetUtcNow());
        if (queuedId is { } id)
        {
            command.CommandText = """
                UPDATE tipw_job_history SET fire_id = $fire, started_at = $now, status = 'running', attempt = $attempt
                WHERE id = $id AND status = 'queued' RETURNING id
                """;
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$fire", fireId);
            command.Parameters.AddWithValue("$now", now);
            command.Parameters.AddWithValue("$attempt", attempt);
            var updated = command.ExecuteScalar();
            if (updated is not null)
            {
                return Convert.ToInt64(updated, CultureInfo.InvariantCulture);
            }

            command.Parameters.Clear();
        }

        command.CommandText = """
            INSERT INTO tipw_job_history (pipeline, fire_id, trigger_kind, scheduled_at, started_at, status, attempt)
            VALUES ($pipeline, $fire, $kind, $scheduled, $now, 'running', $attempt) RETURNING id
            """;
        command.Parameters.AddWithValue("$pipeline", pipeline);
        command.Parameters.AddWithValue("$fire", fireId);
        command.Parameters.AddWithValue("$kind", triggerKind);
        command.Parameters.AddWithValue("$scheduled", scheduledAt is { } s ? Format(s) : DBNull.Value);
        command.Parameters.AddWithValue("$now", now);
        command.Parameters.AddWithValue("$attempt", attempt);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>Records how a fire ended.</summary>
    public void Finish(long id, string status, long? runId = null, string? error = null)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE tipw_job_history SET finished_at = $now, status = $status, run_id = $run, error = $error WHERE id = $id";
        command.Parameters.AddWithValue("$now", Format(_time.GetUtcNow()));
        command.Parameters.AddWithValue("$status", status);
        command.Parameters.AddWithValue("$run", runId is { } r ? r : DBNull.Value);
        command.Parameters.AddWithValue("$error", error is null ? DBNull.Value : error);
        command.Parameters.AddWithValue("$id", id);
        command.ExecuteNonQuery();
    }

    /// <summary>Every row of one pipeline (or all pipelines when null), oldest first.</summary>
    public IReadOnlyList<JobHistoryEntry> Entries(string? pipeline = null)
    {
        if (!File.Exists(StorePath))
        {
            return [];
        }

        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT id, pipeline, fire_id, trigger_kind, scheduled_at, started_at, finished_at, status, attempt, run_id, error
            FROM tipw_job_history WHERE $pipeline IS NULL OR pipeline = $pipeline ORDER BY id
            """;
        command.Parameters.AddWithValue("$pipeline", pipeline is null ? DBNull.Value : pipeline);
        using var reader = command.ExecuteReader();
        var entries = new List<JobHistoryEntry>();
        while (reader.Read())
        {
            entries.Add(new JobHistoryEntry(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                ParseNullable(reader, 4),
                ParseNullable(reader, 5),
                ParseNullable(reader, 6),
                reader.GetString(7),
                reader.GetInt32(8),
                reader.IsDBNull(9) ? null : reader.GetInt64(9),
                reader.IsDBNull(10) ? null : reader.GetString(10)));
        }

        return entries;
    }

    /// <summary>The latest row of each pipeline that has started or is waiting for its upstream, keyed by pipeline.</summary>
    public IReadOnlyDictionary<string, JobHistoryEntry> LastRuns()
    {
        var last = new Dictionary<string, JobHistoryEntry>(StringComparer.Ordinal);
        foreach (var entry in Entries())
        {
            if (entry.StartedAt is not null || entry.Status == JobStatus.Waiting)
            {
                last[entry.Pipeline] = entry;
            }
        }

        return last;
    }

    /// <summary>The id of the latest row of <paramref name="pipeline"/> with <paramref name="status"/> (any status when null), or 0.</summary>
    public long LatestId(string pipeline, string? status = null)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT coalesce(max(id), 0) FROM tipw_job_history WHERE pipeline = $pipeline AND ($status IS NULL OR status = $status)";
        command.Parameters.AddWithValue("$pipeline", pipeline);
        command.Parameters.AddWithValue("$status", status is null ? DBNull.Value : status);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>The id of the latest row of <paramref name="pipeline"/> that is a run or a queued run (not a waiting or skipped fire), or 0.</summary>
    public long LatestRunId(string pipeline)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT coalesce(max(id), 0) FROM tipw_job_history WHERE pipeline = $pipeline AND status NOT IN ('waiting', 'skipped')";
        command.Parameters.AddWithValue("$pipeline", pipeline);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>Sets or clears the pause flag of a pipeline (which also holds back chained and retry fires).</summary>
    public void SetPaused(string pipeline, bool paused)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = paused
            ? "INSERT INTO tipw_pipeline_pause (pipeline, paused_at) VALUES ($pipeline, $now) ON CONFLICT (pipeline) DO NOTHING"
            : "DELETE FROM tipw_pipeline_pause WHERE pipeline = $pipeline";
        command.Parameters.AddWithValue("$pipeline", pipeline);
        command.Parameters.AddWithValue("$now", Format(_time.GetUtcNow()));
        command.ExecuteNonQuery();
    }

    /// <summary>The pipelines paused with <c>tipw schedule pause</c>.</summary>
    public IReadOnlySet<string> PausedPipelines()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT pipeline FROM tipw_pipeline_pause";
        using var reader = command.ExecuteReader();
        var paused = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            paused.Add(reader.GetString(0));
        }

        return paused;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private static string Format(DateTimeOffset value) => value.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);

    private static DateTimeOffset? ParseNullable(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.Parse(reader.GetString(ordinal), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
