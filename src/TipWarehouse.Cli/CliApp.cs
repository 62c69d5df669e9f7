using System.CommandLine;
using TipWarehouse.Cli.Commands;
using TipWarehouse.Cli.Output;
using TipWarehouse.Core;

namespace TipWarehouse.Cli;

/// <summary>The <c>tipw</c> command line: builds the command tree and maps failures to messages and exit codes.</summary>
public static class CliApp
{
    /// <summary>Exit code for success (quarantined rows with reasons still count as success).</summary>
    public const int Success = 0;

    /// <summary>Exit code for a failure.</summary>
    public const int Failure = 1;

    /// <summary>Exit code for a usage error.</summary>
    public const int UsageError = 2;

    /// <summary>Exit code for an unexpected error, a defect of tipw rather than of its input or state (BSD <c>EX_SOFTWARE</c>).</summary>
    public const int InternalError = 70;

    /// <summary>Parses <paramref name="args"/> and runs the command; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        CommonOptions.Environment = context.GetEnvironmentVariable;
        var root = BuildRootCommand(context);
        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var error in parseResult.Errors)
            {
                await context.Error.WriteLineAsync($"error: {UsageMessages.Explain(error.Message, parseResult.CommandResult.Command)}");
            }

            await context.Error.WriteLineAsync($"Run '{UsageMessages.CommandPath(parseResult.CommandResult)} --help' for usage.");
            return UsageError;
        }

        try
        {
            if (await ServeForwarding.TryForwardAsync(args, parseResult, context, cancellationToken) is { } forwardedExitCode)
            {
                return forwardedExitCode;
            }

            ResultWriter.Columns = ResultWriter.ParseColumns(parseResult.GetValue<string?>(ColumnsOptionName));
            Warehouse.MemoryLimit = Warehouse.ParseMemoryLimit(context.GetEnvironmentVariable(Warehouse.MemoryLimitVariable));
            var configuration = new InvocationConfiguration
            {
                Output = context.Out,
                Error = context.Error,
                EnableDefaultExceptionHandler = false,
            };
            return await parseResult.InvokeAsync(configuration, cancellationToken);
        }
        catch (TipwException ex)
        {
            await context.Error.WriteLineAsync($"error: {ex.Message}");
            return ex.ExitCode;
        }
        catch (OperationCanceledException)
        {
            await context.Error.WriteLineAsync("cancelled.");
            return Failure;
        }
        catch (Exception ex) when (context.GetEnvironmentVariable("TIPW_DEBUG") is null)
        {
            await context.Error.WriteLineAsync($"error: unexpected {ex.GetType().Name}: {ex.Message}");
            await context.Error.WriteLineAsync("Set TIPW_DEBUG=1 to see the stack trace, and report it with the command you ran.");
            return InternalError;
        }
    }

    private const string ColumnsOptionName = "--columns";

    /// <summary>Builds the whole command tree.</summary>
    public static RootCommand BuildRootCommand(CliContext context)
    {
        var root = new RootCommand("TipWarehouse: a data warehouse for counter-trafficking-in-persons statistics") { CommonOptions.Columns() };
        foreach (var command in CommandCatalog.Create(context))
        {
            root.Subcommands.Add(command);
        }

        return root;
    }
}
