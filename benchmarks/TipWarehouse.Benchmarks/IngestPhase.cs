using System.Diagnostics;
using System.Text.Json;
using TipWarehouse.Classifier;
using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;
using TipWarehouse.Etl.Engine;

namespace TipWarehouse.Benchmarks;

/// <summary>What one ingest child process measured: the hotline pipeline's time and counts, the process's peak RSS, and where the hotline's loading thread spent its time (seconds per phase).</summary>
public sealed record IngestMeasurement(
    double StationsSeconds,
    double HotlineSeconds,
    long RowsRead,
    long RowsLoaded,
    long RowsRejected,
    long RowsDuplicate,
    int Batches,
    long PeakRssBytes,
    string Status,
    string? Error,
    IReadOnlyDictionary<string, double>? HotlinePhaseSeconds = null);

/// <summary>The ingest measured in its own process (<c>--phase ingest</c>), so its peak RSS is independent of the harness and of other scales.</summary>
public static class IngestPhase
{
    /// <summary>The marker of the child's one result line on stdout.</summary>
    public const string ResultMarker = "INGEST-RESULT ";

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    /// <summary>Child side: loads <c>police_stations</c> (the hotline's upstream, untimed for the ratio) then times <c>hotline</c>.</summary>
    public static async Task<int> RunChildAsync(IReadOnlyList<string> args, CancellationToken cancellationToken = default)
    {
        string? sources = null, home = null, pipelines = null;
        for (var i = 0; i + 1 < args.Count; i += 2)
        {
            switch (args[i])
            {
                case "--sources": sources = args[i + 1]; break;
                case "--home": home = args[i + 1]; break;
                case "--pipelines": pipelines = args[i + 1]; break;
                case "--phase": break;
                default: throw new UsageException($"Unknown ingest-phase option '{args[i]}'.");
            }
        }

        if (sources is null || home is null || pipelines is null)
        {
            throw new UsageException("--phase ingest needs --sources DIR --home DIR --pipelines DIR.");
        }

        var engine = NewEngine(TipwHome.At(home), pipelines);
        var stations = await TimeAsync(engine, "police_stations", sources, cancellationToken);
        var timings = new LoadTimings();
        var hotline = await TimeAsync(NewEngine(TipwHome.At(home), pipelines, timings), "hotline", sources, cancellationToken);
        var error = stations.Result.Succeeded ? hotline.Result.Error : stations.Result.Error;
        var measurement = new IngestMeasurement(
            stations.Seconds,
            hotline.Seconds,
            hotline.Result.RowsRead,
            hotline.Result.RowsLoaded,
            hotline.Result.RowsRejected,
            hotline.Result.RowsDuplicate,
            hotline.Result.Batches,
            MachineInfo.PeakRssBytes(),
            stations.Result.Succeeded && hotline.Result.Succeeded ? PipelineRunStatus.Succeeded : PipelineRunStatus.Failed,
            error,
            timings.Seconds().ToDictionary(p => p.Key, p => Math.Round(p.Value, 3), StringComparer.Ordinal));
        Console.Out.WriteLine(ResultMarker + JsonSerializer.Serialize(measurement, s_json));
        return measurement.Status == PipelineRunStatus.Succeeded ? 0 : 1;
    }

    /// <summary>Parent side: re-invokes this executable with <c>--phase ingest</c> and reads its result line.</summary>
    public static async Task<IngestMeasurement> RunInChildAsync(string sources, TipwHome home, string pipelines, CancellationToken cancellationToken = default)
    {
        var start = SelfStartInfo();
        foreach (var a in new[] { "--phase", "ingest", "--sources", sources, "--home", home.Root, "--pipelines", pipelines })
        {
            start.ArgumentList.Add(a);
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = false;
        using var process = Process.Start(start) ?? throw new TipwException("Cannot start the ingest child process.");
        string? resultLine = null;
        while (await process.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith(ResultMarker, StringComparison.Ordinal))
            {
                resultLine = line[ResultMarker.Length..];
            }
        }

        await process.WaitForExitAsync(cancellationToken);
        return resultLine is null
            ? throw new TipwException($"The ingest child process exited with code {process.ExitCode} without a result line (see its stderr above).")
            : JsonSerializer.Deserialize<IngestMeasurement>(resultLine, s_json)!;
    }

    /// <summary>An engine over <paramref name="pipelines"/> with the scoring step registered (the folder holds <c>call_scoring.yaml</c>).</summary>
    public static PipelineEngine NewEngine(TipwHome home, string pipelines, LoadTimings? timings = null) =>
        new(home, pipelines, TimeProvider.System, [new CallScoringStep()], new PipelineEngineOptions { Environment = _ => null, Timings = timings });

    /// <summary>Runs one pipeline and times it with a monotonic clock.</summary>
    public static async Task<(PipelineRunResult Result, double Seconds)> TimeAsync(PipelineEngine engine, string pipeline, string sources, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var started = Stopwatch.GetTimestamp();
        var result = await engine.RunAsync(new PipelineRunRequest(pipeline, sources, "benchmark"), cancellationToken);
        return (result, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>A start of this executable (the apphost, or dotnet with this assembly), for a harness phase child.</summary>
    public static ProcessStartInfo SelfStartInfo()
    {
        var processPath = Environment.ProcessPath ?? throw new TipwException("Cannot locate the running executable.");
        var start = new ProcessStartInfo(processPath) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(processPath).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(typeof(IngestPhase).Assembly.Location);
        }

        return start;
    }
}
