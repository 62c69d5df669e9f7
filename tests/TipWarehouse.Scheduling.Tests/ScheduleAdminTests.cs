using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;

namespace TipWarehouse.Scheduling.Tests;

[Collection("scheduler")]
public sealed class ScheduleAdminTests
{
    private static FakeRunner Specs(string hotlineCron = "0 0 2 * * ?") => new(
        new PipelineDescriptor("hotline", "csv", hotlineCron, "America/Lima", [], RetryPolicy.Default, "pipelines/hotline.yaml"),
        new PipelineDescriptor("police", "sqlite", "0 0 3 * * ?", "", [], RetryPolicy.Default, "pipelines/police.yaml"),
        new PipelineDescriptor("prosecution", "jsonl", "0 30 3 * * ?", "America/Lima", [], RetryPolicy.Default, "pipelines/prosecution.yaml"),
        new PipelineDescriptor("linkage", "linkage", "", "America/Lima", ["hotline", "police", "prosecution"], RetryPolicy.Default, "pipelines/linkage.yaml"));

    /// <summary>
    /// The clock is set, never read: the next fires depend on the hour (a downstream job's estimate is the latest of its
    /// upstream fires), so the listing is checked before, between and after the upstream crons (02:00, 03:00, 03:30 Lima
    /// = 07:00, 08:00, 08:30 UTC), at the hours where a real clock made this test fail.
    /// </summary>
    [Theory]
    [InlineData("2026-12-01T06:00:00Z", "2026-12-01T02:00:00-05:00", "2026-12-01T03:30:00-05:00")]
    [InlineData("2026-12-01T07:30:00Z", "2026-12-02T02:00:00-05:00", "2026-12-02T02:00:00-05:00")]
    [InlineData("2026-12-01T07:54:00Z", "2026-12-02T02:00:00-05:00", "2026-12-02T02:00:00-05:00")]
    [InlineData("2026-12-01T08:15:00Z", "2026-12-02T02:00:00-05:00", "2026-12-02T03:00:00-05:00")]
    [InlineData("2026-12-01T08:45:00Z", "2026-12-02T02:00:00-05:00", "2026-12-02T03:30:00-05:00")]
    [InlineData("2026-12-01T23:59:00Z", "2026-12-02T02:00:00-05:00", "2026-12-02T03:30:00-05:00")]
    public async Task Listing_a_new_store_creates_the_jobs_from_the_specs_with_cron_and_next_fire(string now, string hotlineNext, string linkageNext)
    {
        await using var test = new TestHost();
        test.Options = test.Options with { Time = new FakeTimeProvider(DateTimeOffset.Parse(now, CultureInfo.InvariantCulture)) };
        await using var admin = await ScheduleAdmin.OpenAsync(test.Options, Specs());

        var table = await admin.ListAsync();

        Assert.Equal(["pipeline", "kind", "cron", "time_zone", "upstream", "next_fire", "last_run", "last_status", "last_trigger", "freshness", "paused"], table.Columns.Select(c => c.Name));
        Assert.Equal(["hotline", "police", "prosecution", "linkage"], table.Rows.Select(r => (string)r[0]!));
        var hotline = table.Rows[0];
        Assert.Equal("0 0 2 * * ?", hotline[2]);
        Assert.Equal("America/Lima", hotline[3]);
        var next = Assert.IsType<DateTimeOffset>(hotline[5]);
        Assert.Equal(TimeSpan.FromHours(-5), next.Offset);
        Assert.Equal(DateTimeOffset.Parse(hotlineNext, CultureInfo.InvariantCulture), next);
        Assert.Equal("America/Lima", table.Rows[1][3]);
        var linkage = table.Rows[3];
        Assert.Equal("hotline,police,prosecution", linkage[4]);
        Assert.Equal("", linkage[2]);
        var linkageFire = Assert.IsType<DateTimeOffset>(linkage[5]);
        Assert.Equal(DateTimeOffset.Parse(linkageNext, CultureInfo.InvariantCulture), linkageFire);
        Assert.Equal(TimeSpan.FromHours(-5), linkageFire.Offset);
        Assert.Equal(["hotline", "police", "prosecution", "linkage"], admin.LastSync!.Added);
    }

