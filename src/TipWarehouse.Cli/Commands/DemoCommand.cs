using System.CommandLine;
using System.Diagnostics;
using TipWarehouse.Analytics.Reports;
using TipWarehouse.Classifier;
using TipWarehouse.Cli.Output;
using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;
using TipWarehouse.Linkage.Determination;
using TipWarehouse.Schema;
using TipWarehouse.Simulation;

namespace TipWarehouse.Cli.Commands;

/// <summary>
/// <c>tipw demo</c>: the whole product in one command. Simulates the three agency systems for 2005–2007 into
/// <c>HOME/sources</c>, initializes the warehouse, runs every pipeline (loads, linkage, scoring), trains and activates
/// a classifier when none is active, scores the calls, and prints the monthly national figures. Re-running it on the
/// same home is safe: the same world is not simulated again, the loads are idempotent and an active model is kept.
/// </summary>
internal static class DemoCommand
{
    /// <summary>The simulated window of the demo.</summary>
    public static readonly DateOnly From = new(2005, 1, 1);

    /// <summary>The last simulated day of the demo.</summary>
    public static readonly DateOnly To = new(2007, 12, 31);

    /// <summary>The file in <c>HOME/sources</c> naming the simulated world the sources are (seed, window, simulator build).</summary>
    public const string WorldStampFile = "demo-world.json";

    public static Command Create(CliContext context)
    {
        var home = CommonOptions.Home();
        var format = CommonOptions.Format("table", "csv", "json");
        var output = CommonOptions.Out();
        var seed = new Option<long>("--seed") { Description = "Seed of the simulated world", DefaultValueFactory = _ => 42 };
        var command = new Command("demo", "Simulate 2005–2007, build the warehouse, run every pipeline, train the classifier and print the monthly national figures")
        {
            home, seed, format, output,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var tipwHome = TipwHome.At(parseResult.GetValue(home));
            var clock = Stopwatch.StartNew();
            void Step(string message) => context.Error.WriteLine($"[{clock.Elapsed.TotalSeconds,6:0.0}s] {message}");

            Step($"tipw demo: home {tipwHome.Root}");
            var sources = tipwHome.DefaultSourcesDirectory;
            // The world's identity: seed, window and the simulator's build. Written after a complete simulation, so a
            // second demo of the same world re-simulates nothing (its files keep their bytes and times).
            var stampPath = Path.Combine(sources, WorldStampFile);
            var stamp = $"{{\"seed\": {parseResult.GetValue(seed)}, \"from\": \"{From:yyyy-MM-dd}\", \"to\": \"{To:yyyy-MM-dd}\", \"simulator\": \"{typeof(WorldSimulator).Assembly.ManifestModule.ModuleVersionId}\"}}\n";
            if (File.Exists(stampPath) && File.ReadAllText(stampPath) == stamp)
            {
                Step($"the sources in {sources} are this world's ({WorldStampFile}): kept, not simulated again");
            }
            else
            {
                if (File.Exists(stampPath))
                {
                    File.Delete(stampPath);
                }
                Step($"simulating the hotline, police and prosecution systems {From:yyyy-MM-dd}..{To:yyyy-MM-dd} into {sources}");
                var world = WorldSimulator.Run(
                    new SimulationOptions { OutputDirectory = sources, From = From, To = To, Seed = parseResult.GetValue(seed) },
                    progress: null,
                    cancellationToken);
                Step($"  {world.HotlineCalls:N0} hotline calls, {world.PoliceReports:N0} police reports, {world.ProsecutionEvents:N0} prosecution events");
                var temporary = stampPath + ".tmp";
                File.WriteAllText(temporary, stamp);
                File.Move(temporary, stampPath, overwrite: true);
            }

            Step("initializing the warehouse (schema from sql/, reference dimensions)");
            WarehouseInitializer.InitializeHome(tipwHome, context.Time, new InitOptions(), context.GetEnvironmentVariable, cancellationToken);

            var engine = PipelineEngineFactory.Create(context, tipwHome, pipelinesDirectory: null, new RunProgress(context));
            Step($"running {engine.Pipelines.Count} pipelines: {string.Join(", ", engine.Pipelines.Select(p => p.Name))}");
            var results = (await engine.RunManyAsync(null, sources, "demo", cancellationToken: cancellationToken)).ToList();

            if (ActiveModelName(tipwHome) is { } active)
            {
                Step($"classifier: model {active} is active; new calls were scored by the scoring pipeline");
            }
            else if (results.All(r => r.Succeeded))
            {
                Step("training the TIP call classifier on the warehouse's labelled calls (time-based split)");
                var outcome = new ClassifierService(context.Time, message => context.Error.WriteLine("  " + message))
                    .Train(tipwHome, ModelCommand.WithExtraNarratives(new TrainingOptions(), file: null), activate: true, cancellationToken);
                Step($"  model {outcome.Model.ModelName} active");
                // Scoring, then the TIP determination again: the model's scores are evidence of the definition.
                var scoring = engine.Pipelines.Where(p => p.Kind is CallScoringStep.StepKind or TipDeterminationStep.StepKind).Select(p => p.Name).ToList();
                if (scoring.Count > 0)
                {
                    results.AddRange(await engine.RunManyAsync(scoring, sources, "demo", cancellationToken: cancellationToken));
                }
            }

            await context.Error.WriteLineAsync();
            ResultWriter.Write(RunCommand.Summary(results), "table", context.Error);

            ResultTable monthly;
            using (var connection = Warehouse.Open(tipwHome, readOnly: true))
            {
                monthly = ReportCatalog.Run(connection, "monthly", new ReportRequest { From = new YearMonth(From.Year, From.Month), To = new YearMonth(To.Year, To.Month) });
            }

            Step("monthly national figures:");
            ResultWriter.WriteTo(monthly, parseResult.GetValue(format)!, parseResult.GetValue(output), context.Out);
            Step($"done. Try: tipw report funnel --home {tipwHome.Root} · tipw evaluate linkage --home {tipwHome.Root} --truth {Path.Combine(sources, "truth")}");
            foreach (var failed in results.Where(r => !r.Succeeded))
            {
                await context.Error.WriteLineAsync($"error: pipeline {failed.Pipeline} failed: {failed.Error}");
            }

            return results.All(r => r.Succeeded) ? CliApp.Success : CliApp.Failure;
        });
        return command;
    }

    private static string? ActiveModelName(TipwHome home)
    {
        using var connection = Warehouse.Open(home, readOnly: true);
        return ModelRegistry.Active(connection)?.ModelName;
    }
}
