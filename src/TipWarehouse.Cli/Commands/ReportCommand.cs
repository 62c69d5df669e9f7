using System.CommandLine;
using TipWarehouse.Analytics.Charts;
using TipWarehouse.Analytics.Disclosure;
using TipWarehouse.Analytics.Export;
using TipWarehouse.Analytics.Reports;
using TipWarehouse.Cli.Output;
using TipWarehouse.Core;

namespace TipWarehouse.Cli.Commands;

/// <summary><c>tipw report NAME</c>: the canned MSC/IOM reports as a table, CSV, JSON, Parquet, Arrow or PNG chart, optionally disclosure-controlled.</summary>
internal static class ReportCommand
{
    public static Command Create(CliContext context)
    {
        var home = CommonOptions.Home();
        var format = CommonOptions.Format("table", "csv", "json", "parquet", "arrow", "png");
        var output = CommonOptions.Out();
        var name = new Argument<string>("name") { Description = "The report: " + string.Join(", ", ReportCatalog.Names) };
        name.AcceptOnlyFromAmong([.. ReportCatalog.Names]);
        var from = new Option<string?>("--from") { Description = "First month of the window, YYYY-MM (default: the first month with data)" };
        var to = new Option<string?>("--to") { Description = "Last month of the window, YYYY-MM (default: the last month with data)" };
        var by = new Option<string>("--by") { Description = "Period of time-series rows: month, quarter or year", DefaultValueFactory = _ => "month" };
        by.AcceptOnlyFromAmong("month", "quarter", "year");
        var level = new Option<string>("--level") { Description = "regions: directorate (PNP) or department", DefaultValueFactory = _ => "directorate" };
        level.AcceptOnlyFromAmong("directorate", "department");
        var kpi = new Option<string?>("--kpi")
        {
            Description = "training-effect: " + string.Join("|", TrainingEffectReport.Kpis.Select(k => k.Name)) + "; law-effect: " + string.Join("|", LawEffectReport.Kpis),
        };
        var publish = new Option<bool>("--publish") { Description = "Apply disclosure control: suppress counts under k and every cell that would reveal them" };
        var k = new Option<int?>("--k") { Description = "Disclosure threshold with --publish (default 10)" };
        var allCases = new Option<bool>("--all-cases") { Description = "funnel: count every linked case, not only the TIP cases" };
        var command = new Command("report", "Run a canned report (monthly, funnel, regions, referrals, training-effect, law-effect, definitions)")
        {
            name, home, from, to, by, level, kpi, format, output, publish, k, allCases,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var reportName = parseResult.GetValue(name)!;
            var chosenFormat = parseResult.GetValue(format)!;
            var outPath = parseResult.GetValue(output);
            if (chosenFormat is "parquet" or "arrow" or "png" && string.IsNullOrEmpty(outPath))
            {
                throw new UsageException($"--format {chosenFormat} writes a binary file: give --out FILE, e.g. --out {reportName}.{chosenFormat}.");
            }

            if (chosenFormat == "png" && !ReportCatalog.Charted.Contains(reportName))
            {
                throw new UsageException($"Report '{reportName}' has no chart; --format png works for: {string.Join(", ", ReportCatalog.Charted)}.");
            }

            if (parseResult.GetValue(kpi) is { } chosenKpi && reportName is not ("training-effect" or "law-effect"))
            {
                throw new UsageException($"--kpi '{chosenKpi}' does not apply to report {reportName}: only training-effect ({string.Join(", ", TrainingEffectReport.Kpis.Select(x => x.Name))}) and law-effect ({string.Join(", ", LawEffectReport.Kpis)}) take a KPI.");
            }

            var threshold = parseResult.GetValue(k);
            if (threshold is not null && !parseResult.GetValue(publish))
            {
                throw new UsageException("--k sets the disclosure threshold of --publish: add --publish.");
            }

            var request = new ReportRequest
            {
                From = parseResult.GetValue(from) is { } f ? YearMonth.Parse(f, "--from") : null,
                To = parseResult.GetValue(to) is { } t ? YearMonth.Parse(t, "--to") : null,
                By = Enum.Parse<PeriodGrain>(parseResult.GetValue(by)!, ignoreCase: true),
                Level = Enum.Parse<RegionLevel>(parseResult.GetValue(level)!, ignoreCase: true),
                Kpi = parseResult.GetValue(kpi),
                Publish = parseResult.GetValue(publish),
                AllCases = parseResult.GetValue(allCases),
                K = threshold ?? 10,
            };

            ResultTable table;
            using (var connection = Warehouse.Open(TipwHome.At(parseResult.GetValue(home)), readOnly: true))
            {
                table = ReportCatalog.Run(connection, reportName, request);
            }

            switch (chosenFormat)
            {
                case "table":
                    ResultWriter.WriteTo(request.Publish ? DisclosureControl.ForDisplay(table) : table, chosenFormat, outPath, context.Out);
                    return CliApp.Success;
                case "csv" or "json":
                    ResultWriter.WriteTo(table, chosenFormat, outPath, context.Out);
                    break;
                case "parquet":
                    WarehouseExport.ToParquet(table, outPath!);
                    break;
                case "arrow":
                    await ArrowExport.WriteAsync(table, EnsureDirectory(outPath!), cancellationToken);
                    break;
                default:
                    ReportCharts.Render(reportName, table, outPath!, request.Publish ? request.K : null);
                    break;
            }

            // Notes (method, assumptions, suppression footer) go to stderr so stdout stays clean CSV/JSON.
            foreach (var note in table.Notes)
            {
                await context.Error.WriteLineAsync(note);
            }

            if (!string.IsNullOrEmpty(outPath))
            {
                await context.Error.WriteLineAsync($"Wrote {reportName} ({table.Rows.Count} rows, {chosenFormat}) to {Path.GetFullPath(outPath)}");
            }

            return CliApp.Success;
        });
        return command;
    }

    private static string EnsureDirectory(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        return path;
    }
}
