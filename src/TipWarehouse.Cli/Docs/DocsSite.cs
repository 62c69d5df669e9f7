using System.Globalization;
using System.Net;
using System.Text;
using TipWarehouse.Analytics.Reports;
using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;
using TipWarehouse.Etl.Checking;
using TipWarehouse.Etl.Specs;
using TipWarehouse.Schema;

namespace TipWarehouse.Cli.Docs;

/// <summary>One edge of the lineage graph: node <c>From</c> feeds node <c>To</c> (node ids: <c>source:NAME</c>, <c>schema.name</c>, <c>report:NAME</c>).</summary>
internal sealed record LineageEdge(string From, string To);

/// <summary>What <c>tipw docs</c> wrote: the folder, the pages and the lineage edges.</summary>
internal sealed record DocsResult(string Directory, int Pages, IReadOnlyList<LineageEdge> Edges);

/// <summary>
/// <c>tipw docs</c>: a static HTML site (inline CSS and SVG, no scripts, no external assets) of every source, pipeline,
/// table, view and report and the lineage graph, derived from the specs, the transform SQL (read as <c>tipw check</c>
/// reads it), the model compiled from <c>sql/</c> and the report catalog.
/// </summary>
internal static class DocsSite
{
    private const string Css = "body{font-family:system-ui,sans-serif;margin:2em;max-width:90em;color:#222}table{border-collapse:collapse;margin:1em 0}"
        + "td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}th{background:#f0f0f0}code{background:#f6f6f6}"
        + "nav a{margin-right:1em}svg a text{fill:#0645ad}svg rect{fill:#fff;stroke:#888}svg path{fill:none;stroke:#999}";

    private static readonly string[] Stages = ["sources", "staging (stg)", "warehouse (dw)", "report views (rpt)", "reports"];

