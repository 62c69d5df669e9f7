namespace TipWarehouse.Cli;

/// <summary>What a command needs from its surroundings: output streams, the clock and the environment; replaced in tests.</summary>
public sealed record CliContext(TextWriter Out, TextWriter Error, TimeProvider Time, Func<string, string?> GetEnvironmentVariable)
{
    /// <summary>True when stderr is an interactive terminal, so progress bars may be drawn.</summary>
    public bool ErrorIsTerminal { get; init; }

    /// <summary>Standard input (a password for <c>tipw users add</c>); empty unless given.</summary>
    public TextReader In { get; init; } = TextReader.Null;

    /// <summary>Faults the pipeline engine injects (atomicity tests only: the shipped CLI has no option or variable that sets it).</summary>
    public TipWarehouse.Etl.Engine.IFaultInjector? Faults { get; init; }

    /// <summary>The context of the real process: console streams, system clock, process environment.</summary>
    public static CliContext FromConsole() =>
        new(Console.Out, Console.Error, TimeProvider.System, Environment.GetEnvironmentVariable)
        {
            ErrorIsTerminal = !Console.IsErrorRedirected,
            In = Console.In,
        };
}
