using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Quartz;
using TipWarehouse.Core.Pipelines;
using TipWarehouse.Scheduling.Logging;

namespace TipWarehouse.Scheduling;

/// <summary>Composes the Quartz scheduler (SQLite persistent store, WAL) and the Generic Host of <c>tipw serve</c>.</summary>
public static class SchedulerHost
{
    /// <summary>Registers Quartz with the persistent SQLite store, the pipeline job and its collaborators.</summary>
    public static IServiceCollection AddTipwScheduler(this IServiceCollection services, SchedulingOptions options, IPipelineRunner runner)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(runner);
        var history = new JobHistory(options.StorePath, options.Time);

        // WAL must be on before Quartz opens the file.
        history.EnsureCreated();
        services.AddSingleton(options);
        services.AddSingleton(runner);
        services.AddSingleton(history);
        services.AddSingleton<RunTracker>();
        services.AddSingleton<ChainCoordinator>();
        services.AddTransient<PipelineJob>();
        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(s =>
            {
                s.InstanceName = options.SchedulerName;
                s.IdleWaitTime = options.IdleWaitTime;
                s.DefaultTimeZone = TimeZoneInfo.FindSystemTimeZoneById(SchedulingOptions.DefaultTimeZone);
                s.DefaultMisfireHandling = DefaultMisfireHandling.FireAndProceed;
            });
            q.UseTimeProvider(options.Time);
            q.UseDefaultThreadPool(4);
            q.UsePersistentStore(s =>
            {
                s.UseSqlite(JobHistory.ConnectionString(options.StorePath));
                s.ConfigureStore(o =>
                {
                    o.StoreJobDataAsStrings = true;
                    o.MisfireThreshold = options.MisfireThreshold;
                });
                s.ProvisionSchema();
            });
        });
        return services;
    }

    /// <summary>Builds the host of <c>tipw serve</c>: console (stderr) and rolling-file logs, SIGINT/SIGTERM handling, the scheduler service.</summary>
    public static IHost BuildHost(SchedulingOptions options, IPipelineRunner runner)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Home.EnsureCreated();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = [],
            ContentRootPath = options.Home.Root,
            ApplicationName = "tipw",
        });
        builder.AddTipwServe(options, runner);
        return builder.Build();
    }

    /// <summary>Adds what <c>tipw serve</c> runs to a host (the Generic Host here, or the web app of <c>serve --web</c>): SIGINT/SIGTERM handling, logs, the scheduler service.</summary>
    public static void AddTipwServe(this IHostApplicationBuilder builder, SchedulingOptions options, IPipelineRunner runner)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        builder.Services.AddSingleton<IHostLifetime, ConsoleLifetime>();
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.HostShutdownTimeout);
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Quartz", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        if (options.LogToConsole)
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss ";
                o.UseUtcTimestamp = true;
                o.IncludeScopes = false;
            });
            builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        }

        if (options.LogToFiles)
        {
            builder.Logging.AddProvider(new RollingFileLoggerProvider(new RollingFileLoggerOptions(options.Home.LogsDirectory), options.Time));
        }

        builder.Services.AddTipwScheduler(options, runner);
        builder.Services.AddSingleton<PipelineSchedulerService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PipelineSchedulerService>());
    }
}