    /// <summary>Writes the site into <paramref name="outDirectory"/> (created; pages overwritten).</summary>
    public static DocsResult Write(string outDirectory, string pipelinesDirectory, string? sqlDirectory, IReadOnlyList<IPipelineStep> steps, TimeProvider time, CancellationToken cancellationToken)
    {
        var kinds = steps.Select(s => s.Kind).ToList();
        var sql = sqlDirectory ?? SchemaSources.SqlDirectory;
        var specs = SpecLoader.LoadDirectory(pipelinesDirectory, kinds);
        var check = PipelineChecker.Check(pipelinesDirectory, kinds, time, sql, cancellationToken: cancellationToken);
        using var compilation = SchemaCompiler.Compile(sql);
        compilation.ThrowIfInvalid();
        var model = SchemaDescription.FromModel(compilation.Model);
        var viewReads = ModelDocs.ViewReads(compilation.Model);
        var descriptions = ModelDocs.Descriptions(compilation.ModelSources);
        var viewColumns = ViewColumns(sql, time, cancellationToken);

        var macros = SharedMacros.Load(pipelinesDirectory);
        var relations = model.Tables.Select(t => t.QualifiedName.ToLowerInvariant()).Concat(model.Views.Select(v => v.QualifiedName.ToLowerInvariant())).ToHashSet(StringComparer.Ordinal);
        var transforms = specs.ToDictionary(
            s => s.Name,
            s => s.Transforms.Where(File.Exists).Select(f => (File: f, Tables: PipelineChecker.TablesOf(File.ReadAllText(f), relations.Contains, macros))).ToList(),
            StringComparer.Ordinal);

        var edges = new List<LineageEdge>();
        foreach (var spec in specs)
        {
            foreach (var staged in new[] { spec.Target, spec.Child?.Target }.OfType<string>())
            {
                edges.Add(new LineageEdge("source:" + spec.Name, staged.ToLowerInvariant()));
            }

            // A step kind (linkage, scoring) reads and writes in C#: the step declares its tables.
            if (steps.FirstOrDefault(s => s.Kind == spec.Kind) is { } step)
            {
                edges.AddRange(from r in step.Reads from w in step.Writes select new LineageEdge(r.ToLowerInvariant(), w.ToLowerInvariant()));
            }

            foreach (var (_, tables) in transforms[spec.Name])
            {
                edges.AddRange(from r in tables.Reads from w in tables.Writes where r != w select new LineageEdge(r, w));
            }
        }

        foreach (var (view, reads) in viewReads)
        {
            edges.AddRange(reads.Where(r => r != view).Select(r => new LineageEdge(r, view)));
        }

        foreach (var report in ReportCatalog.Entries)
        {
            edges.AddRange(report.Reads.Select(v => new LineageEdge(v.ToLowerInvariant(), "report:" + report.Name)));
        }

        // meta tables (data-quality flags, run bookkeeping) are not lineage: the pipeline pages still list them as written.
        edges = [.. edges.Distinct()
            .Where(e => !e.From.StartsWith("meta.", StringComparison.Ordinal) && !e.To.StartsWith("meta.", StringComparison.Ordinal))
            .OrderBy(e => Stage(e.From)).ThenBy(e => e.From, StringComparer.Ordinal).ThenBy(e => Stage(e.To)).ThenBy(e => e.To, StringComparer.Ordinal)];

        Directory.CreateDirectory(outDirectory);
        var pages = 0;
        void Page(string file, string title, string body)
        {
            File.WriteAllText(Path.Combine(outDirectory, file), Html(title, body), new UTF8Encoding(false));
            pages++;
        }

        var graph = Graph(edges, specs.Where(s => s.Target is not null).Select(s => "source:" + s.Name)
            .Concat(relations).Concat(ReportCatalog.Entries.Select(r => "report:" + r.Name)));
        var index = new StringBuilder();
        index.Append("<p>Generated by <code>tipw docs</code> from the pipeline specs, their transform SQL, the model compiled from <code>sql/</code> and the report catalog.</p>");
        index.Append("<h2>Lineage</h2>").Append(graph);
        index.Append("<h2>Sources</h2>").Append(List(specs.Select(s => (SourcePage(s.Name), $"{s.Name} ({s.Kind})"))));
        index.Append("<h2>Pipelines</h2>").Append(List(specs.Select(s => (PipelinePage(s.Name), s.Name + (s.Description is { } d ? " — " + d : "")))));
        index.Append("<h2>Tables</h2>").Append(List(model.Tables.Select(t => (RelationPage(t.QualifiedName), t.QualifiedName))));
        index.Append("<h2>Views</h2>").Append(List(model.Views.Select(v => (RelationPage(v.QualifiedName), v.QualifiedName))));
        index.Append("<h2>Reports</h2>").Append(List(ReportCatalog.Entries.Select(r => (ReportPage(r.Name), r.Name + " — " + r.Description))));
        Page("index.html", "TipWarehouse documentation", index.ToString());

        var lineage = new StringBuilder(graph);
        lineage.Append("<h2>Edges</h2><table><tr><th>from</th><th>to</th></tr>");
        foreach (var e in edges)
        {
            lineage.Append(CultureInfo.InvariantCulture, $"<tr><td>{NodeLink(e.From)}</td><td>{NodeLink(e.To)}</td></tr>");
        }

        Page("lineage.html", "Lineage", lineage.Append("</table>").ToString());

        foreach (var spec in specs)
        {
            var relative = Path.GetRelativePath(pipelinesDirectory, spec.SpecPath);
            var source = new StringBuilder("<table>");
            Row(source, "pipeline", Link(PipelinePage(spec.Name), spec.Name));
            Row(source, "kind", E(spec.Kind));
            Row(source, "path", Code(spec.Source.Path));
            Row(source, "pattern", Code(spec.Source.Pattern));
            Row(source, "table", Code(spec.Source.Table));
            Row(source, "incremental strategy", E(spec.Incremental.Strategy) + (spec.Incremental.Column is { } incremental ? " on " + Code(incremental) : ""));
            Row(source, "cadence (freshness)", spec.Freshness is { } f ? E(f.ToString()) : "not declared");
            Row(source, "staged into", string.Join(", ", new[] { spec.Target, spec.Child?.Target }.OfType<string>().Select(NodeLink)));
            Page(SourcePage(spec.Name), "Source " + spec.Name, source.Append("</table>").ToString());

            var body = new StringBuilder();
            if (spec.Description is { } description)
            {
                body.Append("<p>").Append(E(description)).Append("</p>");
            }

            body.Append("<table>");
            Row(body, "spec", Code(relative));
            Row(body, "kind", E(spec.Kind));
            Row(body, "source", Link(SourcePage(spec.Name), spec.Name));
            Row(body, "schedule", Code(spec.Cron) + " " + E(spec.TimeZone));
            Row(body, "retry", E(FormattableString.Invariant($"{spec.Retry.MaxAttempts} attempts, {spec.Retry.InitialDelay} initial delay, {spec.Retry.MaxDelay} max delay")));
            Row(body, "upstream (declared)", PipelineLinks(spec.Upstream));
            Row(body, "upstream (inferred from SQL)", PipelineLinks(check.InferredUpstream.TryGetValue(spec.Name, out var inferred) ? inferred : []));
            if (steps.FirstOrDefault(s => s.Kind == spec.Kind) is { } runBy)
            {
                Row(body, "step reads (declared by the step)", string.Join(", ", runBy.Reads.Select(r => NodeLink(r.ToLowerInvariant()))));
                Row(body, "step writes (declared by the step)", string.Join(", ", runBy.Writes.Select(w => NodeLink(w.ToLowerInvariant()))));
            }

            Row(body, "staging target", string.Join(", ", new[] { spec.Target, spec.Child?.Target }.OfType<string>().Select(NodeLink)));
            body.Append("</table><h2>Transforms</h2>");
            if (transforms[spec.Name].Count == 0)
            {
                body.Append("<p>None.</p>");
            }
            else
            {
                body.Append("<table><tr><th>file</th><th>reads</th><th>writes</th></tr>");
                foreach (var (file, tables) in transforms[spec.Name])
                {
                    body.Append(CultureInfo.InvariantCulture, $"<tr><td>{Code(Path.GetRelativePath(pipelinesDirectory, file))}</td><td>{string.Join(", ", tables.Reads.Select(NodeLink))}</td><td>{string.Join(", ", tables.Writes.Select(NodeLink))}</td></tr>");
                }

                body.Append("</table>");
            }

            body.Append("<h2>Data tests</h2>");
            if (spec.Tests.Count == 0)
            {
                body.Append("<p>None.</p>");
            }
            else
            {
                body.Append("<table><tr><th>name</th><th>test</th><th>table</th><th>column</th><th>severity</th><th>details</th></tr>");
                foreach (var t in spec.Tests)
                {
                    body.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(t.Name)}</td><td>{E(t.Test)}</td><td>{NodeLink(t.Table.ToLowerInvariant())}</td><td>{Code(t.Column)}</td><td>{E(t.Severity)}</td><td>{TestDetails(t)}</td></tr>");
                }

                body.Append("</table>");
            }

            if (spec.Columns.Count > 0)
            {
                body.Append("<h2>Source columns</h2><table><tr><th>name</th><th>type</th><th>staged as</th><th>required</th><th>PII</th></tr>");
                foreach (var c in spec.Columns)
                {
                    body.Append(CultureInfo.InvariantCulture, $"<tr><td>{Code(c.Name)}</td><td>{E(c.Type.ToString().ToLowerInvariant())}</td><td>{Code(c.Target)}</td><td>{(c.Required ? "yes" : "")}</td><td>{(c.Pii ? "yes" : "")}</td></tr>");
                }

                body.Append("</table>");
            }

            Page(PipelinePage(spec.Name), "Pipeline " + spec.Name, body.ToString());
        }

