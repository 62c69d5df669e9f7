using System.CommandLine;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using TipWarehouse.Core;
using TipWarehouse.Web;

namespace TipWarehouse.Cli;

/// <summary>While <c>tipw serve --web</c> owns a home's warehouse, sends the CLI's read and review commands to it (local owner token of <c>serve.json</c>) instead of failing on the file lock.</summary>
internal static class ServeForwarding
{
    private static readonly HashSet<string> s_forwarded = ["report", "query", "export", "runs", "schedule", "linkage", "users", "audit"];
    private static readonly HashSet<string> s_forwardedModelCommands = ["review", "drift"];
    private static readonly HashSet<string> s_pathOptions = ["--home", "--out", "--pipelines", "--sources"];

    /// <summary>The exit code of the command run by the server, or null when it should run here.</summary>
    public static async Task<int?> TryForwardAsync(string[] args, ParseResult parseResult, CliContext context, CancellationToken cancellationToken)
    {
        if (context.GetEnvironmentVariable(WebServe.InServerVariable) is not null)
        {
            return null;
        }

        var path = new List<string>();
        for (var result = parseResult.CommandResult; result is not null && result.Command is not RootCommand; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            path.Insert(0, result.Command.Name);
        }

        if (path.Count == 0 || !(s_forwarded.Contains(path[0]) || (path is ["model", var sub] && s_forwardedModelCommands.Contains(sub)))
            || parseResult.CommandResult.Command.Options.OfType<Option<string>>().FirstOrDefault(o => o.Name == "--home") is not { } homeOption)
        {
            return null;
        }

        var home = TipwHome.At(parseResult.GetValue(homeOption));
        if (ServeInfo.Read(home) is not { } server)
        {
            return null;
        }

        var forwarded = Absolutize(args);
        if (!forwarded.Contains("--home"))
        {
            forwarded.AddRange(["--home", home.Root]);
        }

        string? input = path is ["users", "add"] ? await context.In.ReadLineAsync(cancellationToken) : null;
        using var http = new HttpClient { BaseAddress = new Uri(server.Url), Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.Token);
        CliOutcome? outcome;
        try
        {
            using var response = await http.PostAsJsonAsync("/api/cli", new { args = forwarded, input }, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                await context.Error.WriteLineAsync($"error: 'tipw serve' at {server.Url} refused the command ({(int)response.StatusCode}): {await response.Content.ReadAsStringAsync(cancellationToken)}");
                return CliApp.Failure;
            }

            outcome = await response.Content.ReadFromJsonAsync<CliOutcome>(cancellationToken);
        }
        catch (HttpRequestException)
        {
            // serve.json of a server that no longer answers: run here (the warehouse is then free, or the command reports the lock).
            return null;
        }

        await context.Error.WriteLineAsync($"tipw: via the running 'tipw serve' at {server.Url}");
        await context.Out.WriteAsync(outcome?.Out);
        await context.Error.WriteAsync(outcome?.Error);
        return outcome?.ExitCode ?? CliApp.Failure;
    }

    private static List<string> Absolutize(string[] args)
    {
        var result = new List<string>(args.Length + 2);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (s_pathOptions.Contains(arg) && i + 1 < args.Length)
            {
                result.AddRange([arg, Path.GetFullPath(args[++i])]);
            }
            else if (arg.IndexOf('=', StringComparison.Ordinal) is > 0 and var eq && s_pathOptions.Contains(arg[..eq]))
            {
                result.AddRange([arg[..eq], Path.GetFullPath(arg[(eq + 1)..])]);
            }
            else
            {
                result.Add(arg);
            }
        }

        return result;
    }
}
