using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Time.Testing;
using TipWarehouse.Cli;
using TipWarehouse.Core;

namespace TipWarehouse.Web.Tests;

/// <summary>One demo warehouse served by <c>tipw serve --web</c> on a free loopback port, with one user and token per role.</summary>
public sealed class ServedDemo : IAsyncLifetime
{
    public const string Password = "correct-horse-battery";

    private WebApplication? _app;

    public string Home { get; } = Path.Combine(Path.GetTempPath(), "tipw-web-" + Guid.NewGuid().ToString("N"));

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2008, 1, 15, 12, 0, 0, TimeSpan.Zero));

    public string Url { get; private set; } = string.Empty;

    /// <summary>A bearer token per role, for the user named after the role.</summary>
    public Dictionary<string, string> Tokens { get; } = [];

    public async Task InitializeAsync()
    {
        var demo = await RunDirectAsync("demo", "--home", Home, "--format", "csv");
        Assert.True(demo.ExitCode == 0, demo.Error);
        foreach (var role in WebRoles.All)
        {
            var added = await RunWithInputAsync(Password, "users", "add", role.Replace('_', '-'), "--role", role, "--home", Home);
            Assert.True(added.ExitCode == 0, added.Error);
            var token = await RunDirectAsync("users", "token", role.Replace('_', '-'), "--home", Home);
            Assert.True(token.ExitCode == 0, token.Error);
            Tokens[role] = token.Out.Trim();
        }

        _app = WebServe.Build(Context(new StringWriter(), new StringWriter(), null, direct: false), TipwHome.At(Home), Path.Combine(Home, "sources"), null, "http://127.0.0.1:0", TimeSpan.FromSeconds(5), logToConsole: false);
        await _app.StartAsync();
        Url = WebServer.BoundUrl(_app);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        Directory.Delete(Home, recursive: true);
    }

    /// <summary>An HTTP client of the server, with the token of <paramref name="role"/> (none: public).</summary>
    public HttpClient Client(string? role = null)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true }) { BaseAddress = new Uri(Url) };
        if (role is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Tokens[role]);
        }

        return client;
    }

    /// <summary>Runs <c>tipw</c> in this process as the CLI itself would (forwarding to the running server).</summary>
    public Task<CliOutcome> RunCliAsync(params string[] args) => RunAsync(null, direct: false, args);

    /// <summary>Runs <c>tipw</c>'s own code on the warehouse directly (what the server runs for the API).</summary>
    public Task<CliOutcome> RunDirectAsync(params string[] args) => RunAsync(null, direct: true, args);

    /// <summary>Adds a user directly, the password on stdin.</summary>
    public Task<CliOutcome> AddUserAsync(string name, string role) => RunWithInputAsync(Password, "users", "add", name, "--role", role, "--home", Home);

    private Task<CliOutcome> RunWithInputAsync(string input, params string[] args) => RunAsync(input, direct: true, args);

    private async Task<CliOutcome> RunAsync(string? input, bool direct, string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exitCode = await CliApp.RunAsync(args, Context(stdout, stderr, input, direct));
        return new CliOutcome(exitCode, stdout.ToString(), stderr.ToString());
    }

    private CliContext Context(StringWriter stdout, StringWriter stderr, string? input, bool direct) =>
        new(stdout, stderr, Time, name => direct && name == WebServe.InServerVariable ? "1" : null)
        {
            In = new StringReader(input ?? string.Empty),
        };
}

[CollectionDefinition(Name)]
public sealed class ServedDemoGroup : ICollectionFixture<ServedDemo>
{
    public const string Name = "served demo";
}
