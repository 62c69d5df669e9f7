using System.Globalization;
using Spectre.Console;
using TipWarehouse.Core.Pipelines;
using TipWarehouse.Etl.Engine;

namespace TipWarehouse.Cli.Output;

/// <summary>
/// Progress of <c>tipw run</c> (and demo, rebuild) on stderr. On a terminal: a live bar per pipeline with rows, rows/s,
/// the step's phase and an ETA where the work's total is known (the bytes of the pending drop files, the calls to score),
/// that stays on screen when the pipeline finishes. Redirected: one line per event with a UTC timestamp from the injected
/// clock, the rate, and the share done with an ETA where the total is known. Never an ETA without a known total.
/// </summary>
public sealed class RunProgress(CliContext context) : IProgress<PipelineProgress>
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _started = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Unit, long Since, long DoneThen)> _work = new(StringComparer.Ordinal);
    private Dictionary<string, ProgressTask>? _bars;

    /// <summary>Draws the events on these bars (one per pipeline) from now on.</summary>
    public void Attach(Dictionary<string, ProgressTask> bars)
    {
        lock (_gate)
        {
            _bars = bars;
        }
    }

    /// <summary>Marks the pipelines that never started (held back by a failed upstream) with their result.</summary>
    public void Finish(IReadOnlyList<PipelineRunResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        lock (_gate)
        {
            foreach (var result in results.Where(r => _bars?.ContainsKey(r.Pipeline) == true && !_started.ContainsKey(r.Pipeline)))
            {
                var bar = _bars![result.Pipeline];
                bar.Description = $"{Markup.Escape(result.Pipeline)}: [red]{Markup.Escape(result.Error ?? result.Status)}[/]";
                bar.StopTask();
            }
        }
    }

    /// <inheritdoc />
    public void Report(PipelineProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_gate)
        {
            var now = context.Time.GetTimestamp();
            if (value.Stage == "started")
            {
                _started[value.Pipeline] = now;
                _work.Remove(value.Pipeline);
            }

            var elapsed = _started.TryGetValue(value.Pipeline, out var start) ? context.Time.GetElapsedTime(start, now) : TimeSpan.Zero;
            var rate = Rate(value.RowsRead, elapsed);
            var eta = Eta(value, now);
            if (_bars is not null)
            {
                Draw(value, rate, eta);
                return;
            }

            if (context.ErrorIsTerminal || value.Stage == "inspecting")
            {
                // Per-file inspection is for the bar only: a log line per drop file would bury the batches.
                return;
            }

            context.Error.WriteLine($"{context.Time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)} {LogLine(value, elapsed, rate, eta)}");
        }
    }

    /// <summary>The redirected log line of one event (without its timestamp).</summary>
    internal static string LogLine(PipelineProgress value, TimeSpan elapsed, long rate, TimeSpan? eta)
    {
        var counts = $"{value.Batches} batch(es), {value.RowsRead} read, {value.RowsLoaded} loaded, {value.RowsRejected} rejected, {value.RowsDuplicate} duplicate";
        var seconds = elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
        return value.Stage switch
        {
            "started" => $"{value.Pipeline}: started",
            "loading" => $"{value.Pipeline}: loading {value.Source}{Share(value.Work, eta)}",
            "batch" => $"{value.Pipeline}: batch {value.Batches} ({value.Source}) done; total {value.RowsRead} read, {value.RowsLoaded} loaded, {value.RowsRejected} rejected, {value.RowsDuplicate} duplicate; {rate} rows/s{Share(value.Work, eta)}",
            "step" => $"{value.Pipeline}: {value.Source}: {value.Work?.Done ?? 0} {value.Work?.Unit}{Share(value.Work is { Total: not null } w ? w : null, eta, withDone: false)} after {seconds} s",
            "failed" => $"{value.Pipeline}: failed: {value.Source}",
            _ => $"{value.Pipeline}: {value.Stage}{(value.Source is null ? "" : $" ({value.Source})")}; {counts} in {seconds} s, {rate} rows/s",
        };
    }

    /// <summary>Whole rows per second, or 0 before any time has passed.</summary>
    internal static long Rate(long rows, TimeSpan elapsed) => elapsed > TimeSpan.Zero ? (long)Math.Round(rows / elapsed.TotalSeconds) : 0;

    /// <summary>An ETA in the form <c>m:ss</c> (<c>h:mm:ss</c> from an hour).</summary>
    internal static string Duration(TimeSpan time) =>
        time.TotalHours >= 1
            ? $"{(int)time.TotalHours}:{time.Minutes:00}:{time.Seconds:00}"
            : $"{time.Minutes}:{time.Seconds:00}";

    // "; 1200 of 4800 bytes (25%), ETA 0:30": the share of a known total, and the time left at the pace since that work began.
    private static string Share(WorkCount? work, TimeSpan? eta, bool withDone = true)
    {
        if (work is not { Total: { } total } || total <= 0)
        {
            return "";
        }

        var percent = (100.0 * Math.Min(work.Done, total) / total).ToString("0", CultureInfo.InvariantCulture);
        var done = withDone ? $"; {work.Done} of {total} {work.Unit}" : $" of {total}";
        return $"{done} ({percent}%){(eta is { } left ? $", ETA {Duration(left)}" : "")}";
    }

    // The time left at the pace since the work of this unit began: (elapsed / done since then) × what is left. Null without a
    // known total or before any of it is done.
    private TimeSpan? Eta(PipelineProgress value, long now)
    {
        if (value.Work is not { } work)
        {
            return null;
        }

        if (!_work.TryGetValue(value.Pipeline, out var since) || since.Unit != work.Unit)
        {
            since = (work.Unit, now, work.Done);
            _work[value.Pipeline] = since;
        }

        if (work.Total is not { } total || work.Done <= since.DoneThen)
        {
            return null;
        }

        var spent = context.Time.GetElapsedTime(since.Since, now);
        var left = Math.Max(0, total - work.Done);
        return TimeSpan.FromTicks((long)(spent.Ticks * ((double)left / (work.Done - since.DoneThen))));
    }

    private void Draw(PipelineProgress value, long rate, TimeSpan? eta)
    {
        if (!_bars!.TryGetValue(value.Pipeline, out var bar))
        {
            return;
        }

        var name = Markup.Escape(value.Pipeline);
        var rows = $"{value.RowsRead.ToString("N0", CultureInfo.InvariantCulture)} rows, {rate.ToString("N0", CultureInfo.InvariantCulture)} rows/s";
        var left = eta is { } e ? $", ETA {Duration(e)}" : "";
        if (value.Work is { Total: { } total } work && total > 0 && value.Stage is not ("finished" or "failed"))
        {
            bar.IsIndeterminate = false;
            bar.MaxValue = total;
            bar.Value = Math.Min(work.Done, total);
        }

        switch (value.Stage)
        {
            case "started":
                bar.StartTask();
                bar.IsIndeterminate = true;
                bar.Description = $"{name}: starting";
                break;
            case "inspecting":
                bar.Description = $"{name}: inspecting file {value.Work?.Done + 1} of {value.Work?.Total}";
                break;
            case "finished":
                bar.IsIndeterminate = false;
                bar.Value = bar.MaxValue;
                bar.Description = $"{name}: [green]done[/], {rows}, {value.RowsLoaded.ToString("N0", CultureInfo.InvariantCulture)} loaded, {value.RowsRejected.ToString("N0", CultureInfo.InvariantCulture)} rejected";
                bar.StopTask();
                break;
            case "failed":
                bar.IsIndeterminate = false;
                bar.Description = $"{name}: [red]failed[/]: {Markup.Escape(value.Source ?? "")}";
                bar.StopTask();
                break;
            case "loading":
                bar.Description = $"{name}: loading {Markup.Escape(value.Source ?? "")}";
                break;
            case "step":
                var of = value.Work?.Total is { } stepTotal ? $" of {stepTotal.ToString("N0", CultureInfo.InvariantCulture)}" : "";
                bar.Description = $"{name}: {Markup.Escape(value.Source ?? "")}: {(value.Work?.Done ?? 0).ToString("N0", CultureInfo.InvariantCulture)}{of} {Markup.Escape(value.Work?.Unit ?? "")}{left}";
                break;
            case "batch":
                bar.Description = $"{name}: batch {value.Batches}, {rows}{left}";
                break;
            default:
                bar.Description = $"{name}: {Markup.Escape(value.Stage)}, {rows}{left}";
                break;
        }
    }
}
