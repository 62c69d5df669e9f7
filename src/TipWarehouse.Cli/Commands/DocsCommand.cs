using System.CommandLine;
using TipWarehouse.Cli.Docs;
using TipWarehouse.Etl.Engine;
using TipWarehouse.Schema;

namespace TipWarehouse.Cli.Commands;

/// <summary><c>tipw docs --out DIR</c>: writes the static documentation site (sources, pipelines, tables, views, reports, lineage graph).</summary>
internal static class DocsCommand
{
    public static Command Create(CliContext context)
    {
        var outDir = new Option<string>("--out") { Description = "The folder the site is written to (created; its pages are overwritten)", Required = true };
        var pipelines = new Option<string?>("--pipelines") { Description = "The folder of pipeline specs (default: TIPW_PIPELINES_DIR, ./pipelines, or the copy beside tipw)" };
        var sqlDir = new Option<string?>("--sql") { Description = "The sql/ folder to compile (default: the one shipped with tipw, or TIPW_SQL_DIR)" };
        var command = new Command("docs", "Write a static HTML site of every source, pipeline, table, view and report, with the lineage graph, derived from the specs, their SQL and the model")
        {
            outDir, pipelines, sqlDir,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var directory = PipelineEngine.LocatePipelinesDirectory(parseResult.GetValue(pipelines), context.GetEnvironmentVariable);
            var sql = parseResult.GetValue(sqlDir) ?? (context.GetEnvironmentVariable(SchemaSources.SqlDirectoryVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null);
            var output = Path.GetFullPath(parseResult.GetValue(outDir)!);
            var result = DocsSite.Write(output, directory, sql, PipelineEngineFactory.Steps(context), context.Time, cancellationToken);
            context.Error.WriteLine($"tipw docs: {result.Pages} pages, {result.Edges.Count} lineage edges written to {result.Directory} (open index.html)");
            return Task.FromResult(CliApp.Success);
        });
        return command;
    }
}
