using DuckDB.NET.Data;
using Microsoft.Extensions.Time.Testing;
using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;
using TipWarehouse.Schema;

namespace TipWarehouse.Classifier.Tests;

/// <summary>The classifier against a real (DuckDB) warehouse built from <c>sql/</c>, loaded with the simulated world's calls.</summary>
[Collection(SimulatedWorldGroup.Name)]
public sealed class WarehouseTests : IDisposable
{
    private readonly SimulatedWorldFixture _world;
    private readonly TipwHome _home;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2008, 1, 15, 12, 0, 0, TimeSpan.Zero));

    public WarehouseTests(SimulatedWorldFixture world)
    {
        _world = world;
        _home = new TipwHome(Path.Combine(world.Directory, "home-" + Guid.NewGuid().ToString("N")));
        _home.EnsureCreated();
        using var connection = Warehouse.OpenPath(_home.WarehousePath);
        WarehouseInitializer.Initialize(connection, new InitOptions { Time = _time });
        LoadCalls(connection, world.Calls);
    }

    public void Dispose() => Directory.Delete(_home.Root, recursive: true);

    [Fact]
    public void Warehouse_labels_come_from_operator_category_and_tip_links_and_skip_calls_without_either()
    {
        using var connection = Warehouse.Open(_home);
        var linked = _world.Calls.First(c => c.Category is null).Features.CallId;
        Execute(connection, $"""
            INSERT INTO dw.fact_police_report (report_number, report_date_key, incident_date_key, police_unit_key, geography_key, crime_type_key,
                exploitation_type_key, status, is_tip_related, victim_count, suspect_count, report_count, source_updated_at, batch_id)
            VALUES ('R-1', 20070101, 20070101, -1, -1, -1, -1, 'open', true, 1, 1, 1, TIMESTAMP '2007-01-01', 0);
            INSERT INTO dw.bridge_case_link (case_id, link_type, left_record_id, right_record_id, method, score, status, link_date_key, batch_id)
            VALUES ('C-1', 'hotline_police', '{linked}', 'R-1', 'exact', 1.0, 'linked', 20070101, 0);
            """);

        var labelled = WarehouseCalls.ReadLabelled(connection);

        var withCategory = _world.Calls.Count(c => c.Category is not null);
        Assert.Equal(withCategory + 1, labelled.Calls.Count);
        Assert.Equal(_world.Calls.Count - withCategory - 1, labelled.Unlabelled);
        Assert.True(labelled.Calls.Single(c => c.CallId == linked).Label);
        Assert.Equal(1, labelled.PositiveByLinkOnly);
        Assert.Equal(_world.Calls.Count(c => TipLabels.FromOperatorCategory(c.Category) == true), labelled.PositiveByOperator);
    }

    [Fact]
    public void A_window_read_page_by_page_gives_its_calls_in_its_order_by_enumeration_and_by_index()
    {
        // Read-write: a page is read through a temp table of its keys, as 'tipw model train' does.
        using var connection = Warehouse.Open(_home);
        // The latest 50 calls in date order, against key order, labelled alternately (a window carries its own labels).
        var keys = Sql.Query(connection, "SELECT call_key, call_id, call_date_key FROM dw.fact_hotline_call ORDER BY call_date_key DESC, call_id DESC LIMIT 50",
            r => (Key: Convert.ToInt64(r.GetValue(0)), Id: r.GetString(1), Date: Convert.ToInt32(r.GetValue(2))))
            .Select((k, i) => new LabelledCallKey(k.Key, k.Id, k.Date, i % 2 == 0, null)).ToList();
        var expected = keys.Select(k => (k.CallId, k.CallDateKey, k.Label, WarehouseCalls.ReadOne(connection, k.CallId)!.Narrative)).ToList();
        static (string, int, bool, string) Row(CallFeatures c) => (c.CallId, c.CallDateKey, c.Label, c.Narrative);

        var window = new WarehouseCallWindow(connection, keys, pageSize: 7);
        Assert.Equal(50, window.Count);
        Assert.Equal(expected, window.Select(Row));
        Assert.Equal(expected, window.Select(Row));
        // By index, out of order and across pages.
        foreach (var i in new[] { 49, 0, 13, 14, 6, 7, 48, 21 })
        {
            Assert.Equal(expected[i], Row(window[i]));
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => window[50]);
        // Scored through the window in rounds, the same as the calls held in memory.
        var held = window.ToList();
        var ml = new Microsoft.ML.MLContext(1);
        var scored = CallScorer.ScoreWithLabels(ml, _world.Result.Model, window);
        Assert.Equal(CallScorer.Probabilities(new Microsoft.ML.MLContext(1), _world.Result.Model, held), scored.Probabilities);
        Assert.Equal(held.Select(c => c.Label), scored.Labels);
        Assert.Equal(held.Select(c => c.CallDateKey), scored.DateKeys);
    }

    [Fact]
    public void The_two_pass_read_gives_the_split_fit_sample_and_model_of_training_on_every_labelled_call()
    {
        using var connection = Warehouse.Open(_home);
        var labelled = WarehouseCalls.ReadLabelled(connection);
        var fitCount = TimeSplit.Create(labelled.Calls, _world.Options.TestMonths, _world.Options.ValidationMonths).Fit.Count;
        // A sample of a little over half the fit months, so the stride skips calls unevenly.
        var options = _world.Options with { MaxFitCalls = (fitCount / 2) + 7 };

        var read = WarehouseCalls.ReadSplit(connection, decisions: null, options);
        var inMemory = new CallClassifierTrainer(_time).Train(labelled.Calls, options);
        var twoPass = new CallClassifierTrainer(_time).Train(read.Split!, read.Summary, options);

        static IEnumerable<(string, int, bool, string, string)> Rows(IEnumerable<CallFeatures> calls) =>
            calls.Select(c => (c.CallId, c.CallDateKey, c.Label, c.Narrative, c.CallerType + "|" + c.AgeBand + "|" + c.VictimAge + "|" + c.IsMinor));
        Assert.Equal(options.MaxFitCalls, twoPass.Split.Fit.Count);
        Assert.Equal(Rows(inMemory.Split.Fit), Rows(twoPass.Split.Fit));
        Assert.Equal(Rows(inMemory.Split.Validation), Rows(twoPass.Split.Validation));
        Assert.Equal(Rows(inMemory.Split.Test), Rows(twoPass.Split.Test));
        static (DateOnly, DateOnly, DateOnly, DateOnly, DateOnly, int) Dates(TimeSplit s) => (s.TrainFrom, s.TrainTo, s.ValidationFrom, s.TestFrom, s.TestTo, s.DuplicatesRemoved);
        Assert.Equal(Dates(inMemory.Split), Dates(twoPass.Split));
        Assert.Equal((labelled.Calls.Count, labelled.Calls.Count(c => c.Label), labelled.Unlabelled), (read.LabelledCount, read.PositiveCount, read.Labels.Unlabelled));
        Assert.Equal((fitCount, inMemory.FitCallsAvailable), (twoPass.FitCallsAvailable, twoPass.FitCallsAvailable));
        Assert.Equal(inMemory.Threshold, twoPass.Threshold);
        Assert.Equal(inMemory.TestMetrics with { Calibration = Array.Empty<CalibrationBin>() }, twoPass.TestMetrics with { Calibration = Array.Empty<CalibrationBin>() });
        Assert.Equal(inMemory.TestMetrics.Calibration, twoPass.TestMetrics.Calibration);
    }

    [Fact]
    public void Train_saves_the_model_registers_it_and_activate_keeps_exactly_one_active()
    {
        var service = new ClassifierService(_time);
        var first = service.Train(_home, _world.Options, activate: true);
        _time.Advance(TimeSpan.FromMinutes(5));
        var second = RegisterTrained("tip-call-sdca-second", activate: true);

        Assert.Equal("tip-call-sdca-20080115120000", first.Model.ModelName);
        Assert.True(File.Exists(Path.Combine(_home.ModelsDirectory, first.Model.ModelName, "model.zip")));
        var metadata = ModelMetadata.Load(Path.Combine(_home.ModelsDirectory, first.Model.ModelName, "metadata.json"));
        Assert.Equal(first.Metadata.Threshold, metadata.Threshold);
        Assert.Equal(TipLabels.TrainingLabelSource, metadata.LabelSource);
        Assert.True(metadata.TrainTo < metadata.TestFrom);

        var list = ClassifierService.List(_home);
        Assert.Equal(["model", "auc", "pr_auc", "precision", "recall", "f1", "threshold", "active"], list.Columns.Take(8).Select(c => c.Name));
        Assert.Equal(2, list.Rows.Count);
        var active = list.Rows.Where(r => (bool)r[list.IndexOf("active")]!).Select(r => (string)r[0]!).ToList();
        Assert.Equal([second.ModelName], active);

        var card = ClassifierService.Card(_home, second.ModelName);
        Assert.Contains(card.Rows, r => (string)r[0]! == "threshold" && (string)r[1]! == "precision_floor" && (string)r[2]! == "0.85");
        Assert.Contains(card.Rows, r => (string)r[0]! == "calibration" && (string)r[1]! == "method" && ((string)r[2]!).StartsWith("isotonic", StringComparison.Ordinal));
        Assert.Contains(card.Rows, r => (string)r[0]! == "metrics_test" && (string)r[1]! == "auc_pr_auc");
        Assert.Equal(ClassifierService.KnownFailureModes.Count, card.Rows.Count(r => (string)r[0]! == "known_failure_modes"));
        Assert.Throws<TipwException>(() => ClassifierService.Card(_home, "tip-call-none"));

        ClassifierService.Activate(_home, first.Model.ModelName);
        using var connection = Warehouse.Open(_home, readOnly: true);
        Assert.Equal(first.Model.ModelName, ModelRegistry.Active(connection)!.ModelName);
        Assert.Equal(1L, Scalar(connection, "SELECT count(*) FROM dw.dim_model WHERE is_active"));
    }

    [Fact]
    public async Task Scoring_step_scores_each_call_once_per_model_and_keeps_earlier_scores()
    {
        var step = new CallScoringStep();
        RegisterTrained("tip-call-first", activate: true);
        var calls = _world.Calls.Count;

        var first = await RunStepAsync(step, batchId: 1);
        var rerun = await RunStepAsync(step, batchId: 2);
        _time.Advance(TimeSpan.FromHours(1));
        RegisterTrained("tip-call-second", activate: true, threshold: 0.5);
        var second = await RunStepAsync(step, batchId: 3);

        Assert.Equal(new StepOutcome(calls, calls, 0, 0), first);
        Assert.Equal(new StepOutcome(0, 0, 0, 0), rerun);
        Assert.Equal(calls, second.RowsLoaded);
        using var connection = Warehouse.Open(_home, readOnly: true);
        Assert.Equal(2L * calls, Scalar(connection, "SELECT count(*) FROM dw.fact_call_score"));
        Assert.Equal(2L, Scalar(connection, "SELECT count(DISTINCT model_key) FROM dw.fact_call_score"));
        Assert.Equal(0L, Scalar(connection, "SELECT count(*) FROM dw.fact_call_score WHERE probability < 0 OR probability > 1 OR score_date_key <> 20080115"));
        // The flag agrees with each model's own threshold.
        Assert.Equal(0L, Scalar(connection, """
            SELECT count(*) FROM dw.fact_call_score s JOIN dw.dim_model m USING (model_key)
            WHERE s.is_flagged <> (s.probability >= m.threshold)
            """));
        // Scores equal what the model gives the same calls directly.
        var active = ModelRegistry.Active(connection)!;
        var sample = WarehouseCalls.ReadLabelled(connection).Calls.Take(50).ToList();
        var direct = active.LoadScorer(_home).Score(sample);
        for (var i = 0; i < sample.Count; i++)
        {
            var stored = Convert.ToDouble(Scalar(connection, $"SELECT s.probability FROM dw.fact_call_score s JOIN dw.fact_hotline_call c USING (call_key) WHERE c.call_id = '{sample[i].CallId}' AND s.model_key = {active.ModelKey}"));
            Assert.Equal(direct[i], stored, 5);
        }
    }

    [Fact]
    public async Task Scoring_step_without_an_active_model_reads_nothing_and_says_so()
    {
        var messages = new List<string>();

        var outcome = await RunStepAsync(new CallScoringStep(messages.Add), batchId: 1);

        Assert.Equal(new StepOutcome(0, 0, 0, 0), outcome);
        Assert.Contains(messages, m => m.Contains("no active model", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Scoring_step_reports_calls_scored_out_of_the_calls_unscored_at_its_start_after_each_chunk()
    {
        RegisterTrained("tip-call-progress", activate: true);
        long calls = _world.Calls.Count;
        var reports = new List<StepProgress>();
        using var connection = Warehouse.Open(_home);
        using var transaction = connection.BeginTransaction();
        var context = new PipelineStepContext(_home, connection, "call_scoring", 1, 1, _time, new Dictionary<string, string> { ["chunk_size"] = "1000" })
        {
            Progress = new RecordingProgress(reports),
        };
        var outcome = await new CallScoringStep().RunAsync(context);
        transaction.Commit();

        Assert.Equal(calls, outcome.RowsLoaded);
        var chunks = (int)((calls + 999) / 1000);
        Assert.Equal(chunks + 1, reports.Count);
        Assert.All(reports, r => Assert.Equal(("scoring", calls, "calls"), (r.Phase, r.Total!.Value, r.Unit)));
        Assert.Equal([0L, .. Enumerable.Range(1, chunks).Select(i => Math.Min(i * 1000L, calls))], reports.Select(r => r.Done));
    }

    private sealed class RecordingProgress(List<StepProgress> reports) : IProgress<StepProgress>
    {
        public void Report(StepProgress value) => reports.Add(value);
    }

    [Fact]
    public async Task Scoring_step_rolls_back_with_the_batch_transaction()
    {
        RegisterTrained("tip-call-rollback", activate: true);
        using (var connection = Warehouse.Open(_home))
        {
            using var transaction = connection.BeginTransaction();
            var context = new PipelineStepContext(_home, connection, "call_scoring", 1, 1, _time, new Dictionary<string, string> { ["chunk_size"] = "1000" });
            var outcome = await new CallScoringStep().RunAsync(context);
            Assert.Equal(_world.Calls.Count, outcome.RowsLoaded);
            transaction.Rollback();
        }

        using var check = Warehouse.Open(_home, readOnly: true);
        Assert.Equal(0L, Scalar(check, "SELECT count(*) FROM dw.fact_call_score"));
    }

    [Fact]
    public async Task Scoring_step_scores_exactly_the_calls_the_active_model_has_not_scored_wherever_they_fall_in_key_order()
    {
        RegisterTrained("tip-call-gaps", activate: true);
        await RunStepAsync(new CallScoringStep(), batchId: 1);
        var all = ScoreRows("true");
        // Calls the model has not scored scattered over the key range (every 7th, and a run at the end), as after loads and
        // deletions; the chunks of 1000 then hold scored and unscored calls side by side.
        using (var connection = Warehouse.Open(_home))
        {
            Execute(connection, "DELETE FROM dw.fact_call_score WHERE call_key % 7 = 3 OR call_key > (SELECT max(call_key) - 150 FROM dw.fact_hotline_call)");
        }

        var kept = ScoreRows("true");
        using (var connection = Warehouse.Open(_home))
        {
            using var transaction = connection.BeginTransaction();
            var context = new PipelineStepContext(_home, connection, "call_scoring", 2, 2, _time, new Dictionary<string, string> { ["chunk_size"] = "1000" });
            var outcome = await new CallScoringStep().RunAsync(context);
            transaction.Commit();
            Assert.Equal(all.Count - kept.Count, outcome.RowsLoaded);
        }

        // Every call has one score again, with the probability and flag it had; the kept scores were not touched.
        var after = ScoreRows("true");
        Assert.Equal(Scores(all), Scores(after));
        Assert.Subset(after.ToHashSet(), kept.ToHashSet());
        Assert.Equal(_world.Calls.Count, after.Count);

        // A score row without its batch and time stamps (CAST(row AS VARCHAR): {'call_key': …, 'model_key': …, …, 'scored_at': …}).
        static List<string> Scores(List<string> rows) =>
            [.. rows.Select(r => System.Text.RegularExpressions.Regex.Replace(r, "'(score_date_key|scored_at|batch_id)': [^,}]*", ""))];
    }

    [Fact]
    public async Task A_rebuild_rescores_every_call_writes_only_changed_scores_and_a_second_rebuild_changes_nothing()
    {
        RegisterTrained("tip-call-rebuild", activate: true);
        await RunStepAsync(new CallScoringStep(), batchId: 1);
        long calls = _world.Calls.Count;
        // What a rebuilt hotline transform can do: a new narrative scrub on some calls (the model reads the narrative).
        using (var connection = Warehouse.Open(_home))
        {
            Execute(connection, "UPDATE dw.fact_hotline_call SET narrative = 'llamada de prueba sin detalle' WHERE call_key IN (SELECT call_key FROM dw.fact_hotline_call ORDER BY call_key LIMIT 40)");
        }

        var before = ScoreRows("call_key > (SELECT max(call_key) FROM (SELECT call_key FROM dw.fact_hotline_call ORDER BY call_key LIMIT 40))");
        _time.Advance(TimeSpan.FromDays(2));
        var messages = new List<string>();
        var first = await RunStepAsync(new CallScoringStep(messages.Add), batchId: 2, CallRebuild);

        using (var connection = Warehouse.Open(_home, readOnly: true))
        {
            // Every call was read; the 40 edited calls are scored as the model scores them now, stamped with this batch and day.
            Assert.Equal(calls, first.RowsRead);
            Assert.Equal(first.RowsRead, first.RowsLoaded + first.RowsDuplicate);
            var rewritten = Convert.ToInt64(Scalar(connection, "SELECT count(*) FROM dw.fact_call_score WHERE batch_id = 2 AND score_date_key = 20080117"));
            Assert.Equal(first.RowsLoaded, rewritten);
            Assert.InRange(first.RowsLoaded, 1, 40);
            var active = ModelRegistry.Active(connection)!;
            var edited = WarehouseCalls.ReadAll(connection, long.MinValue, 40);
            var direct = active.LoadScorer(_home).Score([.. edited.Select(e => e.Features)]);
            for (var i = 0; i < edited.Count; i++)
            {
                Assert.Equal(direct[i], Convert.ToDouble(Scalar(connection, $"SELECT probability FROM dw.fact_call_score WHERE call_key = {edited[i].CallKey} AND model_key = {active.ModelKey}")), 6);
            }
        }

        // The other calls' scores were equal, so they were kept as they were (batch, date and time included).
        Assert.Equal(before, ScoreRows("call_key > (SELECT max(call_key) FROM (SELECT call_key FROM dw.fact_hotline_call ORDER BY call_key LIMIT 40))"));
        Assert.Contains(messages, m => m.Contains($"{calls} call(s) re-scored by tip-call-rebuild: {first.RowsLoaded} score(s) changed, 0 added", StringComparison.Ordinal));

        var afterFirst = ScoreRows("true");
        _time.Advance(TimeSpan.FromDays(1));
        var second = await RunStepAsync(new CallScoringStep(), batchId: 3, CallRebuild);
        Assert.Equal(new StepOutcome(calls, 0, 0, calls), second);
        Assert.Equal(afterFirst, ScoreRows("true"));
    }

    [Fact]
    public async Task A_rebuild_adds_the_scores_the_active_model_lacks_and_rolls_back_with_the_batch_transaction()
    {
        RegisterTrained("tip-call-rebuild-rollback", activate: true);
        await RunStepAsync(new CallScoringStep(), batchId: 1);
        using (var connection = Warehouse.Open(_home))
        {
            Execute(connection, "DELETE FROM dw.fact_call_score WHERE call_key IN (SELECT call_key FROM dw.fact_hotline_call ORDER BY call_key LIMIT 7)");
            Execute(connection, "UPDATE dw.fact_hotline_call SET narrative = 'llamada de prueba sin detalle' WHERE call_key IN (SELECT call_key FROM dw.fact_hotline_call ORDER BY call_key DESC LIMIT 40)");
        }

        var before = ScoreRows("true");
        using (var connection = Warehouse.Open(_home))
        {
            using var transaction = connection.BeginTransaction();
            var context = new PipelineStepContext(_home, connection, "call_scoring", 2, 2, _time, new Dictionary<string, string>()) { TriggerKind = CallRebuild };
            var outcome = await new CallScoringStep().RunAsync(context);
            Assert.True(outcome.RowsLoaded >= 8, $"7 added and at least one changed, got {outcome.RowsLoaded}");
            Assert.Equal(_world.Calls.Count, Convert.ToInt64(Scalar(connection, "SELECT count(*) FROM dw.fact_call_score")));
            transaction.Rollback();
        }

        Assert.Equal(before, ScoreRows("true"));
    }

    private const string CallRebuild = PipelineStepContext.RebuildTrigger;

    // The active-model score rows matching a condition, as text, in call order.
    private List<string> ScoreRows(string where)
    {
        using var connection = Warehouse.Open(_home, readOnly: true);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT CAST(s AS VARCHAR) FROM dw.fact_call_score AS s WHERE {where} ORDER BY call_key, model_key";
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    [Fact]
    public void Truth_evaluation_measures_the_active_model_on_its_test_months()
    {
        RegisterTrained("tip-call-truth", activate: true);
        using var connection = Warehouse.Open(_home, readOnly: true);

        var result = TruthEvaluation.Evaluate(connection, _home, _world.Directory);
        var table = TruthEvaluation.ToTable(result);

        Assert.Equal(_world.Result.Split.TestFrom, result.TestFrom);
        Assert.True(result.Model.Count > 500);
        Assert.True(result.Model.Auc >= 0.9, $"AUC against the truth {result.Model.Auc:0.000}");
        Assert.Equal(["model", "test_from", "test_to", "calls", "positives", "auc", "pr_auc", "precision", "recall", "f1", "threshold"], table.Columns.Take(11).Select(c => c.Name));
    }

    [Fact]
    public void Explain_names_the_terms_behind_a_warehouse_call()
    {
        RegisterTrained("tip-call-explain", activate: true);
        var tipCall = _world.Calls.First(c => TipLabels.FromOperatorCategory(c.Category) == true && c.Features.Narrative.Length > 60).Features.CallId;

        var table = ModelExplainer.ToTable(ClassifierService.Explain(_home, tipCall));

        Assert.NotEmpty(table.Rows);
        Assert.Contains(table.Rows, r => (string)r[0]! is "word" or "chars");
        Assert.Throws<TipwException>(() => ClassifierService.Explain(_home, "NO-SUCH-CALL"));
    }

    [Fact]
    public async Task A_supervisor_decision_on_a_flagged_call_leaves_the_queue_and_flips_its_label_in_the_next_training()
    {
        var model = RegisterTrained("tip-call-review", activate: true);
        await RunStepAsync(new CallScoringStep(), batchId: 1);
        var queue = ClassifierService.ReviewQueue(_home, includeDecided: false, limit: 5000, withSpans: true);
        Assert.Equal(["call_id", "call_date", "department", "probability", "operator_category", "operator_tip", "top_words", "decision", "decided_by", "decided_at", "narrative", "spans"],
            queue.Columns.Select(c => c.Name));
        // Probabilities are shown to 4 decimals.
        Assert.All(queue.Rows, r => Assert.True((double)r[queue.IndexOf("probability")]! >= model.Threshold - 0.00005));
        var fitIds = _world.Result.Split.Fit.Select(c => c.CallId).ToHashSet();
        var testIds = _world.Result.Split.Test.Select(c => c.CallId).ToHashSet();

        // A flagged call of the fit months whose operator says "not TIP" (the supervisor confirms it), and one of the test months.
        var fitCall = queue.Rows.First(r => fitIds.Contains((string)r[0]!) && r[queue.IndexOf("operator_tip")] is false);
        var testCall = queue.Rows.First(r => testIds.Contains((string)r[0]!) && r[queue.IndexOf("operator_tip")] is true);
        var fitId = (string)fitCall[0]!;
        var testId = (string)testCall[0]!;
        Assert.False(string.IsNullOrEmpty((string)fitCall[queue.IndexOf("top_words")]!));
        Assert.Matches(@"^\d+:\d+:-?[\d.E-]+(;\d+:\d+:-?[\d.E-]+)*$", (string)fitCall[queue.IndexOf("spans")]!);
        var service = new ClassifierService(_time);
        service.Decide(_home, fitId, confirm: true, "sup-ana");
        _time.Advance(TimeSpan.FromMinutes(1));
        service.Decide(_home, testId, confirm: false, "sup-ana");
        Assert.Throws<UsageException>(() => service.Decide(_home, "NO-SUCH-CALL", confirm: true, "sup-ana"));

        var after = ClassifierService.ReviewQueue(_home, includeDecided: false, limit: 5000, withSpans: false);
        Assert.DoesNotContain(after.Rows, r => (string)r[0]! == fitId || (string)r[0]! == testId);
        var all = ClassifierService.ReviewQueue(_home, includeDecided: true, limit: 5000, withSpans: false);
        Assert.Equal([(testId, "reject", "sup-ana"), (fitId, "confirm", "sup-ana")], all.Rows.Take(2).Select(r => ((string)r[0]!, (string)r[7]!, (string)r[8]!)));

        using var connection = Warehouse.Open(_home);
        var withDecisions = WarehouseCalls.ReadLabelled(connection, CallReview.LatestDecisions(connection));
        var warehouseOnly = WarehouseCalls.ReadLabelled(connection);
        Assert.False(warehouseOnly.Calls.Single(c => c.CallId == fitId).Label);
        Assert.True(withDecisions.Calls.Single(c => c.CallId == fitId).Label);
        Assert.Equal(2, withDecisions.SupervisorChanged);

        var result = new CallClassifierTrainer(_time).Train(withDecisions.Calls, _world.Options, withDecisions.SupervisorDecided);

        // The confirmed call is TIP-related in the training set; the test months keep the operator's label.
        Assert.True(result.Split.Fit.Single(c => c.CallId == fitId).Label);
        Assert.True(result.Split.Test.Single(c => c.CallId == testId).Label);
        Assert.Equal((1, 1, 1), (result.SupervisorLabels, result.SupervisorLabelsChanged, result.SupervisorLabelsHeldOut));

        // The two-pass read of 'tipw model train' restores the test label on the keys, before the window is read: the same.
        var read = WarehouseCalls.ReadSplit(connection, CallReview.LatestDecisions(connection), _world.Options);
        var twoPass = new CallClassifierTrainer(_time).Train(read.Split!, read.Summary, _world.Options);
        Assert.True(twoPass.Split.Test.Single(c => c.CallId == testId).Label);
        Assert.Equal(result.Split.Test.Count, twoPass.Split.Test.Count);
        Assert.Equal((1, 1, 1), (twoPass.SupervisorLabels, twoPass.SupervisorLabelsChanged, twoPass.SupervisorLabelsHeldOut));
        Assert.Equal(result.TestMetrics with { Calibration = Array.Empty<CalibrationBin>() }, twoPass.TestMetrics with { Calibration = Array.Empty<CalibrationBin>() });
        var metadata = ModelRegistry.Describe("tip-call-relabelled", result, _world.Options, withDecisions, _time.GetUtcNow());
        var summary = ClassifierService.TrainSummary(new TrainOutcome(model, metadata));
        Assert.Equal(1, summary.Rows[0][summary.IndexOf("supervisor_labels")]);
        Assert.Contains(summary.Notes, n => n.StartsWith("supervisor_labels: 1 supervisor decision(s)", StringComparison.Ordinal) && n.Contains("1 on test-month calls not used", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Drift_of_the_active_model_compares_each_month_with_its_training_months()
    {
        var model = RegisterTrained("tip-call-drift", activate: true);
        await RunStepAsync(new CallScoringStep(), batchId: 1);

        var table = ClassifierService.Drift(_home);

        Assert.Equal(["month", "calls", "psi", "psi_status", "mean_probability", "flag_rate", "operator_tip_rate", "gap_shift", "gap_status", "status"], table.Columns.Select(c => c.Name));
        Assert.Equal(_world.Calls.Select(c => c.Features.CallDateKey / 100).Distinct().Count(), table.Rows.Count);
        Assert.Equal(_world.Calls.Count, table.Rows.Sum(r => (int)r[1]!));
        Assert.All(table.Rows, r => Assert.Contains((string)r[^1]!, new[] { ScoreDrift.Stable, ScoreDrift.Watch, ScoreDrift.Alert }));
        using var connection = Warehouse.Open(_home, readOnly: true);
        var report = ScoreDrift.ForModel(connection, model, ModelMetadata.Load(model.MetadataPath(_home)));
        Assert.Equal(ScoreDrift.BinCount - 1, report.BinEdges.Count);
    }

    [Fact]
    public async Task Scoring_step_warns_when_the_latest_month_drifts_into_alert()
    {
        var messages = new List<string>();
        var step = new CallScoringStep(messages.Add);
        RegisterTrained("tip-call-drift-alert", activate: true);
        await RunStepAsync(step, batchId: 1);
        var latest = _world.Calls.Max(c => c.Features.CallDateKey) / 100;
        using (var connection = Warehouse.Open(_home))
        {
            // Every call of the latest month now scores near 1: its distribution leaves the training months'.
            Execute(connection, $"UPDATE dw.fact_call_score SET probability = 0.999, is_flagged = true WHERE call_key IN (SELECT call_key FROM dw.fact_hotline_call WHERE call_date_key // 100 = {latest})");
        }

        messages.Clear();
        await RunStepAsync(step, batchId: 2);

        var warning = Assert.Single(messages, m => m.StartsWith("warning: ", StringComparison.Ordinal));
        Assert.StartsWith($"warning: call_scoring: the scores of {latest / 100}-{latest % 100:00} drift from tip-call-drift-alert's training months (PSI ", warning, StringComparison.Ordinal);
        Assert.Contains("alert", warning, StringComparison.Ordinal);
    }

    // Registers the fixture's already trained model under a new name (training is tested once, in Train_saves_...).
    private RegisteredModel RegisterTrained(string name, bool activate, double? threshold = null)
    {
        using var connection = Warehouse.Open(_home);
        var source = WarehouseCalls.ReadLabelled(connection);
        var result = threshold is null ? _world.Result : _world.Result with { Threshold = threshold.Value };
        var metadata = ModelRegistry.Describe(name, result, _world.Options, source, _time.GetUtcNow());
        return ModelRegistry.Register(connection, _home, result, metadata, activate);
    }

    private async Task<StepOutcome> RunStepAsync(CallScoringStep step, long batchId, string triggerKind = "cli")
    {
        using var connection = Warehouse.Open(_home);
        using var transaction = connection.BeginTransaction();
        var context = new PipelineStepContext(_home, connection, "call_scoring", batchId, batchId, _time, new Dictionary<string, string>()) { TriggerKind = triggerKind };
        var outcome = await step.RunAsync(context);
        transaction.Commit();
        return outcome;
    }

    private static object? Scalar(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    // Loads calls as the ETL would leave them in dw.fact_hotline_call (unknown members for what the classifier does not read).
    private static void LoadCalls(DuckDBConnection connection, IEnumerable<(CallFeatures Features, string? Category)> calls)
    {
        Execute(connection, "CREATE TEMP TABLE calls_in (call_id VARCHAR, date_key INTEGER, hour INTEGER, narrative VARCHAR, caller VARCHAR, sex VARCHAR, age INTEGER, category VARCHAR)");
        using (var appender = connection.CreateAppender("calls_in"))
        {
            var i = 0;
            foreach (var (f, category) in calls)
            {
                var row = appender.CreateRow().AppendValue(f.CallId).AppendValue(f.CallDateKey).AppendValue(i++ % 24).AppendValue(f.Narrative)
                    .AppendValue(f.CallerType).AppendValue(f.Sex.Length == 0 ? null : f.Sex);
                row = float.IsNaN(f.VictimAge) ? row.AppendNullValue() : row.AppendValue((int)f.VictimAge);
                row.AppendValue(category).EndRow();
            }
        }

        Execute(connection, """
            INSERT INTO dw.fact_hotline_call (call_id, call_date_key, call_hour, call_ts_lima, geography_key, caller_type_key, victim_person_key,
                referred_police_unit_key, referral_date_key, duration_sec, victim_age, is_minor, victim_sex, operator_category, is_tip_by_operator,
                narrative, ubigeo_source_coding, call_count, batch_id)
            SELECT call_id, date_key, hour, strptime(CAST(date_key AS VARCHAR), '%Y%m%d') + to_hours(hour), -1,
                   coalesce((SELECT caller_type_key FROM dw.dim_caller_type t WHERE t.caller_type_code = caller), -1), -1, -1, -1,
                   60 + (hour * 7), age, age < 18, sex, category, category IN ('TRATA', 'EXPLOTACION LABORAL'), narrative, 'reniec', 1, 0
            FROM calls_in;
            DROP TABLE calls_in;
            """);
    }
}
