using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Quartz;
using RetryPolicy = TipWarehouse.Core.Pipelines.RetryPolicy;
using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;

namespace TipWarehouse.Scheduling.Tests;

/// <summary>A temporary home and a scheduler host over it, with settings that keep tests fast.</summary>
public sealed class TestHost : IAsyncDisposable
{
    /// <summary>How long a test waits for an event before failing (generous: the CI machine has 2 cores).</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>A cron that never comes due during a test: such pipelines are fired with TriggerJob.</summary>
    public const string FarFuture = "0 0 0 1 1 ? 2099";

    /// <summary>The instant the host's clock starts at, whatever the machine's hour: 07:30 UTC = 02:30 Lima, between the demo crons.</summary>
    public static readonly DateTimeOffset Start = new(2026, 12, 1, 7, 30, 0, TimeSpan.Zero);

    /// <summary>A cron that fires every second.</summary>
    public const string EverySecond = "* * * * * ?";

    private IHost? _host;

    public TestHost()
    {
        Root = Path.Combine(Path.GetTempPath(), "tipw-sched-" + Guid.NewGuid().ToString("N"));
        Home = new TipwHome(Root);
        Options = new SchedulingOptions(Home, Path.Combine(Root, "sources"))
        {
            SchedulerName = "t" + Guid.NewGuid().ToString("N")[..12],
            IdleWaitTime = TimeSpan.FromSeconds(1),
            ShutdownGrace = TimeSpan.FromSeconds(10),
            CancelWait = TimeSpan.FromSeconds(10),
            JitterSource = () => 0.5,
            LogToConsole = false,
            Time = new PinnedClock(Start),
        };
    }

    public string Root { get; }

    public TipwHome Home { get; }

    public SchedulingOptions Options { get; set; }

    public IHost Host => _host ?? throw new InvalidOperationException("Start the host first.");

    public IScheduler Scheduler => Host.Services.GetRequiredService<PipelineSchedulerService>().Scheduler!;

    public RunTracker Tracker => Host.Services.GetRequiredService<RunTracker>();

    public JobHistory History => new(Options.StorePath, Options.Time);

    public static PipelineDescriptor Pipeline(string name, string cron = FarFuture, RetryPolicy? retry = null, params string[] upstream) =>
        new(name, upstream.Length == 0 ? "csv" : "linkage", upstream.Length == 0 ? cron : "", "America/Lima", upstream, retry ?? new RetryPolicy(3, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200)), $"pipelines/{name}.yaml");

    public async Task StartAsync(IPipelineRunner runner)
    {
        _host = SchedulerHost.BuildHost(Options, runner);
        await _host.StartAsync();
    }

    public async Task StopAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
            _host = null;
        }
    }

    public async Task TriggerAsync(string pipeline) =>
        await Scheduler.TriggerJob(PipelineKeys.Job(pipeline), new JobDataMap { { PipelineKeys.TriggerKindKey, "manual" } });

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A log file may still be closing; the temp folder is cleaned by the OS.
        }
    }
}

/// <summary>
/// A clock that starts at a fixed instant and then runs at real speed: Quartz computes every fire time from a known
/// clock hour (not the machine's), while the waits of a live scheduler thread stay real and bounded by
/// <see cref="TestHost.Patience"/>. A <c>FakeTimeProvider</c> cannot drive Quartz's own scheduler thread.
/// </summary>
public sealed class PinnedClock(DateTimeOffset start) : TimeProvider
{
    private readonly long _origin = System.GetTimestamp();

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => start + System.GetElapsedTime(_origin);
}
