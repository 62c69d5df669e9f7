using System.Diagnostics;
using System.Globalization;
using TipWarehouse.Core;
using TipWarehouse.Etl.Specs;

namespace TipWarehouse.Etl.Quality;

/// <summary>
/// What <c>tipw serve</c> does about freshness: on each check, a source that became stale is logged as a warning and
/// handed to the alert hook of the home (<c>H/alerts.conf</c>, a line <c>command = ...</c> run by <c>/bin/sh -c</c> with
/// <c>TIPW_ALERT_PIPELINE</c>, <c>TIPW_ALERT_STATUS</c> and <c>TIPW_ALERT_MESSAGE</c> set); it alerts again only after the
/// source was fresh in between.
/// </summary>
public sealed class FreshnessMonitor(TipwHome home, IReadOnlyList<PipelineSpec> specs, TimeProvider time, Action<string> warn)
{
    /// <summary>The alert configuration file under the home.</summary>
    public const string ConfigFileName = "alerts.conf";

    private readonly HashSet<string> _alerted = new(StringComparer.Ordinal);

    /// <summary>Evaluates every source once; returns the sources that became stale on this check (each logged and alerted).</summary>
    public IReadOnlyList<FreshnessStatus> Check()
    {
        ArgumentNullException.ThrowIfNull(home);
        IReadOnlyList<FreshnessStatus> statuses;
        // The same (read-write) configuration as the engine's connections: DuckDB refuses a second configuration of one file in one process.
        using (var connection = Warehouse.Open(home))
        {
            statuses = Freshness.Evaluate(connection, specs, time.GetUtcNow());
        }

        var newlyStale = new List<FreshnessStatus>();
        foreach (var status in statuses)
        {
            if (!status.IsStale)
            {
                _alerted.Remove(status.Pipeline);
            }
            else if (_alerted.Add(status.Pipeline))
            {
                newlyStale.Add(status);
                warn($"freshness warning: {status.Describe()}");
                Alert(status);
            }
        }

        return newlyStale;
    }

    private void Alert(FreshnessStatus status)
    {
        var config = Path.Combine(home.Root, ConfigFileName);
        if (!File.Exists(config))
        {
            return;
        }

        foreach (var line in File.ReadAllLines(config))
        {
            var trimmed = line.Trim();
            if (trimmed.StartsWith('#') || trimmed.IndexOf('=', StringComparison.Ordinal) is not (> 0 and var eq) || trimmed[..eq].Trim() != "command")
            {
                continue;
            }

            var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(trimmed[(eq + 1)..].Trim());
            start.Environment["TIPW_ALERT_PIPELINE"] = status.Pipeline;
            start.Environment["TIPW_ALERT_STATUS"] = status.Status;
            start.Environment["TIPW_ALERT_MESSAGE"] = status.Describe();
            try
            {
                using var process = Process.Start(start)!;
                var output = process.StandardError.ReadToEnd();
                process.StandardOutput.ReadToEnd();
                if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
                {
                    process.Kill(entireProcessTree: true);
                    warn($"freshness alert: the command in {config} did not finish within 30 s and was stopped");
                }
                else if (process.ExitCode != 0)
                {
                    warn(string.Create(CultureInfo.InvariantCulture, $"freshness alert: the command in {config} exited {process.ExitCode}: {output.Trim()}"));
                }
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                warn($"freshness alert: the command in {config} could not start: {ex.Message}");
            }
        }
    }
}
