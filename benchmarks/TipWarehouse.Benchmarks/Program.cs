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