        string Feeds(string node) =>
            "<h2>Lineage</h2><table>"
            + $"<tr><th>fed by</th><td>{string.Join(", ", edges.Where(e => e.To == node).Select(e => NodeLink(e.From)))}</td></tr>"
            + $"<tr><th>feeds</th><td>{string.Join(", ", edges.Where(e => e.From == node).Select(e => NodeLink(e.To)))}</td></tr></table>";

        foreach (var table in model.Tables)
        {
            var key = table.QualifiedName.ToLowerInvariant();
            descriptions.TryGetValue(key, out var described);
            var body = new StringBuilder();
            body.Append(CultureInfo.InvariantCulture, $"<p>Table in {Code(table.SourceName)}.</p>");
            if (described?.Text is { } text)
            {
                body.Append("<p>").Append(E(text)).Append("</p>");
            }

            body.Append("<table><tr><th>column</th><th>type</th><th>nullable</th><th>keys</th><th>description</th></tr>");
            foreach (var column in table.Columns)
            {
                var keys = new List<string>();
                if (table.PrimaryKey.Contains(column.Name, StringComparer.OrdinalIgnoreCase))
                {
                    keys.Add("PK");
                }

                if (table.UniqueKeys.Any(u => u.Contains(column.Name, StringComparer.OrdinalIgnoreCase)))
                {
                    keys.Add("unique");
                }

                foreach (var fk in table.ForeignKeys.Where(f => f.Columns.Contains(column.Name, StringComparer.OrdinalIgnoreCase)))
                {
                    keys.Add("FK → " + NodeLink(fk.ReferencedTable.ToLowerInvariant()) + "." + E(string.Join(", ", fk.ReferencedColumns)));
                }

                var columnText = described?.Columns.TryGetValue(column.Name, out var d) == true ? E(d) : "";
                body.Append(CultureInfo.InvariantCulture, $"<tr><td>{Code(column.Name)}</td><td>{E(column.Type.ToString())}</td><td>{(column.Nullable ? "null" : "not null")}</td><td>{string.Join("; ", keys.Select(k => k.StartsWith("FK", StringComparison.Ordinal) ? k : E(k)))}</td><td>{columnText}</td></tr>");
            }

            body.Append("</table>").Append(Feeds(key));
            Page(RelationPage(table.QualifiedName), "Table " + table.QualifiedName, body.ToString());
        }

