using System.CommandLine;
using TipWarehouse.Analytics.Export;
using TipWarehouse.Cli.Output;
using TipWarehouse.Core;

namespace TipWarehouse.Cli.Commands;

/// <summary><c>tipw export TABLE_OR_VIEW</c>: a warehouse table or view as Parquet, an Arrow IPC file or CSV.</summary>
internal static class ExportCommand
{
    public static Command Create(CliContext context)
    {
        var home = CommonOptions.Home();
        var format = CommonOptions.Format("parquet", "arrow", "csv");
        var output = new Option<string?>("--out") { Description = "The file to write (default: HOME/exports/SCHEMA.NAME.EXT; CSV without --out goes to stdout)" };
        var name = new Argument<string>("table-or-view") { Description = "A table or view, as schema.name (e.g. dw.fact_hotline_call, rpt.v_monthly_national) or a bare name" };
        var command = new Command("export", "Export a warehouse table or view as Parquet, Arrow IPC file or CSV") { name, home, format, output };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var tipwHome = TipwHome.At(parseResult.GetValue(home));
            var chosenFormat = parseResult.GetValue(format)!;
            var outPath = parseResult.GetValue(output);
            using var connection = Warehouse.Open(tipwHome, readOnly: true);
            var source = WarehouseExport.Resolve(connection, parseResult.GetValue(name)!);
            if (chosenFormat == "csv")
            {
                var table = WarehouseExport.ReadAll(connection, source);
                ResultWriter.WriteTo(table, "csv", outPath, context.Out);
                if (!string.IsNullOrEmpty(outPath))
                {
                    await context.Error.WriteLineAsync($"Exported {source} ({table.Rows.Count} rows, csv) to {Path.GetFullPath(outPath)}");
                }

                return CliApp.Success;
            }

            var path = Path.GetFullPath(string.IsNullOrEmpty(outPath)
                ? Path.Combine(tipwHome.ExportsDirectory, $"{source.Schema}.{source.Name}.{(chosenFormat == "arrow" ? "arrow" : "parquet")}")
                : outPath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var rows = chosenFormat == "arrow"
                ? await WarehouseExport.ToArrowAsync(connection, source, path, cancellationToken)
                : WarehouseExport.ToParquet(connection, source, path);
            await context.Error.WriteLineAsync($"Exported {source} ({rows} rows, {chosenFormat}) to {path}");
            return CliApp.Success;
        });
        return command;
    }
}
