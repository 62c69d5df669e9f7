using System.Globalization;
using TipWarehouse.Etl.Engine;
using TipWarehouse.Etl.Extraction;
using TipWarehouse.Etl.Loading;
using TipWarehouse.Etl.Specs;
using TipWarehouse.Etl.Validation;

namespace TipWarehouse.Etl.Sources;

/// <summary>The incremental read every relational kind (sqlite, postgres) shares: chunks of <c>chunk_rows</c> after the watermark, in (watermark, key) keyset order, one batch each.</summary>
internal static class RelationalWatermark
{
    /// <summary>Reads the chunks; <paramref name="openChunk"/> opens the rows after (cursor, cursor key), at most the limit; <paramref name="sourceName"/> names the source in batches and rejects.</summary>
    public static void Run(SourceRun run, string sourceName, SchemaDrift drift, Func<string?, string?, int?, IRowSource> openChunk, CancellationToken cancellationToken)
    {
        var (spec, meta, staging) = (run.Spec, run.Meta, run.Staging);
        var backfill = run.Backfill;
        var wmName = spec.Incremental.Column ?? "watermark";
        var wmIndex = spec.Incremental.Column is { } wc ? spec.ColumnIndex(wc) : -1;
        var keyIndex = spec.NaturalKey.Count == 1 ? spec.ColumnIndex(spec.NaturalKey[0]) : -1;
        var chunkRows = keyIndex >= 0 && wmIndex >= 0 ? spec.Incremental.ChunkRows : (int?)null;
        var horizon = run.Time.GetUtcNow().UtcDateTime + spec.Incremental.FutureTolerance;
        var parser = new ValueParser(spec.Source.Culture);

        // Each chunk is one batch (its own transaction, reconciliation and watermark): memory is bounded by the chunk, not by the backlog,
        // and a run stopped after chunk k resumes after it. Chunks follow the (watermark column, key) order by keyset.
        string? cursor = backfill ? null : meta.Watermark(spec.Name, wmName);
        string? cursorKey = null;
        var chunk = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var before = meta.Watermark(spec.Name, wmName);
            long read = 0;
            string? lastText = null, lastKey = null;
            run.ExecuteBatch(sourceName, before, scope =>
            {
                if (chunk == 0)
                {
                    FlagDrift(scope, spec, drift, sourceName);
                }

                string? max = before;
                using var rows = openChunk(cursor, cursorKey, chunkRows);
                var assembler = new BatchAssembler(spec);
                var validator = new RowValidator(spec);
                var batchMax = (string?)null;
                foreach (var batch in assembler.Read(rows, row =>
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (wmIndex >= 0 && row.TryGetField(wmIndex, out var text))
                    {
                        lastText = text.ToString();
                        if (keyIndex >= 0 && row.TryGetField(keyIndex, out var key))
                        {
                            lastKey = key.ToString();
                        }

                        // Only a watermark that parses and is not in the future can be the watermark (rows rejected for other columns count:
                        // they are definitively rejected). Garbage or future values are rejected and read again by later runs.
                        if (!text.IsEmpty && parser.TryParse(spec.Columns[wmIndex], text, out var value, out _) && !value.IsNull && value.Time <= horizon
                            && (batchMax is null || text.SequenceCompareTo(batchMax) > 0))
                        {
                            batchMax = text.ToString();
                        }
                    }

                    return true;
                }))
                {
                    read += batch.RowsRead;
                    var prepared = staging.Prepare(validator, batch, sourceName);
                    if (wmIndex >= 0)
                    {
                        RejectFutureWatermarks(prepared, spec, wmIndex, horizon, sourceName);
                    }

                    scope.Stage(staging, prepared, sourceName);
                }

                if (batchMax is not null && (max is null || string.CompareOrdinal(batchMax, max) > 0))
                {
                    max = batchMax;
                }

                scope.Transform();
                var after = backfill ? before : max;
                if (after is not null && spec.Incremental.Strategy == IncrementalStrategies.Watermark)
                {
                    meta.SetWatermark(spec.Name, spec.Incremental.Column!, after, scope.BatchId);
                }

                return new BatchCounts(read, after);
            });
            chunk++;
            if (chunkRows is null || read < chunkRows || lastText is null || lastKey is null)
            {
                break;
            }

            (cursor, cursorKey) = (lastText, lastKey);
        }
    }

    private static void FlagDrift(BatchScope scope, PipelineSpec spec, SchemaDrift drift, string source)
    {
        // One flag per kind of drift and source (a flag's key is table, source and flag), naming every column concerned.
        if (drift.Missing.Count > 0)
        {
            scope.Flag(spec.Target!, source, "schema_missing_column", string.Join(",", drift.Missing), $"the source table {source} has no column(s) {string.Join(", ", drift.Missing)}: loaded as null (schema_drift: flag)");
        }

        if (drift.Extra.Count > 0)
        {
            scope.Flag(spec.Target!, source, "schema_extra_column", string.Join(",", drift.Extra), $"the source table {source} has column(s) {string.Join(", ", drift.Extra)} that the spec does not declare: not loaded");
        }

        if (drift.Retyped.Count > 0)
        {
            scope.Flag(spec.Target!, source, "schema_retyped_column", string.Join(",", drift.Retyped.Select(t => t.Split(' ', 2)[0])), $"in {source}, {string.Join("; ", drift.Retyped)}");
        }
    }

    /// <summary>Rejects rows whose watermark value lies beyond now plus the tolerance (<c>future_watermark</c>): such a value would stop every later row from being read.</summary>
    private static void RejectFutureWatermarks(PreparedBatch prepared, PipelineSpec spec, int wmIndex, DateTime horizon, string sourceFile)
    {
        var rows = prepared.Batch.Rows;
        var array = rows.Column(wmIndex + 2);
        var sourceRows = (Apache.Arrow.Int64Array)rows.Column(ExtractedBatch.SourceRowField);
        var raw = (Apache.Arrow.StringArray)rows.Column(ExtractedBatch.RawField);
        var column = spec.Columns[wmIndex];
        for (var row = 0; row < rows.Length; row++)
        {
            if (prepared.Verdict.Rejected[row] || array.IsNull(row))
            {
                continue;
            }

            var value = ArrowValues.Get(array, row);
            if (value.Time > horizon)
            {
                prepared.Verdict.Rejected[row] = true;
                prepared.Verdict.Rejects.Add(new RejectRecord(sourceFile, sourceRows.GetValue(row), column.Name, "future_watermark",
                    $"{column.Name} '{value.Time.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}' is after now + {spec.Incremental.FutureTolerance.TotalHours.ToString(CultureInfo.InvariantCulture)} h: not loaded and not taken as the watermark; read again by later runs", raw.GetString(row), null));
            }
        }
    }
}
