using System.CommandLine;
using TipWarehouse.Cli.Output;
using TipWarehouse.Core;
using TipWarehouse.Etl.Checking;
using TipWarehouse.Etl.Engine;
using TipWarehouse.Schema;

namespace TipWarehouse.Cli.Commands;

/// <summary><c>tipw check</c>: validates every spec, staging layout, transform statement and upstream without running anything; exit 1 on any error.</summary>
internal static class CheckCommand
{
    public static Command Create(CliContext context)
    {
        var pipelines = new Option<string?>("--pipelines") { Description = "The folder of pipeline specs (default: TIPW_PIPELINES_DIR, ./pipelines, or the copy beside tipw)" };
        var sqlDir = new Option<string?>("--sql") { Description = "The sql/ folder to compile (default: the one shipped with tipw, or TIPW_SQL_DIR)" };
        var format = CommonOptions.Format("table", "csv", "json");
        var output = CommonOptions.Out();
        var command = new Command("check", "Check every pipeline without running it: specs, crons, staging layouts against sql/, shared macros and transform SQL on an empty in-memory warehouse, inferred upstream, the reference seed manifest")
        {
            pipelines, sqlDir, format, output,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var directory = PipelineEngine.LocatePipelinesDirectory(parseResult.GetValue(pipelines), context.GetEnvironmentVariable);
            var sql = parseResult.GetValue(sqlDir) ?? (context.GetEnvironmentVariable(SchemaSources.SqlDirectoryVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null);
            context.Error.WriteLine($"tipw check: {directory}");
            var reference = context.GetEnvironmentVariable(SchemaSources.ReferenceDirectoryVariable) is { Length: > 0 } referenceFromEnvironment ? referenceFromEnvironment : null;
            var report = PipelineChecker.Check(directory, PipelineEngineFactory.Steps(context).Select(s => s.Kind), context.Time, sql, referenceDirectory: reference, cancellationToken: cancellationToken);
            var errors = report.Findings.Count(f => f.Severity == CheckSeverity.Error);
            var warnings = report.Findings.Count - errors;
            var table = new ResultTable(
                [
                    new ResultColumn("file", typeof(string)), new ResultColumn("line", typeof(long)), new ResultColumn("severity", typeof(string)),
                    new ResultColumn("check", typeof(string)), new ResultColumn("pipeline", typeof(string)), new ResultColumn("message", typeof(string)),
                ],
                [.. report.Findings.Select(f => new object?[] { f.File, (long)f.Line, f.Severity, f.Check, f.Pipeline, f.Message })],
                []);
            ResultWriter.WriteTo(table, parseResult.GetValue(format)!, parseResult.GetValue(output), context.Out);
            foreach (var finding in report.Findings)
            {
                context.Error.WriteLine(finding.ToString());
            }

            context.Error.WriteLine($"tipw check: {report.Pipelines} pipelines, {report.Statements} transform statements run on an empty warehouse: {errors} error(s), {warnings} warning(s)");
            return Task.FromResult(report.HasErrors ? CliApp.Failure : CliApp.Success);
        });
        return command;
    }
}
