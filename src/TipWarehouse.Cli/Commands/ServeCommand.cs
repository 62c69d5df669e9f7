using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Hosting;
using TipWarehouse.Core;
using TipWarehouse.Etl.Quality;
using TipWarehouse.Scheduling;
using TipWarehouse.Web;

namespace TipWarehouse.Cli.Commands;

/// <summary><c>tipw serve</c>: runs every pipeline on its schedule in a Generic Host with Quartz until SIGINT/SIGTERM.</summary>
internal static class ServeCommand
{
    public static Command Create(CliContext context)
    {
        var home = CommonOptions.Home();
        var sources = new Option<string?>("--sources") { Description = "The folder of the agency source systems (default: HOME/sources)" };
        var pipelines = new Option<string?>("--pipelines") { Description = "The folder of pipeline specs (default: TIPW_PIPELINES_DIR, ./pipelines, or the copy beside tipw)" };
        var shutdownTimeout = new Option<string>("--shutdown-timeout")
        {
            Description = "How long a running batch may finish after SIGINT/SIGTERM before it is cancelled and rolled back (e.g. 30s, 2m)",
            DefaultValueFactory = _ => "30s",
        };
        var web = new Option<string?>("--web")
        {
            Description = "Also serve the web app and JSON API on this loopback address (e.g. 127.0.0.1:8080); the CLI's read commands then go through it",
        };
        var command = new Command("serve", "Run the pipelines on their schedules (Quartz, persistent store under HOME) until SIGINT/SIGTERM")
        {
            home, sources, pipelines, shutdownTimeout, web,
        };

        // A synchronous action on purpose: the Generic Host owns SIGINT/SIGTERM (stop fires, let the batch finish, exit 0);
        // an asynchronous action would also arm System.CommandLine's own termination handler, which forces exit 143 after 2 s.
        command.SetAction(parseResult =>
        {
            var tipwHome = TipwHome.At(parseResult.GetValue(home));
            var sourcesDir = Path.GetFullPath(parseResult.GetValue(sources) ?? tipwHome.DefaultSourcesDirectory);
            if (!Directory.Exists(sourcesDir))
            {
                throw new UsageException($"The sources folder {sourcesDir} does not exist; pass --sources DIR (e.g. the output of 'tipw simulate').");
            }

            var grace = ParseDuration(parseResult.GetValue(shutdownTimeout)!, "--shutdown-timeout");
            if (parseResult.GetValue(web) is { } address)
            {
                var url = WebUrl(address);
                using var app = WebServe.Build(context, tipwHome, sourcesDir, parseResult.GetValue(pipelines), url, grace);
                using var webFreshness = StartFreshnessChecks(context, tipwHome, PipelineEngineFactory.Create(context, tipwHome, parseResult.GetValue(pipelines)));
                app.Lifetime.ApplicationStarted.Register(() =>
                    context.Error.WriteLine($"tipw serve: web app and API on {WebServer.BoundUrl(app)}, BI snapshot {new WarehouseSnapshot(tipwHome).FilePath}; stop with Ctrl+C or SIGTERM."));
                app.Run();
                context.Error.WriteLine("tipw serve: stopped.");
                return CliApp.Success;
            }

            // BI tools open the snapshot refreshed after each successful run, never the live file the loads need.
            var snapshot = new WarehouseSnapshot(tipwHome);
            var pipelineEngine = PipelineEngineFactory.Create(context, tipwHome, parseResult.GetValue(pipelines));
            var runner = new SnapshottingRunner(
                pipelineEngine,
                snapshot,
                ex => context.Error.WriteLine($"tipw serve: the BI snapshot was not refreshed: {ex.Message}"));
            var options = new SchedulingOptions(tipwHome, sourcesDir) { ShutdownGrace = grace, Time = context.Time };
            using var host = SchedulerHost.BuildHost(options, runner);
            context.Error.WriteLine($"tipw serve: {runner.Pipelines.Count} pipeline(s), store {options.StorePath}, logs {tipwHome.LogsDirectory}; stop with Ctrl+C or SIGTERM.");
            using var freshness = StartFreshnessChecks(context, tipwHome, pipelineEngine);
            host.Run();
            context.Error.WriteLine("tipw serve: stopped.");
            return CliApp.Success;
        });
        return command;
    }

    /// <summary>Turns <c>HOST:PORT</c> into an http URL; plain HTTP is only served on a loopback address.</summary>
    internal static string WebUrl(string address)
    {
        var text = address.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? address : "http://" + address;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme != "http" || uri.AbsolutePath != "/")
        {
            throw new UsageException($"--web '{address}' is not HOST:PORT (e.g. 127.0.0.1:8080).");
        }

        if (!uri.IsLoopback)
        {
            throw new UsageException($"--web serves plain HTTP, so only on a loopback address (127.0.0.1:PORT, [::1]:PORT or localhost:PORT); put a TLS reverse proxy in front to reach it from elsewhere, not '{address}'.");
        }

        return $"http://{uri.Authority}";
    }

    /// <summary>Every 15 minutes (first after one), warns about sources that turned stale and runs the home's alert hook (<see cref="FreshnessMonitor"/>).</summary>
    private static ITimer StartFreshnessChecks(CliContext context, TipwHome home, Etl.Engine.PipelineEngine runner)
    {
        var monitor = new FreshnessMonitor(home, runner.Specs, context.Time, message => context.Error.WriteLine("tipw serve: " + message));
        return context.Time.CreateTimer(
            _ =>
            {
                try
                {
                    monitor.Check();
                }
                catch (Exception ex) when (ex is TipwException or IOException or DuckDB.NET.Data.DuckDBException)
                {
                    context.Error.WriteLine($"tipw serve: freshness check failed: {ex.Message}");
                }
            },
            null,
            TimeSpan.FromMinutes(1),
            TimeSpan.FromMinutes(15));
    }

    /// <summary>Parses <c>30s</c>, <c>2m</c>, <c>1h</c>, <c>500ms</c> or <c>hh:mm:ss</c>.</summary>
    internal static TimeSpan ParseDuration(string text, string optionName)
    {
        var value = text.Trim();
        (string Suffix, double Factor)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)];
        foreach (var (suffix, factor) in units)
        {
            if (value.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(value[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                && number >= 0)
            {
                return TimeSpan.FromSeconds(number * factor);
            }
        }

        if (TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero)
        {
            return span;
        }

        throw new UsageException($"{optionName} '{text}' is not a duration. Use e.g. 30s, 2m, 1h or 00:00:30.");
    }
}
