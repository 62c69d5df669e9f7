using System.Globalization;
using TipWarehouse.Core;
using TipWarehouse.Etl.Engine;
using TipWarehouse.Etl.Extraction;
using TipWarehouse.Etl.Specs;
using TipWarehouse.Etl.Validation;

namespace TipWarehouse.Etl.Sources;

/// <summary>JSON-lines files (<c>kind: jsonl</c>): events after a sequence watermark (gaps remembered), in bounded chunks.</summary>
public sealed class JsonLinesSourceKind : ISourceKind
{
    /// <inheritdoc/>
    public string Kind => SourceKinds.JsonLines;

    /// <inheritdoc/>
    public IReadOnlyList<string> SourceKeys { get; } = ["kind", "path", "pattern", "encoding", "culture", "settings"];

    /// <inheritdoc/>
    public bool BoundedLoadMemory => false;

    /// <inheritdoc/>
    public IReadOnlyList<string> Strategies { get; } = [IncrementalStrategies.Sequence, IncrementalStrategies.None];

    /// <inheritdoc/>
    public IEnumerable<(string Key, string Message)> Validate(SourceSpec source) => FileSourceChecks.Validate(source, needsTable: false, textFiles: true);

    /// <inheritdoc/>
    public void Run(SourceRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var (spec, meta, staging, request, folder) = (run.Spec, run.Meta, run.Staging, run.Request, run.SourcePath);
        FileSourceChecks.RequireFolder(spec.Name, folder);

        var backfill = request.From is not null || request.To is not null;
        var column = spec.Incremental.Column ?? "sequence";
        var seqIndex = spec.Incremental.Strategy == IncrementalStrategies.Sequence ? spec.ColumnIndex(column) : -1;
        var windowIndex = spec.Incremental.WindowColumn is { } w ? spec.ColumnIndex(w) : -1;
        var files = Directory.EnumerateFiles(folder, spec.Source.Pattern ?? "*.jsonl").Order(StringComparer.Ordinal).ToList();
        var encoding = TextEncodings.Get(spec.Source.Encoding);
        var stored = meta.Watermark(spec.Name, column);
        var state = new SequenceState(stored is null ? null : long.Parse(stored, CultureInfo.InvariantCulture), meta.SequenceGaps(spec.Name));
        var assembler = new BatchAssembler(spec with { BatchSize = Math.Min(spec.BatchSize, spec.Incremental.ChunkRows) });
        var validator = new RowValidator(spec);
        var taken = new List<long>();
        var extraKeys = new Queue<(string File, string[] Keys)>(); // files read to their end whose unknown keys are not flagged yet

        // Every event read records its number when the assembler takes it; a yielded batch carries exactly the numbers of its rows.
        IEnumerable<(ExtractedBatch Batch, string File, long[] Taken)> Batches()
        {
            foreach (var file in files)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var source = new JsonLinesRowSource(file, spec, encoding);
                foreach (var batch in assembler.Read(source, row =>
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (seqIndex >= 0 && row.TryGetField(seqIndex, out var text) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seq))
                    {
                        if (!backfill && !state.ShouldRead(seq))
                        {
                            return false;
                        }

                        if (backfill && windowIndex >= 0 && row.TryGetField(windowIndex, out var dateText)
                            && DateOnly.TryParse(dateText, CultureInfo.InvariantCulture, out var date)
                            && (date < request.From || date > request.To))
                        {
                            return false;
                        }

                        taken.Add(seq);
                        return true;
                    }

                    if (backfill && windowIndex >= 0 && row.TryGetField(windowIndex, out var d2)
                        && DateOnly.TryParse(d2, CultureInfo.InvariantCulture, out var date2)
                        && (date2 < request.From || date2 > request.To))
                    {
                        return false;
                    }

                    return true;
                }))
                {
                    var numbers = taken.ToArray();
                    taken.Clear();
                    yield return (batch, Path.GetFileName(file), numbers);
                }

                if (source.ExtraKeys.Count > 0)
                {
                    extraKeys.Enqueue((Path.GetFileName(file), [.. source.ExtraKeys]));
                }
            }
        }

        using var batches = Batches().GetEnumerator();
        var more = batches.MoveNext();
        do
        {
            var before = state.WatermarkText;
            SequenceState? next = null;
            run.ExecuteBatch(Path.GetFileName(folder), before, scope =>
            {
                long read = 0;
                var numbers = new List<long>();
                while (more && read < spec.Incremental.ChunkRows)
                {
                    var (batch, file, seen) = batches.Current;
                    read += batch.RowsRead;
                    numbers.AddRange(seen);
                    scope.Stage(staging, staging.Prepare(validator, batch, file), file);
                    more = batches.MoveNext();
                }

                while (extraKeys.TryDequeue(out var extra))
                {
                    scope.Flag(spec.Target!, extra.File, "schema_extra_column", string.Join(",", extra.Keys),
                        $"the file {extra.File} has key(s) {string.Join(", ", extra.Keys)} that the spec does not declare: not loaded");
                }

                scope.Transform();
                next = backfill || seqIndex < 0 ? state : state.Advance(numbers);
                if (next.WatermarkText is { } after && !backfill && seqIndex >= 0)
                {
                    meta.SetWatermark(spec.Name, column, after, scope.BatchId);
                    meta.SetSequenceGaps(spec.Name, next.Gaps, scope.BatchId);
                }

                return new BatchCounts(read, next.WatermarkText);
            });
            state = next ?? state;
        }
        while (more);
    }

}
