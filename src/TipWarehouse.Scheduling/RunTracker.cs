namespace TipWarehouse.Scheduling;

/// <summary>
/// Counts the pipeline runs in progress and owns the "hard stop" signal: on shutdown the host waits for the count
/// to reach zero within the grace period, then cancels every run's token so the engine rolls its batch back.
/// </summary>
public sealed class RunTracker : IDisposable
{
    private readonly CancellationTokenSource _hardStop = new();
    private readonly Lock _gate = new();
    private int _running;
    private TaskCompletionSource _idle = NewCompletedSource();

    /// <summary>How many runs are in progress.</summary>
    public int Running
    {
        get
        {
            lock (_gate)
            {
                return _running;
            }
        }
    }

    /// <summary>True once <see cref="CancelRunning"/> has been called.</summary>
    public bool IsStopping => _hardStop.IsCancellationRequested;

    /// <summary>Starts tracking a run; the lease's token is cancelled by <paramref name="cancellationToken"/> or by a hard stop.</summary>
    public RunLease Begin(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_running++ == 0)
            {
                _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        return new RunLease(this, CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _hardStop.Token));
    }

    /// <summary>Completes when no run is in progress.</summary>
    public Task WaitIdleAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return _idle.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Cancels every run in progress (and any that starts later).</summary>
    public void CancelRunning() => _hardStop.Cancel();

    public void Dispose() => _hardStop.Dispose();

    internal void End()
    {
        lock (_gate)
        {
            if (--_running == 0)
            {
                _idle.TrySetResult();
            }
        }
    }

    private static TaskCompletionSource NewCompletedSource()
    {
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        source.SetResult();
        return source;
    }
}

/// <summary>One tracked run: its cancellation token, released when disposed.</summary>
public sealed class RunLease : IDisposable
{
    private readonly RunTracker _tracker;
    private readonly CancellationTokenSource _source;
    private int _disposed;

    internal RunLease(RunTracker tracker, CancellationTokenSource source)
    {
        _tracker = tracker;
        _source = source;
    }

    /// <summary>Cancelled when Quartz interrupts the job or the host's grace period runs out.</summary>
    public CancellationToken Token => _source.Token;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _source.Dispose();
            _tracker.End();
        }
    }
}
