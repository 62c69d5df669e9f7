using TipWarehouse.Core;

namespace TipWarehouse.Scheduling;

/// <summary>How the Quartz host runs: where the home and sources are, the store's scheduler name, shutdown grace and clocks.</summary>
public sealed record SchedulingOptions(TipwHome Home, string SourcesDirectory)
{
    /// <summary>The time zone a pipeline runs in when its spec names none.</summary>
    public const string DefaultTimeZone = "America/Lima";

    /// <summary>The Quartz scheduler name; jobs in the store are keyed by it, so it must stay the same across restarts.</summary>
    public string SchedulerName { get; init; } = "tipw";

    /// <summary>How long a running batch may keep going after SIGINT/SIGTERM before it is cancelled (and rolled back).</summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a cancelled batch gets to roll back before the host gives up waiting for it.</summary>
    public TimeSpan CancelWait { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How often the scheduler looks for triggers added by another process (<c>tipw schedule trigger</c>).</summary>
    public TimeSpan IdleWaitTime { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How late a fire may be before the misfire policy (fire once now) applies.</summary>
    public TimeSpan MisfireThreshold { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The clock of the scheduler, the history and the backoff.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Uniform samples in [0, 1) for backoff jitter; replaced in tests to make delays predictable.</summary>
    public Func<double> JitterSource { get; init; } = Random.Shared.NextDouble;

    /// <summary>The SQLite file of the persistent job store and the job history.</summary>
    public string StorePath => Home.SchedulerStorePath;

    /// <summary>Whether rolling log files are written under the home's <c>logs</c> folder.</summary>
    public bool LogToFiles { get; init; } = true;

    /// <summary>Whether log lines are written to the console (stderr).</summary>
    public bool LogToConsole { get; init; } = true;

    /// <summary>Total host shutdown budget: the grace period, then the cancel wait, then a margin for the store.</summary>
    public TimeSpan HostShutdownTimeout => ShutdownGrace + CancelWait + TimeSpan.FromSeconds(5);
}
