using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace TipWarehouse.Scheduling.Tests;

public sealed class JobHistoryTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "tipw-history-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2006, 3, 13, 7, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Store_is_created_in_wal_mode_and_records_fires_with_the_injected_clock()
    {
        var history = new JobHistory(Path.Combine(_dir, "scheduler.sqlite"), _time);

        Assert.True(history.EnsureCreated());
        Assert.False(history.EnsureCreated());
        Assert.Equal("wal", history.JournalMode());

        var id = history.Start("hotline", "fire-1", "schedule", _time.GetUtcNow(), 1);
        _time.Advance(TimeSpan.FromMinutes(3));
        history.Finish(id, JobStatus.Succeeded, runId: 7);

        var row = Assert.Single(history.Entries("hotline"));
        Assert.Equal(new DateTimeOffset(2006, 3, 13, 7, 0, 0, TimeSpan.Zero), row.StartedAt);
        Assert.Equal(new DateTimeOffset(2006, 3, 13, 7, 3, 0, TimeSpan.Zero), row.FinishedAt);
        Assert.Equal(7, row.RunId);
        Assert.Equal(JobStatus.Succeeded, history.LastRuns()["hotline"].Status);
    }

    [Fact]
    public void Queued_chain_row_becomes_the_run_row_when_it_starts()
    {
        var history = new JobHistory(Path.Combine(_dir, "scheduler.sqlite"), _time);
        history.EnsureCreated();

        var queued = history.Queue("linkage", "chain");
        var started = history.Start("linkage", "fire-9", "chain", null, 1, queued);

        Assert.Equal(queued, started);
        var row = Assert.Single(history.Entries("linkage"));
        Assert.Equal(JobStatus.Running, row.Status);
        Assert.Equal("fire-9", row.FireId);
    }

    [Fact]
    public void Pause_flags_survive_reopening_the_store()
    {
        var path = Path.Combine(_dir, "scheduler.sqlite");
        var first = new JobHistory(path, _time);
        first.EnsureCreated();
        first.SetPaused("police", true);
        first.SetPaused("police", true);

        var second = new JobHistory(path, _time);
        Assert.Equal(["police"], second.PausedPipelines());
        second.SetPaused("police", false);
        Assert.Empty(first.PausedPipelines());
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }
}
