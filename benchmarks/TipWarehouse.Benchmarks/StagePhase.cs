using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using TipWarehouse.Core;

namespace TipWarehouse.Benchmarks;

/// <summary>One stage of the chain timed in its own process: wall and CPU seconds, peak RSS, rows and the load average while it ran.</summary>
/// <param name="Stage">The stage key (e.g. <c>hotline</c>, <c>linkage_full</c>); what <c>--skip</c> names.</param>
/// <param name="Command">What the child ran (the <c>tipw</c> arguments or the harness phase).</param>
/// <param name="Seconds">Wall time of the child process, start to exit.</param>
/// <param name="CpuSeconds">User plus system CPU time of the child (<c>getrusage</c>), or null where unknown.</param>
/// <param name="PeakRssBytes">The child's peak resident set size (<c>ru_maxrss</c> of the only child of the measuring process), or null where unknown.</param>
/// <param name="Rows">Rows the stage read (see the README's definition per stage), or null.</param>
/// <param name="ExitCode">The child's exit code (0: succeeded).</param>
/// <param name="LoadMax">Highest 1-minute load average sampled while the stage ran.</param>
/// <param name="LoadAtEnd">The 1-, 5- and 15-minute load averages when it ended.</param>
/// <param name="Detail">A short description of what it did (counts, status).</param>
/// <param name="HostProbeMs">Milliseconds of <see cref="HostProbe"/> just before the stage started (the host's speed then), or null.</param>
public sealed record StageMeasurement(
    string Stage,
    string Command,
    double Seconds,
    double? CpuSeconds,
    long? PeakRssBytes,
    long? Rows,
    int ExitCode,
    double LoadMax,
    string LoadAtEnd,
    string Detail,
    double? HostProbeMs = null)
{
    /// <summary>True when the child exited with code 0.</summary>
    public bool Succeeded => ExitCode == 0;

    /// <summary>Rows per second, or null without rows.</summary>
    public double? RowsPerSecond => Rows is { } r && Seconds > 0 ? r / Seconds : null;

    /// <summary>Peak RSS in MiB, or null.</summary>
    public double? PeakRssMiB => PeakRssBytes / 1048576.0;
}

/// <summary>What the measuring child (<c>--phase measure PROGRAM ARGS…</c>) reports about the one program it ran.</summary>
public sealed record ChildUsage(int ExitCode, double Seconds, double? CpuSeconds, long? PeakRssBytes, string StandardOutput);

/// <summary>Runs a program in a child of a child: the middle process (this executable, <c>--phase measure</c>) starts the program,
/// waits for it, and reads its peak RSS and CPU time with <c>getrusage(RUSAGE_CHILDREN)</c>, exact because the program is
/// that process's only child. The program's standard output is passed back whole; its standard error goes to the harness's.</summary>
public static partial class StagePhase
{
    /// <summary>The marker of the measuring child's one result line on stdout.</summary>
    public const string ResultMarker = "MEASURE-RESULT ";

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    /// <summary>Child side: runs <c>args[2]</c> with <c>args[3..]</c>, then prints its output and one result line.</summary>
    public static async Task<int> RunMeasureChildAsync(IReadOnlyList<string> args, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Count < 3)
        {
            throw new UsageException("--phase measure needs PROGRAM [ARGS…].");
        }

