using System.CommandLine;
using TipWarehouse.Cli.Output;
using TipWarehouse.Core;
using TipWarehouse.Schema;

namespace TipWarehouse.Cli.Commands;

/// <summary><c>tipw schema build</c>: compiles <c>sql/</c> with DacFx into a dacpac and a create script per platform.</summary>
internal static class SchemaCommand
{
    public static Command Create(CliContext context)
    {
        var schema = new Command("schema", "Build and inspect the warehouse schema (sql/ compiled by DacFx)");
        schema.Subcommands.Add(Build(context));
        schema.Subcommands.Add(DuckDb(context));
        return schema;
    }

    private static Command Build(CliContext context)
    {
        var home = CommonOptions.Home();
        var outDir = new Option<string>("--out") { Description = "Folder for TipWarehouse.dacpac and TipWarehouse.create.sql", Required = true };
        var platform = new Option<string>("--platform") { Description = "sqlserver (default), synapse (Azure Synapse dedicated SQL pool) or all", DefaultValueFactory = _ => "sqlserver" };
        platform.AcceptOnlyFromAmong("sqlserver", "synapse", "all");
        var format = CommonOptions.Format("table", "csv", "json");
        var sqlDir = new Option<string?>("--sql") { Description = "The sql/ folder to compile (default: the one shipped with tipw, or TIPW_SQL_DIR)" };
        var command = new Command("build", "Compile and validate sql/ with DacFx; write TipWarehouse.dacpac and its create script")
        {
            home, outDir, platform, format, sqlDir,
        };
        command.SetAction(parseResult =>
        {
            var source = parseResult.GetValue(sqlDir) ?? SqlDirectory(context);
            var output = Path.GetFullPath(parseResult.GetValue(outDir)!);
            var platforms = parseResult.GetValue(platform) switch
            {
                "synapse" => new[] { SchemaPlatform.Synapse },
                "all" => [SchemaPlatform.SqlServer, SchemaPlatform.Synapse],
                _ => [SchemaPlatform.SqlServer],
            };
            var rows = new List<object?[]>();
            var notes = new List<string>();
            foreach (var target in platforms)
            {
                context.Error.WriteLine($"tipw schema build: compiling {source} for {target}");
                var result = SchemaPackageBuilder.Build(source, output, target);
                foreach (var warning in result.Warnings)
                {
                    context.Error.WriteLine("  " + warning);
                }

                rows.Add([target.ToString().ToLowerInvariant(), result.DacpacPath, result.CreateScriptPath, (long)result.Tables, (long)result.Views]);
                notes.AddRange(result.Notes.Select(n => target.ToString().ToLowerInvariant() + ": " + n));
            }

            var table = new ResultTable(
                [new ResultColumn("platform", typeof(string)), new ResultColumn("dacpac", typeof(string)), new ResultColumn("create_script", typeof(string)), new ResultColumn("tables", typeof(long)), new ResultColumn("views", typeof(long))],
                rows,
                notes);
            ResultWriter.WriteTo(table, parseResult.GetValue(format)!, null, context.Out);
            return CliApp.Success;
        });
        return command;
    }

    private static Command DuckDb(CliContext context)
    {
        var sqlDir = new Option<string?>("--sql") { Description = "The sql/ folder to compile (default: the one shipped with tipw, or TIPW_SQL_DIR)" };
        var output = CommonOptions.Out();
        var command = new Command("duckdb", "Print the DuckDB DDL generated from the compiled model") { sqlDir, output };
        command.SetAction(parseResult =>
        {
            var schema = WarehouseSchema.Load(parseResult.GetValue(sqlDir) ?? SqlDirectory(context));
            var script = schema.DuckDb.ToCreateScript();
            if (parseResult.GetValue(output) is { Length: > 0 } path)
            {
                File.WriteAllText(path, script);
            }
            else
            {
                context.Out.Write(script);
            }

            return CliApp.Success;
        });
        return command;
    }

    private static string SqlDirectory(CliContext context) =>
        context.GetEnvironmentVariable(SchemaSources.SqlDirectoryVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : SchemaSources.SqlDirectory;
}
