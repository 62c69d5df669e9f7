using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quartz;
using TipWarehouse.Core.Pipelines;

namespace TipWarehouse.Scheduling;

/// <summary>
/// The hosted service of <c>tipw serve</c>: syncs the jobs with the specs and starts Quartz; on shutdown stops new
/// fires, lets a running batch finish within the grace period, then cancels it and waits for its rollback.
/// </summary>
public sealed class PipelineSchedulerService(
    ISchedulerFactory schedulerFactory,
    IPipelineRunner runner,
    SchedulingOptions options,
    JobHistory history,
    RunTracker tracker,
    ILogger<PipelineSchedulerService> logger) : IHostedService
{
    private IScheduler? _scheduler;

    /// <summary>The running scheduler, once started.</summary>
    public IScheduler? Scheduler => _scheduler;

    /// <summary>What syncing the store with the specs changed at start (nothing, after a restart with the same specs).</summary>
    public JobSyncResult? LastSync { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        history.EnsureCreated();
        var abandoned = history.MarkAbandonedPipelines();
        if (abandoned.Count > 0)
        {
            logger.LogWarning("{Count} run(s) left running by a previous scheduler process were marked abandoned", abandoned.Count);
        }

        _scheduler = await schedulerFactory.GetScheduler(cancellationToken);
        var sync = await JobSynchronizer.SyncAsync(_scheduler, runner.Pipelines, history, options.Time, cancellationToken);
        LastSync = sync;
        logger.LogInformation(
            "Scheduler store {Store}: {Count} pipeline job(s); added {Added}, updated {Updated}, removed {Removed}",
            options.StorePath, runner.Pipelines.Count, Join(sync.Added), Join(sync.Updated), Join(sync.Removed));
        await _scheduler.Start(cancellationToken);

        // Work interrupted by a killed scheduler resumes now instead of waiting for the next cron: the engine marks the stale
        // meta.pipeline_run row failed and continues from the last committed batch.
        foreach (var pipeline in abandoned.Distinct(StringComparer.Ordinal).Where(p => runner.Pipelines.Any(d => d.Name == p)))
        {
            logger.LogWarning("Pipeline {Pipeline}: resuming the run a previous scheduler process left unfinished", pipeline);
            var data = new JobDataMap { { PipelineKeys.TriggerKindKey, "retry" }, { PipelineKeys.AttemptKey, "1" } };
            await _scheduler.TriggerJob(PipelineKeys.Job(pipeline), data, cancellationToken);
        }
        foreach (var pipeline in runner.Pipelines)
        {
            var trigger = await _scheduler.GetTrigger(PipelineKeys.Cron(pipeline.Name), cancellationToken);
            if (trigger is not null)
            {
                var zone = JobSynchronizer.ResolveTimeZone(pipeline);
                logger.LogInformation("Pipeline {Pipeline}: cron {Cron} ({TimeZone}), next fire {NextFire}", pipeline.Name, pipeline.Cron, zone.Id, PipelineTime.Format(trigger.NextFireTimeUtc, zone));
            }
            else if (pipeline.Upstream.Count > 0)
            {
                logger.LogInformation("Pipeline {Pipeline}: runs after {Upstream} succeed", pipeline.Name, string.Join(", ", pipeline.Upstream));
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_scheduler is null)
        {
            return;
        }

        // No new fires from here on; triggers that come due while stopped are misfires, handled at the next start.
        await _scheduler.Standby(CancellationToken.None);
        var idle = tracker.WaitIdleAsync(CancellationToken.None);
        if (!idle.IsCompleted)
        {
            logger.LogInformation("Stopping: waiting up to {Grace} for {Count} running pipeline(s) to finish", options.ShutdownGrace, tracker.Running);
            var finished = await Task.WhenAny(idle, Task.Delay(options.ShutdownGrace, options.Time, cancellationToken)) == idle;
            if (!finished)
            {
                logger.LogWarning("Stopping: grace period over; cancelling {Count} running pipeline(s) so their batches roll back", tracker.Running);
                tracker.CancelRunning();
                try
                {
                    await idle.WaitAsync(options.CancelWait, options.Time, cancellationToken);
                }
                catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
                {
                    logger.LogError("Stopping: {Count} pipeline(s) did not stop within {Wait} after cancellation", tracker.Running, options.CancelWait);
                }
            }
        }

        await _scheduler.Shutdown(true, CancellationToken.None);
        logger.LogInformation("Scheduler stopped");
    }

    private static string Join(IReadOnlyList<string> names) => names.Count == 0 ? "none" : string.Join(", ", names);
}
