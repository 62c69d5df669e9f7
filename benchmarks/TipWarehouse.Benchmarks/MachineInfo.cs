using System.Globalization;
using System.Runtime.InteropServices;

namespace TipWarehouse.Benchmarks;

/// <summary>What the figures were measured on: CPU, cores, memory, OS, runtime and DuckDB versions.</summary>
public sealed record MachineInfo(string Machine, string Cpu, int Cores, double MemoryGiB, string Os, string Runtime, string DuckDb)
{
    /// <summary>Reads the current machine's description (Linux <c>/proc</c> where available).</summary>
    public static MachineInfo Read(string machine, string duckDbVersion)
    {
        var cpu = ProcLine("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString();
        var memKb = ProcNumber("/proc/meminfo", "MemTotal");
        return new MachineInfo(
            machine,
            cpu,
            Environment.ProcessorCount,
            memKb is { } kb ? Math.Round(kb / 1024.0 / 1024.0, 1) : 0,
            RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription,
            duckDbVersion);
    }

    /// <summary>The 1-, 5- and 15-minute load averages (<c>/proc/loadavg</c>), or "n/a".</summary>
    public static string LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"{parts[0]}, {parts[1]}, {parts[2]}";
        }
        catch (IOException)
        {
            return "n/a";
        }
        catch (UnauthorizedAccessException)
        {
            return "n/a";
        }
    }

    /// <summary>The 1-minute load average, or NaN where unknown.</summary>
    public static double LoadAverage1()
    {
        var text = LoadAverage().Split(',')[0];
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : double.NaN;
    }

    /// <summary>Peak resident set size of this process in bytes (<c>VmHWM</c>), or the current working set where /proc is missing.</summary>
    public static long PeakRssBytes(int? pid = null)
    {
        var kb = ProcNumber(pid is null ? "/proc/self/status" : $"/proc/{pid}/status", "VmHWM");
        return kb is { } k ? k * 1024 : Environment.WorkingSet;
    }

    private static string? ProcLine(string path, string key)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith(key, StringComparison.Ordinal) && line.IndexOf(':', StringComparison.Ordinal) is var colon and > 0)
            {
                return line[(colon + 1)..].Trim();
            }
        }

        return null;
    }

    private static long? ProcNumber(string path, string key)
    {
        var text = ProcLine(path, key);
        if (text is null)
        {
            return null;
        }

        var digits = text.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        return long.TryParse(digits, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
    }
}
