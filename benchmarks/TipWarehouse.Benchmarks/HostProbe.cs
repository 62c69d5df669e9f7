using System.Diagnostics;
using DuckDB.NET.Data;
using TipWarehouse.Core;

namespace TipWarehouse.Benchmarks;

/// <summary>A fixed single-threaded DuckDB workload timed before each stage, so that a slower host can be told from slower code:
/// the load average counts this machine's runnable threads, not a neighbour sharing its physical cores or memory bandwidth.</summary>
public static class HostProbe
{
    /// <summary>The workload: a hash aggregation of 6M rows into about 1M groups on one thread (0.25–0.53 s between the stages of one run on the `vm` host, 2026-12-03).</summary>
    public const string Workload = "SELECT count(*) FROM (SELECT i % 1000003 AS k, sum(i) AS s FROM range(6000000) t(i) GROUP BY k)";

    /// <summary>Milliseconds of one run of <see cref="Workload"/> in a fresh in-memory database, after one unmeasured run.</summary>
    public static double Milliseconds()
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        Sql.Execute(connection, "SET threads = 1");
        Sql.Scalar<long>(connection, Workload);
        var clock = Stopwatch.StartNew();
        var groups = Sql.Scalar<long>(connection, Workload);
        clock.Stop();
        return groups == 1_000_003 ? clock.Elapsed.TotalMilliseconds : throw new InvalidOperationException($"The host probe counted {groups} groups, not 1,000,003.");
    }
}
