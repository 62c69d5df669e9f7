using System.Collections.Concurrent;
using TipWarehouse.Core.Pipelines;

namespace TipWarehouse.Scheduling.Tests;

/// <summary>An <see cref="IPipelineRunner"/> double: each pipeline's behaviour is a delegate; it records calls and the highest concurrency per pipeline.</summary>
public sealed class FakeRunner(params PipelineDescriptor[] pipelines) : IPipelineRunner
{
    private readonly ConcurrentDictionary<string, int> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _maxConcurrency = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly List<(string Pipeline, int Count, TaskCompletionSource Signal)> _callWaiters = [];
    private readonly List<(string Pipeline, int Count, TaskCompletionSource Signal)> _endWaiters = [];
    private readonly ConcurrentDictionary<string, int> _ended = new(StringComparer.Ordinal);

    public IReadOnlyList<PipelineDescriptor> Pipelines { get; } = pipelines;

    /// <summary>What a run of a pipeline does, given its 1-based call number; default: succeed at once.</summary>
    public ConcurrentDictionary<string, Func<int, CancellationToken, Task<PipelineRunResult>>> Behaviour { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<PipelineRunRequest> Requests { get; } = new();

    public int Calls(string pipeline) => _calls.GetValueOrDefault(pipeline);

    public int MaxConcurrency(string pipeline) => _maxConcurrency.GetValueOrDefault(pipeline);

    public static PipelineRunResult Success(string pipeline, long runId = 1) => new(pipeline, runId, PipelineRunStatus.Succeeded, 1, 10, 9, 1, 0, null);

    public static PipelineRunResult Failure(string pipeline, string error) => new(pipeline, 1, PipelineRunStatus.Failed, 1, 10, 0, 10, 0, error);

    public async Task<PipelineRunResult> RunAsync(PipelineRunRequest request, CancellationToken cancellationToken = default)
    {
        Requests.Enqueue(request);
        var call = _calls.AddOrUpdate(request.Pipeline, 1, (_, n) => n + 1);
        var running = _running.AddOrUpdate(request.Pipeline, 1, (_, n) => n + 1);
        _maxConcurrency.AddOrUpdate(request.Pipeline, running, (_, n) => Math.Max(n, running));
        Signal(_callWaiters, request.Pipeline, call);
        try
        {
            var behaviour = Behaviour.GetValueOrDefault(request.Pipeline) ?? ((_, _) => Task.FromResult(Success(request.Pipeline, call)));
            return await behaviour(call, cancellationToken);
        }
        finally
        {
            _running.AddOrUpdate(request.Pipeline, 0, (_, n) => n - 1);
            Signal(_endWaiters, request.Pipeline, _ended.AddOrUpdate(request.Pipeline, 1, (_, n) => n + 1));
        }
    }

    /// <summary>Completes when <paramref name="pipeline"/> has been called <paramref name="count"/> times; fails after a generous timeout.</summary>
    public Task WaitForCallsAsync(string pipeline, int count) => Wait(_callWaiters, _calls, pipeline, count);

    /// <summary>Completes when <paramref name="pipeline"/>'s run number <paramref name="count"/> has returned or thrown.</summary>
    public Task WaitForEndsAsync(string pipeline, int count) => Wait(_endWaiters, _ended, pipeline, count);

    private Task Wait(List<(string Pipeline, int Count, TaskCompletionSource Signal)> waiters, ConcurrentDictionary<string, int> counts, string pipeline, int count)
    {
        lock (_gate)
        {
            if (counts.GetValueOrDefault(pipeline) >= count)
            {
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.Add((pipeline, count, signal));
            return signal.Task.WaitAsync(TestHost.Patience);
        }
    }

    private void Signal(List<(string Pipeline, int Count, TaskCompletionSource Signal)> waiters, string pipeline, int reached)
    {
        lock (_gate)
        {
            foreach (var waiter in waiters.Where(w => w.Pipeline == pipeline && w.Count <= reached).ToList())
            {
                waiter.Signal.TrySetResult();
                waiters.Remove(waiter);
            }
        }
    }
}