        foreach (var view in model.Views)
        {
            var key = view.QualifiedName.ToLowerInvariant();
            descriptions.TryGetValue(key, out var described);
            var body = new StringBuilder();
            body.Append(CultureInfo.InvariantCulture, $"<p>View in {Code(view.SourceName)}.</p>");
            if (described?.Text is { } text)
            {
                body.Append("<p>").Append(E(text)).Append("</p>");
            }

            body.Append("<table><tr><th>column</th><th>type (DuckDB)</th><th>nullable</th><th>description</th></tr>");
            foreach (var (name, type, nullable) in viewColumns.TryGetValue(key, out var columns) ? columns : [])
            {
                var columnText = described?.Columns.TryGetValue(name, out var d) == true ? E(d) : "";
                body.Append(CultureInfo.InvariantCulture, $"<tr><td>{Code(name)}</td><td>{E(type)}</td><td>{(nullable ? "null" : "not null")}</td><td>{columnText}</td></tr>");
            }

            body.Append("</table>").Append(Feeds(key));
            body.Append("<h2>Query</h2><pre>").Append(E(view.QueryText)).Append("</pre>");
            Page(RelationPage(view.QualifiedName), "View " + view.QualifiedName, body.ToString());
        }

        foreach (var report in ReportCatalog.Entries)
        {
            var body = new StringBuilder();
            body.Append("<p>").Append(E(report.Description)).Append("</p><table>");
            Row(body, "command", Code("tipw report " + report.Name));
            Row(body, "reads", string.Join(", ", report.Reads.Select(v => NodeLink(v.ToLowerInvariant()))));
            body.Append("</table>");
            Page(ReportPage(report.Name), "Report " + report.Name, body.ToString());
        }