    [Fact]
    public async Task A_run_recorded_in_the_warehouse_is_the_last_run_when_it_is_the_latest()
    {
        await using var test = new TestHost();
        test.Options = test.Options with { Time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 15, 0, 0, TimeSpan.Zero)) };
        await using var admin = await ScheduleAdmin.OpenAsync(test.Options, Specs());
        var manual = new RecordedRun(new DateTimeOffset(2026, 12, 1, 14, 30, 0, TimeSpan.Zero), "succeeded", "cli");

        var table = await admin.ListAsync(new Dictionary<string, RecordedRun> { ["hotline"] = manual });

        var hotline = table.Rows.Single(r => (string)r[0]! == "hotline");
        // In the pipeline's zone, like next_fire; a pipeline that never ran has no last run.
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 9, 30, 0, TimeSpan.FromHours(-5)), Assert.IsType<DateTimeOffset>(hotline[6]));
        Assert.Equal(TimeSpan.FromHours(-5), ((DateTimeOffset)hotline[6]!).Offset);
        Assert.Equal(("succeeded", "cli"), ((string)hotline[7]!, (string)hotline[8]!));
        var police = table.Rows.Single(r => (string)r[0]! == "police");
        Assert.Null(police[6]);
        Assert.Null(police[8]);
    }

    [Fact]
    public async Task Sync_updates_a_changed_cron_and_removes_a_job_whose_spec_is_gone()
    {
        await using var test = new TestHost();
        await using (await ScheduleAdmin.OpenAsync(test.Options, Specs()))
        {
        }

        var changed = new FakeRunner(Specs("0 15 4 * * ?").Pipelines.Where(p => p.Name != "prosecution").Select(p => p.Name == "linkage" ? p with { Upstream = ["hotline", "police"] } : p).ToArray());
        await using var admin = await ScheduleAdmin.OpenAsync(test.Options, changed);
        var table = await admin.ListAsync();

        Assert.Equal(["prosecution"], admin.LastSync!.Removed);
        Assert.Contains("hotline", admin.LastSync.Updated);
        Assert.Empty(admin.LastSync.Added);
        Assert.Equal(["hotline", "police", "linkage"], table.Rows.Select(r => (string)r[0]!));
        Assert.Equal("0 15 4 * * ?", table.Rows[0][2]);
    }

    [Fact]
    public async Task Pause_and_resume_are_kept_in_the_store()
    {
        await using var test = new TestHost();
        await using (var admin = await ScheduleAdmin.OpenAsync(test.Options, Specs()))
        {
            await admin.PauseAsync("police");
        }

        await using (var reopened = await ScheduleAdmin.OpenAsync(test.Options, null))
        {
            var table = await reopened.ListAsync();
            var paused = table.Columns.Select(c => c.Name).ToList().IndexOf("paused");
            Assert.Equal([false, true, false, false], table.Rows.Select(r => (bool)r[paused]!));
            await reopened.ResumeAsync("police");
            table = await reopened.ListAsync();
            Assert.All(table.Rows, r => Assert.False((bool)r[paused]!));
        }
    }

    [Fact]
    public async Task Unknown_pipeline_is_a_usage_error_naming_the_known_ones()
    {
        await using var test = new TestHost();
        await using var admin = await ScheduleAdmin.OpenAsync(test.Options, Specs());

        var error = await Assert.ThrowsAsync<UsageException>(() => admin.TriggerAsync("hotlines"));
        Assert.Contains("hotline, police, prosecution, linkage", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_cron_or_time_zone_names_the_pipeline_and_its_spec()
    {
        await using var test = new TestHost();
        var badCron = new FakeRunner(new PipelineDescriptor("hotline", "csv", "every day", "America/Lima", [], RetryPolicy.Default, "pipelines/hotline.yaml"));
        var badZone = new FakeRunner(new PipelineDescriptor("police", "sqlite", "0 0 2 * * ?", "Lima/Peru", [], RetryPolicy.Default, "pipelines/police.yaml"));

        var cronError = await Assert.ThrowsAsync<TipwException>(() => ScheduleAdmin.OpenAsync(test.Options, badCron));
        var zoneError = await Assert.ThrowsAsync<TipwException>(() => ScheduleAdmin.OpenAsync(test.Options, badZone));

        Assert.Contains("'hotline' (pipelines/hotline.yaml)", cronError.Message, StringComparison.Ordinal);
        Assert.Contains("Lima/Peru", zoneError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trigger_from_the_admin_is_picked_up_by_a_running_host()
    {
        await using var test = new TestHost();
        var runner = Specs();
        await test.StartAsync(runner);

        await using (var admin = await ScheduleAdmin.OpenAsync(test.Options, runner))
        {
            await admin.TriggerAsync("police");
        }

        await runner.WaitForEndsAsync("police", 1);
        await test.Tracker.WaitIdleAsync();
        await test.StopAsync();

        var row = Assert.Single(test.History.Entries("police"));
        Assert.Equal("manual", row.TriggerKind);
        Assert.Equal(JobStatus.Succeeded, row.Status);
    }

    [Fact]
    public async Task Trigger_while_no_host_runs_fires_once_when_the_host_starts()
    {
        await using var test = new TestHost();
        var runner = Specs();
        await using (var admin = await ScheduleAdmin.OpenAsync(test.Options, runner))
        {
            await admin.TriggerAsync("prosecution");
        }

        await test.StartAsync(runner);
        await runner.WaitForEndsAsync("prosecution", 1);
        await test.Tracker.WaitIdleAsync();
        await test.StopAsync();

        Assert.Equal(1, runner.Calls("prosecution"));
    }
}
