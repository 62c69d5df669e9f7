using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace TipWarehouse.Web;

/// <summary>The browser pages of <c>tipw serve --web</c> (Spanish by default): dashboard with the map, published figures, review. Every number comes from the CLI's report JSON, the same the API returns.</summary>
internal static class WebPages
{
    private static readonly string[] s_mapMetrics = ["tip_calls", "tip_reports", "tip_cases", "tip_share_of_calls", "reports_per_100_tip_calls"];
    private static readonly string[] s_publishedReports = ["monthly", "funnel", "regions", "referrals"];
    private static readonly string[] s_window = ["from", "to"];
    private static readonly string[] s_decisions = ["accept", "reject"];
    private static readonly string[] s_callDecisions = ["confirm", "reject"];
    private const int CallQueueLength = 20;
    private static readonly string[] s_scheduleActions = ["trigger", "pause", "resume"];
    private const string QuarantineSql = "SELECT reject_id, pipeline, source_file, source_row, source_column, reason_code, reason, raw_text, quarantined_at FROM meta.reject ORDER BY reject_id DESC LIMIT 200";
    private static readonly string[] s_dataParameters = ["from", "to", "by", "level", "kpi", "k"];

    public static void Map(WebApplication app, WebServerOptions options)
    {
        app.MapGet("/", (HttpContext ctx, CancellationToken ct) => DashboardAsync(ctx, options, ct)).RequireAuthorization(nameof(WebRoles.Reports));
        app.MapGet("/evaluacion", (HttpContext ctx, CancellationToken ct) => EvaluationAsync(ctx, options, ct)).RequireAuthorization(nameof(WebRoles.Reports));
        app.MapGet("/operaciones", (HttpContext ctx, WarehouseSnapshot snapshot, CancellationToken ct) => OperationsAsync(ctx, options, snapshot, ct)).RequireAuthorization(nameof(WebRoles.Operations));
        app.MapPost("/operaciones/{pipeline}/{action}", async (string pipeline, string action, HttpContext ctx, AuditLog audit, CancellationToken ct) =>
        {
            if (!s_scheduleActions.Contains(action))
            {
                return Results.NotFound();
            }

            var outcome = await options.Cli(["schedule", action, pipeline, "--home", options.Home.Root, .. PipelinesArgs(options)], null, ct);
            audit.Record(ctx.User.Identity!.Name!, WebServer.Role(ctx.User), AuditLog.Schedule,
                new Dictionary<string, string?> { ["pipeline"] = pipeline, ["action"] = action, ["via"] = "page" }, outcome.ExitCode == 0 ? "ok" : "failed");
            return outcome.ExitCode == 0 ? Results.Redirect("/operaciones") : WebErrors.Result(StatusCodes.Status400BadRequest, WebServer.ErrorMessage(outcome.Error));
        }).RequireAuthorization(nameof(WebRoles.Operations));
        app.MapGet("/admin", (HttpContext ctx, CancellationToken ct) => AdminAsync(ctx, options, ct)).RequireAuthorization(nameof(WebRoles.Audit));
        app.MapPost("/admin/usuarios", async (HttpContext ctx, UserStore users, AuditLog audit, CancellationToken ct) =>
        {
            var form = await ctx.Request.ReadFormAsync(ct);
            var (name, role) = (form["name"].ToString().Trim(), form["role"].ToString());
            return UserChange(ctx, audit, "add", name, role, () => users.Add(name, role, form["password"].ToString()));
        }).RequireAuthorization(nameof(WebRoles.Audit));
        app.MapPost("/admin/usuarios/{name}/eliminar", (string name, HttpContext ctx, UserStore users, AuditLog audit) =>
            name == ctx.User.Identity!.Name
                ? WebErrors.Result(StatusCodes.Status400BadRequest, "You cannot remove the user you are signed in as.")
                : UserChange(ctx, audit, "remove", name, null, () => users.Remove(name)))
            .RequireAuthorization(nameof(WebRoles.Audit));
        app.MapGet("/consulta", (HttpContext ctx, WarehouseSnapshot snapshot, AuditLog audit, CancellationToken ct) => ConsoleAsync(ctx, options, snapshot, audit, null, ct)).RequireAuthorization(nameof(WebRoles.Query));
        app.MapPost("/consulta", async (HttpContext ctx, WarehouseSnapshot snapshot, AuditLog audit, CancellationToken ct) =>
            await ConsoleAsync(ctx, options, snapshot, audit, (await ctx.Request.ReadFormAsync(ct))["sql"].ToString(), ct)).RequireAuthorization(nameof(WebRoles.Query));
        app.MapGet("/publicado", (HttpContext ctx, CancellationToken ct) => PublishedAsync(ctx, options, ct));
        app.MapGet("/revision", (HttpContext ctx, CancellationToken ct) => ReviewAsync(ctx, options, ct)).RequireAuthorization(nameof(WebRoles.Review));
        app.MapGet("/revision/{id:long}", (long id, HttpContext ctx, CancellationToken ct) => ReviewPairAsync(id, ctx, options, ct)).RequireAuthorization(nameof(WebRoles.Review));
        app.MapPost("/revision/{id:long}/{decision}", async (long id, string decision, HttpContext ctx, AuditLog audit, CancellationToken ct) =>
        {
            if (decision is not ("accept" or "reject"))
            {
                return Results.NotFound();
            }

            var outcome = await options.Cli(["linkage", "review", "--home", options.Home.Root, "--format", "json", "--" + decision, id.ToString(CultureInfo.InvariantCulture), "--by", ctx.User.Identity!.Name!], null, ct);
            audit.Record(ctx.User.Identity.Name!, WebServer.Role(ctx.User), AuditLog.ReviewDecision,
                new Dictionary<string, string?> { ["link"] = id.ToString(CultureInfo.InvariantCulture), ["decision"] = decision, ["via"] = "page" }, outcome.ExitCode == 0 ? "ok" : "failed");
            return outcome.ExitCode == 0 ? Results.Redirect("/revision") : WebErrors.Result(StatusCodes.Status400BadRequest, WebServer.ErrorMessage(outcome.Error));
        }).RequireAuthorization(nameof(WebRoles.Review));

        app.MapGet("/revision/llamadas", (HttpContext ctx, CancellationToken ct) => CallReviewAsync(ctx, options, ct)).RequireAuthorization(nameof(WebRoles.Review));
        app.MapPost("/revision/llamadas/{callId}/{decision}", async (string callId, string decision, HttpContext ctx, AuditLog audit, CancellationToken ct) =>
        {
            if (decision is not ("confirm" or "reject") || !WebServer.IsCallId(callId))
            {
                return Results.NotFound();
            }

            var outcome = await options.Cli(["model", "review", "--home", options.Home.Root, "--format", "json", "--" + decision, callId, "--by", ctx.User.Identity!.Name!], null, ct);
            audit.Record(ctx.User.Identity.Name!, WebServer.Role(ctx.User), AuditLog.ReviewDecision,
                new Dictionary<string, string?> { ["call"] = callId, ["decision"] = decision, ["via"] = "page" }, outcome.ExitCode == 0 ? "ok" : "failed");
            return outcome.ExitCode == 0 ? Results.Redirect("/revision/llamadas") : WebErrors.Result(StatusCodes.Status400BadRequest, WebServer.ErrorMessage(outcome.Error));
        }).RequireAuthorization(nameof(WebRoles.Review));

        // Each chart's data, as the CLI prints it: CSV, or Parquet (published reports for everyone, the rest for report roles).
        app.MapGet("/datos/{report}.{format}", async (string report, string format, HttpContext ctx, CancellationToken ct) =>
        {
            var publish = ctx.Request.Query["publish"] == "true";
            if (!publish && !WebRoles.Reports.Any(ctx.User.IsInRole))
            {
                return WebErrors.Result(ctx.User.Identity?.IsAuthenticated == true ? StatusCodes.Status403Forbidden : StatusCodes.Status401Unauthorized, "This report without publish=true needs the role " + string.Join(", ", WebRoles.Reports) + ".");
            }

            var args = new List<string> { "report", report, "--home", options.Home.Root };
            foreach (var key in s_dataParameters.Where(k => ctx.Request.Query.ContainsKey(k)))
            {
                args.AddRange(["--" + key, ctx.Request.Query[key].ToString()]);
            }

            if (publish)
            {
                args.Add("--publish");
            }

            if (format == "csv")
            {
                var outcome = await options.Cli([.. args, "--format", "csv"], null, ct);
                return outcome.ExitCode == 0
                    ? Results.File(Encoding.UTF8.GetBytes(outcome.Out), "text/csv; charset=utf-8", $"{report}.csv")
                    : WebErrors.Result(StatusCodes.Status400BadRequest, WebServer.ErrorMessage(outcome.Error));
            }

            if (format != "parquet")
            {
                return Results.NotFound();
            }

            var file = Path.Combine(options.Home.ExportsDirectory, $"page-{Guid.NewGuid():N}.parquet");
            var written = await options.Cli([.. args, "--format", "parquet", "--out", file], null, ct);
            if (written.ExitCode != 0)
            {
                return WebErrors.Result(StatusCodes.Status400BadRequest, WebServer.ErrorMessage(written.Error));
            }

            var bytes = await File.ReadAllBytesAsync(file, ct);
            File.Delete(file);
            return Results.File(bytes, "application/vnd.apache.parquet", $"{report}.parquet");
        });
    }

