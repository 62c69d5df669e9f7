using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Quartz;
using RetryPolicy = TipWarehouse.Core.Pipelines.RetryPolicy;
using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;

namespace TipWarehouse.Scheduling.Tests;

[Collection("scheduler")]
public sealed class SchedulerHostTests
{
    [Fact]
    public async Task Pipeline_fires_on_its_second_level_cron()
    {
        await using var test = new TestHost();
        var runner = new FakeRunner(TestHost.Pipeline("hotline", TestHost.EverySecond));
        await test.StartAsync(runner);

        await runner.WaitForEndsAsync("hotline", 2);
        await test.StopAsync();

        var rows = test.History.Entries("hotline");
        Assert.True(rows.Count(r => r.Status == JobStatus.Succeeded && r.TriggerKind == "schedule") >= 2);
        Assert.All(rows, r => Assert.NotNull(r.ScheduledAt));
        Assert.All(rows, r => Assert.True(r.ScheduledAt >= TestHost.Start, $"fire at {r.ScheduledAt:O} is not on the host's clock"));
        Assert.All(runner.Requests, r => Assert.Equal("schedule", r.TriggerKind));
        Assert.All(runner.Requests, r => Assert.Equal(test.Options.SourcesDirectory, r.SourcesDirectory));
        var logLines = Directory.GetFiles(test.Home.LogsDirectory, "tipw-*.log").SelectMany(File.ReadAllLines).ToList();
        Assert.Contains(logLines, l => l.Contains("\"message\":\"Pipeline hotline succeeded", StringComparison.Ordinal) && l.Contains("\"scope.pipeline\":\"hotline\"", StringComparison.Ordinal));
    }

    /// <summary>serve logs the next fire and each fire in the pipeline's zone (Lima), with the function 'tipw schedule' uses for its table.</summary>
    [Fact]
    public async Task Serve_logs_next_fires_and_fires_in_the_pipeline_time_zone()
    {
        await using var test = new TestHost();
        var runner = new FakeRunner(TestHost.Pipeline("hotline", "0 0 3 * * ?"));
        await test.StartAsync(runner);
        await test.TriggerAsync("hotline");
        await runner.WaitForEndsAsync("hotline", 1);
        await test.StopAsync();

        var messages = Directory.GetFiles(test.Home.LogsDirectory, "tipw-*.log").SelectMany(File.ReadAllLines)
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("message").GetString()!).ToList();

