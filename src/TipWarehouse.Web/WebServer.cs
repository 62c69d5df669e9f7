using System.Net;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using DuckDB.NET.Data;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TipWarehouse.Core;

namespace TipWarehouse.Web;

/// <summary>Keeps one connection to the live warehouse open for the server's lifetime, so every connection of the process shares one DuckDB database instance (MVCC: readers never block loads).</summary>
public sealed class WarehouseAnchor(DuckDBConnection connection) : IDisposable
{
    /// <inheritdoc />
    public void Dispose() => connection.Dispose();
}

/// <summary>Composes the ASP.NET Core app of <c>tipw serve --web</c>: authentication (bearer tokens, cookie sign-in with anti-forgery), roles on every endpoint, the JSON API and the audit trail.</summary>
public static class WebServer
{
    private const string CookieScheme = CookieAuthenticationDefaults.AuthenticationScheme;
    private static readonly string[] s_allFlag = ["--all"];
    private static readonly string[] s_reportParameters = ["from", "to", "by", "level", "kpi", "publish", "k"];

    /// <summary>Builds the app; <paramref name="configureHost"/> adds the scheduler to the same host.</summary>
    public static WebApplication Build(WebServerOptions options, Action<IHostApplicationBuilder>? configureHost = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Home.EnsureCreated();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = options.Home.Root, ApplicationName = "tipw" });
        builder.Logging.ClearProviders();
        configureHost?.Invoke(builder);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        builder.WebHost.UseUrls(options.Url);

        var serveInfo = new ServeInfo(options.Url, UserStoreTokens.NewLocalToken(), Environment.ProcessId);
        var snapshot = new WarehouseSnapshot(options.Home);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(serveInfo);
        builder.Services.AddSingleton(snapshot);
        builder.Services.AddSingleton(new UserStore(options.Home, options.Time));
        builder.Services.AddSingleton(new AuditLog(options.Home, options.Time));
        builder.Services.AddSingleton(_ => new WarehouseAnchor(Warehouse.Open(options.Home)));
        builder.Services.AddAuthentication("tipw")
            .AddPolicyScheme("tipw", "Bearer token or sign-in cookie", o => o.ForwardDefaultSelector = ctx =>
                ctx.Request.Headers.Authorization.Count > 0 ? BearerTokenHandler.SchemeName : CookieScheme)
            .AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, null)
            .AddCookie(CookieScheme, o =>
            {
                o.Cookie.Name = "tipw.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.LoginPath = "/signin";
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
                o.TimeProvider = options.Time;
                o.Events.OnRedirectToLogin = ctx => IsApi(ctx.Request)
                    ? WebErrors.WriteAsync(ctx.HttpContext, StatusCodes.Status401Unauthorized, "Sign in or send 'Authorization: Bearer TOKEN' (see 'tipw users token').")
                    : Redirect(ctx);
                o.Events.OnRedirectToAccessDenied = ctx => !IsApi(ctx.Request)
                    ? WebPages.Page(ctx.HttpContext, PageText.For(ctx.HttpContext), "403", $"<p role=\"alert\">{PageText.For(ctx.HttpContext)["forbidden"]}</p>", StatusCodes.Status403Forbidden).ExecuteAsync(ctx.HttpContext)
                    : WebErrors.WriteAsync(ctx.HttpContext, StatusCodes.Status403Forbidden, $"The role '{ctx.HttpContext.User.FindFirstValue(ClaimTypes.Role)}' may not do this.");
            });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(nameof(WebRoles.Reports), p => p.RequireRole(WebRoles.Reports))
            .AddPolicy(nameof(WebRoles.Operations), p => p.RequireRole(WebRoles.Operations))
            .AddPolicy(nameof(WebRoles.Review), p => p.RequireRole(WebRoles.Review))
            .AddPolicy(nameof(WebRoles.Export), p => p.RequireRole(WebRoles.Export))
            .AddPolicy(nameof(WebRoles.Query), p => p.RequireRole(WebRoles.Query))
            .AddPolicy(nameof(WebRoles.Audit), p => p.RequireRole(WebRoles.Audit))
            .AddPolicy(WebRoles.LocalOwnerClaim, p => p.RequireClaim(WebRoles.LocalOwnerClaim));
        // Cookie and anti-forgery keys stay in the home's owner-only secrets, not in the user's profile.
        builder.Services.AddDataProtection()
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(options.Home.SecretsDirectory, "web-keys")))
            .SetApplicationName("tipw");
        builder.Services.AddAntiforgery(o =>
        {
            o.HeaderName = "X-XSRF-TOKEN";
            o.FormFieldName = "__csrf";
            o.Cookie.Name = "tipw.csrf";
        });

        var app = builder.Build();

        // The anchor first: the scheduler's loads and every request then share one database instance.
        _ = app.Services.GetRequiredService<WarehouseAnchor>();
        snapshot.Refresh();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var bound = app.Urls.FirstOrDefault() ?? options.Url;
            (serveInfo with { Url = bound }).Write(options.Home);
        });
        app.Lifetime.ApplicationStopping.Register(() => ServeInfo.Delete(options.Home));

        app.UseAuthentication();
        app.Use(GuardAsync);
        app.UseAuthorization();
        MapApi(app, options);
        SignInEndpoints.Map(app);
        WebPages.Map(app, options);
        return app;
    }

    /// <summary>The effective URL of a started app (the bound port when 0 was asked for).</summary>
    public static string BoundUrl(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Urls.First();
    }

    private static async Task GuardAsync(HttpContext context, RequestDelegate next)
    {
        // A bad token is an error, never a silent fall-back to the public role.
        if (context.Request.Headers.Authorization.Count > 0 && context.User.Identity?.IsAuthenticated != true)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await WebErrors.WriteAsync(context, StatusCodes.Status401Unauthorized, "The bearer token is unknown or revoked.");
            return;
        }

        // Cookie-authenticated state changes must carry the anti-forgery token; bearer requests cannot be forged by a browser.
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method)
            && context.User.Identity is { IsAuthenticated: true, AuthenticationType: CookieScheme })
        {
            var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                await WebErrors.WriteAsync(context, StatusCodes.Status400BadRequest, "The anti-forgery token is missing or invalid; reload the page.");
                return;
            }
        }

        await next(context);
    }

    private static void MapApi(WebApplication app, WebServerOptions options)
    {
        var home = options.Home.Root;
        var api = app.MapGroup("/api");

        api.MapGet("/me", (HttpContext ctx) => Results.Json(new Dictionary<string, string>
        {
            ["user"] = ctx.User.Identity?.IsAuthenticated == true ? ctx.User.Identity.Name! : WebRoles.Public,
            ["role"] = Role(ctx.User),
        }));

        api.MapGet("/antiforgery", (HttpContext ctx, IAntiforgery antiforgery) =>
        {
            var tokens = antiforgery.GetAndStoreTokens(ctx);
            return Results.Json(new Dictionary<string, string?> { ["header"] = tokens.HeaderName, ["token"] = tokens.RequestToken });
        });

        api.MapGet("/reports/{name}", async (string name, HttpContext ctx, CancellationToken ct) =>
        {
            var query = ctx.Request.Query;
            if (query.Keys.FirstOrDefault(key => !s_reportParameters.Contains(key)) is { } unknown)
            {
                return WebErrors.Result(StatusCodes.Status400BadRequest, $"Unknown parameter '{unknown}'. Use {string.Join(", ", s_reportParameters)}.");
            }

            if (!TryFlag(query, "publish", out var publish))
            {
                return WebErrors.Result(StatusCodes.Status400BadRequest, "publish must be true or false.");
            }

            if (!publish && !InAnyRole(ctx.User, WebRoles.Reports))
            {
                return Deny(ctx, "Without publish=true this report is not disclosure-controlled: it needs the role " + string.Join(", ", WebRoles.Reports) + ".");
            }

            var args = new List<string> { "report", name, "--home", home, "--format", "json" };
            foreach (var key in s_reportParameters.Where(k => k != "publish" && query.ContainsKey(k)))
            {
                args.AddRange(["--" + key, query[key].ToString()]);
            }

            if (publish)
            {
                args.Add("--publish");
            }

            return await RunAsync(options, args, "application/json", ct);
        });

        api.MapGet("/runs", (HttpContext ctx, CancellationToken ct) =>
            RunAsync(options, ["runs", "--home", home, "--format", "json", .. Pass(ctx, "pipeline", "last")], "application/json", ct))
            .RequireAuthorization(nameof(WebRoles.Operations));

        api.MapGet("/schedule", (CancellationToken ct) =>
            RunAsync(options, ["schedule", "--home", home, "--format", "json", .. Pipelines(options)], "application/json", ct))
            .RequireAuthorization(nameof(WebRoles.Operations));

        api.MapPost("/schedule/{pipeline}/{action}", async (string pipeline, string action, CancellationToken ct) =>
            action is "trigger" or "pause" or "resume"
                ? await RunAsync(options, ["schedule", action, pipeline, "--home", home, .. Pipelines(options)], "application/json", ct, emptyJson: true)
                : WebErrors.Result(StatusCodes.Status404NotFound, $"Unknown schedule action '{action}'. Use trigger, pause or resume."))
            .RequireAuthorization(nameof(WebRoles.Operations));

        api.MapGet("/linkage/review", (HttpContext ctx, CancellationToken ct) =>
        {
            if (!TryFlag(ctx.Request.Query, "all", out var all))
            {
                return Task.FromResult(WebErrors.Result(StatusCodes.Status400BadRequest, "all must be true or false."));
            }

            return RunAsync(options, ["linkage", "review", "--home", home, "--format", "json", .. all ? s_allFlag : []], "application/json", ct);
        }).RequireAuthorization(nameof(WebRoles.Review));

        api.MapGet("/linkage/review/{id:long}", (long id, CancellationToken ct) =>
            RunAsync(options, ["linkage", "review", "--home", home, "--format", "json", "--show", id.ToString(System.Globalization.CultureInfo.InvariantCulture)], "application/json", ct))
            .RequireAuthorization(nameof(WebRoles.Review));

        api.MapPost("/linkage/review/{id:long}/{decision}", async (long id, string decision, HttpContext ctx, AuditLog audit, CancellationToken ct) =>
        {
            if (decision is not ("accept" or "reject"))
            {
                return WebErrors.Result(StatusCodes.Status404NotFound, $"Unknown decision '{decision}'. Use accept or reject.");
            }

            var result = await RunAsync(options, ["linkage", "review", "--home", home, "--format", "json", "--" + decision, id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--by", ctx.User.Identity!.Name!], "application/json", ct);
            Audit(audit, ctx, AuditLog.ReviewDecision, result, ("link", id.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("decision", decision));
            return result;
        }).RequireAuthorization(nameof(WebRoles.Review));

        api.MapGet("/model/review", (HttpContext ctx, CancellationToken ct) =>
        {
            if (!TryFlag(ctx.Request.Query, "all", out var all))
            {
                return Task.FromResult(WebErrors.Result(StatusCodes.Status400BadRequest, "all must be true or false."));
            }

            return RunAsync(options, ["model", "review", "--home", home, "--format", "json", "--spans", .. all ? s_allFlag : []], "application/json", ct);
        }).RequireAuthorization(nameof(WebRoles.Review));

        api.MapPost("/model/review/{callId}/{decision}", async (string callId, string decision, HttpContext ctx, AuditLog audit, CancellationToken ct) =>
        {
            if (decision is not ("confirm" or "reject") || !IsCallId(callId))
            {
                return WebErrors.Result(StatusCodes.Status404NotFound, $"Unknown decision '{decision}' or malformed call id. Use confirm or reject.");
            }

            var result = await RunAsync(options, ["model", "review", "--home", home, "--format", "json", "--" + decision, callId, "--by", ctx.User.Identity!.Name!], "application/json", ct);
            Audit(audit, ctx, AuditLog.ReviewDecision, result, ("call", callId), ("decision", decision));
            return result;
        }).RequireAuthorization(nameof(WebRoles.Review));

        api.MapGet("/exports/{name}", async (string name, HttpContext ctx, AuditLog audit, CancellationToken ct) =>
        {
            var format = ctx.Request.Query["format"].ToString() is { Length: > 0 } f ? f : "csv";
            IResult result;
            if (format == "csv")
            {
                result = await RunAsync(options, ["export", name, "--home", home, "--format", "csv"], "text/csv", ct);
            }
            else if (format is "parquet" or "arrow")
            {
                var file = Path.Combine(options.Home.ExportsDirectory, $"api-{Guid.NewGuid():N}.{format}");
                result = await RunAsync(options, ["export", name, "--home", home, "--format", format, "--out", file], "application/json", ct);
                if (result is IStatusCodeHttpResult { StatusCode: null or 200 })
                {
                    var bytes = await File.ReadAllBytesAsync(file, ct);
                    File.Delete(file);
                    result = Results.File(bytes, format == "parquet" ? "application/vnd.apache.parquet" : "application/vnd.apache.arrow.file", $"{name}.{format}");
                }
            }
            else
            {
                result = WebErrors.Result(StatusCodes.Status400BadRequest, $"Unknown format '{format}'. Use csv, parquet or arrow.");
            }

            Audit(audit, ctx, AuditLog.Export, result, ("name", name), ("format", format));
            return result;
        }).RequireAuthorization(nameof(WebRoles.Export));

        api.MapMethods("/query", ["GET", "POST"], async (HttpContext ctx, AuditLog audit, WarehouseSnapshot snapshot, CancellationToken ct) =>
        {
            string? sql = ctx.Request.Query["sql"];
            if (HttpMethods.IsPost(ctx.Request.Method) && ctx.Request.HasJsonContentType())
            {
                var body = await ctx.Request.ReadFromJsonAsync<Dictionary<string, string>>(ct);
                sql = body?.GetValueOrDefault("sql");
            }

            var result = await QueryAsync(options, snapshot, sql ?? string.Empty, ct);
            Audit(audit, ctx, AuditLog.Query, result, ("sql", sql));
            return result;
        }).RequireAuthorization(nameof(WebRoles.Query));

        api.MapGet("/audit", (HttpContext ctx, CancellationToken ct) =>
            RunAsync(options, ["audit", "--home", home, "--format", "json", .. Pass(ctx, "last", "action")], "application/json", ct))
            .RequireAuthorization(nameof(WebRoles.Audit));

        // The CLI's own commands, forwarded by 'tipw' while this server owns the warehouse (local owner token only).
        api.MapPost("/cli", async (HttpContext ctx, AuditLog audit, WarehouseSnapshot snapshot, CancellationToken ct) =>
        {
            var body = await ctx.Request.ReadFromJsonAsync<CliRequest>(ct);
            if (body?.Args is not { Count: > 0 } args)
            {
                return WebErrors.Result(StatusCodes.Status400BadRequest, "Send {\"args\": [...]} with a tipw command.");
            }

            // Ad-hoc SQL reads the snapshot: its own read-only database, so a query can neither write nor reach files.
            var effective = args[0] == "query" ? RedirectHome(args, options.Home.Root, snapshot.SnapshotHome.Root) : args;
            var run = options.Cli(effective, body.Input, ct);
            CliOutcome outcome;
            try
            {
                outcome = args[0] == "query" ? await run.WaitAsync(options.QueryTimeout, ct) : await run;
            }
            catch (TimeoutException)
            {
                outcome = new CliOutcome(1, string.Empty, $"error: The query ran longer than {options.QueryTimeout.TotalSeconds:0} s and was abandoned.\n");
            }

            if (args[0] is "query" or "export")
            {
                audit.Record(ctx.User.Identity!.Name!, Role(ctx.User), args[0], new Dictionary<string, string?> { ["args"] = string.Join(' ', args.Skip(1)), ["via"] = "cli" }, outcome.ExitCode == 0 ? "ok" : "failed");
            }

            return Results.Json(outcome);
        }).RequireAuthorization(WebRoles.LocalOwnerClaim);
    }

    private static async Task<IResult> QueryAsync(WebServerOptions options, WarehouseSnapshot snapshot, string sql, CancellationToken ct)
    {
        var outcome = await RunQueryAsync(options, snapshot, sql, ct);
        return outcome.Error is null
            ? new TextResult(options.ToJson(outcome.Table!), "application/json", outcome.Truncated ? $"{options.QueryRowLimit}" : null)
            : WebErrors.Result(outcome.Status, outcome.Error);
    }

    /// <summary>One read-only query on the snapshot with the timeout and row limit: the table (cut at the limit) or the HTTP status and message of the failure.</summary>
    internal static async Task<(ResultTable? Table, bool Truncated, int Status, string? Error)> RunQueryAsync(WebServerOptions options, WarehouseSnapshot snapshot, string sql, CancellationToken ct)
    {
        try
        {
            var table = await Task.Run(() => options.Query(snapshot.SnapshotHome, sql), ct).WaitAsync(options.QueryTimeout, ct);
            var truncated = table.Rows.Count > options.QueryRowLimit;
            if (truncated)
            {
                table = new ResultTable(table.Columns, [.. table.Rows.Take(options.QueryRowLimit)], table.Notes);
            }

            return (table, truncated, StatusCodes.Status200OK, null);
        }
        catch (TimeoutException)
        {
            return (null, false, StatusCodes.Status504GatewayTimeout, $"The query ran longer than {options.QueryTimeout.TotalSeconds:0} s and was abandoned.");
        }
        catch (TipwException ex)
        {
            return (null, false, HttpStatusFor(ex.ExitCode), ex.Message);
        }
    }

    private static List<string> RedirectHome(IReadOnlyList<string> args, string home, string snapshotHome)
    {
        var result = new List<string>(args);
        for (var i = 0; i < result.Count - 1; i++)
        {
            if (result[i] == "--home" && Path.GetFullPath(result[i + 1]) == Path.GetFullPath(home))
            {
                result[i + 1] = snapshotHome;
            }
        }

        return result;
    }

    private static async Task<IResult> RunAsync(WebServerOptions options, List<string> args, string contentType, CancellationToken ct, bool emptyJson = false)
    {
        var outcome = await options.Cli(args, null, ct);
        if (outcome.ExitCode == 0)
        {
            return emptyJson
                ? Results.Json(new Dictionary<string, string> { ["message"] = outcome.Error.Trim() })
                : new TextResult(outcome.Out, contentType, null);
        }

        return WebErrors.Result(HttpStatusFor(outcome.ExitCode), ErrorMessage(outcome.Error));
    }

    /// <summary>
    /// The HTTP status of a CLI exit code: 2 (usage error) is 400; 1 (an expected failure: no data loaded yet, a busy
    /// warehouse, a query error) is 409, the request conflicts with the warehouse's state; anything else (70, a defect) is 500.
    /// </summary>
    public static int HttpStatusFor(int exitCode) => exitCode switch
    {
        2 => StatusCodes.Status400BadRequest,
        1 => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>The CLI's <c>error: ...</c> lines of stderr, without the prefix.</summary>
    public static string ErrorMessage(string stderr)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        var lines = stderr.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var errors = lines.Where(l => l.StartsWith("error: ", StringComparison.Ordinal)).Select(l => l["error: ".Length..]).ToList();
        return errors.Count > 0 ? string.Join(" ", errors) : string.Join(" ", lines);
    }

    private static IEnumerable<string> Pass(HttpContext ctx, params string[] names) =>
        names.Where(n => ctx.Request.Query.ContainsKey(n)).SelectMany(n => new[] { "--" + n, ctx.Request.Query[n].ToString() });

    private static IEnumerable<string> Pipelines(WebServerOptions options) =>
        options.PipelinesDirectory is { } dir ? ["--pipelines", dir] : [];

    private static bool TryFlag(IQueryCollection query, string name, out bool value)
    {
        value = false;
        if (!query.TryGetValue(name, out var text))
        {
            return true;
        }

        switch (text.ToString().ToLowerInvariant())
        {
            case "" or "true" or "1":
                value = true;
                return true;
            case "false" or "0":
                return true;
            default:
                return false;
        }
    }

    /// <summary>True for a plausible hotline call id (letters, digits, '-' and '_', at most 40): what a review route accepts.</summary>
    public static bool IsCallId(string callId) =>
        callId is { Length: > 0 and <= 40 } && callId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>The role of the request's user; <c>public</c> without credentials.</summary>
    public static string Role(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.Identity?.IsAuthenticated == true ? user.FindFirstValue(ClaimTypes.Role) ?? WebRoles.Public : WebRoles.Public;
    }

    private static bool InAnyRole(ClaimsPrincipal user, string[] roles) => roles.Any(user.IsInRole);

    private static IResult Deny(HttpContext ctx, string message)
    {
        if (ctx.User.Identity?.IsAuthenticated == true)
        {
            return WebErrors.Result(StatusCodes.Status403Forbidden, $"The role '{Role(ctx.User)}' may not do this. {message}");
        }

        ctx.Response.Headers.WWWAuthenticate = "Bearer";
        return WebErrors.Result(StatusCodes.Status401Unauthorized, $"Sign in or send 'Authorization: Bearer TOKEN'. {message}");
    }

    private static void Audit(AuditLog audit, HttpContext ctx, string action, IResult result, params (string Key, string? Value)[] parameters)
    {
        var status = result is IStatusCodeHttpResult { StatusCode: { } code } ? code : StatusCodes.Status200OK;
        audit.Record(ctx.User.Identity?.Name ?? WebRoles.Public, Role(ctx.User), action, parameters.ToDictionary(p => p.Key, p => p.Value), status < 300 ? "ok" : "failed");
    }

    private static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api");

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> ctx)
    {
        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }

    private sealed record CliRequest(List<string> Args, string? Input);

    /// <summary>Exact text (the CLI's bytes) with an optional truncation header.</summary>
    private sealed class TextResult(string text, string contentType, string? truncatedAt) : IResult, IStatusCodeHttpResult
    {
        public int? StatusCode => StatusCodes.Status200OK;

        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.ContentType = contentType + "; charset=utf-8";
            if (truncatedAt is not null)
            {
                httpContext.Response.Headers["X-Tipw-Truncated-At"] = truncatedAt;
            }

            return httpContext.Response.WriteAsync(text, Encoding.UTF8);
        }
    }
}

/// <summary>Makes the local owner token of <c>serve.json</c>.</summary>
internal static class UserStoreTokens
{
    public static string NewLocalToken() =>
        "tipwlocal_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
}
