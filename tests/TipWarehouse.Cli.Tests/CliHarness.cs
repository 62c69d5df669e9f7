using Microsoft.Extensions.Time.Testing;

namespace TipWarehouse.Cli.Tests;

/// <summary>Runs <c>tipw</c> in-process with captured output, a fake clock and a controlled environment.</summary>
public sealed class CliHarness
{
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2008, 1, 15, 12, 0, 0, TimeSpan.Zero));

    public Dictionary<string, string> Environment { get; } = [];

    /// <summary>Whether the command sees stderr as a terminal (progress bars instead of log lines).</summary>
    public bool ErrorIsTerminal { get; set; }

    /// <summary>A fault for the engine to inject in each run, <c>PIPELINE:POINT</c> (staged, transform:FILE, before_commit).</summary>
    public string? Fault { get; set; }

    public async Task<CliRun> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var context = new CliContext(stdout, stderr, Time, name => Environment.TryGetValue(name, out var v) ? v : null) { ErrorIsTerminal = ErrorIsTerminal, Faults = TipWarehouse.Etl.Engine.PointFaultInjector.Parse(Fault) };
        var exitCode = await CliApp.RunAsync(args, context);
        return new CliRun(exitCode, stdout.ToString(), stderr.ToString());
    }
}

/// <summary>The outcome of one in-process <c>tipw</c> run.</summary>
public sealed record CliRun(int ExitCode, string Out, string Error);
