using Quartz;
using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;

namespace TipWarehouse.Scheduling;

/// <summary>What a sync of the job store with the pipeline specs changed.</summary>
public sealed record JobSyncResult(IReadOnlyList<string> Added, IReadOnlyList<string> Updated, IReadOnlyList<string> Removed);

/// <summary>
/// Makes the persistent job store match the pipeline specs: one durable job per spec, a cron trigger for each
/// pipeline with a cron (misfire policy: fire once now), none for a pipeline that only runs after its upstream,
/// and no job for a spec that is gone.
/// </summary>
public static class JobSynchronizer
{
    /// <summary>Adds new jobs, reschedules changed crons or time zones, removes jobs whose spec is gone.</summary>
    public static async Task<JobSyncResult> SyncAsync(IScheduler scheduler, IReadOnlyList<PipelineDescriptor> pipelines, JobHistory history, TimeProvider time, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        ArgumentNullException.ThrowIfNull(pipelines);
        ArgumentNullException.ThrowIfNull(history);
        var added = new List<string>();
        var updated = new List<string>();
        var removed = new List<string>();
        var paused = history.PausedPipelines();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pipeline in pipelines)
        {
            Validate(pipeline, pipelines);
            names.Add(pipeline.Name);
            var jobKey = PipelineKeys.Job(pipeline.Name);
            var existingJob = await scheduler.GetJobDetail(jobKey, cancellationToken);
            if (existingJob is null || existingJob.Description != Describe(pipeline))
            {
                var job = JobBuilder.Create<PipelineJob>()
                    .WithIdentity(jobKey)
                    .WithDescription(Describe(pipeline))
                    .StoreDurably()
                    .DisallowConcurrentExecution()
                    .UsingJobData(PipelineKeys.KindKey, pipeline.Kind)
                    .UsingJobData(PipelineKeys.UpstreamKey, string.Join(',', pipeline.Upstream))
                    .UsingJobData(PipelineKeys.TimeZoneKey, ResolveTimeZone(pipeline).Id)
                    .Build();
                await scheduler.AddJob(job, AddJobOptions.Replacing, cancellationToken);
                if (existingJob is null)
                {
                    added.Add(pipeline.Name);
                }
            }

            var cronKey = PipelineKeys.Cron(pipeline.Name);
            var existingTrigger = await scheduler.GetTrigger(cronKey, cancellationToken) as ICronTrigger;
            if (!IsCronScheduled(pipeline))
            {
                if (existingTrigger is not null)
                {
                    await scheduler.UnscheduleJob(cronKey, cancellationToken);
                    updated.Add(pipeline.Name);
                }

                continue;
            }

            var zone = ResolveTimeZone(pipeline);
            if (existingTrigger is not null
                && existingTrigger.CronExpressionString == pipeline.Cron.Trim()
                && existingTrigger.TimeZone.Id == zone.Id)
            {
                continue;
            }

            var trigger = CronTrigger(pipeline, zone, time);
            if (existingTrigger is null)
            {
                await scheduler.ScheduleJob(trigger, default, cancellationToken);
            }
            else
            {
                await scheduler.RescheduleJob(cronKey, trigger, cancellationToken);
                if (!added.Contains(pipeline.Name))
                {
                    updated.Add(pipeline.Name);
                }
            }

            if (paused.Contains(pipeline.Name))
            {
                await scheduler.PauseJob(jobKey, cancellationToken);
            }
        }

        var stored = await scheduler.QueryJobs(new JobQuery { Take = PagedQuery.All }, cancellationToken);
        foreach (var header in stored.Items)
        {
            if (header.Key.Group == PipelineKeys.JobGroup && !names.Contains(header.Key.Name))
            {
                await scheduler.DeleteJob(header.Key, cancellationToken);
                removed.Add(header.Key.Name);
            }
        }

        return new JobSyncResult(added, updated, removed);
    }

    /// <summary>
    /// True when the pipeline has a cron trigger. For a pipeline with upstream the cron is the earliest time it may run;
    /// it still waits for its upstream to succeed (see <see cref="ChainCoordinator"/>). Without a cron it runs whenever
    /// its upstream pipelines have all succeeded.
    /// </summary>
    public static bool IsCronScheduled(PipelineDescriptor pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        return !string.IsNullOrWhiteSpace(pipeline.Cron);
    }

    /// <summary>The pipeline's time zone (America/Lima when the spec names none).</summary>
    public static TimeZoneInfo ResolveTimeZone(PipelineDescriptor pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var id = string.IsNullOrWhiteSpace(pipeline.TimeZone) ? SchedulingOptions.DefaultTimeZone : pipeline.TimeZone.Trim();
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new TipwException($"Pipeline '{pipeline.Name}' ({pipeline.SpecPath}): unknown time zone '{id}'. Use an IANA name such as America/Lima.", ex);
        }
    }

    /// <summary>The cron trigger of a source pipeline: its cron in its time zone; a missed fire fires once now, then the schedule goes on.</summary>
    public static ITrigger CronTrigger(PipelineDescriptor pipeline, TimeZoneInfo zone, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        return TriggerBuilder.Create(time)
            .WithIdentity(PipelineKeys.Cron(pipeline.Name))
            .ForJob(PipelineKeys.Job(pipeline.Name))
            .WithDescription($"cron {pipeline.Cron.Trim()} ({zone.Id})")
            .WithSchedule(CronScheduleBuilder.Create(pipeline.Cron.Trim())
                .InTimeZone(zone)
                .WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed))
            .UsingJobData(PipelineKeys.TriggerKindKey, "schedule")
            .StartNow()
            .Build();
    }

    private static void Validate(PipelineDescriptor pipeline, IReadOnlyList<PipelineDescriptor> all)
    {
        if (string.IsNullOrWhiteSpace(pipeline.Name))
        {
            throw new TipwException($"A pipeline spec has no name ({pipeline.SpecPath}).");
        }

        foreach (var upstream in pipeline.Upstream)
        {
            if (!all.Any(p => p.Name == upstream))
            {
                throw new TipwException($"Pipeline '{pipeline.Name}' ({pipeline.SpecPath}) runs after '{upstream}', but no pipeline spec has that name.");
            }
        }

        if (IsCronScheduled(pipeline) && !CronExpression.TryParse(pipeline.Cron.Trim(), out _))
        {
            throw new TipwException($"Pipeline '{pipeline.Name}' ({pipeline.SpecPath}): '{pipeline.Cron}' is not a Quartz cron expression (6 or 7 fields, seconds first, e.g. '0 0 2 * * ?').");
        }
    }

    private static string Describe(PipelineDescriptor pipeline) =>
        (pipeline.Upstream.Count == 0 ? pipeline.Kind : $"{pipeline.Kind} after {string.Join('+', pipeline.Upstream)}") + $" ({ResolveTimeZone(pipeline).Id})";
}
