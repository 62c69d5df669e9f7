using System.Text.RegularExpressions;
using TipWarehouse.Analytics.Reports;
using TipWarehouse.Schema;

namespace TipWarehouse.Cli.Tests;

/// <summary><c>tipw docs</c> through the CLI: a page per pipeline, table, view and report, the lineage's known edges, no external URL, and a new spec showing up.</summary>
public sealed partial class DocsCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tipw-docs-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Shipped => Path.Combine(AppContext.BaseDirectory, "pipelines");

    private async Task<string> GenerateAsync(string pipelines)
    {
        var site = Path.Combine(_dir, "site");
        var run = await new CliHarness().RunAsync("docs", "--out", site, "--pipelines", pipelines);
        Assert.True(run.ExitCode == CliApp.Success, run.Error);
        Assert.Contains("pages", run.Error, StringComparison.Ordinal);
        return site;
    }

    [Fact]
    public async Task Docs_writes_a_page_for_every_pipeline_source_table_view_and_report()
    {
        var site = await GenerateAsync(Shipped);
        Assert.True(File.Exists(Path.Combine(site, "index.html")));
        Assert.True(File.Exists(Path.Combine(site, "lineage.html")));
        var index = File.ReadAllText(Path.Combine(site, "index.html"));
        foreach (var spec in Directory.EnumerateFiles(Shipped, "*.yaml").Select(Path.GetFileNameWithoutExtension))
        {
            Assert.True(File.Exists(Path.Combine(site, $"pipeline-{spec}.html")), spec);
            Assert.True(File.Exists(Path.Combine(site, $"source-{spec}.html")), spec);
            Assert.Contains($"href=\"pipeline-{spec}.html\"", index, StringComparison.Ordinal);
        }

        using var compilation = SchemaCompiler.Compile(SchemaSources.SqlDirectory);
        var model = SchemaDescription.FromModel(compilation.Model);
        foreach (var relation in model.Tables.Select(t => t.QualifiedName).Concat(model.Views.Select(v => v.QualifiedName)))
        {
            Assert.True(File.Exists(Path.Combine(site, $"relation-{relation.ToLowerInvariant()}.html")), relation);
        }

        Assert.Equal(ReportCatalog.Names, ReportCatalog.Entries.Select(r => r.Name));
        foreach (var report in ReportCatalog.Entries)
        {
            Assert.True(File.Exists(Path.Combine(site, $"report-{report.Name}.html")), report.Name);
            // The relations a report declares are views or tables of the model.
            Assert.All(report.Reads, v => Assert.Contains(model.Views.Select(mv => mv.QualifiedName).Concat(model.Tables.Select(t => t.QualifiedName)), name => string.Equals(name, v, StringComparison.OrdinalIgnoreCase)));
        }

        var table = File.ReadAllText(Path.Combine(site, "relation-dw.fact_hotline_call.html"));
        Assert.Contains("<code>call_key</code></td><td>bigint</td><td>not null</td><td>PK</td>", table, StringComparison.Ordinal);
        Assert.Contains("FK → <a href=\"relation-dw.dim_date.html\">dw.dim_date</a>", table, StringComparison.Ordinal);
        Assert.Contains("Grain: one hotline call.", table, StringComparison.Ordinal);
        // A column description is the column's comment in sql/.
        Assert.Contains("last write time (UTC) when recorded", File.ReadAllText(Path.Combine(site, "relation-meta.file_manifest.html")), StringComparison.Ordinal);

        var pipeline = File.ReadAllText(Path.Combine(site, "pipeline-hotline.html"));
        Assert.Contains("<code>0 30 6 * * ?</code>", pipeline, StringComparison.Ordinal);
        Assert.Contains("upstream (inferred from SQL)", pipeline, StringComparison.Ordinal);
        Assert.Contains("<code>hotline/30_fact_hotline_call.sql</code>", pipeline, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Docs_lineage_contains_the_hotline_chain_as_linked_svg_nodes()
    {
        var site = await GenerateAsync(Shipped);
        var lineage = File.ReadAllText(Path.Combine(site, "lineage.html"));
        Assert.Contains("<svg", lineage, StringComparison.Ordinal);
        Assert.Contains("<title>hotline → stg.hotline_call</title>", lineage, StringComparison.Ordinal);
        Assert.Contains("<title>stg.hotline_call → dw.fact_hotline_call</title>", lineage, StringComparison.Ordinal);
        Assert.Contains("<title>dw.fact_hotline_call → rpt.v_monthly_national</title>", lineage, StringComparison.Ordinal);
        Assert.Contains("<title>rpt.v_monthly_national → report monthly</title>", lineage, StringComparison.Ordinal);
        // Step kinds declare the tables they read and write in C#: linkage builds the case lifecycle the funnel reads.
        Assert.Contains("<title>dw.fact_police_report → dw.fact_case_lifecycle</title>", lineage, StringComparison.Ordinal);
        Assert.Contains("<title>dw.fact_case_lifecycle → rpt.v_funnel_cases</title>", lineage, StringComparison.Ordinal);
        Assert.Contains("<title>dw.fact_hotline_call → dw.fact_call_score</title>", lineage, StringComparison.Ordinal);
        // Data-quality bookkeeping is not lineage.
        Assert.DoesNotContain("meta.data_quality_flag</title>", lineage, StringComparison.Ordinal);
        Assert.Contains("<a href=\"relation-dw.fact_hotline_call.html\"><rect", lineage, StringComparison.Ordinal);
        Assert.Contains("<a href=\"report-monthly.html\"><rect", lineage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Docs_references_no_external_url_and_no_script()
    {
        var site = await GenerateAsync(Shipped);
        foreach (var file in Directory.EnumerateFiles(site))
        {
            var html = File.ReadAllText(file);
            Assert.False(UrlRegex().IsMatch(html), file);
            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
            // Every local link points at a page of the site.
            foreach (Match link in HrefRegex().Matches(html))
            {
                Assert.True(File.Exists(Path.Combine(site, link.Groups[1].Value)), $"{Path.GetFileName(file)} links to {link.Groups[1].Value}");
            }
        }
    }

    [Fact]
    public async Task Docs_shows_a_new_spec_dropped_into_the_pipelines_folder()
    {
        var pipelines = Path.Combine(_dir, "pipelines");
        foreach (var file in Directory.EnumerateFiles(Shipped, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(pipelines, Path.GetRelativePath(Shipped, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        var spec = File.ReadAllText(Path.Combine(pipelines, "hotline.yaml"))
            .Replace("name: hotline", "name: hotline_backup", StringComparison.Ordinal)
            .Replace("path: hotline", "path: hotline_backup", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(pipelines, "hotline_backup.yaml"), spec);

        var site = await GenerateAsync(pipelines);
        Assert.True(File.Exists(Path.Combine(site, "pipeline-hotline_backup.html")));
        Assert.True(File.Exists(Path.Combine(site, "source-hotline_backup.html")));
        Assert.Contains("<title>hotline_backup → stg.hotline_call</title>", File.ReadAllText(Path.Combine(site, "lineage.html")), StringComparison.Ordinal);
    }

    [GeneratedRegex(@"https?://", RegexOptions.IgnoreCase)]
    private static partial Regex UrlRegex();

    [GeneratedRegex("href=\"([^\"]+)\"")]
    private static partial Regex HrefRegex();
}
