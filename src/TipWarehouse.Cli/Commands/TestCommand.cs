using System.CommandLine;
using TipWarehouse.Cli.Output;
using TipWarehouse.Core;
using TipWarehouse.Etl.Engine;
using TipWarehouse.Etl.Quality;
using TipWarehouse.Etl.Specs;
using TipWarehouse.Schema;

namespace TipWarehouse.Cli.Commands;

/// <summary><c>tipw test</c>: runs every spec's data tests and the model's integrity checks (foreign keys, unenforced keys) on the warehouse; exit 1 when an error-level one fails.</summary>
internal static class TestCommand
{
    public static Command Create(CliContext context)
    {
        var home = CommonOptions.Home();
        var pipelines = new Option<string?>("--pipelines") { Description = "The folder of pipeline specs (default: TIPW_PIPELINES_DIR, ./pipelines, or the copy beside tipw)" };
        var pipeline = new Option<string?>("--pipeline") { Description = "Only the data tests of this pipeline (the integrity checks are skipped)" };
        var sqlDir = new Option<string?>("--sql") { Description = "The sql/ folder whose model the integrity checks read (default: the one shipped with tipw, or TIPW_SQL_DIR)" };
        var format = CommonOptions.Format("table", "csv", "json");
        var output = CommonOptions.Out();
        var command = new Command("test", "Run the data tests of the specs (not_null, unique, relationships, accepted_values, row_count, sql) and the schema's integrity checks; results go to meta.data_quality_result")
        {
            home, pipelines, pipeline, sqlDir, format, output,
        };
        command.SetAction(parseResult =>
        {
            var tipwHome = TipwHome.At(parseResult.GetValue(home));
            if (!File.Exists(tipwHome.WarehousePath))
            {
                throw new TipwException($"No warehouse at {tipwHome.WarehousePath}: run 'tipw init --home {tipwHome.Root}' first.");
            }

            var specs = SpecLoader.LoadDirectory(PipelineEngine.LocatePipelinesDirectory(parseResult.GetValue(pipelines), context.GetEnvironmentVariable));
            var only = parseResult.GetValue(pipeline);
            if (only is not null && specs.All(s => s.Name != only))
            {
                throw new UsageException($"Unknown pipeline '{only}'. Known: {string.Join(", ", specs.Select(s => s.Name))}.");
            }

            var rows = new List<object?[]>();
            var failed = 0;
            using var connection = Warehouse.Open(tipwHome);
            foreach (var spec in specs.Where(s => only is null || s.Name == only))
            {
                var results = DataTests.Run(connection, spec);
                if (LastBatch(connection, spec.Name) is { } batchId)
                {
                    DataTests.Record(connection, batchId, results, context.Time.GetUtcNow().UtcDateTime);
                }

                foreach (var r in results)
                {
                    failed += r.FailsRun ? 1 : 0;
                    rows.Add([r.Pipeline, r.Name, r.Test, r.Table, r.Column, r.Severity, r.FailedRows, r.TotalRows, r.Passed, r.Detail]);
                }
            }

            if (only is null)
            {
                var sql = parseResult.GetValue(sqlDir) ?? (context.GetEnvironmentVariable(SchemaSources.SqlDirectoryVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null);
                var schema = WarehouseSchema.Load(sql);
                var orphans = ReferentialIntegrity.Check(connection, schema.Description);
                var duplicates = ReferentialIntegrity.CheckKeys(connection, schema.Description);
                foreach (var v in orphans)
                {
                    rows.Add(["(schema)", v.ForeignKey, "foreign_key", v.Table, null, "error", v.OrphanRows, null, false, $"{v.OrphanRows} rows reference no row of {v.ReferencedTable}"]);
                }

                foreach (var v in duplicates)
                {
                    rows.Add(["(schema)", $"key({v.Key})", "unique_key", v.Table, v.Key, "error", v.DuplicateValues, null, false, $"{v.DuplicateValues} key values occur more than once"]);
                }

                failed += orphans.Count + duplicates.Count;
                context.Error.WriteLine($"tipw test: integrity: {schema.Description.Tables.Sum(t => t.ForeignKeys.Count)} foreign keys and the unenforced keys checked, {orphans.Count + duplicates.Count} violated");
            }

            var table = new ResultTable(
                [
                    new ResultColumn("pipeline", typeof(string)), new ResultColumn("test", typeof(string)), new ResultColumn("kind", typeof(string)),
                    new ResultColumn("table", typeof(string)), new ResultColumn("column", typeof(string)), new ResultColumn("severity", typeof(string)),
                    new ResultColumn("failed_rows", typeof(long)), new ResultColumn("total_rows", typeof(long)), new ResultColumn("passed", typeof(bool)),
                    new ResultColumn("detail", typeof(string)),
                ],
                rows);
            ResultWriter.WriteTo(table, parseResult.GetValue(format)!, parseResult.GetValue(output), context.Out);
            context.Error.WriteLine($"tipw test: {rows.Count} checks, {failed} failed at error level");
            return failed > 0 ? CliApp.Failure : CliApp.Success;
        });
        return command;
    }

    private static long? LastBatch(DuckDB.NET.Data.DuckDBConnection connection, string pipeline)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT max(batch_id) FROM meta.batch WHERE pipeline = $p AND status = 'succeeded'";
        command.Parameters.Add(new DuckDB.NET.Data.DuckDBParameter("p", pipeline));
        return command.ExecuteScalar() as long?;
    }
}
