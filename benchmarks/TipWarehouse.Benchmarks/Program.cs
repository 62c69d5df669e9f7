using System.Text;
using TipWarehouse.Benchmarks;
using TipWarehouse.Benchmarks.Micro;
using TipWarehouse.Core;

Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
try
{
    if (args.Length >= 2 && args[0] == "--phase" && args[1] == "ingest")
    {
        return await IngestPhase.RunChildAsync(args);
    }

    if (args.Length >= 2 && args[0] == "--phase" && args[1] == "measure")
    {
        // One program measured as this process's only child (peak RSS, CPU time): --phase measure PROGRAM [ARGS…].
        return await StagePhase.RunMeasureChildAsync(args);
    }

    if (args.Length >= 2 && args[0] == "--phase" && args[1] == "baseline")
    {
        // The read_csv baseline alone, on files simulated earlier: --phase baseline HOTLINE_DIR NEW_DB_PATH PIPELINES_DIR.
        if (args.Length != 5)
        {
            throw new UsageException("--phase baseline needs HOTLINE_DIR NEW_DB_PATH PIPELINES_DIR.");
        }

        var (rows, seconds) = Harness.DuckDbBaseline(args[3], args[2], args[4]);
        Console.Out.WriteLine($"BASELINE-RESULT rows={rows} seconds={seconds:0.000} rows_per_second={rows / seconds:0} load={MachineInfo.LoadAverage()}");
        return 0;
    }

    if (args.Length >= 2 && args[0] == "--phase" && args[1] == "sql-only")
    {
        // The SQL-only DuckDB pipeline alone, on files simulated earlier, into an initialized home: --phase sql-only --sources DIR --home HOME --pipelines DIR.
        var m = await Harness.SqlOnlyBaselineAsync(args);
        var phases = string.Join(" ", m.PhaseSeconds.Select(p => $"\"{p.Key}\"={p.Value:0.000}"));
        Console.Out.WriteLine($"SQLONLY-RESULT rows_read={m.RowsRead} rows_loaded={m.RowsLoaded} seconds={m.Seconds:0.000} rows_per_second={m.RowsRead / m.Seconds:0} load={MachineInfo.LoadAverage()} {phases}");
        return 0;
    }

    if (args.Length >= 2 && args[0] == "--phase" && args[1] == "reports")
    {
        // Report latency alone, on a warehouse loaded earlier: --phase reports HOME [harness options such as --repetitions N].
        if (args.Length < 3)
        {
            throw new UsageException("--phase reports needs HOME.");
        }

        var latency = new Harness(HarnessOptions.Parse(args[3..]), Console.Error).QueryLatency(TipwHome.At(args[2]));
        Console.Out.WriteLine(FormattableString.Invariant($"REPORTS-RESULT calls={latency.Calls} monthly_ms={latency.MonthlyMs:0.0} funnel_ms={latency.FunnelMs:0.0} all_ms={latency.AllReportsOnceMs:0.0} monthly_rows={latency.MonthlyRows} load={MachineInfo.LoadAverage()}"));
        return 0;
    }

    var options = HarnessOptions.Parse(args);
    var commandLine = "dotnet run -c Release --project benchmarks/TipWarehouse.Benchmarks --" + (args.Length == 0 ? "" : " " + string.Join(' ', args.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a)));
    if (!options.MicroOnly)
    {
        await new Harness(options, Console.Error).RunAsync(commandLine);
    }

    if (options.Micro)
    {
        var folder = Path.Combine(options.ResultsRoot ?? Harness.LocateResultsRoot(), options.Machine);
        Console.Out.WriteLine("micro-benchmarks: " + MicroRunner.Run(folder, commandLine));
    }

    return 0;
}
catch (UsageException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}
catch (TipwException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 1;
}
