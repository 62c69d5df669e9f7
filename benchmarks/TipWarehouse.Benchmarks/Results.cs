using System.Globalization;
using System.Text;
using System.Text.Json;

namespace TipWarehouse.Benchmarks;

/// <summary>One reported figure with its target: <see cref="Pass"/> is null where the target does not apply or the figure was not measured.</summary>
public sealed record Figure(string Key, string Name, double? Value, string Unit, string Target, bool? Pass, string Note)
{
    /// <summary>PASS, MISS or n/a.</summary>
    public string Verdict => Pass switch { true => "PASS", false => "MISS", null => "n/a" };

    /// <summary>The value formatted for a table.</summary>
    public string Formatted => Value is { } v ? Format(v) + (Unit.Length > 0 ? " " + Unit : "") : "not measured";

    /// <summary>Three significant figures, invariant culture.</summary>
    public static string Format(double value) =>
        Math.Abs(value) >= 1000 ? value.ToString("N0", CultureInfo.InvariantCulture)
        : Math.Abs(value) >= 10 ? value.ToString("0.0", CultureInfo.InvariantCulture)
        : value.ToString("0.00#", CultureInfo.InvariantCulture);
}

/// <summary>A step of the run with its duration and the load average when it ended.</summary>
public sealed record StepTiming(string Step, double Seconds, string LoadAverage, string Detail);

/// <summary>Everything one harness run measured, as written to <c>benchmarks/results/MACHINE/scale-N.json</c>.</summary>
public sealed record HarnessReport(
    string Started,
    double Scale,
    long Seed,
    long Calls,
    MachineInfo Machine,
    string LoadAverageAtStart,
    string LoadAverageAtEnd,
    bool MachineLoaded,
    string? Note,
    IReadOnlyList<Figure> Figures,
    IReadOnlyList<StepTiming> Steps,
    IngestMeasurement? Ingest,
    IReadOnlyDictionary<string, double> Details,
    string Command,
    IReadOnlyList<StageMeasurement>? Stages = null);

/// <summary>Writes a run's Markdown and JSON and prints its figure table.</summary>
public static class ResultsWriter
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The file stem of a run at <paramref name="scale"/>.</summary>
    public static string Stem(double scale) => "scale-" + scale.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>Writes <c>scale-N.json</c> and <c>scale-N.md</c> under <paramref name="folder"/> and returns the Markdown path.</summary>
    public static string Write(string folder, HarnessReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        Directory.CreateDirectory(folder);
        var stem = Path.Combine(folder, Stem(report.Scale));
        File.WriteAllText(stem + ".json", JsonSerializer.Serialize(report, s_json) + "\n");
        File.WriteAllText(stem + ".md", Markdown(report));
        return stem + ".md";
    }

    /// <summary>Reads an earlier run's JSON, or null.</summary>
    public static HarnessReport? TryRead(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<HarnessReport>(File.ReadAllText(path), s_json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The figure table as fixed-width text for stdout.</summary>
    public static string Table(IReadOnlyList<Figure> figures)
    {
        ArgumentNullException.ThrowIfNull(figures);
        var rows = figures.Select(f => new[] { f.Name, f.Formatted, f.Target, f.Verdict }).Prepend(["figure", "value", "target", "verdict"]).ToList();
        var widths = Enumerable.Range(0, 4).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var (row, index) in rows.Select((r, i) => (r, i)))
        {
            text.AppendLine(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
            if (index == 0)
            {
                text.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
            }
        }

        return text.ToString();
    }

    private static string Markdown(HarnessReport r)
    {
        var m = r.Machine;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# TipWarehouse performance — scale {r.Scale.ToString(CultureInfo.InvariantCulture)} ({r.Calls:N0} simulated calls)");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Run started {r.Started} with `{r.Command}` (seed {r.Seed}).");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Machine `{m.Machine}`: {m.Cpu}, {m.Cores} cores, {m.MemoryGiB} GiB RAM, {m.Os}, {m.Runtime}, DuckDB {m.DuckDb}.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Load average (1, 5, 15 min) at start: {r.LoadAverageAtStart}; at end: {r.LoadAverageAtEnd}.");
        if (r.MachineLoaded)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"**Measured under load**: the load average exceeded the {m.Cores} cores during the run (the harness's own DuckDB and ML.NET threads can do that on 2 cores; other jobs may also have shared the machine: see the load column of the steps), so read the times with it.");
        }

        if (!string.IsNullOrWhiteSpace(r.Note))
        {
            text.AppendLine();
            text.AppendLine("Note: " + r.Note);
        }

        text.AppendLine();
        text.AppendLine("| figure | value | target | verdict | note |");
        text.AppendLine("|---|---|---|---|---|");
        foreach (var f in r.Figures)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {f.Name} | {f.Formatted} | {f.Target} | {f.Verdict} | {f.Note} |");
        }

        if (r.Stages is { Count: > 0 } stages)
        {
            text.AppendLine();
            text.AppendLine("## Stages (each its own process)");
            text.AppendLine();
            if (stages.Select(s => s.HostProbeMs).OfType<double>().Order().ToList() is { Count: > 0 } probes)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"Host probe (`{HostProbe.Workload}` on one thread, timed before each stage; a slower host takes longer whatever the load average says): {probes[0]:0} ms fastest, {probes[probes.Count / 2]:0} ms median, {probes[^1]:0} ms slowest.");
                text.AppendLine();
            }

            text.AppendLine("| stage | seconds | CPU seconds | rows | rows/s | peak RSS (MiB) | 1-min load, max while running | host probe before (ms) | exit | command | detail |");
            text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var s in stages)
            {
                string Cell(double? v) => v is { } x ? Figure.Format(x) : "";
                text.AppendLine(CultureInfo.InvariantCulture, $"| {s.Stage} | {s.Seconds:0.00} | {Cell(s.CpuSeconds)} | {(s.Rows is { } rows ? rows.ToString("N0", CultureInfo.InvariantCulture) : "")} | {Cell(s.RowsPerSecond)} | {Cell(s.PeakRssMiB)} | {s.LoadMax:0.0} | {(s.HostProbeMs is { } ms ? ms.ToString("0", CultureInfo.InvariantCulture) : "")} | {s.ExitCode} | `{s.Command.Replace("|", "\\|", StringComparison.Ordinal)}` | {s.Detail} |");
            }
        }

        text.AppendLine();
        text.AppendLine("## Steps");
        text.AppendLine();
        text.AppendLine("| step | seconds | load average after | detail |");
        text.AppendLine("|---|---|---|---|");
        foreach (var s in r.Steps)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {s.Step} | {s.Seconds:0.00} | {s.LoadAverage} | {s.Detail} |");
        }

        text.AppendLine();
        text.AppendLine("## Details");
        text.AppendLine();
        text.AppendLine("| measure | value |");
        text.AppendLine("|---|---|");
        foreach (var (key, value) in r.Details)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {key} | {Figure.Format(value)} |");
        }

        return text.ToString();
    }
}
