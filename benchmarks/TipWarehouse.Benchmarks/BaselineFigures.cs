using System.Globalization;

namespace TipWarehouse.Benchmarks;

/// <summary>
/// The hotline ingest against what a user would pick instead, measured in the same run: a bare <c>read_csv</c> and the
/// SQL-only DuckDB pipeline. A baseline that failed (it runs in the harness's process, under the warehouse's memory limit)
/// is not measured, with its error in the note, and the run goes on without it.
/// </summary>
public static class BaselineFigures
{
    /// <summary>tipw ÷ <c>read_csv</c> rows/s; <paramref name="baselineRate"/> null when the baseline failed with <paramref name="failure"/>.</summary>
    public static Figure IngestRatio(double pipelineRate, double? baselineRate, string? failure, string scaleNote) =>
        Ratio("ingest_ratio", "Ingest ratio (pipeline rows/s ÷ DuckDB read_csv rows/s)", pipelineRate, baselineRate, 0.35, failure, "DuckDB read_csv baseline",
            rate => string.Create(CultureInfo.InvariantCulture, $"{scaleNote}; pipeline {pipelineRate:N0} rows/s, read_csv {rate:N0} rows/s; issue 20's target, defined at ~1M (≥ 0.5 before issue 20)"));

    /// <summary>tipw ÷ SQL-only pipeline rows/s; <paramref name="sqlOnlyRate"/> null when that pipeline failed with <paramref name="failure"/>.</summary>
    public static Figure SqlOnlyRatio(double pipelineRate, double? sqlOnlyRate, string? failure, string scaleNote) =>
        Ratio("sql_only_ratio", "Ingest vs SQL-only DuckDB pipeline (pipeline rows/s ÷ SQL-only rows/s)", pipelineRate, sqlOnlyRate, 1.5, failure, "SQL-only DuckDB pipeline",
            rate => string.Create(CultureInfo.InvariantCulture, $"{scaleNote}; SQL-only {rate:N0} rows/s (read_csv with types, HMAC pseudonyms in SQL, the same transform SQL; no phonetic pseudonym, scrub, rejects or batches)"));

    private static Figure Ratio(string key, string name, double pipelineRate, double? baselineRate, double target, string? failure, string baseline, Func<double, string> note)
    {
        var goal = string.Create(CultureInfo.InvariantCulture, $"≥ {target:0.0#}");
        return baselineRate is { } rate
            ? new(key, name, pipelineRate / rate, "", goal, pipelineRate / rate >= target, note(rate))
            : new(key, name, null, "", goal, null, string.Create(CultureInfo.InvariantCulture, $"not measured: the {baseline} failed ({failure ?? "no result"}); tipw's ingest {pipelineRate:N0} rows/s"));
    }
}