        var start = new ProcessStartInfo(args[2]) { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var a in args.Skip(3))
        {
            start.ArgumentList.Add(a);
        }

        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(start) ?? throw new TipwException($"Cannot start {args[2]}.");
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var (cpu, rss) = ChildrenUsage();
        var usage = new ChildUsage(process.ExitCode, seconds, cpu, rss, output);
        Console.Out.WriteLine(ResultMarker + JsonSerializer.Serialize(usage, s_json));
        return 0;
    }

    /// <summary>Parent side: runs <paramref name="program"/> under the measuring child, sampling the load average while it runs.</summary>
    public static async Task<(ChildUsage Usage, double LoadMax)> RunMeasuredAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var start = IngestPhase.SelfStartInfo();
        start.ArgumentList.Add("--phase");
        start.ArgumentList.Add("measure");
        start.ArgumentList.Add(program);
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        start.RedirectStandardOutput = true;
        var loadMax = MachineInfo.LoadAverage1();
        using var process = Process.Start(start) ?? throw new TipwException("Cannot start the measuring child process.");
        var reading = process.StandardOutput.ReadToEndAsync(cancellationToken);
        while (!reading.IsCompleted)
        {
            await Task.WhenAny(reading, Task.Delay(TimeSpan.FromSeconds(2), cancellationToken));
            loadMax = Math.Max(loadMax, MachineInfo.LoadAverage1());
        }

        var output = await reading;
        await process.WaitForExitAsync(cancellationToken);
        var marker = output.LastIndexOf(ResultMarker, StringComparison.Ordinal);
        if (marker < 0)
        {
            throw new TipwException($"The measuring child process exited with code {process.ExitCode} without a result line (see its stderr above).");
        }

        var line = output[(marker + ResultMarker.Length)..].Trim();
        return (JsonSerializer.Deserialize<ChildUsage>(line, s_json)!, loadMax);
    }

    /// <summary>CPU seconds and peak RSS bytes of the terminated and waited-for children of this process (null off Linux).</summary>
    private static (double? CpuSeconds, long? PeakRssBytes) ChildrenUsage()
    {
        if (!OperatingSystem.IsLinux() || GetRusage(RusageChildren, out var usage) != 0)
        {
            return (null, null);
        }

        var cpu = usage.UserSeconds + (usage.UserMicroseconds / 1e6) + usage.SystemSeconds + (usage.SystemMicroseconds / 1e6);
        return (cpu, usage.MaxRssKilobytes * 1024); // Linux reports ru_maxrss in kilobytes.
    }

    private const int RusageChildren = -1;

    /// <summary>The leading fields of Linux's <c>struct rusage</c> on 64-bit targets (two timevals, then longs), padded to its full size.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Rusage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        public long MaxRssKilobytes;
        public long Ixrss, Idrss, Isrss, Minflt, Majflt, Nswap, Inblock, Oublock, Msgsnd, Msgrcv, Nsignals, Nvcsw, Nivcsw;
    }

    [LibraryImport("libc", EntryPoint = "getrusage")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int GetRusage(int who, out Rusage usage);

    /// <summary>The JSON array a <c>tipw … --format json</c> command printed (the text up to the measuring child's marker), or null.</summary>
    public static JsonElement? JsonOutput(string standardOutput)
    {
        ArgumentNullException.ThrowIfNull(standardOutput);
        var begin = standardOutput.IndexOf('[', StringComparison.Ordinal);
        if (begin < 0)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(standardOutput[begin..]);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The <c>key=value</c> pairs of a harness phase's result line that starts with <paramref name="marker"/>.</summary>
    public static IReadOnlyDictionary<string, string> KeyValues(string standardOutput, string marker)
    {
        ArgumentNullException.ThrowIfNull(standardOutput);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var line = standardOutput.Split('\n').LastOrDefault(l => l.StartsWith(marker, StringComparison.Ordinal));
        if (line is null)
        {
            return values;
        }

        foreach (var part in line[marker.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                values[part[..equals]] = part[(equals + 1)..].TrimEnd(',');
            }
        }

        return values;
    }

    /// <summary>A readable one-line form of a command's arguments (quoted where they contain spaces).</summary>
    public static string Describe(IEnumerable<string> arguments) =>
        string.Join(' ', arguments.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a));

    /// <summary>Parses a number written by a harness phase (invariant culture), or null.</summary>
    public static double? Number(IReadOnlyDictionary<string, string> values, string key)
    {
        ArgumentNullException.ThrowIfNull(values);
        return values.TryGetValue(key, out var text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
    }

    /// <summary>Text for logs: "12.3 s, 456 MiB".</summary>
    public static string Summary(StageMeasurement stage)
    {
        ArgumentNullException.ThrowIfNull(stage);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{stage.Seconds:0.00} s");
        if (stage.CpuSeconds is { } cpu)
        {
            text.Append(CultureInfo.InvariantCulture, $" ({cpu:0.0} CPU s)");
        }

        if (stage.PeakRssMiB is { } rss)
        {
            text.Append(CultureInfo.InvariantCulture, $", peak RSS {rss:N0} MiB");
        }

        if (stage.Rows is { } rows)
        {
            text.Append(CultureInfo.InvariantCulture, $", {rows:N0} rows");
        }

        text.Append(CultureInfo.InvariantCulture, $", exit {stage.ExitCode}, load max {stage.LoadMax:0.0}");
        return text.ToString();
    }
}
