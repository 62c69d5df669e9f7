using Microsoft.AspNetCore.Builder;
using TipWarehouse.Cli.Commands;
using TipWarehouse.Cli.Output;
using TipWarehouse.Core;
using TipWarehouse.Scheduling;
using TipWarehouse.Web;

namespace TipWarehouse.Cli;

/// <summary>Composes <c>tipw serve --web</c>: the web app and the Quartz scheduler in one process that owns the warehouse, with the API answering through the CLI's own commands.</summary>
public static class WebServe
{
    /// <summary>Set (to any value) in the environment of commands the server runs for the API, so they never forward to the server again.</summary>
    public const string InServerVariable = "TIPW_SERVE_INPROCESS";

    /// <summary>Builds the app; <paramref name="url"/> is <c>http://HOST:PORT</c> (port 0: any free port).</summary>
    public static WebApplication Build(CliContext context, TipwHome home, string sourcesDirectory, string? pipelinesDirectory, string url, TimeSpan shutdownGrace, bool logToConsole = true)
    {
        ArgumentNullException.ThrowIfNull(context);
        var runner = PipelineEngineFactory.Create(context, home, pipelinesDirectory);
        var snapshot = new WarehouseSnapshot(home);
        var scheduling = new SchedulingOptions(home, sourcesDirectory) { ShutdownGrace = shutdownGrace, Time = context.Time, LogToConsole = logToConsole };
        var web = new WebServerOptions(home, url, Invoker(context), ReadOnlyQuery.Run, ToJson)
        {
            Time = context.Time,
            PipelinesDirectory = pipelinesDirectory,
        };
        var snapshotting = new SnapshottingRunner(runner, snapshot, ex => context.Error.WriteLine($"tipw serve: the BI snapshot was not refreshed: {ex.Message}"));
        return WebServer.Build(web, builder => builder.AddTipwServe(scheduling, snapshotting));
    }

    /// <summary>Runs a <c>tipw</c> command in this process with captured output.</summary>
    public static CliInvoker Invoker(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return async (args, input, cancellationToken) =>
        {
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            var inner = context with
            {
                Out = stdout,
                Error = stderr,
                GetEnvironmentVariable = name => name == InServerVariable ? "1" : context.GetEnvironmentVariable(name),
                ErrorIsTerminal = false,
                In = new StringReader(input ?? string.Empty),
            };
            var exitCode = await CliApp.RunAsync([.. args], inner, cancellationToken);
            return new CliOutcome(exitCode, stdout.ToString(), stderr.ToString());
        };
    }

    private static string ToJson(ResultTable table)
    {
        using var writer = new StringWriter();
        ResultWriter.Write(table, "json", writer);
        return writer.ToString();
    }
}
