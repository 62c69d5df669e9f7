using System.Globalization;
using Microsoft.Extensions.Logging;
using Quartz;
using TipWarehouse.Core.Pipelines;

namespace TipWarehouse.Scheduling;

/// <summary>
/// Job chaining: when a pipeline succeeds, each downstream pipeline whose upstream pipelines have all succeeded since
/// the downstream last ran (or was queued) is fired now, once; never on a timer.
/// </summary>
public sealed class ChainCoordinator(IPipelineRunner runner, JobHistory history, ILogger<ChainCoordinator> logger) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Fires the downstream pipelines that <paramref name="pipeline"/>'s success completes; returns their names.</summary>
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

                var lastOwnRow = history.LatestId(downstream.Name);
                var waitingFor = downstream.Upstream.Where(u => history.LatestId(u, JobStatus.Succeeded) <= lastOwnRow).ToList();
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
}
