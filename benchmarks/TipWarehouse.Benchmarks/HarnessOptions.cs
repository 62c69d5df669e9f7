using System.Globalization;
using TipWarehouse.Core;

namespace TipWarehouse.Benchmarks;

/// <summary>The harness's command line: <c>[--scale N] [--machine NAME] [--results DIR] [--work DIR] [--micro] [--keep] [--skip STAGE,…]</c>.</summary>
public sealed record HarnessOptions
{
    /// <summary>Simulation scale (1 ≈ 22k calls, 46 ≈ 1M, 460 ≈ 10M).</summary>
    public double Scale { get; init; } = 1.0;

    /// <summary>Seed of the simulated world.</summary>
    public long Seed { get; init; } = 42;

    /// <summary>Name of the results folder under <c>benchmarks/results/</c>.</summary>
    public string Machine { get; init; } = Environment.MachineName.ToLowerInvariant();

    /// <summary>Root of the results folders; null means <c>benchmarks/results</c> of the repository.</summary>
    public string? ResultsRoot { get; init; }

    /// <summary>Scratch folder for sources and warehouses; null means a new temporary folder.</summary>
    public string? WorkDirectory { get; init; }

    /// <summary>Also run the BenchmarkDotNet micro-benchmarks (short job) and copy their summary into the results.</summary>
    public bool Micro { get; init; }

    /// <summary>Only the micro-benchmarks.</summary>
    public bool MicroOnly { get; init; }

    /// <summary>Keep the scratch folder (sources, warehouses) after the run.</summary>
    public bool Keep { get; init; }

    /// <summary>Skip loading the police and prosecution sources (the same as <c>--skip police</c>).</summary>
    public bool HotlineOnly => Skip.Contains("police_reports");

    /// <summary>Stage keys not to run (<see cref="StageCatalog"/>; <c>--skip linkage,run_all</c>).</summary>
    public IReadOnlySet<string> Skip { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The <c>tipw</c> the stages run (its apphost or <c>tipw.dll</c>); null means the repository's build of this configuration.</summary>
    public string? Tipw { get; init; }

    /// <summary>Labelled calls the classifier trains on (the figure is defined at ~100k).</summary>
    public int TrainingCalls { get; init; } = 100_000;

    /// <summary>Repetitions of each report for the median latency.</summary>
    public int QueryRepetitions { get; init; } = 9;

    /// <summary>Free-text note stored with the results (e.g. "machine loaded by other jobs").</summary>
    public string? Note { get; init; }

    /// <summary>Parses the harness arguments (not the child phase).</summary>
    public static HarnessOptions Parse(IReadOnlyList<string> args)
    {
        var options = new HarnessOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new UsageException($"{arg} needs a value.");
            options = arg switch
            {
                "--scale" => options with { Scale = Number(arg, Value()) },
                "--seed" => options with { Seed = (long)Number(arg, Value()) },
                "--machine" => options with { Machine = Value() },
                "--results" => options with { ResultsRoot = Value() },
                "--work" => options with { WorkDirectory = Value() },
                "--training-calls" => options with { TrainingCalls = (int)Number(arg, Value()) },
                "--repetitions" => options with { QueryRepetitions = Math.Max(1, (int)Number(arg, Value())) },
                "--note" => options with { Note = Value() },
                "--micro" => options with { Micro = true },
                "--micro-only" => options with { Micro = true, MicroOnly = true },
                "--keep" => options with { Keep = true },
                "--hotline-only" => options with { Skip = Union(options.Skip, StageCatalog.Groups["police"]) },
                "--skip" => options with { Skip = Union(options.Skip, StageCatalog.ParseSkip(Value())) },
                "--tipw" => options with { Tipw = Value() },
                _ => throw new UsageException($"Unknown option '{arg}'. Use: [--scale N] [--seed N] [--machine NAME] [--results DIR] [--work DIR] [--micro|--micro-only] [--hotline-only] [--skip STAGE,…] [--tipw PATH] [--training-calls N] [--repetitions N] [--note TEXT] [--keep]"),
            };
        }

        if (options.Scale <= 0)
        {
            throw new UsageException("--scale must be positive.");
        }

        return options;
    }

    private static HashSet<string> Union(IReadOnlySet<string> a, IEnumerable<string> b) => [.. a.Concat(b)];

    private static double Number(string option, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new UsageException($"{option} expects a number, not '{text}'.");
}
