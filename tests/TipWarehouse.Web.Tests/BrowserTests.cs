using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;

namespace TipWarehouse.Web.Tests;

/// <summary>The pages in headless Chromium (Debian's <c>chromium</c>, or <c>TIPW_TEST_CHROMIUM</c>): sign-in per role, numbers equal to the CLI's reports, the map's colours, 403s, a review decision, published cells only, the language toggle.</summary>
[Collection(ServedDemoGroup.Name)]
public sealed class BrowserTests(ServedDemo served) : IAsyncLifetime
{
    /// <summary>Set to write the pages' screenshots into the repository's docs/ folder.</summary>
    public const string UpdateScreenshotsVariable = "TIPW_UPDATE_SCREENSHOTS";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("TIPW_TEST_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium",
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    [Theory]
    [InlineData(WebRoles.MscAnalyst, "/")]
    [InlineData(WebRoles.IomEvaluator, "/")]
    [InlineData(WebRoles.Admin, "/")]
    [InlineData(WebRoles.Reviewer, "/revision")]
    [InlineData(WebRoles.DataEngineer, "/publicado")]
    [InlineData(WebRoles.Public, "/publicado")]
    public async Task Each_role_signs_in_and_lands_on_its_page(string role, string landing)
    {
        var page = await SignInAsync(role);
        Assert.Equal(landing, new Uri(page.Url).AbsolutePath);
        Assert.Contains($"({role})", await page.InnerTextAsync("header .user"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dashboard_shows_the_numbers_of_the_cli_reports()
    {
        var page = await SignInAsync(WebRoles.MscAnalyst);
        var monthly = await CliJsonAsync("report", "monthly");
        foreach (var row in monthly.Where(r => r.GetProperty("period").GetString() is "2006-06" or "2007-01" or "2007-12"))
        {
            var period = row.GetProperty("period").GetString();
            foreach (var series in new[] { "hotline_calls", "calls_tip_by_model", "tip_police_reports", "convictions" })
            {
                var shown = await page.GetAttributeAsync($"[data-series='{series}'] circle[data-period='{period}']", "data-value");
                Assert.Equal(row.GetProperty(series).GetDouble(), double.Parse(shown!, CultureInfo.InvariantCulture));
            }
        }

        foreach (var stage in await CliJsonAsync("report", "funnel"))
        {
            var shown = await page.GetAttributeAsync($"#chart-funnel rect[data-label='{stage.GetProperty("stage").GetString()}']", "data-value");
            Assert.Equal(stage.GetProperty("cases").GetDouble(), double.Parse(shown!, CultureInfo.InvariantCulture));
        }

        // The markers of the hotline opening and the law are drawn on both series charts.
        Assert.Equal(4, await page.Locator(".marker").CountAsync());
    }

    [Theory]
    [InlineData(WebRoles.IomEvaluator)]
    [InlineData(WebRoles.MscAnalyst)]
    public async Task The_evaluation_page_shows_the_estimates_intervals_and_assumptions_of_the_cli_reports(string role)
    {
        var page = await SignInAsync(role);
        Assert.Equal(200, (await page.GotoAsync("/evaluacion"))!.Status);
        foreach (var (report, label, estimate) in new[] { ("training-effect", "estimate", "did_estimate"), ("law-effect", "term", "estimate") })
        {
            var rows = await CliJsonAsync("report", report);
            Assert.NotEmpty(rows);
            Assert.Equal(rows.Count, await page.Locator($"#chart-{report} g.estimate").CountAsync());
            Assert.Equal(rows.Count, await page.Locator($"#{report} table tbody tr").CountAsync());
            foreach (var row in rows)
            {
                var g = page.Locator($"#chart-{report} g.estimate[data-label='{row.GetProperty(label).GetString()}']");
                foreach (var (column, attribute) in new[] { (estimate, "data-value"), ("ci_low", "data-low"), ("ci_high", "data-high") })
                {
                    var shown = await g.GetAttributeAsync(attribute);
                    if (row.GetProperty(column).ValueKind == JsonValueKind.Number)
                    {
                        Assert.Equal(row.GetProperty(column).GetDouble(), double.Parse(shown!, CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        Assert.True(string.IsNullOrEmpty(shown), $"{report} {column}: {shown}");
                    }
                }
            }

            // The reports' stated assumptions (their notes) are shown.
            Assert.Contains("Assumptions:", await page.InnerTextAsync($"#{report} ul.notes"), StringComparison.Ordinal);
        }

        Assert.Equal("Evaluación de estrategias", await page.InnerTextAsync("main h1"));
        var reviewer = await SignInAsync(WebRoles.Reviewer);
        Assert.Equal(403, (await reviewer.GotoAsync("/evaluacion"))!.Status);
        var engineer = await SignInAsync(WebRoles.DataEngineer);
        Assert.Equal(403, (await engineer.GotoAsync("/evaluacion"))!.Status);
    }

    [Fact]
    public async Task The_operations_page_shows_pipelines_runs_freshness_and_quarantine_of_the_cli()
    {
        var page = await SignInAsync(WebRoles.DataEngineer);
        Assert.Equal(200, (await page.GotoAsync("/operaciones"))!.Status);
        var schedule = await CliJsonAsync("schedule");
        Assert.NotEmpty(schedule);
        foreach (var row in schedule)
        {
            var tr = page.Locator($"table.pipelines tr[data-pipeline='{row.GetProperty("pipeline").GetString()}']");
            Assert.Equal(row.GetProperty("last_status").GetString() ?? string.Empty, await tr.Locator("td[data-column='last_status']").InnerTextAsync());
        }

        var runs = await CliJsonAsync("runs", "--last", "50");
        Assert.Equal(runs.Count, await page.Locator("#runs table tbody tr").CountAsync());
        var spanish = CultureInfo.GetCultureInfo("es-PE");
        for (var i = 0; i < runs.Count; i++)
        {
            foreach (var column in new[] { "rows_read", "rows_loaded", "rows_rejected", "rows_duplicate" })
            {
                Assert.Equal(runs[i].GetProperty(column).GetInt64().ToString("N0", spanish), await page.Locator("#runs table tbody tr").Nth(i).Locator($"td[data-column='{column}']").InnerTextAsync());
            }
        }

        Assert.Equal(runs.Count(r => r.GetProperty("failed_tests").ValueKind == JsonValueKind.String), await page.Locator("#failed-tests table tbody tr").CountAsync());
        Assert.Equal((await CliJsonAsync("runs", "--freshness")).Count, await page.Locator("#freshness table tbody tr").CountAsync());
        // The quarantine is read from the snapshot ('tipw query' would lock the live instance against file access).
        var snapshotHome = new WarehouseSnapshot(Core.TipwHome.At(served.Home)).SnapshotHome.Root;
        var rejects = await served.RunDirectAsync("query", "SELECT count(*) AS n FROM meta.reject", "--home", snapshotHome, "--format", "csv");
        Assert.Equal(Math.Min(200, long.Parse(rejects.Out.Split('\n')[1], CultureInfo.InvariantCulture)), await page.Locator("#quarantine table tbody tr").CountAsync());
        using (var engineer = served.Client(WebRoles.DataEngineer))
        using (var export = await engineer.GetAsync("/api/exports/rpt.v_monthly_national?format=parquet"))
        {
            // The page left the live warehouse able to write files: an export after it still works.
            Assert.True(export.StatusCode == System.Net.HttpStatusCode.OK, await export.Content.ReadAsStringAsync());
        }

        // Pause and resume change the schedule; trigger queues a fire that the scheduler records.
        var pipeline = schedule[0].GetProperty("pipeline").GetString()!;
        var buttons = page.Locator($"table.pipelines tr[data-pipeline='{pipeline}']");
        // Each button posts and redirects back to /operaciones, the URL it was on (see the admin test): the page the redirect
        // loads is awaited by the button it shows next, and the trigger by the response to its post.
        await buttons.Locator("button.pause").ClickAsync();
        await Assertions.Expect(buttons.Locator("button.resume")).ToBeVisibleAsync();
        Assert.True((await CliJsonAsync("schedule")).Single(r => r.GetProperty("pipeline").GetString() == pipeline).GetProperty("paused").GetBoolean());
        await page.Locator($"table.pipelines tr[data-pipeline='{pipeline}'] button.resume").ClickAsync();
        await Assertions.Expect(buttons.Locator("button.pause")).ToBeVisibleAsync();
        Assert.False((await CliJsonAsync("schedule")).Single(r => r.GetProperty("pipeline").GetString() == pipeline).GetProperty("paused").GetBoolean());

        var fires = (await CliJsonAsync("schedule", "history")).Count;
        await page.RunAndWaitForResponseAsync(
            () => buttons.Locator("button.trigger").ClickAsync(),
            r => r.Request.Method == "POST" && r.Url.EndsWith($"/operaciones/{pipeline}/trigger", StringComparison.Ordinal));
        var triggered = (await CliJsonAsync("audit", "--action", AuditLog.Schedule)).Last();
        Assert.Equal(("data-engineer", "ok"), (triggered.GetProperty("user_name").GetString(), triggered.GetProperty("outcome").GetString()));
        Assert.Contains("trigger", triggered.GetProperty("parameters").ToString(), StringComparison.Ordinal);

        // The scheduler runs on the fixture's clock: advance it past its idle wait until the queued manual fire is recorded.
        bool Fired(List<JsonElement> history) => history.Skip(fires).Any(h => h.GetProperty("pipeline").GetString() == pipeline && h.GetProperty("trigger_kind").GetString() == "manual");
        var polls = 0;
        List<JsonElement> history;
        do
        {
            served.Time.Advance(TimeSpan.FromSeconds(6));
            await Task.Delay(500);
            history = await CliJsonAsync("schedule", "history");
        }
        while (!Fired(history) && ++polls < 120);
        Assert.True(Fired(history), $"no manual fire of {pipeline} recorded after {polls} polls");

        var analyst = await SignInAsync(WebRoles.MscAnalyst);
        Assert.Equal(403, (await analyst.GotoAsync("/operaciones"))!.Status);
        Assert.True((await analyst.APIRequest.PostAsync($"/operaciones/{pipeline}/trigger")).Status is 400 or 403, "a forged or forbidden trigger is refused");
    }

    [Fact]
    public async Task The_admin_page_lists_adds_and_removes_users_and_shows_the_audit_log()
    {
        var page = await SignInAsync(WebRoles.Admin);
        Assert.Equal(200, (await page.GotoAsync("/admin"))!.Status);
        var users = await CliJsonAsync("users", "list");
        Assert.Equal(users.Count, await page.Locator("table.users tbody tr").CountAsync());
        var audit = await CliJsonAsync("audit", "--last", "200");
        Assert.Equal(audit.Count, await page.Locator("#audit table tbody tr").CountAsync());

        await page.FillAsync("#add-user input[name=name]", "ana-evaluadora");
        await page.SelectOptionAsync("#add-user select[name=role]", WebRoles.IomEvaluator);
        await page.FillAsync("#add-user input[name=password]", ServedDemo.Password);
        await page.ClickAsync("#add-user button[type=submit]");

        // The form posts and redirects back to /admin, the URL it was on, so waiting for that URL races with the redirect
        // (it can wait on the page already loaded): the page the redirect loads is awaited by what it shows instead.
        await Assertions.Expect(page.Locator("tr[data-user='ana-evaluadora'] td[data-column='role']")).ToHaveTextAsync(WebRoles.IomEvaluator);
        Assert.EndsWith("/admin", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
        Assert.Equal(WebRoles.IomEvaluator, (await CliJsonAsync("users", "list")).Single(u => u.GetProperty("user_name").GetString() == "ana-evaluadora").GetProperty("role").GetString());
        var change = (await CliJsonAsync("audit", "--action", "user_change")).Last();
        Assert.Equal("admin", change.GetProperty("user_name").GetString());

        await page.ClickAsync("tr[data-user='ana-evaluadora'] button.remove");
        await Assertions.Expect(page.Locator("tr[data-user='ana-evaluadora']")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("table.users tbody tr")).ToHaveCountAsync(users.Count);
        Assert.DoesNotContain(await CliJsonAsync("users", "list"), u => u.GetProperty("user_name").GetString() == "ana-evaluadora");

        var engineer = await SignInAsync(WebRoles.DataEngineer);
        Assert.Equal(403, (await engineer.GotoAsync("/admin"))!.Status);
    }

    [Theory]
    [InlineData(WebRoles.MscAnalyst)]
    [InlineData(WebRoles.DataEngineer)]
    public async Task The_sql_console_shows_the_result_of_the_read_only_query_and_its_errors(string role)
    {
        var page = await SignInAsync(role);
        Assert.Equal(200, (await page.GotoAsync("/consulta"))!.Status);
        const string sql = "SELECT department_name AS department, count(*) AS n FROM rpt.v_regional_monthly GROUP BY 1 ORDER BY 1 NULLS LAST";
        await page.FillAsync("#console textarea[name=sql]", sql);
        await page.ClickAsync("#console button[type=submit]");
        await page.WaitForLoadStateAsync(LoadState.Load);
        var snapshotHome = new WarehouseSnapshot(Core.TipwHome.At(served.Home)).SnapshotHome.Root;
        var expected = await served.RunDirectAsync("query", sql, "--home", snapshotHome, "--format", "json");
        Assert.True(expected.ExitCode == 0, expected.Error);
        var rows = JsonDocument.Parse(expected.Out).RootElement.EnumerateArray().ToList();
        Assert.NotEmpty(rows);
        var shown = page.Locator("#result table tbody tr");
        Assert.Equal(rows.Count, await shown.CountAsync());
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(rows[i].GetProperty("department").GetString() ?? string.Empty, await shown.Nth(i).Locator("td[data-column='department']").InnerTextAsync());
            Assert.Equal(rows[i].GetProperty("n").GetInt64().ToString("N0", CultureInfo.GetCultureInfo("es-PE")), await shown.Nth(i).Locator("td[data-column='n']").InnerTextAsync());
        }

        await page.FillAsync("#console textarea[name=sql]", "DELETE FROM dw.fact_hotline_call");
        await page.ClickAsync("#console button[type=submit]");
        await page.WaitForLoadStateAsync(LoadState.Load);
        Assert.Contains("read-only", await page.InnerTextAsync(".query-error"), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("#result").CountAsync());

        var evaluator = await SignInAsync(WebRoles.IomEvaluator);
        Assert.Equal(403, (await evaluator.GotoAsync("/consulta"))!.Status);
    }

    [Theory]
    [InlineData("tip_calls")]
    [InlineData("tip_cases")]
    public async Task The_map_colours_the_departments_by_the_regions_report(string metric)
    {
        var page = await SignInAsync(WebRoles.IomEvaluator);
        await page.GotoAsync("/?metric=" + metric);
        var regions = (await CliJsonAsync("report", "regions", "--level", "department"))
            .Where(r => r.GetProperty(metric).ValueKind == JsonValueKind.Number)
            .ToDictionary(r => PeruMap.Normalize(r.GetProperty("department").GetString()!), r => r.GetProperty(metric).GetDouble());
        var drawn = 0;
        foreach (var department in PeruMap.Departments)
        {
            var path = page.Locator($"path.department[data-department='{department}']");
            var fill = await path.GetAttributeAsync("fill");
            if (regions.TryGetValue(department, out var value))
            {
                Assert.Equal(value, double.Parse((await path.GetAttributeAsync("data-value"))!, CultureInfo.InvariantCulture));
                Assert.Equal(PeruMap.Palette[PeruMap.ClassOf(value, regions.Values)], fill);
                drawn++;
            }
            else
            {
                Assert.Equal(PeruMap.NoData, fill);
            }
        }

        Assert.True(drawn >= 20, $"only {drawn} departments matched the regions report");
        var top = regions.MaxBy(r => r.Value).Key;
        Assert.Equal(PeruMap.Palette[^1], await page.Locator($"path.department[data-department='{top}']").GetAttributeAsync("fill"));
    }

    [Fact]
    public async Task A_forbidden_page_answers_403()
    {
        var reviewer = await SignInAsync(WebRoles.Reviewer);
        Assert.Equal(403, (await reviewer.GotoAsync("/"))!.Status);
        var analyst = await SignInAsync(WebRoles.MscAnalyst);
        Assert.Equal(403, (await analyst.GotoAsync("/revision"))!.Status);

        var anonymous = await (await _browser!.NewContextAsync(new BrowserNewContextOptions { BaseURL = served.Url })).NewPageAsync();
        await anonymous.GotoAsync("/");
        Assert.Equal("/signin", new Uri(anonymous.Url).AbsolutePath);
    }

    [Fact]
    public async Task A_review_decision_made_in_the_page_persists_with_the_signed_in_user()
    {
        var page = await SignInAsync(WebRoles.Reviewer);
        var row = page.Locator("table.review tbody tr").First;
        var id = long.Parse((await row.GetAttributeAsync("data-link"))!, CultureInfo.InvariantCulture);
        await row.Locator("button.accept").ClickAsync();

        // Posts and redirects back to /revision (see the admin test): awaited by the page it loads, without the decided pair.
        await Assertions.Expect(page.Locator($"tr[data-link='{id}']")).ToHaveCountAsync(0);
        Assert.EndsWith("/revision", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);

        var decided = (await CliJsonAsync("linkage", "review", "--all")).Single(r => r.GetProperty("id").GetInt64() == id);
        Assert.Equal("reviewer", decided.GetProperty("decided_by").GetString());
        Assert.Equal("linked", decided.GetProperty("status").GetString());

        // The next linkage run keeps the reviewer's decision instead of sending the pair back to review.
        var run = await CliJsonAsync("run", "linkage");
        Assert.Equal("succeeded", run.Single().GetProperty("status").GetString());
        var after = (await CliJsonAsync("linkage", "review", "--all")).Single(r => r.GetProperty("id").GetInt64() == id);
        Assert.Equal(("linked", "reviewer"), (after.GetProperty("status").GetString(), after.GetProperty("decided_by").GetString()));
        Assert.DoesNotContain(await CliJsonAsync("linkage", "review"), r => r.GetProperty("id").GetInt64() == id);
    }

    [Fact]
    public async Task A_reviewer_opens_a_pair_sees_both_records_and_the_breakdown_totalling_the_queue_score_and_accepts_it()
    {
        var page = await SignInAsync(WebRoles.Reviewer);
        var row = page.Locator("table.review tbody tr").First;
        var id = long.Parse((await row.GetAttributeAsync("data-link"))!, CultureInfo.InvariantCulture);
        var queued = (await CliJsonAsync("linkage", "review")).Single(r => r.GetProperty("id").GetInt64() == id);
        await row.Locator("a.pair").ClickAsync();
        await page.WaitForURLAsync($"**/revision/{id}");
        Assert.Equal($"Par {id}", await page.InnerTextAsync("main h1"));

        // Both records as 'tipw linkage review --show' prints them.
        var shown = await CliJsonAsync("linkage", "review", "--show", id.ToString(CultureInfo.InvariantCulture));
        string? Text(JsonElement e, string column) => e.GetProperty(column).ValueKind == JsonValueKind.String ? e.GetProperty(column).GetString() : null;
        var records = shown.Where(r => Text(r, "part") == "record" && Text(r, "item") != "record_type").ToList();
        Assert.Equal(records.Count, await page.Locator("table.side-by-side tbody tr").CountAsync());
        foreach (var record in records)
        {
            var tr = page.Locator($"table.side-by-side tr[data-item='{Text(record, "item")}']");
            Assert.Equal(Text(record, "left") ?? string.Empty, await tr.Locator("td[data-side='left']").TextContentAsync());
            Assert.Equal(Text(record, "right") ?? string.Empty, await tr.Locator("td[data-side='right']").TextContentAsync());
        }

        Assert.Equal(queued.GetProperty("left_record_id").GetString(), await page.Locator("tr[data-item='record_id'] td[data-side='left']").TextContentAsync());
        Assert.Equal(queued.GetProperty("right_record_id").GetString(), await page.Locator("tr[data-item='record_id'] td[data-side='right']").TextContentAsync());

        // The breakdown: one row per comparison with the CLI's weight (after the prior's, for hotline -> police), shown with its
        // sign and a bar; the total is the queue's score.
        var comparisons = shown.Where(r => Text(r, "part") is "prior" or "comparison").ToList();
        var rows = page.Locator("table.breakdown tr[data-weight]");
        Assert.Equal(comparisons.Count, await rows.CountAsync());
        var spanish = CultureInfo.GetCultureInfo("es-PE");
        static string Signed(double value, CultureInfo culture) => (value > 0 ? "+" : value < 0 ? "−" : string.Empty) + Math.Abs(value).ToString("#,##0.00", culture);
        var sum = 0.0;
        for (var i = 0; i < comparisons.Count; i++)
        {
            var weight = comparisons[i].GetProperty("weight").GetDouble();
            Assert.Equal(Text(comparisons[i], "item"), await rows.Nth(i).GetAttributeAsync("data-item"));
            Assert.Equal(weight, double.Parse((await rows.Nth(i).GetAttributeAsync("data-weight"))!, CultureInfo.InvariantCulture));
            Assert.Equal(Signed(weight, spanish), await rows.Nth(i).Locator("td[data-column='weight']").TextContentAsync());
            Assert.Equal(weight > 0 ? 1 : 0, await rows.Nth(i).Locator(".bar.positive").CountAsync());
            Assert.Equal(weight < 0 ? 1 : 0, await rows.Nth(i).Locator(".bar.negative").CountAsync());
            sum += weight;
        }

        var score = queued.GetProperty("score").GetDouble();
        Assert.InRange(Math.Abs(sum - score), 0, 5e-5);
        Assert.Equal(score, double.Parse((await page.GetAttributeAsync("tr[data-item='score']", "data-value"))!, CultureInfo.InvariantCulture));
        Assert.Equal(sum, double.Parse((await page.GetAttributeAsync("tr[data-item='weight_sum']", "data-value"))!, CultureInfo.InvariantCulture), 12);
        Assert.Equal(Signed(score, spanish), await page.Locator("tr[data-item='score'] td[data-column='weight']").TextContentAsync());
        Assert.Equal("Puntaje desglosado por comparación", await page.InnerTextAsync("#breakdown h2"));
        Assert.Equal("Los pesos suman el puntaje guardado.", await page.InnerTextAsync("#breakdown .check"));

        // English by the toggle, then the decision from this page.
        await page.ClickAsync("#lang-toggle");
        await page.WaitForURLAsync("**lang=en");
        Assert.Equal("Score broken down by comparison", await page.InnerTextAsync("#breakdown h2"));
        Assert.Equal(Signed(score, CultureInfo.GetCultureInfo("en-US")), await page.Locator("tr[data-item='score'] td[data-column='weight']").TextContentAsync());
        await page.ClickAsync("#decision button.accept");
        await page.WaitForURLAsync("**/revision");
        Assert.Equal(0, await page.Locator($"tr[data-link='{id}']").CountAsync());
        var decided = (await CliJsonAsync("linkage", "review", "--all")).Single(r => r.GetProperty("id").GetInt64() == id);
        Assert.Equal(("linked", "reviewer"), (decided.GetProperty("status").GetString(), decided.GetProperty("decided_by").GetString()));

        // Reviewers only, as the queue; an unknown pair is a 404 page.
        var analyst = await SignInAsync(WebRoles.MscAnalyst);
        Assert.Equal(403, (await analyst.GotoAsync($"/revision/{id}"))!.Status);
        Assert.Equal(403, (await analyst.APIRequest.GetAsync($"/api/linkage/review/{id}")).Status);
        Assert.Equal(404, (await page.GotoAsync("/revision/999999999"))!.Status);
    }

    [Fact]
    public async Task A_supervisor_confirms_a_flagged_call_whose_telling_words_are_highlighted()
    {
        var page = await SignInAsync(WebRoles.Reviewer);
        Assert.Equal(200, (await page.GotoAsync("/revision/llamadas?lang=es"))!.Status);
        var call = page.Locator("article.call").First;
        var id = (await call.GetAttributeAsync("data-call"))!;
        var queued = (await CliJsonAsync("model", "review", "--limit", "20")).Single(r => r.GetProperty("call_id").GetString() == id);

        // The strongest word of the CLI's explanation is highlighted as pushing towards TIP in the narrative shown.
        var marked = await call.Locator("p.narrative mark.tip").AllInnerTextsAsync();
        Assert.NotEmpty(marked);
        var strongest = queued.GetProperty("top_words").GetString()!.Split(", ")[0].Split(' ')[0];
        Assert.Contains(marked, m => string.Equals(m, strongest, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(queued.GetProperty("probability").GetDouble().ToString("#,##0.###", CultureInfo.GetCultureInfo("es-PE")), await call.Locator(".probability").InnerTextAsync());
        Assert.Equal("Confirmar trata", await call.Locator("button.confirm").InnerTextAsync());

        await call.Locator("button.confirm").ClickAsync();
        await page.WaitForURLAsync("**/revision/llamadas");
        Assert.Equal(0, await page.Locator($"article[data-call='{id}']").CountAsync());
        var decided = (await CliJsonAsync("model", "review", "--all")).First(r => r.GetProperty("call_id").GetString() == id);
        Assert.Equal(("confirm", "reviewer"), (decided.GetProperty("decision").GetString(), decided.GetProperty("decided_by").GetString()));
        Assert.DoesNotContain(await CliJsonAsync("model", "review"), r => r.GetProperty("call_id").GetString() == id);

        await page.GotoAsync("/revision/llamadas?lang=en");
        Assert.Equal("Confirm TIP", await page.Locator("article.call button.confirm").First.InnerTextAsync());
        var analyst = await SignInAsync(WebRoles.MscAnalyst);
        Assert.Equal(403, (await analyst.GotoAsync("/revision/llamadas"))!.Status);
    }

    [Fact]
    public async Task Public_sees_only_published_cells()
    {
        var page = await (await _browser!.NewContextAsync(new BrowserNewContextOptions { BaseURL = served.Url })).NewPageAsync();
        await page.GotoAsync("/publicado");
        var published = await CliJsonAsync("report", "regions", "--level", "department", "--publish");
        var table = page.Locator("#published-regions table tbody tr");
        Assert.Equal(published.Count, await table.CountAsync());
        var suppressedShown = 0;
        for (var i = 0; i < published.Count; i++)
        {
            var names = published[i].GetProperty("suppressed_cells").GetString() ?? string.Empty;
            foreach (var column in new[] { "tip_calls", "tip_reports", "tip_cases" })
            {
                var cell = table.Nth(i).Locator($"td[data-column='{column}']");
                if (published[i].GetProperty(column).ValueKind == JsonValueKind.Null)
                {
                    Assert.Contains(column, names, StringComparison.Ordinal);
                    Assert.Equal("x", await cell.InnerTextAsync());
                    Assert.Equal("suppressed", await cell.GetAttributeAsync("class"));
                    suppressedShown++;
                }
                else
                {
                    Assert.Equal(published[i].GetProperty(column).GetInt64().ToString("N0", CultureInfo.GetCultureInfo("es-PE")), await cell.InnerTextAsync());
                }
            }
        }

        Assert.True(suppressedShown > 0, "the demo's published regions report suppresses some department counts");
        Assert.Equal(401, (await page.APIRequest.GetAsync("/datos/regions.csv?level=department")).Status);
        var csv = await page.APIRequest.GetAsync("/datos/regions.csv?level=department&publish=true");
        Assert.Equal(200, csv.Status);
        Assert.StartsWith("rank,department,", await csv.TextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_language_toggle_changes_labels_and_number_formats()
    {
        var page = await SignInAsync(WebRoles.MscAnalyst);
        Assert.Equal("es", await page.GetAttributeAsync("html", "lang"));
        Assert.Equal("Panel", await page.InnerTextAsync("main h1"));
        var cases = (await CliJsonAsync("report", "funnel")).First().GetProperty("cases").GetDouble();
        var spanish = CultureInfo.GetCultureInfo("es-PE");
        Assert.Equal(cases.ToString("N0", spanish), await page.Locator("#chart-funnel .bar-value").First.TextContentAsync());
        Assert.Contains(new DateTime(2007, 1, 1).ToString("MMM yyyy", spanish), (await page.Locator("#chart-calls").TextContentAsync())!, StringComparison.Ordinal);

        Assert.Contains("Denuncia", (await page.Locator("#chart-funnel").TextContentAsync())!, StringComparison.Ordinal);
        Assert.Contains("Llamadas derivadas", await page.InnerTextAsync("#referrals-table thead"), StringComparison.Ordinal);

        await page.ClickAsync("#lang-toggle");
        await page.WaitForURLAsync("**lang=en");
        Assert.Contains("Police report", (await page.Locator("#chart-funnel").TextContentAsync())!, StringComparison.Ordinal);
        Assert.Contains("Referred calls", await page.InnerTextAsync("#referrals-table thead"), StringComparison.Ordinal);
        var english = CultureInfo.GetCultureInfo("en-US");
        Assert.Equal("en", await page.GetAttributeAsync("html", "lang"));
        Assert.Equal("Dashboard", await page.InnerTextAsync("main h1"));
        Assert.Equal(cases.ToString("N0", english), await page.Locator("#chart-funnel .bar-value").First.TextContentAsync());
        Assert.Contains("Jan 2007", (await page.Locator("#chart-calls").TextContentAsync())!, StringComparison.Ordinal);
        Assert.DoesNotContain(new DateTime(2007, 1, 1).ToString("MMM yyyy", spanish), (await page.Locator("#chart-calls").TextContentAsync())!, StringComparison.Ordinal);

        // The choice is remembered on the next page.
        await page.GotoAsync("/publicado");
        Assert.Equal("Published figures", await page.InnerTextAsync("main h1"));
    }

    [Fact]
    public async Task Screenshots_of_each_page_in_spanish()
    {
        var shots = new List<(string Role, string Path, string File)>
        {
            (WebRoles.MscAnalyst, "/", "web-dashboard.png"),
            (WebRoles.Public, "/publicado", "web-published.png"),
            (WebRoles.Reviewer, "/revision", "web-review.png"),
            (WebRoles.Reviewer, "/revision/llamadas", "web-call-review.png"),
            (WebRoles.IomEvaluator, "/evaluacion", "web-evaluation.png"),
            (WebRoles.DataEngineer, "/operaciones", "web-operations.png"),
            (WebRoles.Admin, "/admin", "web-admin.png"),
            (WebRoles.MscAnalyst, "/consulta", "web-console.png"),
        };
        var firstQueued = (await CliJsonAsync("linkage", "review")).First().GetProperty("id").GetInt64();
        shots.Insert(3, (WebRoles.Reviewer, $"/revision/{firstQueued}", "web-review-pair.png"));
        var folder = Environment.GetEnvironmentVariable(UpdateScreenshotsVariable) is null
            ? Path.Combine(served.Home, "screenshots")
            : Path.Combine(RepositoryRoot(), "docs");
        Directory.CreateDirectory(folder);
        foreach (var (role, path, file) in shots)
        {
            var page = await SignInAsync(role);
            await page.SetViewportSizeAsync(1280, 900);
            Assert.Equal(200, (await page.GotoAsync(path + "?lang=es"))!.Status);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, file), FullPage = true });
            Assert.True(new FileInfo(Path.Combine(folder, file)).Length > 10_000);
        }
    }

    private async Task<IPage> SignInAsync(string role)
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { BaseURL = served.Url });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.FillAsync("input[name=name]", role.Replace('_', '-'));
        await page.FillAsync("input[name=password]", ServedDemo.Password);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForLoadStateAsync(LoadState.Load);
        return page;
    }

    private async Task<List<JsonElement>> CliJsonAsync(params string[] args)
    {
        var outcome = await served.RunDirectAsync([.. args, "--home", served.Home, "--format", "json"]);
        Assert.True(outcome.ExitCode == 0, outcome.Error);
        return [.. JsonDocument.Parse(outcome.Out).RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TipWarehouse.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("TipWarehouse.sln not found above " + AppContext.BaseDirectory);
    }
}
