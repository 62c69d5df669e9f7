using System.Globalization;
using Microsoft.Extensions.Logging;
using Quartz;
using TipWarehouse.Core.Pipelines;

namespace TipWarehouse.Scheduling;

/// <summary>
/// Job chaining. A pipeline with upstream pipelines runs when it is <i>due</i> and <i>ready</i>: due when its cron has
/// fired since it last ran (always, when it has no cron), ready when every upstream pipeline has succeeded since it
/// last ran. A cron fire that is not ready waits (recorded as <c>waiting</c>) and the last upstream success starts it;
/// an upstream success never starts a pipeline that is not due. So a cron is the earliest time, never a guess that
/// the upstream has finished.
/// </summary>
public sealed class ChainCoordinator(IPipelineRunner runner, JobHistory history, ILogger<ChainCoordinator> logger) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>
    /// Decides whether a cron fire of <paramref name="pipeline"/> runs now (true) or waits for its upstream (false,
    /// recorded as <c>waiting</c>). Pipelines without upstream always run.
    /// </summary>
    public async Task<bool> AdmitScheduledFireAsync(PipelineDescriptor pipeline, string fireId, DateTimeOffset? scheduledAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        if (pipeline.Upstream.Count == 0)
        {
            return true;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var waitingFor = NotSucceededSinceLastRun(pipeline);
            if (waitingFor.Count == 0)
            {
                return true;
            }

            var reason = $"waiting for {string.Join(", ", waitingFor)} to succeed";
            history.Wait(pipeline.Name, fireId, scheduledAt, reason);
            logger.LogInformation("Pipeline {Pipeline} is due but {Reason}; it starts when they have", pipeline.Name, reason);
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Fires the downstream pipelines that <paramref name="pipeline"/>'s success makes due and ready; returns their names.</summary>
    public async Task<IReadOnlyList<string>> OnSucceededAsync(IScheduler scheduler, string pipeline, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        var fired = new List<string>();
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var paused = history.PausedPipelines();
            foreach (var downstream in runner.Pipelines.Where(p => p.Upstream.Contains(pipeline, StringComparer.Ordinal)))
            {
                if (paused.Contains(downstream.Name))
                {
                    logger.LogInformation("Downstream pipeline {Pipeline} is paused; not chained after {Upstream}", downstream.Name, pipeline);
                    continue;
                }

                if (!IsDue(downstream))
                {
                    continue;
                }

                var waitingFor = NotSucceededSinceLastRun(downstream);
                if (waitingFor.Count > 0)
                {
                    logger.LogInformation("Downstream pipeline {Pipeline} waits for {Waiting} to succeed", downstream.Name, string.Join(", ", waitingFor));
                    continue;
                }

                var queuedId = history.Queue(downstream.Name, "chain");
                var data = new JobDataMap
                {
                    { PipelineKeys.TriggerKindKey, "chain" },
                    { PipelineKeys.AttemptKey, "1" },
                    { PipelineKeys.QueuedIdKey, queuedId.ToString(CultureInfo.InvariantCulture) },
                };

                // Not the run's token: the upstream batch has committed, so its downstream must be queued even during shutdown
                // (the trigger is persisted and fires after a restart).
                await scheduler.TriggerJob(PipelineKeys.Job(downstream.Name), data, CancellationToken.None);
                logger.LogInformation("Chained {Pipeline} after {Upstream} succeeded", downstream.Name, string.Join(", ", downstream.Upstream));
                fired.Add(downstream.Name);
            }
        }
        finally
        {
            _gate.Release();
        }

        return fired;
    }

    public void Dispose() => _gate.Dispose();

    private bool IsDue(PipelineDescriptor pipeline) =>
        !JobSynchronizer.IsCronScheduled(pipeline)
        || history.LatestId(pipeline.Name, JobStatus.Waiting) > history.LatestRunId(pipeline.Name);

    private List<string> NotSucceededSinceLastRun(PipelineDescriptor pipeline)
    {
        var lastRun = history.LatestRunId(pipeline.Name);
        return pipeline.Upstream.Where(u => history.LatestId(u, JobStatus.Succeeded) <= lastRun).ToList();
    }
}
