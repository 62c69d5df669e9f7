using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Text;
using TipWarehouse.Etl.Extraction;
using TipWarehouse.Etl.Loading;
using TipWarehouse.Etl.Specs;
using TipWarehouse.Etl.Validation;

namespace TipWarehouse.Etl.Engine;

/// <summary>
/// Reads, types, validates and pseudonymizes the files of a drop-folder run on its own thread, ahead of the thread that
/// appends, transforms and commits them, so the two cores work at once. What it holds is bounded by a row budget, not
/// by the run or the batch, so memory does not grow with the number or size of the files.
/// </summary>
internal sealed class CsvReadAhead : IDisposable
{
    private readonly BlockingCollection<Item> _items = [];
    private readonly CancellationTokenSource _stop;
    private readonly Task _reader;
    private readonly long _rowBudget;
    private readonly object _gate = new(); // Monitor.Wait needs a plain object
    private long _rowsHeld;
    private ExceptionDispatchInfo? _failure;

    public CsvReadAhead(PipelineSpec spec, StagingWriter staging, IReadOnlyList<PendingCsvFile> files, long rowBudget, CancellationToken cancellationToken)
    {
        _rowBudget = rowBudget;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var stop = _stop.Token;
        _reader = Task.Factory.StartNew(() => Read(spec, staging, files, stop), stop, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>One prepared batch of a file, or the end of the file with the problem that rejects it whole (and its data line count).</summary>
    public sealed record Item(string FileName, PreparedBatch? Batch, long RowsRead, FileRejectedException? Problem)
    {
        /// <summary>At the end of a file read whole: its header columns that no spec column reads.</summary>
        public IReadOnlyList<string> ExtraColumns { get; init; } = [];

        public bool EndOfFile => Batch is null;
    }

    /// <summary>The next item, in file order; waits for the reader and rethrows what stopped it.</summary>
    public Item Next(string expectedFile, CancellationToken cancellationToken)
    {
        if (!_items.TryTake(out var item, Timeout.Infinite, cancellationToken))
        {
            _failure?.Throw();
            throw new InvalidOperationException($"The read-ahead ended before {expectedFile}. This is a bug.");
        }

        if (item.FileName != expectedFile)
        {
            throw new InvalidOperationException($"The read-ahead delivered {item.FileName} where {expectedFile} was expected. This is a bug.");
        }

        if (item.Batch is { } batch)
        {
            Release(batch.Rows);
        }

        return item;
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _reader.Wait();
        }
        catch (AggregateException)
        {
            // Cancelled, or failed with what Next already rethrew.
        }

        _items.Dispose();
        _stop.Dispose();
    }

    private void Read(PipelineSpec spec, StagingWriter staging, IReadOnlyList<PendingCsvFile> files, CancellationToken stop)
    {
        try
        {
            var assembler = new BatchAssembler(spec);
            var validator = new RowValidator(spec);
            foreach (var file in files)
            {
                var problem = file.Problem;
                IReadOnlyList<string> extra = [];
                if (problem is null)
                {
                    try
                    {
                        using var source = new CsvRowSource(file.Path, spec, file.Fingerprint.Encoding);
                        extra = source.ExtraColumns;
                        foreach (var batch in assembler.Read(source))
                        {
                            stop.ThrowIfCancellationRequested();
                            var prepared = staging.Prepare(validator, batch, file.Name);
                            Hold(prepared.Rows, stop);
                            _items.Add(new Item(file.Name, prepared, batch.RowsRead, null), stop);
                        }
                    }
                    catch (FileRejectedException ex)
                    {
                        problem = ex;
                    }
                }

                _items.Add(new Item(file.Name, null, problem is null ? 0 : CountDataLines(file.Path), problem) { ExtraColumns = problem is null ? extra : [] }, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Disposed before the end: the loading side stopped.
        }
        catch (Exception ex)
        {
            _failure = ExceptionDispatchInfo.Capture(ex);
        }
        finally
        {
            _items.CompleteAdding();
        }
    }

    /// <summary>Waits until <paramref name="rows"/> more fit in the budget (one batch always fits when nothing is held).</summary>
    private void Hold(long rows, CancellationToken stop)
    {
        lock (_gate)
        {
            while (_rowsHeld > 0 && _rowsHeld + rows > _rowBudget)
            {
                stop.ThrowIfCancellationRequested();
                Monitor.Wait(_gate, TimeSpan.FromMilliseconds(50));
            }

            _rowsHeld += rows;
        }
    }

    private void Release(long rows)
    {
        lock (_gate)
        {
            _rowsHeld -= rows;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>The data lines of a file rejected whole (its quarantined row count).</summary>
    private static long CountDataLines(string file)
    {
        long lines = 0;
        using var reader = new StreamReader(file, Encoding.Latin1);
        var header = true;
        while (reader.ReadLine() is { } line)
        {
            if (header)
            {
                header = false;
                continue;
            }

            if (!string.IsNullOrWhiteSpace(line))
            {
                lines++;
            }
        }

        return lines;
    }
}

/// <summary>A drop file to load in this run: its fingerprint, write time, and the problem found before reading it, if any.</summary>
internal sealed record PendingCsvFile(string Path, string Name, FileFingerprint Fingerprint, DateTime ModifiedAt, FileRejectedException? Problem)
{
    /// <summary>The manifest entry of the earlier version when the file was replaced after it was loaded (it loads again as a new version).</summary>
    public MetaStore.ManifestEntry? Replaces { get; init; }

    /// <summary>True when a backfill re-reads a file already loaded unchanged: its rows are duplicates and its manifest entry stays.</summary>
    public bool Reread { get; init; }

    /// <summary>Why the file's name carries no valid date (flagged <c>file_date_invalid</c>), or null.</summary>
    public string? DateProblem { get; init; }
}