        return new DocsResult(outDirectory, pages, edges);
    }

    private static string TestDetails(DataTestSpec test)
    {
        var parts = new List<string>();
        if (test.Values.Count > 0)
        {
            parts.Add("values " + E(string.Join(", ", test.Values)));
        }

        if (test.To is { } to)
        {
            parts.Add("→ " + NodeLink(to.ToLowerInvariant()) + (test.Field is { } field ? "." + E(field) : ""));
        }

        if (test.Min is not null || test.Max is not null)
        {
            parts.Add(E(FormattableString.Invariant($"rows {test.Min?.ToString(CultureInfo.InvariantCulture) ?? "0"}..{test.Max?.ToString(CultureInfo.InvariantCulture) ?? "∞"}")));
        }

        if (test.Where is { } where)
        {
            parts.Add("where " + Code(where));
        }

        if (test.Sql is { } sql)
        {
            parts.Add(Code(sql));
        }

        return string.Join("; ", parts);
    }

    /// <summary>The columns of every view as DuckDB types them, from an empty in-memory warehouse built from <paramref name="sql"/>.</summary>
    private static Dictionary<string, List<(string Name, string Type, bool Nullable)>> ViewColumns(string sql, TimeProvider time, CancellationToken cancellationToken)
    {
        using var connection = Warehouse.OpenPath(":memory:");
        WarehouseInitializer.Initialize(connection, new InitOptions { SqlDirectory = sql, LoadReferenceData = false, Time = time }, cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT lower(c.table_schema || '.' || c.table_name), c.column_name, c.data_type, c.is_nullable = 'YES'
            FROM information_schema.columns c JOIN information_schema.tables t USING (table_catalog, table_schema, table_name)
            WHERE t.table_type = 'VIEW' AND c.table_catalog = current_database()
            ORDER BY 1, c.ordinal_position
            """;
        using var reader = command.ExecuteReader();
        var result = new Dictionary<string, List<(string, string, bool)>>(StringComparer.Ordinal);
        while (reader.Read())
        {
            var view = reader.GetString(0);
            if (!result.TryGetValue(view, out var list))
            {
                result[view] = list = [];
            }

            list.Add((reader.GetString(1), reader.GetString(2), reader.GetBoolean(3)));
        }

        return result;
    }

    /// <summary>The lineage as an inline SVG: one column per stage, one linked box per node, a curve per edge (edges within a stage bend to the right).</summary>
    private static string Graph(IReadOnlyList<LineageEdge> edges, IEnumerable<string> allNodes)
    {
        const int ColumnWidth = 270, BoxWidth = 210, RowHeight = 26, Top = 40;
        var nodes = edges.SelectMany(e => new[] { e.From, e.To }).Concat(allNodes).Where(n => Stage(n) >= 0).Distinct().ToList();
        var columns = Enumerable.Range(0, Stages.Length).Select(s => nodes.Where(n => Stage(n) == s).Order(StringComparer.Ordinal).ToList()).ToList();
        var position = new Dictionary<string, (int X, int Y)>(StringComparer.Ordinal);
        for (var s = 0; s < columns.Count; s++)
        {
            for (var i = 0; i < columns[s].Count; i++)
            {
                position[columns[s][i]] = (10 + s * ColumnWidth, Top + i * RowHeight);
            }
        }

        var width = 10 + Stages.Length * ColumnWidth;
        var height = Top + columns.Max(c => c.Count) * RowHeight + 10;
        var svg = new StringBuilder(FormattableString.Invariant($"<svg role=\"img\" aria-label=\"lineage\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">"));
        for (var s = 0; s < Stages.Length; s++)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{10 + s * ColumnWidth}\" y=\"20\" font-weight=\"bold\">{E(Stages[s])}</text>");
        }

        foreach (var e in edges.Where(e => position.ContainsKey(e.From) && position.ContainsKey(e.To)))
        {
            var (x1, y1) = position[e.From];
            var (x2, y2) = position[e.To];
            string d;
            if (x1 == x2)
            {
                var x = x1 + BoxWidth;
                d = FormattableString.Invariant($"M{x},{y1 + 10} C{x + 45},{y1 + 10} {x + 45},{y2 + 10} {x},{y2 + 10}");
            }
            else
            {
                var sx = x1 + BoxWidth;
                d = FormattableString.Invariant($"M{sx},{y1 + 10} C{sx + 30},{y1 + 10} {x2 - 30},{y2 + 10} {x2},{y2 + 10}");
            }

            svg.Append(CultureInfo.InvariantCulture, $"<path d=\"{d}\"><title>{E(Label(e.From))} → {E(Label(e.To))}</title></path>");
        }

        foreach (var (node, (x, y)) in position)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<a href=\"{E(PageOf(node))}\"><rect x=\"{x}\" y=\"{y}\" width=\"{BoxWidth}\" height=\"20\" rx=\"4\"/><text x=\"{x + 6}\" y=\"{y + 15}\" font-size=\"12\">{E(Label(node))}</text></a>");
        }

        return svg.Append("</svg>").ToString();
    }

    private static int Stage(string node) =>
        node.StartsWith("source:", StringComparison.Ordinal) ? 0
        : node.StartsWith("report:", StringComparison.Ordinal) ? 4
        : node.StartsWith("stg.", StringComparison.Ordinal) ? 1
        : node.StartsWith("dw.", StringComparison.Ordinal) ? 2
        : node.StartsWith("rpt.", StringComparison.Ordinal) ? 3
        : -1;

    private static string Label(string node) =>
        node.StartsWith("source:", StringComparison.Ordinal) ? node["source:".Length..]
        : node.StartsWith("report:", StringComparison.Ordinal) ? "report " + node["report:".Length..]
        : node;

    private static string PageOf(string node) =>
        node.StartsWith("source:", StringComparison.Ordinal) ? SourcePage(node["source:".Length..])
        : node.StartsWith("report:", StringComparison.Ordinal) ? ReportPage(node["report:".Length..])
        : RelationPage(node);

    private static string NodeLink(string node) => Link(PageOf(node), Label(node));

    private static string PipelineLinks(IEnumerable<string> names)
    {
        var links = names.Select(n => Link(PipelinePage(n), n)).ToList();
        return links.Count == 0 ? "none" : string.Join(", ", links);
    }

    /// <summary>The page of a source (one per spec).</summary>
    public static string SourcePage(string name) => $"source-{name}.html";

    /// <summary>The page of a pipeline.</summary>
    public static string PipelinePage(string name) => $"pipeline-{name}.html";

    /// <summary>The page of a table or view (<c>schema.name</c>, any case).</summary>
    public static string RelationPage(string qualifiedName) => $"relation-{qualifiedName.ToLowerInvariant()}.html";

    /// <summary>The page of a report.</summary>
    public static string ReportPage(string name) => $"report-{name}.html";

    private static string List(IEnumerable<(string Page, string Text)> items) =>
        "<ul>" + string.Concat(items.Select(i => $"<li>{Link(i.Page, i.Text)}</li>")) + "</ul>";

    private static void Row(StringBuilder b, string name, string html) => b.Append(CultureInfo.InvariantCulture, $"<tr><th>{E(name)}</th><td>{html}</td></tr>");

    private static string Link(string page, string text) => $"<a href=\"{E(page)}\">{E(text)}</a>";

    private static string Code(string? text) => text is null ? "" : $"<code>{E(text)}</code>";

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string Html(string title, string body) =>
        $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{E(title)}</title><style>{Css}</style></head><body>"
        + $"<nav><a href=\"index.html\">index</a><a href=\"lineage.html\">lineage</a></nav><h1>{E(title)}</h1>{body}</body></html>\n";
}
