using System.Globalization;
using Microsoft.Extensions.Logging;
using Quartz;
using TipWarehouse.Core.Pipelines;

namespace TipWarehouse.Scheduling;

/// <summary>
/// The Quartz job of one pipeline: runs it through <see cref="IPipelineRunner"/>, records the fire in the history,
/// retries transient failures with backoff, and chains downstream pipelines on success. Never runs twice at once.
/// </summary>
[DisallowConcurrentExecution]
public sealed class PipelineJob(
    IPipelineRunner runner,
    SchedulingOptions options,
    JobHistory history,
    ChainCoordinator chain,
    RunTracker tracker,
    ILogger<PipelineJob> logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var pipeline = context.JobDetail.Key.Name;
        var data = context.MergedJobDataMap;
        var triggerKind = Read(data, PipelineKeys.TriggerKindKey) ?? "manual";
        var attempt = int.TryParse(Read(data, PipelineKeys.AttemptKey), NumberStyles.Integer, CultureInfo.InvariantCulture, out var a) && a > 0 ? a : 1;
        long? queuedId = long.TryParse(Read(data, PipelineKeys.QueuedIdKey), NumberStyles.Integer, CultureInfo.InvariantCulture, out var q) ? q : null;

        using var scope = logger.BeginScope(new Dictionary<string, object?>
        {
            ["pipeline"] = pipeline,
            ["fire_id"] = context.FireInstanceId,
            ["trigger_kind"] = triggerKind,
            ["attempt"] = attempt,
        });

        var descriptor = runner.Pipelines.FirstOrDefault(p => p.Name == pipeline);
        if (descriptor is null)
        {
            logger.LogWarning("Pipeline {Pipeline} has no spec any more; the fire is skipped", pipeline);
            var skippedId = history.Start(pipeline, context.FireInstanceId, triggerKind, context.ScheduledFireTimeUtc, attempt, queuedId);
            history.Finish(skippedId, JobStatus.Skipped, error: "no pipeline spec with this name");
            return;
        }

        if (triggerKind is "chain" or "retry" && history.PausedPipelines().Contains(pipeline))
        {
            logger.LogInformation("Pipeline {Pipeline} is paused; the {Kind} fire is skipped", pipeline, triggerKind);
            var skippedId = history.Start(pipeline, context.FireInstanceId, triggerKind, context.ScheduledFireTimeUtc, attempt, queuedId);
            history.Finish(skippedId, JobStatus.Skipped, error: "pipeline paused");
            return;
        }

        if (triggerKind == "schedule" && !await chain.AdmitScheduledFireAsync(descriptor, context.FireInstanceId, context.ScheduledFireTimeUtc, CancellationToken.None))
        {
            return;
        }

        using var lease = tracker.Begin(cancellationToken);
        var historyId = history.Start(pipeline, context.FireInstanceId, triggerKind, context.ScheduledFireTimeUtc, attempt, queuedId);
        var zone = JobSynchronizer.ResolveTimeZone(descriptor);
        logger.LogInformation("Pipeline {Pipeline} started ({Kind}, attempt {Attempt} of {MaxAttempts}), fired at {FiredAt}", pipeline, triggerKind, attempt, descriptor.Retry.MaxAttempts, PipelineTime.Format(context.FireTimeUtc, zone));
        try
        {
            // The run log names what fired it (schedule, manual, chain, retry), as the job history does.
            var request = new PipelineRunRequest(pipeline, options.SourcesDirectory, TriggerKind: triggerKind);
            var result = await runner.RunAsync(request, lease.Token);
            if (result.Succeeded)
            {
                history.Finish(historyId, JobStatus.Succeeded, result.RunId);
                logger.LogInformation(
                    "Pipeline {Pipeline} succeeded: run {RunId}, {Batches} batches, read {RowsRead}, loaded {RowsLoaded}, rejected {RowsRejected}, duplicate {RowsDuplicate}",
                    pipeline, result.RunId, result.Batches, result.RowsRead, result.RowsLoaded, result.RowsRejected, result.RowsDuplicate);
                await chain.OnSucceededAsync(context.Scheduler, pipeline, CancellationToken.None);
            }
            else if (result.Status == PipelineRunStatus.Cancelled)
            {
                history.Finish(historyId, JobStatus.Cancelled, result.RunId, result.Error ?? "cancelled");
                logger.LogWarning("Pipeline {Pipeline} was cancelled (run {RunId}); its batch was rolled back", pipeline, result.RunId);
            }
            else
            {
                // A run that reports failure without a transient exception failed on its data: not retried.
                history.Finish(historyId, JobStatus.Failed, result.RunId, result.Error);
                logger.LogError("Pipeline {Pipeline} failed (run {RunId}), not retried: {Error}", pipeline, result.RunId, result.Error);
            }
        }
        catch (TransientSourceException ex)
        {
            await HandleTransientAsync(context, descriptor, attempt, historyId, ex);
        }
        catch (OperationCanceledException) when (lease.Token.IsCancellationRequested)
        {
            history.Finish(historyId, JobStatus.Cancelled, error: tracker.IsStopping ? "cancelled by shutdown after the grace period" : "interrupted");
            logger.LogWarning("Pipeline {Pipeline} was cancelled; the engine rolls its batch back", pipeline);
        }
        catch (Exception ex)
        {
            history.Finish(historyId, JobStatus.Failed, error: ex.Message);
            logger.LogError(ex, "Pipeline {Pipeline} failed, not retried: {Error}", pipeline, ex.Message);
        }
    }

    private async Task HandleTransientAsync(IJobExecutionContext context, PipelineDescriptor descriptor, int attempt, long historyId, TransientSourceException ex)
    {
        var pipeline = descriptor.Name;
        if (attempt >= descriptor.Retry.MaxAttempts)
        {
            var message = $"gave up after {attempt} attempt(s): {ex.Message}";
            history.Finish(historyId, JobStatus.Failed, error: message);
            logger.LogError("Pipeline {Pipeline} failed: {Error}; it fires again at its next scheduled time", pipeline, message);
            return;
        }

        var delay = Backoff.DelayAfter(descriptor.Retry, attempt, options.JitterSource());
        var retryAt = options.Time.GetUtcNow() + delay;
        var retry = TriggerBuilder.Create(options.Time)
            .WithIdentity($"{pipeline}.attempt{attempt + 1}.{context.FireInstanceId}", PipelineKeys.RetryGroup)
            .ForJob(context.JobDetail.Key)
            .WithDescription($"retry {attempt + 1} of {descriptor.Retry.MaxAttempts}")
            .UsingJobData(PipelineKeys.TriggerKindKey, "retry")
            .UsingJobData(PipelineKeys.AttemptKey, (attempt + 1).ToString(CultureInfo.InvariantCulture))
            .StartAt(retryAt)
            .Build();

        // Not the run's token: the retry must be stored even when the failure coincides with a shutdown.
        await context.Scheduler.ScheduleJob(retry, default, CancellationToken.None);
        history.Finish(historyId, JobStatus.Retrying, error: $"{ex.Message} (retry {attempt + 1} of {descriptor.Retry.MaxAttempts} at {retryAt:O})");
        logger.LogWarning(
            "Pipeline {Pipeline}: transient failure on attempt {Attempt}: {Error}; retry in {DelaySeconds:F1} s at {RetryAt}",
            pipeline, attempt, ex.Message, delay.TotalSeconds, PipelineTime.Format(retryAt, JobSynchronizer.ResolveTimeZone(descriptor)));
    }

    private static string? Read(JobDataMap data, string key) =>
        data.TryGetValue(key, out var value) ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;
}
