using System.CommandLine;
using TipWarehouse.Core;

namespace TipWarehouse.Cli;

/// <summary>Options shared by every command (<c>--home</c>, <c>--format</c>, <c>--out</c>), so the contract stays the same everywhere.</summary>
public static class CommonOptions
{
    /// <summary>The environment variable that names the default home, so <c>--home</c> need not be typed each time.</summary>
    public const string HomeVariable = "TIPW_HOME";

    private static readonly AsyncLocal<Func<string, string?>?> s_environment = new();

    /// <summary>The environment of the running command (set by <see cref="CliApp.RunAsync"/>; tests inject their own).</summary>
    internal static Func<string, string?>? Environment
    {
        get => s_environment.Value;
        set => s_environment.Value = value;
    }

    /// <summary>Creates the <c>--home DIR</c> option (default: <c>TIPW_HOME</c>, else <c>./tipw-home</c>).</summary>
    public static Option<string> Home() => new("--home")
    {
        Description = $"The home folder: warehouse, scheduler store, models, quarantine, logs, exports, secrets (default: ${HomeVariable}, else {TipwHome.DefaultRoot})",
        DefaultValueFactory = _ => Environment?.Invoke(HomeVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : TipwHome.DefaultRoot,
        Recursive = false,
    };

    /// <summary>Creates the <c>--format</c> option restricted to <paramref name="formats"/>; the first is the default.</summary>
    public static Option<string> Format(params string[] formats)
    {
        var option = new Option<string>("--format")
        {
            Description = "Output format: " + string.Join(", ", formats),
            DefaultValueFactory = _ => formats[0],
        };
        option.AcceptOnlyFromAmong(formats);
        return option;
    }

    /// <summary>
    /// Creates the global <c>--columns a,b,c</c> option (on the root, so every command takes it): the result shows only
    /// these columns, in this order, in every format; how a wide table fits an 80-column terminal.
    /// </summary>
    public static Option<string?> Columns() => new("--columns")
    {
        Description = "Show only these result columns, in this order (comma-separated, e.g. --columns pipeline,status,rows_read)",
        Recursive = true,
    };

    /// <summary>Creates the <c>--out FILE</c> option: write results to a file instead of stdout.</summary>
    public static Option<string?> Out() => new("--out") { Description = "Write the result to this file instead of stdout" };
}
