using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Quartz;
using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;

namespace TipWarehouse.Scheduling;

/// <summary>
/// <c>tipw schedule</c>: reads and changes the persistent job store without running jobs (the scheduler is never
/// started here). A running <c>tipw serve</c> sees the changes at its next look at the store.
/// </summary>
public sealed class ScheduleAdmin : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly IScheduler _scheduler;
    private readonly JobHistory _history;
    private readonly TimeProvider _time;

    private ScheduleAdmin(ServiceProvider services, IScheduler scheduler, JobHistory history, TimeProvider time, JobSyncResult? sync)
    {
        _time = time;
        _services = services;
        _scheduler = scheduler;
        _history = history;
        LastSync = sync;
    }

    /// <summary>What the sync with the specs changed when the admin was opened (null when no specs were given).</summary>
    public JobSyncResult? LastSync { get; }

    /// <summary>Opens the store under the home (creating it if missing) and, when a runner is given, syncs its jobs with the runner's specs.</summary>
    public static async Task<ScheduleAdmin> OpenAsync(SchedulingOptions options, IPipelineRunner? runner, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Directory.CreateDirectory(options.Home.Root);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddTipwScheduler(options, runner ?? new NoPipelines());
        var provider = services.BuildServiceProvider();
        try
        {
            var scheduler = await provider.GetRequiredService<ISchedulerFactory>().GetScheduler(cancellationToken);
            var history = provider.GetRequiredService<JobHistory>();
            JobSyncResult? sync = null;
            if (runner is not null)
            {
                sync = await JobSynchronizer.SyncAsync(scheduler, runner.Pipelines, history, options.Time, cancellationToken);
            }

            return new ScheduleAdmin(provider, scheduler, history, options.Time, sync);
        }
        catch
        {
            await provider.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// One row per pipeline job: cron, time zone, upstream, next fire (in the pipeline's zone), last run, its status and
    /// trigger, paused. <paramref name="recordedRuns"/> are the warehouse's own latest runs (<c>meta.pipeline_run</c>): a
    /// manual <c>tipw run</c> outside the scheduler is the last run when it is later than the scheduler's. <paramref name="freshness"/>
    /// is each source's freshness (<c>fresh</c> or <c>stale</c>, as <c>tipw runs</c> evaluates it); a pipeline without one declares no cadence.
    /// </summary>
    public async Task<ResultTable> ListAsync(IReadOnlyDictionary<string, RecordedRun>? recordedRuns = null, IReadOnlyDictionary<string, string>? freshness = null, CancellationToken cancellationToken = default)
    {
        var jobs = await PipelineJobsAsync(cancellationToken);
        var lastRuns = _history.LastRuns();
        var paused = _history.PausedPipelines();
        var nextFires = new Dictionary<string, DateTimeOffset?>(StringComparer.Ordinal);
        foreach (var job in jobs)
        {
            var trigger = await _scheduler.GetTrigger(PipelineKeys.Cron(job.Name), cancellationToken);
            var next = trigger?.NextFireTimeUtc;

            // When no scheduler runs, a stored fire time can lie in the past: serve fires it once at start (misfire
            // policy) and then follows the cron, so the cron's next time is the useful answer.
            if (trigger is not null && next is { } stored && stored < _time.GetUtcNow())
            {
                next = trigger.GetFireTimeAfter(_time.GetUtcNow());
            }

            nextFires[job.Name] = next;
        }

        var rows = new List<object?[]>();
        foreach (var job in jobs)
        {
            var zone = PipelineTime.Zone(job.TimeZone);
            var cronTrigger = await _scheduler.GetTrigger(PipelineKeys.Cron(job.Name), cancellationToken) as ICronTrigger;
            var isPaused = paused.Contains(job.Name)
                || (cronTrigger is not null && await _scheduler.GetTriggerState(cronTrigger.Key, cancellationToken) == TriggerState.Paused);
            var next = EstimateNextFire(job.Name, jobs, nextFires, []);
            lastRuns.TryGetValue(job.Name, out var scheduled);
            var last = scheduled is null ? null : new RecordedRun(scheduled.StartedAt, scheduled.Status, scheduled.TriggerKind);
            if (recordedRuns is not null && recordedRuns.TryGetValue(job.Name, out var recorded) && (last?.StartedAt is not { } at || recorded.StartedAt > at))
            {
                last = recorded;
            }

            rows.Add([
                job.Name,
                job.Kind,
                cronTrigger?.CronExpressionString ?? "",
                zone.Id,
                string.Join(',', job.Upstream),
                next is { } n ? PipelineTime.InZone(n, zone) : null,
                last?.StartedAt is { } s ? PipelineTime.InZone(s, zone) : null,
                last?.Status,
                last?.TriggerKind,
                freshness?.GetValueOrDefault(job.Name),
                isPaused,
            ]);
        }

        return new ResultTable(
            [
                new("pipeline", typeof(string)),
                new("kind", typeof(string)),
                new("cron", typeof(string)),
                new("time_zone", typeof(string)),
                new("upstream", typeof(string)),
                new("next_fire", typeof(DateTimeOffset)),
                new("last_run", typeof(DateTimeOffset)),
                new("last_status", typeof(string)),
                new("last_trigger", typeof(string)),
                new("freshness", typeof(string)),
                new("paused", typeof(bool)),
            ],
            rows,
            ["A pipeline with upstream runs at its cron time once its upstream pipelines have all succeeded since its last run (it waits for them otherwise); without a cron, next_fire is estimated from its upstream.", "freshness is stale when a source declaring a cadence (its spec's freshness) loaded no new rows within it; empty without a cadence."]);
    }

    /// <summary>Queues a run now; a running <c>tipw serve</c> picks it up within its idle wait, otherwise it runs when serve next starts.</summary>
    public async Task TriggerAsync(string pipeline, CancellationToken cancellationToken = default)
    {
        await RequireAsync(pipeline, cancellationToken);
        var data = new JobDataMap
        {
            { PipelineKeys.TriggerKindKey, "manual" },
            { PipelineKeys.AttemptKey, "1" },
        };
        await _scheduler.TriggerJob(PipelineKeys.Job(pipeline), data, cancellationToken);
    }

    /// <summary>Pauses a pipeline: its cron stops firing, and chained or retry fires are skipped, until resumed.</summary>
    public async Task PauseAsync(string pipeline, CancellationToken cancellationToken = default)
    {
        await RequireAsync(pipeline, cancellationToken);
        _history.SetPaused(pipeline, true);
        await _scheduler.PauseJob(PipelineKeys.Job(pipeline), cancellationToken);
    }

    /// <summary>Resumes a paused pipeline; a cron fire missed while paused fires once now (the misfire policy).</summary>
    public async Task ResumeAsync(string pipeline, CancellationToken cancellationToken = default)
    {
        await RequireAsync(pipeline, cancellationToken);
        _history.SetPaused(pipeline, false);
        await _scheduler.ResumeJob(PipelineKeys.Job(pipeline), cancellationToken);
    }

    /// <summary>The run history of one pipeline (all when null), oldest first.</summary>
    public IReadOnlyList<JobHistoryEntry> History(string? pipeline = null) => _history.Entries(pipeline);

    public async ValueTask DisposeAsync()
    {
        await _scheduler.Shutdown(false, CancellationToken.None);
        await _services.DisposeAsync();
    }

    private async Task RequireAsync(string pipeline, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(pipeline))
        {
            throw new UsageException("Name a pipeline, e.g. 'tipw schedule trigger hotline'. 'tipw schedule' lists them.");
        }

        if (await _scheduler.GetJobDetail(PipelineKeys.Job(pipeline), cancellationToken) is null)
        {
            var known = (await PipelineJobsAsync(cancellationToken)).Select(j => j.Name);
            throw new UsageException($"No scheduled pipeline '{pipeline}'. Known pipelines: {string.Join(", ", known)}.");
        }
    }

    private async Task<List<StoredJob>> PipelineJobsAsync(CancellationToken cancellationToken)
    {
        var headers = await _scheduler.QueryJobs(new JobQuery { Take = PagedQuery.All }, cancellationToken);
        var jobs = new List<StoredJob>();
        foreach (var header in headers.Items.Where(h => h.Key.Group == PipelineKeys.JobGroup))
        {
            var detail = await _scheduler.GetJobDetail(header.Key, cancellationToken);
            if (detail is null)
            {
                continue;
            }

            var upstream = Read(detail.JobDataMap, PipelineKeys.UpstreamKey) ?? "";
            jobs.Add(new StoredJob(
                header.Key.Name,
                Read(detail.JobDataMap, PipelineKeys.KindKey) ?? "",
                upstream.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                Read(detail.JobDataMap, PipelineKeys.TimeZoneKey) ?? SchedulingOptions.DefaultTimeZone));
        }

        return jobs.OrderBy(j => Depth(j.Name, jobs, [])).ThenBy(j => j.Name, StringComparer.Ordinal).ToList();
    }

    private static int Depth(string name, List<StoredJob> jobs, HashSet<string> seen)
    {
        var job = jobs.FirstOrDefault(j => j.Name == name);
        if (job is null || job.Upstream.Count == 0 || !seen.Add(name))
        {
            return 0;
        }

        return 1 + job.Upstream.Max(u => Depth(u, jobs, seen));
    }

    private static DateTimeOffset? EstimateNextFire(string name, List<StoredJob> jobs, Dictionary<string, DateTimeOffset?> nextFires, HashSet<string> seen)
    {
        var job = jobs.FirstOrDefault(j => j.Name == name);
        if (job is null || job.Upstream.Count == 0 || !seen.Add(name) || nextFires.GetValueOrDefault(name) is not null)
        {
            return nextFires.GetValueOrDefault(name);
        }

        DateTimeOffset? latest = null;
        foreach (var upstream in job.Upstream)
        {
            var next = EstimateNextFire(upstream, jobs, nextFires, seen);
            if (next is null)
            {
                return null;
            }

            latest = latest is null || next > latest ? next : latest;
        }

        return latest;
    }

    private static string? Read(JobDataMap data, string key) =>
        data.TryGetValue(key, out var value) ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;

    private sealed record StoredJob(string Name, string Kind, IReadOnlyList<string> Upstream, string TimeZone);

    private sealed class NoPipelines : IPipelineRunner
    {
        public IReadOnlyList<PipelineDescriptor> Pipelines => [];

        public Task<PipelineRunResult> RunAsync(PipelineRunRequest request, CancellationToken cancellationToken = default) =>
            throw new TipwException("No pipeline engine is available to run pipelines here.");
    }
}

/// <summary>A pipeline's latest run as recorded: when it started, its status and what triggered it (schedule, manual, chained, retry, cli, demo).</summary>
public sealed record RecordedRun(DateTimeOffset? StartedAt, string Status, string TriggerKind);
