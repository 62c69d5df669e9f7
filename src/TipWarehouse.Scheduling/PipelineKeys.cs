using Quartz;

namespace TipWarehouse.Scheduling;

/// <summary>The Quartz identities of pipeline jobs and triggers, and the job data keys they carry.</summary>
public static class PipelineKeys
{
    /// <summary>The job group of pipeline jobs.</summary>
    public const string JobGroup = "pipelines";

    /// <summary>The trigger group of the cron triggers (one per source pipeline).</summary>
    public const string CronGroup = "cron";

    /// <summary>The trigger group of one-off retry triggers.</summary>
    public const string RetryGroup = "retry";

    /// <summary>Job data: how this fire came about (schedule, retry, chain, manual).</summary>
    public const string TriggerKindKey = "trigger_kind";

    /// <summary>Job data: the 1-based attempt number of this fire.</summary>
    public const string AttemptKey = "attempt";

    /// <summary>Job data: the history row of a queued chained run.</summary>
    public const string QueuedIdKey = "queued_id";

    /// <summary>Job data of a pipeline job: the spec's kind.</summary>
    public const string KindKey = "kind";

    /// <summary>Job data of a pipeline job: its upstream pipelines, comma-separated.</summary>
    public const string UpstreamKey = "upstream";

    /// <summary>Job data of a pipeline job: its IANA time zone.</summary>
    public const string TimeZoneKey = "time_zone";

    /// <summary>The job of a pipeline.</summary>
    public static JobKey Job(string pipeline) => new(pipeline, JobGroup);

    /// <summary>The cron trigger of a pipeline.</summary>
    public static TriggerKey Cron(string pipeline) => new(pipeline, CronGroup);
}
