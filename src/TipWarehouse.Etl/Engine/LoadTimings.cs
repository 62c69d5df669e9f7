using System.Diagnostics;

namespace TipWarehouse.Etl.Engine;

/// <summary>Where the loading thread of a run spent its time, summed by phase over the run's batches (stopwatch, monotonic); the benchmark harness reports it.</summary>
public sealed class LoadTimings
{
    private readonly Dictionary<string, long> _ticks = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Seconds spent in each phase so far, in the order the phases were first timed.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> Seconds()
    {
        lock (_gate)
        {
            return [.. _ticks.Select(p => new KeyValuePair<string, double>(p.Key, p.Value / (double)Stopwatch.Frequency))];
        }
    }

    /// <summary>Runs <paramref name="action"/> and adds its elapsed time to <paramref name="phase"/>.</summary>
    public T Time<T>(string phase, Func<T> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var started = Stopwatch.GetTimestamp();
        try
        {
            return action();
        }
        finally
        {
            Add(phase, Stopwatch.GetTimestamp() - started);
        }
    }

    /// <summary>Runs <paramref name="action"/> and adds its elapsed time to <paramref name="phase"/>.</summary>
    public void Time(string phase, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        Time(phase, () =>
        {
            action();
            return 0;
        });
    }

    /// <summary>Runs <paramref name="action"/>, timed under <paramref name="phase"/> when <paramref name="timings"/> is given.</summary>
    public static void Measure(LoadTimings? timings, string phase, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (timings is null)
        {
            action();
        }
        else
        {
            timings.Time(phase, action);
        }
    }

    /// <summary>Runs <paramref name="action"/>, timed under <paramref name="phase"/> when <paramref name="timings"/> is given.</summary>
    public static T Measure<T>(LoadTimings? timings, string phase, Func<T> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return timings is null ? action() : timings.Time(phase, action);
    }

    private void Add(string phase, long ticks)
    {
        lock (_gate)
        {
            _ticks[phase] = _ticks.GetValueOrDefault(phase) + ticks;
        }
    }
}