    private static async Task<IResult> DashboardAsync(HttpContext ctx, WebServerOptions options, CancellationToken ct)
    {
        var text = PageText.For(ctx);
        var window = new List<string>();
        foreach (var key in s_window.Where(k => ctx.Request.Query[k].ToString().Length > 0))
        {
            window.AddRange(["--" + key, ctx.Request.Query[key].ToString()]);
        }

        var metric = s_mapMetrics.Contains(ctx.Request.Query["metric"].ToString()) ? ctx.Request.Query["metric"].ToString() : "tip_calls";
        var monthly = await ReportAsync(options, ["report", "monthly", .. window], ct);
        var funnel = await ReportAsync(options, ["report", "funnel", .. window], ct);
        var regions = await ReportAsync(options, ["report", "regions", "--level", "department", .. window], ct);
        var referrals = await ReportAsync(options, ["report", "referrals", .. window], ct);
        if (new[] { monthly, funnel, regions, referrals }.FirstOrDefault(r => r.Error is not null) is { } failed)
        {
            return Page(ctx, text, text["dashboard"], $"<p role=\"alert\">{WebUtility.HtmlEncode(failed.Error)}</p>", StatusCodes.Status400BadRequest);
        }

        var dataQuery = string.Join("&", window.Chunk(2).Select(p => $"{p[0][2..]}={Uri.EscapeDataString(p[1])}"));
        var periods = monthly.Rows.Select(r => r["period"].GetString()!).ToList();
        string[] colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"];
        ChartSeries Series(string key, int colour) => new(key, text[key], colours[colour], [.. monthly.Rows.Select(r => Number(r, key))]);
        var markers = new List<(string, string)> { ("2006-03", text["hotline_opening"]), ("2007-01", text["law"]) };
        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"""
            <form class="filters" method="get" action="/">
              <label>{text["from"]} <input name="from" type="month" value="{Attr(ctx, "from")}"></label>
              <label>{text["to"]} <input name="to" type="month" value="{Attr(ctx, "to")}"></label>
              <input type="hidden" name="metric" value="{metric}">
              <button type="submit">{text["apply"]}</button>
            </form>
            <section><h2>{text["monthly"]}</h2>
            <h3>{text["calls"]}</h3>
            {SvgCharts.Lines("chart-calls", periods, [Series("hotline_calls", 0), Series("calls_tip_by_operator", 1), Series("calls_tip_by_model", 2)], markers, text)}
            <h3>{text["justice"]}</h3>
            {SvgCharts.Lines("chart-justice", periods, [Series("tip_police_reports", 3), Series("tip_arrests", 4), Series("cases_sent_to_prosecution", 5), Series("convictions", 6)], markers, text)}
            <p class="notes">{WebUtility.HtmlEncode(string.Join(" ", monthly.Notes))}</p>
            <p><a href="/datos/monthly.csv?{dataQuery}">{text["csv"]}</a></p></section>
            <section><h2>{text["funnel"]}</h2>
            {SvgCharts.Bars("chart-funnel", [.. funnel.Rows.Select(r => (r["stage"].GetString()!, text["stage_" + r["stage"].GetString()], Number(r, "cases")))], text)}
            <p><a href="/datos/funnel.csv?{dataQuery}">{text["csv"]}</a></p></section>
            <section><h2>{text["map"]}</h2>
            <form method="get" action="/">{Hidden(ctx, "from")}{Hidden(ctx, "to")}
              <label>{text["metric"]} <select name="metric" onchange="this.form.submit()">{string.Concat(s_mapMetrics.Select(m => $"<option value=\"{m}\"{(m == metric ? " selected" : string.Empty)}>{text[m]}</option>"))}</select></label>
              <noscript><button type="submit">{text["apply"]}</button></noscript>
            </form>
            {MapOf(regions, metric, text)}
            {Legend(regions, metric, text)}
            <p><a href="/datos/regions.csv?level=department&amp;{dataQuery}">{text["csv"]}</a></p></section>
            <section id="referrals-table"><h2>{text["referrals"]}</h2>{Table(referrals, text, published: false)}
            <p><a href="/datos/referrals.csv?{dataQuery}">{text["csv"]}</a></p></section>
            """);
        return Page(ctx, text, text["dashboard"], body.ToString());
    }

    private static async Task<IResult> EvaluationAsync(HttpContext ctx, WebServerOptions options, CancellationToken ct)
    {
        var text = PageText.For(ctx);
        var window = new List<string>();
        foreach (var key in s_window.Where(k => ctx.Request.Query[k].ToString().Length > 0))
        {
            window.AddRange(["--" + key, ctx.Request.Query[key].ToString()]);
        }

        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"""
            <form class="filters" method="get" action="/evaluacion">
              <label>{text["from"]} <input name="from" type="month" value="{Attr(ctx, "from")}"></label>
              <label>{text["to"]} <input name="to" type="month" value="{Attr(ctx, "to")}"></label>
              <label>{text["training_kpi"]} <input name="training_kpi" value="{Attr(ctx, "training_kpi")}" placeholder="tip_reports_per_100_tip_calls"></label>
              <label>{text["law_kpi"]} <input name="law_kpi" value="{Attr(ctx, "law_kpi")}" placeholder="tip_police_reports"></label>
              <button type="submit">{text["apply"]}</button>
            </form>
            """);
        foreach (var (name, kpiKey, labelColumn) in new[] { ("training-effect", "training_kpi", "estimate"), ("law-effect", "law_kpi", "term") })
        {
            var kpi = ctx.Request.Query[kpiKey].ToString() is { Length: > 0 } k ? new List<string> { "--kpi", k } : [];
            var report = await ReportAsync(options, ["report", name, .. window, .. kpi], ct);
            var estimate = name == "training-effect" ? "did_estimate" : "estimate";
            var dataQuery = string.Join("&amp;", window.Concat(kpi).Chunk(2).Select(p => $"{p[0][2..]}={Uri.EscapeDataString(p[1])}"));
            body.Append(CultureInfo.InvariantCulture, $"<section id=\"{name}\"><h2>{text[name]}</h2>");
            if (report.Error is not null)
            {
                body.Append(CultureInfo.InvariantCulture, $"<p role=\"alert\">{WebUtility.HtmlEncode(report.Error)}</p></section>");
                continue;
            }

            var intervals = report.Rows.Select(r => (r[labelColumn].GetString() ?? string.Empty, Number(r, estimate), Number(r, "ci_low"), Number(r, "ci_high"))).ToList();
            body.Append(CultureInfo.InvariantCulture, $"""
                <p>{text[name + "_intro"]}</p>
                {SvgCharts.Intervals("chart-" + name, intervals, text)}
                {Table(report, text, published: false)}
                <h3>{text["assumptions"]}</h3>
                <ul class="notes">{string.Concat(report.Notes.Select(n => $"<li>{WebUtility.HtmlEncode(n)}</li>"))}</ul>
                <p><a href="/datos/{name}.csv?{dataQuery}">{text["csv"]}</a></p></section>
                """);
        }

        return Page(ctx, text, text["evaluation"], body.ToString());
    }

    private static async Task<IResult> OperationsAsync(HttpContext ctx, WebServerOptions options, WarehouseSnapshot snapshot, CancellationToken ct)
    {
        var text = PageText.For(ctx);
        var schedule = await ReportAsync(options, ["schedule", .. PipelinesArgs(options)], ct);
        var freshness = await ReportAsync(options, ["runs", "--freshness", .. PipelinesArgs(options)], ct);
        var runs = await ReportAsync(options, ["runs", "--last", "50"], ct);
        // 'tipw query' locks its DuckDB instance against file access for good: in this process it reads the snapshot, never the live file.
        var quarantine = await ReportAsync(options, ["query", QuarantineSql], ct, snapshot.SnapshotHome.Root);
        var tokens = ctx.RequestServices.GetService(typeof(IAntiforgery)) is IAntiforgery antiforgery ? antiforgery.GetAndStoreTokens(ctx) : null;
        string Section(string id, string title, Report report, string table) =>
            $"<section id=\"{id}\"><h2>{text[title]}</h2>{(report.Error is null ? table : $"<p role=\"alert\">{WebUtility.HtmlEncode(report.Error)}</p>")}<p class=\"notes\">{WebUtility.HtmlEncode(string.Join(" ", report.Notes))}</p></section>";

        var pipelines = new StringBuilder("<table class=\"pipelines\"><thead><tr>");
        pipelines.Append(string.Concat(schedule.Columns.Select(c => $"<th>{WebUtility.HtmlEncode(text[c])}</th>"))).Append("<th></th></tr></thead><tbody>");
        foreach (var row in schedule.Rows)
        {
            var name = row["pipeline"].GetString()!;
            pipelines.Append(CultureInfo.InvariantCulture, $"<tr data-pipeline=\"{WebUtility.HtmlEncode(name)}\">");
            pipelines.Append(string.Concat(schedule.Columns.Select(c => $"<td data-column=\"{c}\">{WebUtility.HtmlEncode(Cell(row[c], text))}</td>")));
            pipelines.Append("<td>");
            foreach (var action in s_scheduleActions)
            {
                pipelines.Append(CultureInfo.InvariantCulture, $"<form method=\"post\" action=\"/operaciones/{Uri.EscapeDataString(name)}/{action}\" class=\"inline\"><input type=\"hidden\" name=\"{tokens?.FormFieldName}\" value=\"{tokens?.RequestToken}\"><button type=\"submit\" class=\"{action}\">{text[action]}</button></form>");
            }

            pipelines.Append("</td></tr>");
        }

        pipelines.Append("</tbody></table>");
        var failed = new Report(runs.Columns, [.. runs.Rows.Where(r => r.TryGetValue("failed_tests", out var f) && f.ValueKind == JsonValueKind.String)], [], runs.Error);
        var body = string.Concat(
            Section("pipelines", "pipelines", schedule, pipelines.ToString()),
            Section("freshness", "freshness", freshness, Table(freshness, text, published: false)),
            Section("failed-tests", "failed_tests", failed, failed.Rows.Count == 0 ? $"<p>{text["no_failed_tests"]}</p>" : Table(failed, text, published: false)),
            Section("runs", "run_history", runs, Table(runs, text, published: false)),
            Section("quarantine", "quarantine", quarantine, quarantine.Rows.Count == 0 ? $"<p>{text["empty_quarantine"]}</p>" : Table(quarantine, text, published: false)));
        return Page(ctx, text, text["operations"], body);
    }

    private static IResult UserChange(HttpContext ctx, AuditLog audit, string change, string name, string? role, Action apply)
    {
        try
        {
            apply();
        }
        catch (TipWarehouse.Core.TipwException ex)
        {
            return WebErrors.Result(StatusCodes.Status400BadRequest, ex.Message);
        }

        audit.Record(ctx.User.Identity!.Name!, WebServer.Role(ctx.User), AuditLog.UserChange,
            new Dictionary<string, string?> { ["change"] = change, ["user"] = name, ["role"] = role, ["via"] = "page" });
        return Results.Redirect("/admin");
    }

    private static async Task<IResult> AdminAsync(HttpContext ctx, WebServerOptions options, CancellationToken ct)
    {
        var text = PageText.For(ctx);
        var users = await ReportAsync(options, ["users", "list"], ct);
        var audit = await ReportAsync(options, ["audit", "--last", "200"], ct);
        var tokens = ctx.RequestServices.GetService(typeof(IAntiforgery)) is IAntiforgery antiforgery ? antiforgery.GetAndStoreTokens(ctx) : null;
        var csrf = $"<input type=\"hidden\" name=\"{tokens?.FormFieldName}\" value=\"{tokens?.RequestToken}\">";
        var body = new StringBuilder($"<section id=\"users\"><h2>{text["users"]}</h2>");
        if (users.Error is not null)
        {
            body.Append(CultureInfo.InvariantCulture, $"<p role=\"alert\">{WebUtility.HtmlEncode(users.Error)}</p>");
        }

        body.Append("<table class=\"users\"><thead><tr>").Append(string.Concat(users.Columns.Select(c => $"<th>{WebUtility.HtmlEncode(text[c])}</th>"))).Append("<th></th></tr></thead><tbody>");
        foreach (var row in users.Rows)
        {
            var name = row["user_name"].GetString()!;
            body.Append(CultureInfo.InvariantCulture, $"<tr data-user=\"{WebUtility.HtmlEncode(name)}\">");
            body.Append(string.Concat(users.Columns.Select(c => $"<td data-column=\"{c}\">{WebUtility.HtmlEncode(Cell(row[c], text))}</td>")));
            body.Append(CultureInfo.InvariantCulture, $"<td><form method=\"post\" action=\"/admin/usuarios/{Uri.EscapeDataString(name)}/eliminar\" class=\"inline\">{csrf}<button type=\"submit\" class=\"remove\">{text["remove"]}</button></form></td></tr>");
        }

        body.Append(CultureInfo.InvariantCulture, $"""
            </tbody></table>
            <h3>{text["add_user"]}</h3>
            <form id="add-user" method="post" action="/admin/usuarios">{csrf}
              <label>{text["user_name"]} <input name="name" required></label>
              <label>{text["role"]} <select name="role">{string.Concat(WebRoles.All.Select(r => $"<option value=\"{r}\">{r}</option>"))}</select></label>
              <label>{text["password"]} <input name="password" type="password" minlength="{UserStore.MinimumPasswordLength}" required></label>
              <button type="submit">{text["add"]}</button>
            </form></section>
            <section id="audit"><h2>{text["audit"]}</h2>
            {(audit.Error is null ? Table(audit, text, published: false) : $"<p role=\"alert\">{WebUtility.HtmlEncode(audit.Error)}</p>")}</section>
            """);
        return Page(ctx, text, text["admin"], body.ToString());
    }

    private static async Task<IResult> ConsoleAsync(HttpContext ctx, WebServerOptions options, WarehouseSnapshot snapshot, AuditLog audit, string? sql, CancellationToken ct)
    {
        var text = PageText.For(ctx);
        var tokens = ctx.RequestServices.GetService(typeof(IAntiforgery)) is IAntiforgery antiforgery ? antiforgery.GetAndStoreTokens(ctx) : null;
        var body = new StringBuilder().Append(CultureInfo.InvariantCulture, $"""
            <p>{text["console_intro"]} ({text.Whole(options.QueryRowLimit)} {text["rows_max"]}, {text.Whole(options.QueryTimeout.TotalSeconds)} s)</p>
            <form id="console" method="post" action="/consulta"><input type="hidden" name="{tokens?.FormFieldName}" value="{tokens?.RequestToken}">
              <textarea name="sql" rows="6" cols="100" spellcheck="false">{WebUtility.HtmlEncode(sql ?? "SELECT count(*) AS calls FROM dw.fact_hotline_call")}</textarea><br>
              <button type="submit">{text["run_query"]}</button>
            </form>
            """);
        if (sql is not null)
        {
            var outcome = await WebServer.RunQueryAsync(options, snapshot, sql, ct);
            audit.Record(ctx.User.Identity!.Name!, WebServer.Role(ctx.User), AuditLog.Query, new Dictionary<string, string?> { ["sql"] = sql, ["via"] = "page" }, outcome.Error is null ? "ok" : "failed");
            if (outcome.Error is not null)
            {
                body.Append(CultureInfo.InvariantCulture, $"<p role=\"alert\" class=\"query-error\">{WebUtility.HtmlEncode(outcome.Error)}</p>");
                return Page(ctx, text, text["console"], body.ToString(), outcome.Status);
            }

            var table = outcome.Table!;
            using var document = JsonDocument.Parse(options.ToJson(table));
            var rows = document.RootElement.EnumerateArray().Select(r => r.EnumerateObject().GroupBy(p => p.Name).ToDictionary(g => g.Key, g => g.First().Value.Clone())).ToList();
            var result = new Report([.. table.Columns.Select(c => c.Name).Distinct()], rows, [], null);
            body.Append(CultureInfo.InvariantCulture, $"<section id=\"result\"><p class=\"row-count\">{text.Whole(rows.Count)} {text["rows"]}{(outcome.Truncated ? " — " + text["truncated"] : string.Empty)}</p>{Table(result, text, published: false)}</section>");
        }

        return Page(ctx, text, text["console"], body.ToString());
    }

    private static IEnumerable<string> PipelinesArgs(WebServerOptions options) =>
        options.PipelinesDirectory is { } dir ? ["--pipelines", dir] : [];

    private static async Task<IResult> PublishedAsync(HttpContext ctx, WebServerOptions options, CancellationToken ct)
    {
        var text = PageText.For(ctx);
        var body = new StringBuilder($"<p>{text["published_intro"]}</p>");
        foreach (var name in s_publishedReports)
        {
            string[] extra = name switch { "monthly" => ["--by", "year"], "regions" => ["--level", "department"], _ => [] };
            var report = await ReportAsync(options, ["report", name, "--publish", .. extra], ct);
            var dataQuery = "publish=true" + string.Concat(extra.Chunk(2).Select(p => $"&amp;{p[0][2..]}={p[1]}"));
            body.Append(CultureInfo.InvariantCulture, $"""
                <section id="published-{name}"><h2>{WebUtility.HtmlEncode(name)}</h2>
                {(report.Error is null ? Table(report, text, published: true) : $"<p role=\"alert\">{WebUtility.HtmlEncode(report.Error)}</p>")}
                <p class="notes">{WebUtility.HtmlEncode(string.Join(" ", report.Notes))}</p>
                <p><a href="/datos/{name}.csv?{dataQuery}">{text["csv"]}</a> · <a href="/datos/{name}.parquet?{dataQuery}">{text["parquet"]}</a></p></section>
                """);
        }

        return Page(ctx, text, text["published"], body.ToString());
    }

    private static async Task<IResult> ReviewAsync(HttpContext ctx, WebServerOptions options, CancellationToken ct)
    {
        var text = PageText.For(ctx);
        var queue = await ReportAsync(options, ["linkage", "review"], ct);
        if (queue.Error is not null)
        {
            return Page(ctx, text, text["review"], $"<p role=\"alert\">{WebUtility.HtmlEncode(queue.Error)}</p>", StatusCodes.Status400BadRequest);
        }

        var tokens = ctx.RequestServices.GetService(typeof(IAntiforgery)) is IAntiforgery antiforgery ? antiforgery.GetAndStoreTokens(ctx) : null;
        var body = new StringBuilder($"<h2>{text["queue"]} ({text.Whole(queue.Rows.Count)})</h2><table class=\"review\"><thead><tr>");
        string[] columns = ["id", "link_type", "left_record_id", "right_record_id", "score", "link_date"];
        body.Append(string.Concat(columns.Select(c => $"<th>{c}</th>"))).Append("<th></th></tr></thead><tbody>");
        foreach (var row in queue.Rows)
        {
            var id = row["id"].GetInt64();
            body.Append(CultureInfo.InvariantCulture, $"<tr data-link=\"{id}\">");
            body.Append(CultureInfo.InvariantCulture, $"<td><a class=\"pair\" href=\"/revision/{id}\" title=\"{text["see_pair"]}\">{WebUtility.HtmlEncode(Cell(row["id"], text))}</a></td>");
            body.Append(string.Concat(columns.Skip(1).Select(c => $"<td data-column=\"{c}\">{WebUtility.HtmlEncode(Cell(row[c], text))}</td>")));
            body.Append("<td>");
            foreach (var decision in s_decisions)
            {
                body.Append(CultureInfo.InvariantCulture, $"<form method=\"post\" action=\"/revision/{id}/{decision}\" class=\"inline\"><input type=\"hidden\" name=\"{tokens?.FormFieldName}\" value=\"{tokens?.RequestToken}\"><button type=\"submit\" class=\"{decision}\">{text[decision]}</button></form>");
            }

            body.Append("</td></tr>");
        }

        body.Append("</tbody></table>");
        body.Append(CultureInfo.InvariantCulture, $"<p><a href=\"/revision/llamadas\">{text["call_review"]}</a></p>");
        return Page(ctx, text, text["review"], body.ToString());
    }

    /// <summary>
    /// One pair of the queue: the two records side by side and the score broken down by comparison, each weight with
    /// its sign and a bar, as <c>tipw linkage review --show ID</c> prints them; accept and reject as on the queue.
    /// </summary>
    private static async Task<IResult> ReviewPairAsync(long id, HttpContext ctx, WebServerOptions options, CancellationToken ct)
    {
        var text = PageText.For(ctx);
        var title = $"{text["pair"]} {id.ToString(CultureInfo.InvariantCulture)}";
        var pair = await ReportAsync(options, ["linkage", "review", "--show", id.ToString(CultureInfo.InvariantCulture)], ct);
        if (pair.Error is not null)
        {
            // No such pair is a usage error of the CLI (exit 2): 404 here; a busy warehouse (exit 1) or a failure keeps its own status.
            var status = pair.ExitCode == 2 ? StatusCodes.Status404NotFound : WebServer.HttpStatusFor(pair.ExitCode);
            return Page(ctx, text, title, $"<p role=\"alert\">{WebUtility.HtmlEncode(pair.Error)}</p><p><a href=\"/revision\">{text["back_to_queue"]}</a></p>", status);
        }

        string? Value(Dictionary<string, JsonElement> row, string column) => row[column].ValueKind == JsonValueKind.String ? row[column].GetString() : null;
        List<Dictionary<string, JsonElement>> Part(string part) => [.. pair.Rows.Where(r => Value(r, "part") == part)];
        Dictionary<string, JsonElement>? Item(string part, string item) => pair.Rows.FirstOrDefault(r => Value(r, "part") == part && Value(r, "item") == item);
        var link = Part("link").ToDictionary(r => Value(r, "item")!, r => Value(r, "left"));
        var records = Part("record").ToDictionary(r => Value(r, "item")!);
        var tokens = ctx.RequestServices.GetService(typeof(IAntiforgery)) is IAntiforgery antiforgery ? antiforgery.GetAndStoreTokens(ctx) : null;
        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"""
            <p><a href="/revision">{text["back_to_queue"]}</a></p>
            <p class="pair-link" data-link="{id}">{text["link_" + link["link_type"]]} · {text["pair_status"]}: <strong data-column="status">{WebUtility.HtmlEncode(text["pair_status_" + link["status"]])}</strong>{(link["decided_by"] is { } by ? $" ({text["pair_decided_by"]}: {WebUtility.HtmlEncode(by)})" : string.Empty)}</p>
            <section id="records"><h2>{text["records"]}</h2><table class="side-by-side"><thead><tr><th></th>
            <th data-side="left">{text["record_" + Value(records["record_type"], "left")]}</th><th data-side="right">{text["record_" + Value(records["record_type"], "right")]}</th></tr></thead><tbody>
            """);
        foreach (var (item, row) in records.Where(r => r.Key != "record_type"))
        {
            body.Append(CultureInfo.InvariantCulture, $"<tr data-item=\"{item}\"><th>{text["item_" + item]}</th><td data-side=\"left\">{WebUtility.HtmlEncode(Value(row, "left"))}</td><td data-side=\"right\">{WebUtility.HtmlEncode(Value(row, "right"))}</td></tr>");
        }

        body.Append(CultureInfo.InvariantCulture, $"""
            </tbody></table></section>
            <section id="breakdown"><h2>{text["breakdown"]}</h2><table class="breakdown"><thead><tr><th>{text["pair_comparison"]}</th><th>{text["pair_level"]}</th><th>{text["pair_weight"]}</th><th></th></tr></thead><tbody>
            """);
        // Hotline -> police pairs also weigh the prior odds (part "prior", no level): shown first, so the rows sum to the total.
        var comparisons = Part("prior").Concat(Part("comparison")).ToList();
        var widest = comparisons.Select(r => Math.Abs(Number(r, "weight") ?? 0)).DefaultIfEmpty(0).Max();
        foreach (var row in comparisons)
        {
            var item = Value(row, "item")!;
            int? level = row["level"].ValueKind == JsonValueKind.Number ? row["level"].GetInt32() : null;
            var weight = Number(row, "weight") ?? 0;
            var width = widest > 0 ? Math.Abs(weight) / widest * 50 : 0;
            var bar = weight == 0 ? string.Empty
                : weight > 0
                ? $"<span class=\"bar positive\" style=\"left:50%;width:{width.ToString("0.##", CultureInfo.InvariantCulture)}%\"></span>"
                : $"<span class=\"bar negative\" style=\"left:{(50 - width).ToString("0.##", CultureInfo.InvariantCulture)}%;width:{width.ToString("0.##", CultureInfo.InvariantCulture)}%\"></span>";
            body.Append(CultureInfo.InvariantCulture, $"""
                <tr data-item="{item}" data-weight="{weight.ToString("R", CultureInfo.InvariantCulture)}"><th>{text["field_" + item]}</th>
                <td data-column="level">{(level is not { } l ? "—" : l < 0 ? text["pair_missing"] : text.Whole(l))}</td><td data-column="weight">{Signed(weight, text)}</td>
                <td class="bar-cell"><span class="axis"></span>{bar}</td></tr>
                """);
        }

        var sum = Item("total", "weight_sum") is { } sumRow ? Number(sumRow, "weight") : null;
        var score = Item("total", "score") is { } scoreRow ? Number(scoreRow, "weight") : null;
        string Total(string key, double? value) => $"<tr class=\"total\" data-item=\"{key}\" data-value=\"{value?.ToString("R", CultureInfo.InvariantCulture)}\"><th>{text["pair_" + key]}</th><td></td><td data-column=\"weight\">{(value is { } v ? Signed(v, text) : "—")}</td><td></td></tr>";
        body.Append(Total("weight_sum", sum)).Append(Total("score", score)).Append("</tbody></table>");
        // The CLI's check in the page's language (the CLI's own words kept when there is no label for them).
        var check = Item("note", "check") is { } checkRow ? Value(checkRow, "left") ?? string.Empty : string.Empty;
        var checkText = check == "The weights sum to the stored score." ? text["check_sum"]
            : check.StartsWith("The model changed after this pair was scored", StringComparison.Ordinal) ? $"{text["check_model_changed"]} ({check})"
            : check;
        body.Append(CultureInfo.InvariantCulture, $"<p class=\"check\" title=\"{WebUtility.HtmlEncode(check)}\">{WebUtility.HtmlEncode(checkText)}</p><ul class=\"notes\">{string.Concat(pair.Notes.Select(n => $"<li>{WebUtility.HtmlEncode(n)}</li>"))}</ul></section>");
        body.Append("<section id=\"decision\">");
        foreach (var decision in s_decisions)
        {
            body.Append(CultureInfo.InvariantCulture, $"<form method=\"post\" action=\"/revision/{id}/{decision}\" class=\"inline\"><input type=\"hidden\" name=\"{tokens?.FormFieldName}\" value=\"{tokens?.RequestToken}\"><button type=\"submit\" class=\"{decision}\">{text[decision]}</button></form> ");
        }

        body.Append("</section>");
        return Page(ctx, text, title, body.ToString());
    }

    /// <summary>A weight with its sign (+ or −, none for 0) and two decimals in the page's culture.</summary>
    private static string Signed(double value, PageText text) =>
        (value > 0 ? "+" : value < 0 ? "−" : string.Empty) + Math.Abs(value).ToString("#,##0.00", text.Culture);

    // The calls the active model flagged, each with its narrative and the words that drove the score highlighted
    // (red towards TIP, blue away, stronger colour for a larger contribution), and confirm/reject buttons.
    private static async Task<IResult> CallReviewAsync(HttpContext ctx, WebServerOptions options, CancellationToken ct)
    {
        var text = PageText.For(ctx);
        var queue = await ReportAsync(options, ["model", "review", "--spans", "--limit", CallQueueLength.ToString(CultureInfo.InvariantCulture)], ct);
        if (queue.Error is not null)
        {
            return Page(ctx, text, text["call_review"], $"<p role=\"alert\">{WebUtility.HtmlEncode(queue.Error)}</p>", StatusCodes.Status400BadRequest);
        }

        var tokens = ctx.RequestServices.GetService(typeof(IAntiforgery)) is IAntiforgery antiforgery ? antiforgery.GetAndStoreTokens(ctx) : null;
        var body = new StringBuilder().Append(CultureInfo.InvariantCulture, $"<p>{text["call_review_intro"]} <mark class=\"tip\">{text["towards_tip"]}</mark> <mark class=\"not-tip\">{text["away_from_tip"]}</mark></p>");
        body.Append(CultureInfo.InvariantCulture, $"<h2>{text["flagged_calls"]} ({text.Whole(queue.Rows.Count)})</h2>");
        foreach (var row in queue.Rows)
        {
            var id = row["call_id"].GetString()!;
            var date = row["call_date"].GetString() is { } day ? DateOnly.ParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture).ToString("d", text.Culture) : string.Empty;
            var category = row["operator_category"].ValueKind == JsonValueKind.String ? row["operator_category"].GetString() : "—";
            body.Append(CultureInfo.InvariantCulture, $"""
                <article class="call" data-call="{WebUtility.HtmlEncode(id)}"><h3>{WebUtility.HtmlEncode(id)} · {date} · {WebUtility.HtmlEncode(Cell(row["department"], text))}</h3>
                <p class="facts">{text["probability"]}: <strong class="probability">{text.Number(row["probability"].GetDouble(), 3)}</strong> · {text["operator_category"]}: {WebUtility.HtmlEncode(category)}</p>
                <p class="narrative">{Highlighted(row["narrative"].GetString() ?? string.Empty, row["spans"].GetString() ?? string.Empty)}</p>
                <p class="top-words">{text["top_words"]}: {WebUtility.HtmlEncode(row["top_words"].GetString())}</p>
                """);
            foreach (var decision in s_callDecisions)
            {
                body.Append(CultureInfo.InvariantCulture, $"<form method=\"post\" action=\"/revision/llamadas/{Uri.EscapeDataString(id)}/{decision}\" class=\"inline\"><input type=\"hidden\" name=\"{tokens?.FormFieldName}\" value=\"{tokens?.RequestToken}\"><button type=\"submit\" class=\"{decision}\">{text["call_" + decision]}</button></form>");
            }

            body.Append("</article>");
        }

        return Page(ctx, text, text["call_review"], body.ToString());
    }

    // The narrative, HTML-encoded, with each span (start:length:contribution, from 'tipw model review --spans') in a <mark>
    // whose colour says the direction and whose strength the size, relative to the call's largest contribution.
    private static string Highlighted(string narrative, string spans)
    {
        var parsed = new List<(int Start, int Length, double Contribution)>();
        foreach (var part in spans.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = part.Split(':');
            if (fields.Length == 3
                && int.TryParse(fields[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var start)
                && int.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var length)
                && double.TryParse(fields[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var contribution)
                && start >= 0 && length > 0 && start + length <= narrative.Length)
            {
                parsed.Add((start, length, contribution));
            }
        }

        var largest = parsed.Select(p => Math.Abs(p.Contribution)).DefaultIfEmpty(0).Max();
        var html = new StringBuilder(narrative.Length * 2);
        var at = 0;
        foreach (var (start, length, contribution) in parsed.OrderBy(p => p.Start))
        {
            // Words below a tenth of the largest contribution stay plain: colouring every word would hide the telling ones.
            if (start < at || Math.Abs(contribution) < largest / 10)
            {
                continue;
            }

            var strength = 0.15 + (0.65 * Math.Abs(contribution) / largest);
            var colour = contribution > 0 ? "215,48,39" : "49,130,189";
            html.Append(WebUtility.HtmlEncode(narrative[at..start]));
            html.Append(CultureInfo.InvariantCulture, $"<mark class=\"{(contribution > 0 ? "tip" : "not-tip")}\" data-contribution=\"{contribution:0.####}\" title=\"{contribution:+0.00;-0.00}\" style=\"background: rgba({colour},{strength:0.00})\">{WebUtility.HtmlEncode(narrative.Substring(start, length))}</mark>");
            at = start + length;
        }

        return html.Append(WebUtility.HtmlEncode(narrative[at..])).ToString();
    }

    private static string MapOf(Report regions, string metric, PageText text)
    {
        var values = new Dictionary<string, double>();
        foreach (var row in regions.Rows)
        {
            if (Number(row, metric) is { } value && row["department"].GetString() is { } department)
            {
                values[PeruMap.Normalize(department)] = metric == "tip_share_of_calls" ? value * 100 : value;
            }
        }

        return PeruMap.Render(values, v => text.Number(v), text[metric]);
    }

    private static string Legend(Report regions, string metric, PageText text)
    {
        var max = regions.Rows.Select(r => Number(r, metric)).Where(v => v is not null).Select(v => metric == "tip_share_of_calls" ? v!.Value * 100 : v!.Value).DefaultIfEmpty(0).Max();
        var legend = new StringBuilder("<ul class=\"map-legend\">");
        for (var i = 0; i < PeruMap.Palette.Count; i++)
        {
            legend.Append(CultureInfo.InvariantCulture, $"<li><span style=\"background:{PeruMap.Palette[i]}\"></span>{text.Number(max * i / PeruMap.Palette.Count)} – {text.Number(max * (i + 1) / PeruMap.Palette.Count)}</li>");
        }

        return legend.Append(CultureInfo.InvariantCulture, $"<li><span style=\"background:{PeruMap.NoData}\"></span>—</li></ul>").ToString();
    }

    private static string Table(Report report, PageText text, bool published)
    {
        var columns = report.Columns.Where(c => c != "suppressed_cells").ToList();
        var html = new StringBuilder("<table><thead><tr>");
        html.Append(string.Concat(columns.Select(c => $"<th title=\"{WebUtility.HtmlEncode(c)}\">{WebUtility.HtmlEncode(text[c])}</th>"))).Append("</tr></thead><tbody>");
        foreach (var row in report.Rows)
        {
            var suppressed = published && row.TryGetValue("suppressed_cells", out var names) && names.ValueKind == JsonValueKind.String
                ? names.GetString()!.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries).ToHashSet()
                : [];
            html.Append("<tr>");
            foreach (var column in columns)
            {
                html.Append(suppressed.Contains(column)
                    ? $"<td class=\"suppressed\" data-column=\"{column}\" title=\"{text["suppressed"]}\">x</td>"
                    : $"<td data-column=\"{column}\">{WebUtility.HtmlEncode(Cell(row[column], text))}</td>");
            }

            html.Append("</tr>");
        }

        return html.Append("</tbody></table>").ToString();
    }

    private static string Cell(JsonElement value, PageText text) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetInt64(out var whole) => text.Whole(whole),
        JsonValueKind.Number => text.Number(value.GetDouble(), 4),
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.True => "✓",
        JsonValueKind.False => "—",
        _ => string.Empty,
    };

    private static double? Number(Dictionary<string, JsonElement> row, string column) =>
        row.TryGetValue(column, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    private static string Attr(HttpContext ctx, string name) => WebUtility.HtmlEncode(ctx.Request.Query[name].ToString());

    private static string Hidden(HttpContext ctx, string name) =>
        ctx.Request.Query[name].ToString() is { Length: > 0 } v ? $"<input type=\"hidden\" name=\"{name}\" value=\"{WebUtility.HtmlEncode(v)}\">" : string.Empty;

    private sealed record Report(List<string> Columns, List<Dictionary<string, JsonElement>> Rows, List<string> Notes, string? Error, int ExitCode = 0);

    private static async Task<Report> ReportAsync(WebServerOptions options, List<string> args, CancellationToken ct, string? home = null)
    {
        var outcome = await options.Cli([.. args, "--home", home ?? options.Home.Root, "--format", "json"], null, ct);
        if (outcome.ExitCode != 0)
        {
            return new Report([], [], [], WebServer.ErrorMessage(outcome.Error), outcome.ExitCode);
        }

        using var document = JsonDocument.Parse(outcome.Out);
        var rows = document.RootElement.EnumerateArray().Select(r => r.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone())).ToList();
        var columns = rows.FirstOrDefault()?.Keys.ToList() ?? [];
        var notes = outcome.Error.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("tipw", StringComparison.Ordinal)).ToList();
        return new Report(columns, rows, notes, null);
    }

    /// <summary>The page frame: navigation, language toggle, user and sign-out, print-friendly styles, the legend-toggle script.</summary>
    public static IResult Page(HttpContext ctx, PageText text, string title, string body, int status = StatusCodes.Status200OK)
    {
        var signedIn = ctx.User.Identity?.IsAuthenticated == true;
        var toggle = QueryWith(ctx, "lang", text.English ? "es" : "en");
        var tokens = signedIn && ctx.RequestServices.GetService(typeof(IAntiforgery)) is IAntiforgery antiforgery ? antiforgery.GetAndStoreTokens(ctx) : null;
        var user = signedIn
            ? $"{text["user"]}: {WebUtility.HtmlEncode(ctx.User.Identity!.Name)} ({WebUtility.HtmlEncode(WebServer.Role(ctx.User))}) <form method=\"post\" action=\"/signout\" class=\"inline\"><input type=\"hidden\" name=\"{tokens?.FormFieldName}\" value=\"{tokens?.RequestToken}\"><button type=\"submit\">{text["signout"]}</button></form>"
            : $"<a href=\"/signin\">{text["signin"]}</a>";
        var html = $$"""
            <!DOCTYPE html>
            <html lang="{{text.Code}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{WebUtility.HtmlEncode(title)}} — TipWarehouse</title>
            <style>
              body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 0 16px; color: #222; }
              header { display: flex; gap: 16px; align-items: center; border-bottom: 1px solid #ccc; padding: 8px 0; flex-wrap: wrap; }
              header nav a { margin-right: 12px; } .inline { display: inline; }
              .chart { width: 100%; max-width: 900px; height: auto; } .map { width: 100%; max-width: 460px; height: auto; }
              .legend button { border: 1px solid #ccc; background: #fff; margin: 2px; cursor: pointer; } .legend button[aria-pressed=false] { opacity: .4; }
              .legend span, .map-legend span { display: inline-block; width: 12px; height: 12px; margin-right: 4px; }
              .map-legend { list-style: none; padding: 0; display: flex; gap: 12px; flex-wrap: wrap; }
              table { border-collapse: collapse; font-size: 13px; } td, th { border: 1px solid #ddd; padding: 2px 6px; } td { text-align: right; }
              td.suppressed { background: #f3f3f3; color: #888; text-align: center; } .notes { font-size: 12px; color: #555; }
              .department:hover { stroke: #000; stroke-width: 1.5; }
              table.side-by-side td, table.breakdown td { text-align: left; } table.side-by-side th { text-align: left; background: #f6f6f6; }
              .bar-cell { position: relative; width: 240px; } .bar-cell .axis { position: absolute; left: 50%; top: 0; bottom: 0; border-left: 1px solid #999; }
              .bar { position: absolute; top: 3px; bottom: 3px; } .bar.positive { background: #2ca02c; } .bar.negative { background: #d62728; }
              tr.total th, tr.total td { font-weight: bold; } .check { font-weight: bold; }

              article.call { border-bottom: 1px solid #ddd; padding: 4px 0 10px; } article.call h3 { font-size: 15px; margin: 8px 0 2px; }
              mark.tip { background: rgba(215,48,39,.5); } mark.not-tip { background: rgba(49,130,189,.5); } .narrative { line-height: 1.6; }
              @media print { header nav, .filters, .legend, form { display: none; } }
            </style></head>
            <body><header><strong>TipWarehouse</strong><nav><a href="/">{{text["dashboard"]}}</a><a href="/evaluacion">{{text["evaluation"]}}</a><a href="/operaciones">{{text["operations"]}}</a><a href="/consulta">{{text["console"]}}</a><a href="/admin">{{text["admin"]}}</a><a href="/publicado">{{text["published"]}}</a><a href="/revision">{{text["review"]}}</a><a href="/revision/llamadas">{{text["call_review"]}}</a></nav>
            <a id="lang-toggle" href="{{toggle}}">{{text["language"]}}</a><span class="user">{{user}}</span></header>
            <main><h1>{{WebUtility.HtmlEncode(title)}}</h1>{{body}}</main>
            <script>
              document.querySelectorAll('.legend-item').forEach(function (b) { b.addEventListener('click', function () {
                var on = b.getAttribute('aria-pressed') !== 'true'; b.setAttribute('aria-pressed', on);
                var g = document.querySelector('#' + b.dataset.chart + ' [data-series="' + b.dataset.series + '"]'); if (g) g.style.display = on ? '' : 'none'; }); });
            </script></body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    private static string QueryWith(HttpContext ctx, string key, string value)
    {
        var pairs = ctx.Request.Query.Where(q => q.Key != key).Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value.ToString())}").Append($"{key}={value}");
        return WebUtility.HtmlEncode(ctx.Request.Path + "?" + string.Join("&", pairs));
    }
}
