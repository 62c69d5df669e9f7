using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;

namespace TipWarehouse.Etl.Tests;

[Collection(SimulatedWarehouseGroup.Name)]
public sealed class StepTests(WarehouseFixture world)
{
    /// <summary>A downstream step that marks every hotline call as seen in a work table, reporting its counts.</summary>
    private sealed class MarkCallsStep(bool reconcile) : IPipelineStep
    {
        public string Kind => "mark_calls";

        public Task<StepOutcome> RunAsync(PipelineStepContext context, CancellationToken cancellationToken = default)
        {
            using var command = context.Connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE IF NOT EXISTS main.marked_calls (call_id VARCHAR, batch_id BIGINT);
                INSERT INTO main.marked_calls SELECT call_id, getvariable('batch_id') FROM dw.fact_hotline_call
                WHERE call_id NOT IN (SELECT call_id FROM main.marked_calls);
                """;
            var n = command.ExecuteNonQuery();
            context.Progress?.Report(new StepProgress("marking", n, n, "calls"));
            Assert.Equal("calls", context.Settings["label"]);
            return Task.FromResult(new StepOutcome(n, reconcile ? n : 0, 0, 0, $"marked:{n}"));
        }
    }

    private string Pipelines()
    {
        var dir = WarehouseFixture.CopyPipelines(Path.Combine(world.Root, "pipelines-with-step-" + Guid.NewGuid().ToString("N")));

        File.WriteAllText(Path.Combine(dir, "mark_calls.yaml"), "kind: mark_calls\nupstream: [hotline]\nsettings:\n  label: calls\n");
        return dir;
    }

    [Fact]
    public async Task Registered_step_runs_in_a_batch_with_its_counts_and_watermark()
    {
        var home = world.CopyOfLoaded("step");
        var engine = new Etl.Engine.PipelineEngine(home, Pipelines(), world.Time, [new MarkCallsStep(reconcile: true)]);
        Assert.Contains(engine.Pipelines, p => p.Name == "mark_calls" && p.Upstream.Contains("hotline"));
        var results = await engine.RunManyAsync(["mark_calls"], world.Sources);
        Assert.All(results, r => Assert.True(r.Succeeded, r.Error));
        var calls = WarehouseFixture.Scalar(home, "SELECT count(*) FROM dw.fact_hotline_call");
        var step = results.Single(r => r.Pipeline == "mark_calls");
        Assert.Equal((calls, calls), (step.RowsRead, step.RowsLoaded));
        Assert.Equal(1, WarehouseFixture.Scalar(home, $"SELECT count(*) FROM meta.watermark WHERE pipeline = 'mark_calls' AND watermark_value = 'marked:{calls}'"));
    }

    /// <summary>Records every progress report in order, synchronously.</summary>
    internal sealed class RecordingProgress : IProgress<Etl.Engine.PipelineProgress>
    {
        public List<Etl.Engine.PipelineProgress> Reports { get; } = [];

        public void Report(Etl.Engine.PipelineProgress value) => Reports.Add(value);
    }

    [Fact]
    public async Task A_step_reports_its_phases_through_the_engine_with_their_counts()
    {
        var home = world.CopyOfLoaded("step-progress");
        var progress = new RecordingProgress();
        var engine = new Etl.Engine.PipelineEngine(home, Pipelines(), world.Time, [new MarkCallsStep(reconcile: true)], new Etl.Engine.PipelineEngineOptions { Environment = _ => null, Progress = progress });
        var results = await engine.RunManyAsync(["mark_calls"], world.Sources);
        Assert.All(results, r => Assert.True(r.Succeeded, r.Error));

        var calls = WarehouseFixture.Scalar(home, "SELECT count(*) FROM dw.fact_hotline_call");
        var mine = progress.Reports.Where(r => r.Pipeline == "mark_calls").ToList();
        // "summarized": the report summaries (ReportSummary) follow the run's batch.
        Assert.Equal(["started", "step", "batch", "summarized", "finished"], mine.Select(r => r.Stage).Where(s => s != "checkpoint deferred"));
        var step = mine.Single(r => r.Stage == "step");
        Assert.Equal("marking", step.Source);
        Assert.Equal(new Etl.Engine.WorkCount(calls, calls, "calls"), step.Work);
    }

    [Fact]
    public async Task A_run_of_several_pipelines_refreshes_the_report_summaries_once_after_the_last_even_when_one_failed()
    {
        foreach (var (name, pipelines, failing) in new[] { ("summary-once", new[] { "police_stations", "hotline" }, (string?)null), ("summary-after-failure", ["police_stations", "mark_calls"], "mark_calls") })
        {
            var home = world.NewHome(name);
            var progress = new RecordingProgress();
            // No step registered for mark_calls: it fails, police_stations before it commits.
            var engine = new Etl.Engine.PipelineEngine(home, Pipelines(), world.Time, [], new Etl.Engine.PipelineEngineOptions { Environment = _ => null, Progress = progress });
            var results = await engine.RunManyAsync(pipelines, world.Sources);
            Assert.Equal(pipelines.Select(p => p != failing), results.Select(r => r.Succeeded));

            var expected = pipelines.Where(p => p != failing).Select(p => (Pipeline: p, Stage: "finished")).Append((pipelines[^1], "summarized")).ToList();
            Assert.Equal(expected, progress.Reports.Select(r => (r.Pipeline, r.Stage)).Where(r => r.Stage is "summarized" or "finished").ToList());
            using var connection = Warehouse.Open(home, readOnly: true);
            Assert.True(ReportSummary.IsFresh(connection));
        }
    }

    [Fact]
    public async Task A_run_of_several_pipelines_releases_memory_after_each_pipeline_it_ran_and_a_single_run_does_not()
    {
        foreach (var (name, pipelines, released) in new[] { ("release-several", new[] { "police_stations", "hotline", "mark_calls" }, 3), ("release-single", ["police_stations"], 0) })
        {
            var home = world.NewHome(name);
            var progress = new RecordingProgress();
            var order = new List<string>();
            var engine = new Etl.Engine.PipelineEngine(home, Pipelines(), world.Time, [new MarkCallsStep(reconcile: true)], new Etl.Engine.PipelineEngineOptions
            {
                Environment = _ => null,
                Progress = progress,
                ReleaseMemoryBetweenPipelines = () => order.Add("released after " + progress.Reports.Last(r => r.Stage is "finished" or "failed").Pipeline),
            });
            var results = await engine.RunManyAsync(pipelines, world.Sources);
            Assert.All(results, r => Assert.True(r.Succeeded, r.Error));
            Assert.Equal(pipelines.Take(released).Select(p => "released after " + p), order);
        }
    }

    [Fact]
    public async Task A_drop_folder_run_reports_the_bytes_of_its_pending_files_as_its_known_total()
    {
        var home = world.NewHome("csv-progress");
        var progress = new RecordingProgress();
        var engine = new Etl.Engine.PipelineEngine(home, WarehouseFixture.PipelinesDirectory, world.Time, [], new Etl.Engine.PipelineEngineOptions { Environment = _ => null, Progress = progress });
        var results = await engine.RunManyAsync(["police_stations", "hotline"], world.Sources);
        Assert.All(results, r => Assert.True(r.Succeeded, r.Error));

        var files = Directory.GetFiles(Path.Combine(world.Sources, "hotline"), "*.csv");
        var bytes = files.Sum(f => new FileInfo(f).Length);
        var hotline = progress.Reports.Where(r => r.Pipeline == "hotline").ToList();
        Assert.Equal(Enumerable.Range(0, files.Length).Select(i => (long)i), hotline.Where(r => r.Stage == "inspecting").Select(r => r.Work!.Done));
        Assert.All(hotline.Where(r => r.Stage == "inspecting"), r => Assert.Equal(files.Length, r.Work!.Total));
        var loading = hotline.Single(r => r.Stage == "loading");
        Assert.Equal(new Etl.Engine.WorkCount(0, bytes, "bytes"), loading.Work);

        // Each batch's report says the bytes loaded so far, rising to the total with the last batch.
        var batches = hotline.Where(r => r.Stage == "batch").Select(r => r.Work!).ToList();
        Assert.Equal(results.Single(r => r.Pipeline == "hotline").Batches, batches.Count);
        Assert.All(batches, w => Assert.Equal((bytes, "bytes"), (w.Total!.Value, w.Unit)));
        Assert.True(batches.Zip(batches.Skip(1)).All(p => p.First.Done < p.Second.Done));
        Assert.Equal(bytes, batches[^1].Done);
    }

    [Fact]
    public async Task Step_whose_counts_do_not_reconcile_fails_and_rolls_back()
    {
        var home = world.CopyOfLoaded("step-bad");
        var engine = new Etl.Engine.PipelineEngine(home, Pipelines(), world.Time, [new MarkCallsStep(reconcile: false)]);
        var results = await engine.RunManyAsync(["mark_calls"], world.Sources);
        var step = results.Single(r => r.Pipeline == "mark_calls");
        Assert.False(step.Succeeded);
        Assert.Contains("does not reconcile", step.Error, StringComparison.Ordinal);
        Assert.Equal(0, WarehouseFixture.Scalar(home, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'marked_calls'"));
        Assert.Equal(1, WarehouseFixture.Scalar(home, "SELECT count(*) FROM meta.batch WHERE pipeline = 'mark_calls' AND status = 'failed'"));
    }

    [Fact]
    public async Task Spec_of_an_unregistered_step_kind_fails_only_that_pipeline()
    {
        var home = world.NewHome("step-missing");
        var engine = new Etl.Engine.PipelineEngine(home, Pipelines(), world.Time, []);
        var results = await engine.RunManyAsync(["police_stations", "mark_calls"], world.Sources);
        Assert.True(results[0].Succeeded, results[0].Error);
        Assert.Contains("no step is registered for kind 'mark_calls'", results[1].Error, StringComparison.Ordinal);
    }
}
