using Microsoft.ML;

namespace TipWarehouse.Classifier.Tests;

[Collection(SimulatedWorldGroup.Name)]
public sealed class ParallelScoringTests(SimulatedWorldFixture world)
{
    [Fact]
    public void Calls_scored_in_many_parallel_partitions_get_the_probability_each_gets_alone_in_input_order()
    {
        // Complete calls, narrative-only copies (short vectors) and an empty narrative, interleaved.
        var calls = new List<CallFeatures>();
        foreach (var call in world.Result.Split.Test.Take(180))
        {
            calls.Add(call);
            calls.Add(CallFeatures.Create(call.CallId, call.CallDateKey, call.Narrative));
        }

        calls.Insert(97, CallFeatures.Create("empty", 0, null));
        var ml = new MLContext(world.Options.Seed);

        var alone = calls.Select(c => CallScorer.Probabilities(ml, world.Result.Model, [c])[0]).ToArray();
        var partitioned = CallScorer.Probabilities(ml, world.Result.Model, calls, partitionSize: 7);

        Assert.True(alone.Distinct().Count() > 100, "the sample has many different probabilities, so a reordering would show");
        Assert.Equal(alone, partitioned);
    }

    [Fact]
    public void Default_partitioning_of_a_large_batch_equals_one_sequential_pass()
    {
        // More calls than one default partition holds, so several partitions run on the thread pool.
        var calls = Enumerable.Range(0, 20_000).Select(i => world.Labelled[(i * 7919) % world.Labelled.Count]).ToList();
        var ml = new MLContext(world.Options.Seed);

        var sequential = CallScorer.Probabilities(ml, world.Result.Model, calls, partitionSize: int.MaxValue);
        var parallel = CallScorer.Probabilities(ml, world.Result.Model, calls);

        Assert.Equal(sequential, parallel);
        Assert.Equal(sequential.Select(world.Result.Calibration.Apply), world.Scorer.Score(calls));
    }

    [Fact]
    public void The_number_of_partitions_does_not_change_a_model_trained_afterwards_on_the_same_context()
    {
        // The trainer scores the validation slice and then fits on the same context, whose random source seeds the learner.
        var scored = world.Result.Split.Test.Take(300).ToList();
        var fit = world.Labelled.Take(600).ToList();
        var options = world.Options with { NarrativeOnlyCopies = false };
        var onePass = new MLContext(options.Seed);
        var partitioned = new MLContext(options.Seed);

        _ = CallScorer.Probabilities(onePass, world.Result.Model, scored, partitionSize: int.MaxValue);
        _ = CallScorer.Probabilities(partitioned, world.Result.Model, scored, partitionSize: 7);
        var a = CallClassifierTrainer.Fit(onePass, fit, options);
        var b = CallClassifierTrainer.Fit(partitioned, fit, options);

        Assert.Equal(CallScorer.Probabilities(new MLContext(1), a, scored), CallScorer.Probabilities(new MLContext(1), b, scored));
    }

    [Fact]
    public void A_model_that_cannot_score_fails_in_partitions_with_the_same_exception_as_in_one_pass()
    {
        var ml = new MLContext(1);
        var noProbability = ml.Transforms.CopyColumns("Copy", nameof(CallFeatures.Label)).Fit(CallScorer.ToDataView(ml, []));
        var calls = world.Labelled.Take(40).ToList();

        var onePass = Record.Exception(() => CallScorer.Probabilities(ml, noProbability, calls, partitionSize: int.MaxValue));
        var partitioned = Record.Exception(() => CallScorer.Probabilities(ml, noProbability, calls, partitionSize: 7));

        Assert.NotNull(onePass);
        Assert.IsNotType<AggregateException>(partitioned);
        Assert.Equal(onePass.GetType(), partitioned?.GetType());
    }

    [Fact]
    public void Empty_batch_scores_to_an_empty_array()
    {
        Assert.Empty(CallScorer.Probabilities(new MLContext(1), world.Result.Model, []));
    }
}
