using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace TipWarehouse.Web.Tests;

/// <summary>The JSON API of <c>tipw serve --web</c> against a served demo warehouse: the CLI's contract, roles, tokens, audit, and the CLI next to the server.</summary>
[Collection(ServedDemoGroup.Name)]
public sealed partial class ApiTests(ServedDemo served)
{
    [Theory]
    [InlineData("monthly", "")]
    [InlineData("monthly", "by=quarter&from=2006-01&to=2007-06")]
    [InlineData("monthly", "publish=true&k=5")]
    [InlineData("funnel", "")]
    [InlineData("regions", "level=department")]
    [InlineData("referrals", "by=year")]
    [InlineData("law-effect", "")]
    [InlineData("training-effect", "")]
    public async Task Report_api_returns_exactly_the_cli_json(string report, string query)
    {
        using var client = served.Client(WebRoles.MscAnalyst);
        using var response = await client.GetAsync($"/api/reports/{report}?{query}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.StartsWith("application/json", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);

        var args = new List<string> { "report", report, "--home", served.Home, "--format", "json" };
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=')))
        {
            args.AddRange(pair[0] == "publish" ? ["--publish"] : ["--" + pair[0], pair[1]]);
        }

        var cli = await served.RunDirectAsync([.. args]);
        Assert.True(cli.ExitCode == 0, cli.Error);
        Assert.Equal(cli.Out, body);
        Assert.NotEmpty(JsonDocument.Parse(body).RootElement.EnumerateArray());
    }

    [Fact]
    public async Task Report_errors_are_json_with_the_cli_message()
    {
        using var client = served.Client(WebRoles.Admin);
        using var badOption = await client.GetAsync("/api/reports/monthly?by=week");
        Assert.Equal(HttpStatusCode.BadRequest, badOption.StatusCode);
        var cli = await served.RunDirectAsync("report", "monthly", "--home", served.Home, "--by", "week");
        Assert.Equal(2, cli.ExitCode);
        Assert.Equal(WebServer.ErrorMessage(cli.Error), Error(await badOption.Content.ReadAsStringAsync()));

        using var unknown = await client.GetAsync("/api/reports/monthly?from=2006-01&colour=red");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("colour", Error(await unknown.Content.ReadAsStringAsync()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expected_cli_failure_answers_409_a_usage_error_400_and_a_defect_500()
    {
        var empty = Directory.CreateTempSubdirectory("tipw-empty-").FullName;
        try
        {
            var init = await served.RunDirectAsync("init", "--home", empty);
            Assert.True(init.ExitCode == 0, init.Error);
            // A report before any load is an expected failure of the warehouse's state, not a defect of the server.
            var report = await served.RunDirectAsync("report", "monthly", "--home", empty, "--format", "json");
            Assert.Equal(1, report.ExitCode);
            Assert.Contains("holds no facts yet", report.Error, StringComparison.Ordinal);
            Assert.Equal(StatusCodes.Status409Conflict, WebServer.HttpStatusFor(report.ExitCode));
            Assert.Equal(StatusCodes.Status400BadRequest, WebServer.HttpStatusFor(Cli.CliApp.UsageError));
            Assert.Equal(StatusCodes.Status500InternalServerError, WebServer.HttpStatusFor(Cli.CliApp.InternalError));
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    [Fact]
    public async Task Public_sees_published_reports_only()
    {
        using var anonymous = served.Client();
        using var raw = await anonymous.GetAsync("/api/reports/regions");
        Assert.Equal(HttpStatusCode.Unauthorized, raw.StatusCode);
        using var published = await anonymous.GetAsync("/api/reports/regions?publish=true");
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        var cli = await served.RunDirectAsync("report", "regions", "--home", served.Home, "--format", "json", "--publish");
        Assert.Equal(cli.Out, await published.Content.ReadAsStringAsync());
        using var runs = await anonymous.GetAsync("/api/runs");
        Assert.Equal(HttpStatusCode.Unauthorized, runs.StatusCode);

        // A signed-in user with the public role is refused, not asked to sign in.
        using var publicUser = served.Client(WebRoles.Public);
        using var forbidden = await publicUser.GetAsync("/api/reports/regions");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }

    public static TheoryData<string, string> Endpoints() => new()
    {
        { "/api/reports/monthly", string.Join(',', WebRoles.Reports) },
        { "/api/runs?last=3", string.Join(',', WebRoles.Operations) },
        { "/api/schedule", string.Join(',', WebRoles.Operations) },
        { "/api/linkage/review", string.Join(',', WebRoles.Review) },
        { "/api/model/review", string.Join(',', WebRoles.Review) },
        { "/api/exports/rpt.v_monthly_national?format=csv", string.Join(',', WebRoles.Export) },
        { "/api/query?sql=SELECT%2042%20AS%20answer", string.Join(',', WebRoles.Query) },
        { "/api/audit?last=5", string.Join(',', WebRoles.Audit) },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Each_role_is_refused_with_403_outside_its_rights(string path, string allowed)
    {
        var allowedRoles = allowed.Split(',');
        foreach (var role in WebRoles.All)
        {
            using var client = served.Client(role);
            using var response = await client.GetAsync(path);
            var expected = allowedRoles.Contains(role) ? HttpStatusCode.OK : HttpStatusCode.Forbidden;
            Assert.True(expected == response.StatusCode, $"{role} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        using var anonymous = served.Client();
        using var challenged = await anonymous.GetAsync(path);
        Assert.Equal(HttpStatusCode.Unauthorized, challenged.StatusCode);
    }

    [Fact]
    public async Task Runs_and_query_answer_what_the_cli_prints()
    {
        using var engineer = served.Client(WebRoles.DataEngineer);
        using var runs = await engineer.GetAsync("/api/runs?last=4");
        var cliRuns = await served.RunDirectAsync("runs", "--home", served.Home, "--format", "json", "--last", "4");
        Assert.Equal(cliRuns.Out, await runs.Content.ReadAsStringAsync());

        var sql = "SELECT count(*) AS calls FROM dw.fact_hotline_call";
        using var query = await engineer.GetAsync("/api/query?sql=" + Uri.EscapeDataString(sql));
        // Ad-hoc SQL reads the BI snapshot (its own read-only database), never the live instance.
        var snapshotHome = new WarehouseSnapshot(Core.TipwHome.At(served.Home)).SnapshotHome.Root;
        var cliQuery = await served.RunDirectAsync("query", sql, "--home", snapshotHome, "--format", "json");
        Assert.Equal(cliQuery.Out, await query.Content.ReadAsStringAsync());

        using var write = await engineer.GetAsync("/api/query?sql=" + Uri.EscapeDataString("DELETE FROM dw.fact_hotline_call"));
        Assert.Equal(HttpStatusCode.BadRequest, write.StatusCode);
        Assert.Contains("read-only", Error(await write.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        using var file = await engineer.GetAsync("/api/query?sql=" + Uri.EscapeDataString("SELECT * FROM read_csv('/etc/passwd')"));
        Assert.NotEqual(HttpStatusCode.OK, file.StatusCode);
    }

    [Fact]
    public async Task A_revoked_token_no_longer_authenticates()
    {
        var added = await served.RunDirectAsync("users", "token", "msc-analyst", "--home", served.Home);
        Assert.Equal(0, added.ExitCode);
        var token = added.Out.Trim();
        using var client = served.Client();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        using (var before = await client.GetAsync("/api/reports/funnel"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        // Revoked through the CLI, which goes through the running server.
        var revoked = await served.RunCliAsync("users", "token", "msc-analyst", "--revoke", "--home", served.Home);
        Assert.True(revoked.ExitCode == 0, revoked.Error);
        using var after = await client.GetAsync("/api/reports/funnel");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Contains("revoked", Error(await after.Content.ReadAsStringAsync()), StringComparison.Ordinal);

        var renewed = await served.RunDirectAsync("users", "token", "msc-analyst", "--home", served.Home);
        served.Tokens[WebRoles.MscAnalyst] = renewed.Out.Trim();
    }

    [Fact]
    public async Task Cookie_sign_in_needs_the_anti_forgery_token_and_is_audited()
    {
        using var browser = served.Client();
        var form = await browser.GetStringAsync("/signin");
        var csrf = CsrfField().Match(form).Groups[1].Value;
        Assert.NotEmpty(csrf);

        using (var forged = await browser.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "reviewer", ["password"] = ServedDemo.Password })))
        {
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        }

        using (var wrong = await browser.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["__csrf"] = csrf, ["name"] = "reviewer", ["password"] = "not-the-password" })))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using (var signedIn = await browser.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["__csrf"] = csrf, ["name"] = "reviewer", ["password"] = ServedDemo.Password })))
        {
            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        }

        var me = JsonDocument.Parse(await browser.GetStringAsync("/api/me")).RootElement;
        Assert.Equal("reviewer", me.GetProperty("role").GetString());
        using (var queue = await browser.GetAsync("/api/linkage/review"))
        {
            Assert.Equal(HttpStatusCode.OK, queue.StatusCode);
        }

        // A cookie-authenticated POST without the anti-forgery header is refused.
        using var noHeader = await browser.PostAsync("/api/linkage/review/1/accept", null);
        Assert.Equal(HttpStatusCode.BadRequest, noHeader.StatusCode);

        var audit = await AuditAsync(AuditLog.SignIn);
        Assert.Contains(audit, e => e.User == "reviewer" && e.Outcome == "ok");
        Assert.Contains(audit, e => e.User == "reviewer" && e.Outcome == "denied");
    }

    [Fact]
    public async Task Exports_queries_review_decisions_and_user_changes_leave_audit_rows()
    {
        using var analyst = served.Client(WebRoles.MscAnalyst);
        using (var export = await analyst.GetAsync("/api/exports/rpt.v_monthly_national?format=parquet"))
        {
            Assert.True(export.StatusCode == HttpStatusCode.OK, await export.Content.ReadAsStringAsync());
            var bytes = await export.Content.ReadAsByteArrayAsync();
            Assert.Equal("PAR1", System.Text.Encoding.ASCII.GetString(bytes, 0, 4));
        }

        using (var query = await analyst.PostAsync("/api/query", new StringContent("{\"sql\": \"SELECT 1 AS one\"}", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.True(query.StatusCode == HttpStatusCode.OK, await query.Content.ReadAsStringAsync());
        }

        using var reviewer = served.Client(WebRoles.Reviewer);
        var queue = JsonDocument.Parse(await reviewer.GetStringAsync("/api/linkage/review?all=true")).RootElement;
        Assert.NotEmpty(queue.EnumerateArray());
        var id = queue[0].GetProperty("id").GetInt64();
        using (var decision = await reviewer.PostAsync($"/api/linkage/review/{id}/reject", null))
        {
            Assert.True(decision.StatusCode == HttpStatusCode.OK, await decision.Content.ReadAsStringAsync());
        }

        var decided = JsonDocument.Parse(await reviewer.GetStringAsync("/api/linkage/review?all=true")).RootElement.EnumerateArray()
            .Single(p => p.GetProperty("id").GetInt64() == id);
        Assert.Equal("reviewer", decided.GetProperty("decided_by").GetString());
        Assert.Equal("rejected", decided.GetProperty("status").GetString());

        var noPassword = await served.RunCliAsync("users", "add", "auditor-y", "--role", "iom_evaluator", "--home", served.Home);
        Assert.Equal(2, noPassword.ExitCode);
        Assert.Equal(0, (await served.AddUserAsync("auditor-x", WebRoles.IomEvaluator)).ExitCode);
        var removed = await served.RunCliAsync("users", "remove", "auditor-x", "--home", served.Home);
        Assert.True(removed.ExitCode == 0, removed.Error);

        Assert.Contains(await AuditAsync(AuditLog.Export), e => e.User == "msc-analyst" && e.Parameters.Contains("parquet", StringComparison.Ordinal));
        Assert.Contains(await AuditAsync(AuditLog.Query), e => e.User == "msc-analyst" && e.Parameters.Contains("SELECT 1", StringComparison.Ordinal));
        Assert.Contains(await AuditAsync(AuditLog.ReviewDecision), e => e.User == "reviewer" && e.Parameters.Contains("reject", StringComparison.Ordinal));
        Assert.Contains(await AuditAsync(AuditLog.UserChange), e => e.Parameters.Contains("\"remove\"", StringComparison.Ordinal) && e.Parameters.Contains("\"auditor-x\"", StringComparison.Ordinal));
        var users = await served.RunDirectAsync("users", "list", "--home", served.Home, "--format", "csv");
        Assert.DoesNotContain("auditor-x", users.Out, StringComparison.Ordinal);
        Assert.Contains("msc-analyst,msc_analyst,", users.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_call_review_decision_through_the_api_is_listed_with_the_user_audited_and_forwarded_cli_sees_it()
    {
        using var reviewer = served.Client(WebRoles.Reviewer);
        var queue = JsonDocument.Parse(await reviewer.GetStringAsync("/api/model/review")).RootElement;
        var first = queue.EnumerateArray().First();
        var id = first.GetProperty("call_id").GetString()!;
        var narrative = first.GetProperty("narrative").GetString()!;
        var spans = first.GetProperty("spans").GetString()!.Split(';').Select(s => s.Split(':')).ToList();
        Assert.All(spans, s => Assert.True(int.Parse(s[0], CultureInfo.InvariantCulture) + int.Parse(s[1], CultureInfo.InvariantCulture) <= narrative.Length));
        using (var decision = await reviewer.PostAsync($"/api/model/review/{id}/reject", null))
        {
            Assert.True(decision.StatusCode == HttpStatusCode.OK, await decision.Content.ReadAsStringAsync());
        }

        using (var unknown = await reviewer.PostAsync($"/api/model/review/{id}/maybe", null))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        // The CLI, run while the server owns the warehouse, goes through it and lists the decision with the reviewer's name.
        var listed = await served.RunCliAsync("model", "review", "--all", "--home", served.Home, "--format", "json");
        Assert.True(listed.ExitCode == 0, listed.Error);
        Assert.Contains("via the running 'tipw serve'", listed.Error, StringComparison.Ordinal);
        var decided = JsonDocument.Parse(listed.Out).RootElement.EnumerateArray().First(r => r.GetProperty("call_id").GetString() == id);
        Assert.Equal(("reject", "reviewer"), (decided.GetProperty("decision").GetString(), decided.GetProperty("decided_by").GetString()));
        Assert.Contains(await AuditAsync(AuditLog.ReviewDecision), e => e.User == "reviewer" && e.Parameters.Contains(id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_cli_goes_through_the_running_server()
    {
        var report = await served.RunCliAsync("report", "monthly", "--home", served.Home, "--format", "json", "--from", "2007-01");
        Assert.True(report.ExitCode == 0, report.Error);
        Assert.Contains("via the running 'tipw serve'", report.Error, StringComparison.Ordinal);
        using var client = served.Client(WebRoles.IomEvaluator);
        Assert.Equal(await client.GetStringAsync("/api/reports/monthly?from=2007-01"), report.Out);

        var query = await served.RunCliAsync("query", "SELECT count(*) AS n FROM dw.fact_police_report", "--home", served.Home, "--format", "csv");
        Assert.True(query.ExitCode == 0, query.Error);
        Assert.Contains("via the running 'tipw serve'", query.Error, StringComparison.Ordinal);
        Assert.Matches("^n\r\n[1-9][0-9]*\r\n$", query.Out);
        Assert.Contains(await AuditAsync(AuditLog.Query), e => e.User == "local" && e.Parameters.Contains("fact_police_report", StringComparison.Ordinal));

        var runs = await served.RunCliAsync("runs", "--home", served.Home, "--format", "csv", "--last", "2");
        Assert.True(runs.ExitCode == 0, runs.Error);
        var usage = await served.RunCliAsync("runs", "--home", served.Home, "--last", "0");
        Assert.Equal(2, usage.ExitCode);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_snapshot_is_a_read_only_copy_beside_the_live_file()
    {
        var snapshot = new WarehouseSnapshot(Core.TipwHome.At(served.Home));
        Assert.True(File.Exists(snapshot.FilePath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead, File.GetUnixFileMode(snapshot.FilePath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ServeInfo.PathIn(Core.TipwHome.At(served.Home))));
    }

    private async Task<List<AuditRow>> AuditAsync(string action)
    {
        using var admin = served.Client(WebRoles.Admin);
        var body = await admin.GetStringAsync("/api/audit?action=" + action);
        return [.. JsonDocument.Parse(body).RootElement.EnumerateArray().Select(e => new AuditRow(
            e.GetProperty("user_name").GetString()!, e.GetProperty("outcome").GetString()!, e.GetProperty("parameters").GetString() ?? string.Empty))];
    }

    private static string Error(string body) => JsonDocument.Parse(body).RootElement.GetProperty("error").GetString()!;

    [GeneratedRegex("name=\"__csrf\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();

    private sealed record AuditRow(string User, string Outcome, string Parameters);
}