        // The clock starts at 07:30 UTC = 02:30 in Lima: the 03:00 cron is next due at 03:00 Lima the same day.
        Assert.Contains("Pipeline hotline: cron 0 0 3 * * ? (America/Lima), next fire 2026-12-01T03:00:00-05:00", messages);
        Assert.Contains(messages, m => System.Text.RegularExpressions.Regex.IsMatch(m, @"^Pipeline hotline started \(manual, attempt 1 of 3\), fired at 2026-12-01T02:3\d:\d\d(\.\d+)?-05:00$"));
        Assert.DoesNotContain(messages, m => m.StartsWith("Pipeline hotline", StringComparison.Ordinal) && (m.Contains("T07:", StringComparison.Ordinal) || m.Contains("+00:00", StringComparison.Ordinal)));
    }

    [Fact]
    public void Pipeline_times_are_shown_in_the_zone_with_its_offset_and_an_unknown_stored_zone_as_utc()
    {
        var lima = PipelineTime.Zone("America/Lima");
        var instant = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
        Assert.Equal("2026-12-01T03:00:00-05:00", PipelineTime.Format(instant, lima));
        Assert.Equal(TimeSpan.FromHours(-5), PipelineTime.InZone(instant, lima).Offset);
        Assert.Equal(instant, PipelineTime.InZone(instant, lima));
        Assert.Equal("never", PipelineTime.Format((DateTimeOffset?)null, lima));
        Assert.Equal("2026-12-01T08:00:00+00:00", PipelineTime.Format(instant, PipelineTime.Zone("Nowhere/Atlantis")));
    }

    [Fact]
    public async Task Overlapping_fires_of_one_pipeline_never_run_concurrently()
    {
        await using var test = new TestHost();
        var runner = new FakeRunner(TestHost.Pipeline("police", TestHost.EverySecond));
        runner.Behaviour["police"] = async (call, ct) =>
        {
            if (call == 1)
            {
                // The first run lasts until two more runs have started (which only happens if runs overlap),
                // or 3 s: long enough for cron fires and the manual fires below to come due meanwhile.
                await Task.WhenAny(runner.WaitForCallsAsync("police", 3), Task.Delay(TimeSpan.FromSeconds(3), ct));
            }

            return FakeRunner.Success("police", call);
        };
        await test.StartAsync(runner);
        await runner.WaitForCallsAsync("police", 1);

        // Two manual fires on top of the every-second cron, all while the first run is still going.
        await test.TriggerAsync("police");
        await test.TriggerAsync("police");
        await runner.WaitForEndsAsync("police", 3);
        await test.StopAsync();

        Assert.Equal(1, runner.MaxConcurrency("police"));
        var rows = test.History.Entries("police");
        Assert.DoesNotContain(rows, r => r.Status == JobStatus.Running);
    }

    [Fact]
    public async Task Restart_keeps_triggers_and_history_and_runs_no_fire_twice()
    {
        await using var test = new TestHost();
        var runner = new FakeRunner(TestHost.Pipeline("hotline", TestHost.EverySecond), TestHost.Pipeline("prosecution"));
        await test.StartAsync(runner);
        await runner.WaitForEndsAsync("hotline", 1);
        await test.TriggerAsync("prosecution");
        await runner.WaitForEndsAsync("prosecution", 1);
        await test.StopAsync();
        var before = test.History.Entries();
        Assert.Equal("wal", test.History.JournalMode());

        var second = new FakeRunner(TestHost.Pipeline("hotline", TestHost.EverySecond), TestHost.Pipeline("prosecution"));
        await test.StartAsync(second);
        var sync = test.Host.Services.GetRequiredService<PipelineSchedulerService>().LastSync!;
        Assert.Empty(sync.Added);
        Assert.Empty(sync.Updated);
        var stored = await test.Scheduler.GetTrigger(PipelineKeys.Cron("hotline"));
        Assert.NotNull(stored);
        await second.WaitForEndsAsync("hotline", 1);
        await test.StopAsync();

        var after = test.History.Entries();
        Assert.True(after.Count > before.Count);
        Assert.All(before, b => Assert.Contains(after, a => a.Id == b.Id && a.Status == b.Status));
        var cronFires = after.Where(r => r.Pipeline == "hotline" && r.TriggerKind == "schedule").ToList();
        Assert.Equal(cronFires.Count, cronFires.Select(r => r.ScheduledAt).Distinct().Count());
        Assert.Equal(0, second.Calls("prosecution"));
    }

    [Fact]
    public async Task A_run_left_running_by_a_killed_scheduler_is_resumed_at_start_not_at_the_next_cron()
    {
        await using var test = new TestHost();
        test.History.EnsureCreated();
        var stale = test.History.Start("prosecution", "killed-fire", "schedule", null, 1);
        var runner = new FakeRunner(TestHost.Pipeline("hotline"), TestHost.Pipeline("prosecution"));
        await test.StartAsync(runner);
        await runner.WaitForEndsAsync("prosecution", 1);
        await test.StopAsync();
        Assert.Equal(0, runner.Calls("hotline"));
        var entries = test.History.Entries();
        Assert.Contains(entries, e => e.Id == stale && e.Status == JobStatus.Abandoned);
        Assert.Contains(entries, e => e.Pipeline == "prosecution" && e.Id != stale && e.Status == JobStatus.Succeeded);
    }

    [Fact]
    public async Task Transient_failure_is_retried_with_backoff_until_it_succeeds()
    {
        await using var test = new TestHost();
        var runner = new FakeRunner(TestHost.Pipeline("police", retry: new RetryPolicy(3, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1))));
        runner.Behaviour["police"] = (call, _) => call < 3
            ? throw new TransientSourceException("police.sqlite is locked (database is locked)")
            : Task.FromResult(FakeRunner.Success("police", call));
        await test.StartAsync(runner);

        await test.TriggerAsync("police");
        await runner.WaitForEndsAsync("police", 3);
        await test.Tracker.WaitIdleAsync();
        await test.StopAsync();

        var rows = test.History.Entries("police");
        Assert.Equal([JobStatus.Retrying, JobStatus.Retrying, JobStatus.Succeeded], rows.Select(r => r.Status));
        Assert.Equal([1, 2, 3], rows.Select(r => r.Attempt));
        Assert.Equal(["manual", "retry", "retry"], rows.Select(r => r.TriggerKind));
        Assert.Equal(["manual", "retry", "retry"], runner.Requests.Select(r => r.TriggerKind));
        Assert.Contains("retry 2 of 3", rows[0].Error, StringComparison.Ordinal);
        Assert.Contains("locked", rows[1].Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exhausted_retries_are_recorded_failed_and_the_cron_keeps_firing()
    {
        await using var test = new TestHost();
        var runner = new FakeRunner(TestHost.Pipeline("police", retry: new RetryPolicy(2, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100))));
        runner.Behaviour["police"] = (_, _) => throw new TransientSourceException("police.sqlite is busy");
        await test.StartAsync(runner);

        await test.TriggerAsync("police");
        await runner.WaitForEndsAsync("police", 2);
        await test.Tracker.WaitIdleAsync();
        var cron = await test.Scheduler.GetTrigger(PipelineKeys.Cron("police"));
        var state = await test.Scheduler.GetTriggerState(PipelineKeys.Cron("police"));
        await test.StopAsync();

        var rows = test.History.Entries("police");
        Assert.Equal([JobStatus.Retrying, JobStatus.Failed], rows.Select(r => r.Status));
        Assert.Contains("gave up after 2 attempt(s)", rows[1].Error, StringComparison.Ordinal);
        Assert.NotNull(cron?.NextFireTimeUtc);
        Assert.Equal(TriggerState.Normal, state);
        Assert.Equal(2, runner.Calls("police"));
    }

    [Fact]
    public async Task Data_error_is_not_retried()
    {
        await using var test = new TestHost();
        var runner = new FakeRunner(TestHost.Pipeline("prosecution"));
        runner.Behaviour["prosecution"] = (_, _) => throw new TipwException("cases-2006-05.jsonl, line 12, column event_date: '2006-13-01' is not a date");
        await test.StartAsync(runner);

        await test.TriggerAsync("prosecution");
        await runner.WaitForEndsAsync("prosecution", 1);
        await test.Tracker.WaitIdleAsync();
        var retries = await test.Scheduler.QueryTriggers(new TriggerQuery { Group = GroupMatcher<TriggerKey>.GroupStartsWith(PipelineKeys.RetryGroup), Take = PagedQuery.All });
        await test.StopAsync();

        Assert.Empty(retries.Items);
        var row = Assert.Single(test.History.Entries("prosecution"));
        Assert.Equal(JobStatus.Failed, row.Status);
        Assert.Contains("line 12", row.Error, StringComparison.Ordinal);
        Assert.Equal(1, runner.Calls("prosecution"));
    }

    [Fact]
    public async Task Failed_run_result_is_recorded_failed_and_not_retried()
    {
        await using var test = new TestHost();
        var runner = new FakeRunner(TestHost.Pipeline("hotline"));
        runner.Behaviour["hotline"] = (_, _) => Task.FromResult(FakeRunner.Failure("hotline", "every row of the file was rejected"));
        await test.StartAsync(runner);

        await test.TriggerAsync("hotline");
        await runner.WaitForEndsAsync("hotline", 1);
        await test.Tracker.WaitIdleAsync();
        await test.StopAsync();

        var row = Assert.Single(test.History.Entries("hotline"));
        Assert.Equal(JobStatus.Failed, row.Status);
        Assert.Equal(1, runner.Calls("hotline"));
    }

    [Fact]
    public async Task Shutdown_during_a_batch_cancels_it_after_the_grace_period_and_leaves_nothing_running()
    {
        await using var test = new TestHost();
        test.Options = test.Options with { ShutdownGrace = TimeSpan.FromMilliseconds(300) };
        var runner = new FakeRunner(TestHost.Pipeline("police"));
        var sawCancellation = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        runner.Behaviour["police"] = async (_, ct) =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                sawCancellation.SetResult();
                throw;
            }

            return FakeRunner.Success("police");
        };
        await test.StartAsync(runner);
        await test.TriggerAsync("police");
        await runner.WaitForCallsAsync("police", 1);
        var tracker = test.Tracker;

        await test.StopAsync().WaitAsync(TestHost.Patience);

        Assert.True(sawCancellation.Task.IsCompletedSuccessfully);
        Assert.Equal(0, tracker.Running);
        var row = Assert.Single(test.History.Entries("police"));
        Assert.Equal(JobStatus.Cancelled, row.Status);
        Assert.Contains("shutdown", row.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shutdown_lets_a_running_batch_finish_within_the_grace_period()
    {
        await using var test = new TestHost();
        var runner = new FakeRunner(TestHost.Pipeline("hotline"));
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = true;
        runner.Behaviour["hotline"] = async (_, ct) =>
        {
            // Still busy when the shutdown begins, and for a while after it: well inside the 10 s grace period.
            await stopping.Task;
            await Task.Delay(TimeSpan.FromMilliseconds(300), CancellationToken.None);
            cancelled = ct.IsCancellationRequested;
            return FakeRunner.Success("hotline");
        };
        await test.StartAsync(runner);
        test.Host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => stopping.TrySetResult());
        await test.TriggerAsync("hotline");
        await runner.WaitForCallsAsync("hotline", 1);

        await test.StopAsync().WaitAsync(TestHost.Patience);

        Assert.False(cancelled);
        Assert.Equal(JobStatus.Succeeded, Assert.Single(test.History.Entries("hotline")).Status);
    }

    [Fact]
    public async Task Downstream_runs_only_after_all_its_upstream_pipelines_succeed()
    {
        await using var test = new TestHost();
        var runner = new FakeRunner(
            TestHost.Pipeline("hotline"),
            TestHost.Pipeline("police"),
            TestHost.Pipeline("linkage", upstream: ["hotline", "police"]));
        await test.StartAsync(runner);

        await test.TriggerAsync("hotline");
        await runner.WaitForEndsAsync("hotline", 1);
        await test.Tracker.WaitIdleAsync();
        Assert.Equal(0, runner.Calls("linkage"));

        await test.TriggerAsync("police");
        await runner.WaitForEndsAsync("linkage", 1);
        await test.Tracker.WaitIdleAsync();

        // A failed upstream holds the downstream back even when the other upstream succeeds again.
        runner.Behaviour["hotline"] = (_, _) => throw new TipwException("bad file");
        await test.TriggerAsync("hotline");
        await runner.WaitForEndsAsync("hotline", 2);
        await test.TriggerAsync("police");
        await runner.WaitForEndsAsync("police", 2);
        await test.Tracker.WaitIdleAsync();
        await test.StopAsync();

        Assert.Equal(1, runner.Calls("linkage"));
        var linkage = Assert.Single(test.History.Entries("linkage"));
        Assert.Equal("chain", linkage.TriggerKind);

        // The engine's run log (meta.pipeline_run) gets the same trigger kind as the job history, not "schedule".
        Assert.Equal(["chain"], runner.Requests.Where(r => r.Pipeline == "linkage").Select(r => r.TriggerKind));
        Assert.All(runner.Requests.Where(r => r.Pipeline != "linkage"), r => Assert.Equal("manual", r.TriggerKind));
        Assert.Equal(JobStatus.Succeeded, linkage.Status);
    }

    [Fact]
    public async Task Cron_fire_of_a_pipeline_waits_for_its_upstream_and_starts_when_it_succeeds()
    {
        await using var test = new TestHost();
        var reports = TestHost.Pipeline("police_reports") with { Upstream = ["police_stations"] };
        var runner = new FakeRunner(TestHost.Pipeline("police_stations"), reports);
        await test.StartAsync(runner);

        // The reports cron comes due before the stations have loaded today: the fire waits instead of guessing.
        await FireOnScheduleAsync(test, "police_reports");
        await WaitForHistoryAsync(test, "police_reports", JobStatus.Waiting);
        Assert.Equal(0, runner.Calls("police_reports"));

        await test.TriggerAsync("police_stations");
        await runner.WaitForEndsAsync("police_reports", 1);
        await test.Tracker.WaitIdleAsync();

        // Another stations success does not start reports again: reports is not due until its cron fires.
        await test.TriggerAsync("police_stations");
        await runner.WaitForEndsAsync("police_stations", 2);
        await test.Tracker.WaitIdleAsync();
        Assert.Equal(1, runner.Calls("police_reports"));

        // Its next cron fire finds the stations already loaded since its last run, and runs at once.
        await FireOnScheduleAsync(test, "police_reports");
        await runner.WaitForEndsAsync("police_reports", 2);
        await test.Tracker.WaitIdleAsync();
        await test.StopAsync();

        Assert.Equal(
            [(JobStatus.Waiting, "schedule"), (JobStatus.Succeeded, "chain"), (JobStatus.Succeeded, "schedule")],
            test.History.Entries("police_reports").Select(r => (r.Status, r.TriggerKind)));
    }

    private static async Task FireOnScheduleAsync(TestHost test, string pipeline) =>
        await test.Scheduler.TriggerJob(PipelineKeys.Job(pipeline), new JobDataMap { { PipelineKeys.TriggerKindKey, "schedule" } });

    private static async Task WaitForHistoryAsync(TestHost test, string pipeline, string status)
    {
        var deadline = Task.Delay(TestHost.Patience);
        while (!test.History.Entries(pipeline).Any(r => r.Status == status))
        {
            Assert.False(deadline.IsCompleted, $"no {status} row for {pipeline}");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Downstream_of_a_paused_pipeline_is_not_chained()
    {
        await using var test = new TestHost();
        var runner = new FakeRunner(TestHost.Pipeline("prosecution"), TestHost.Pipeline("scoring", upstream: ["prosecution"]));
        await using (var admin = await ScheduleAdmin.OpenAsync(test.Options, runner))
        {
            await admin.PauseAsync("scoring");
        }

        await test.StartAsync(runner);
        await test.TriggerAsync("prosecution");
        await runner.WaitForEndsAsync("prosecution", 1);
        await test.Tracker.WaitIdleAsync();
        await test.StopAsync();

        Assert.Equal(0, runner.Calls("scoring"));
    }

    [Fact]
    public async Task Run_left_running_by_a_dead_process_is_marked_abandoned_at_start()
    {
        await using var test = new TestHost();
        var history = new JobHistory(test.Options.StorePath, test.Options.Time);
        history.EnsureCreated();
        history.Start("hotline", "fire-1", "schedule", null, 1);

        await test.StartAsync(new FakeRunner(TestHost.Pipeline("hotline")));
        await test.StopAsync();

        // The abandoned run is marked; it is also resumed (A_run_left_running_by_a_killed_scheduler_is_resumed_at_start_not_at_the_next_cron).
        var row = Assert.Single(history.Entries("hotline"), e => e.FireId == "fire-1");
        Assert.Equal(JobStatus.Abandoned, row.Status);
    }
}
