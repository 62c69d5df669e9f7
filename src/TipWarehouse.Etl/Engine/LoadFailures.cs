using System.Globalization;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;

namespace TipWarehouse.Etl.Engine;

/// <summary>Names the environment failures a load meets (a busy warehouse, a full disk) in words a user can act on, and waits out lock conflicts.</summary>
internal static partial class LoadFailures
{
    /// <summary>True when DuckDB could not lock the warehouse file because another process holds it (even read-only).</summary>
    public static bool IsLockConflict(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e.Message.Contains("Could not set lock", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("Conflicting lock", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Who holds the lock, from DuckDB's message ("Conflicting lock is held in /usr/bin/duckdb (PID 4242)"), or "another process".</summary>
    public static string LockHolder(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            var m = HeldBy().Match(e.Message);
            if (m.Success)
            {
                return $"PID {m.Groups[2].Value}, {Path.GetFileName(m.Groups[1].Value.Trim())}";
            }
        }

        return "another process";
    }

    /// <summary>
    /// Opens the warehouse, waiting up to <paramref name="wait"/> (polling every <paramref name="interval"/>) while another process holds it;
    /// then throws <see cref="TransientSourceException"/> ("the warehouse is busy (held by …)"), which the scheduler retries.
    /// </summary>
    public static async Task<DuckDBConnection> OpenAsync(Func<DuckDBConnection> open, string path, TimeProvider time, TimeSpan wait, TimeSpan interval, Func<TimeSpan, CancellationToken, Task> delay, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + wait;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return open();
            }
            catch (Exception ex) when (IsLockConflict(ex))
            {
                if (time.GetUtcNow() >= deadline)
                {
                    throw new TransientSourceException(
                        $"the warehouse is busy (held by {LockHolder(ex)}): {path} could not be locked for writing after {attempt} attempt(s) over {wait.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s. Close the other client (a DuckDB shell, 'tipw query', 'tipw serve') and run again; the scheduler retries by itself.",
                        ex);
                }

                await delay(interval, cancellationToken);
            }
        }
    }

    /// <summary>
    /// "no space left on device in DIR" when <paramref name="ex"/> (or an inner exception) is a full disk (ENOSPC from .NET or DuckDB), else null.
    /// <paramref name="directory"/> names where the load was writing (the warehouse's folder unless the error names a file).
    /// </summary>
    public static string? DiskFull(Exception ex, string directory)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            var full = e is IOException io && (io.HResult == 28 || io.HResult == unchecked((int)0x80070070) || io.HResult == unchecked((int)0x80070027))
                || e.Message.Contains("No space left on device", StringComparison.OrdinalIgnoreCase)
                || e.Message.Contains("not enough space on the disk", StringComparison.OrdinalIgnoreCase);
            if (full)
            {
                var named = QuotedPath().Match(e.Message);
                var dir = named.Success && Path.GetDirectoryName(named.Groups[1].Value) is { Length: > 0 } d ? d : directory;
                return $"no space left on device in {dir}: nothing of the failed batch was kept (it rolled back); free space and run again ({e.Message.Trim()})";
            }
        }

        return null;
    }

    [GeneratedRegex(@"held in (.+?) \(PID (\d+)\)")]
    private static partial Regex HeldBy();

    [GeneratedRegex(@"['""](/[^'""]+)['""]")]
    private static partial Regex QuotedPath();
}
