using TipWarehouse.Core;

namespace TipWarehouse.Web;

/// <summary>What one run of a <c>tipw</c> command printed and returned.</summary>
public sealed record CliOutcome(int ExitCode, string Out, string Error);

/// <summary>Runs a <c>tipw</c> command in the serving process with captured output (the CLI's own code path, so the API prints exactly what the CLI prints).</summary>
public delegate Task<CliOutcome> CliInvoker(IReadOnlyList<string> args, string? input, CancellationToken cancellationToken);

/// <summary>Settings of <c>tipw serve --web</c>.</summary>
public sealed record WebServerOptions(TipwHome Home, string Url, CliInvoker Cli, Func<TipwHome, string, ResultTable> Query, Func<ResultTable, string> ToJson)
{
    /// <summary>The clock of audit rows, tokens and users.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The pipeline specs folder passed on to <c>tipw schedule</c> (null: its default).</summary>
    public string? PipelinesDirectory { get; init; }

    /// <summary>How long an ad-hoc query may run before the API answers 504.</summary>
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The most rows an ad-hoc query returns (the response says when it cut).</summary>
    public int QueryRowLimit { get; init; } = 10_000;
}
