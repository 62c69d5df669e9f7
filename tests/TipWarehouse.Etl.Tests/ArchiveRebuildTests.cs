using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;
using TipWarehouse.Etl.Engine;
using TipWarehouse.Schema;

namespace TipWarehouse.Etl.Tests;

/// <summary>The archive of accepted staging rows and <c>tipw rebuild</c> of source pipelines from it (issue 13 item 3).</summary>
[Collection(SimulatedWarehouseGroup.Name)]
public sealed class ArchiveRebuildTests(WarehouseFixture world)
{
    private static readonly string[] s_sources = ["hotline", "police_reports", "police_persons", "police_arrests", "prosecution"];

    private static string ArchiveOf(TipwHome home, string pipeline, long batchId) =>
        Path.Combine(home.ArchiveDirectory, pipeline, batchId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static List<long> LoadedBatches(TipwHome home, string pipeline) =>
        [.. WarehouseFixture.Rows(home, $"SELECT batch_id FROM meta.batch WHERE pipeline = '{pipeline}' AND status = 'succeeded' AND rows_loaded > 0 ORDER BY 1").Select(r => (long)r[0]!)];

    private static string Keys(TipwHome home, string sql)
    {
        using var connection = Warehouse.Open(home, readOnly: true);
        return WarehouseFixture.Hash(connection, sql);
    }

    [Fact]
    public void Every_committed_batch_of_a_source_pipeline_has_an_owner_only_archive()
    {
        foreach (var pipeline in s_sources)
        {
            var batches = LoadedBatches(world.Loaded, pipeline);
            Assert.NotEmpty(batches);
            foreach (var batch in batches)
            {
                var dir = ArchiveOf(world.Loaded, pipeline, batch);
                Assert.True(File.Exists(Path.Combine(dir, BatchArchive.RowsFile)), $"{pipeline} batch {batch} has no archive");
                Assert.True(File.Exists(Path.Combine(dir, BatchArchive.FlagsFile)));
                if (!OperatingSystem.IsWindows())
                {
                    Assert.False(OwnerOnly.IsOpenToOthers(dir));
                    Assert.False(OwnerOnly.IsOpenToOthers(Path.Combine(dir, BatchArchive.RowsFile)));
                }
            }

            Assert.Empty(Directory.GetDirectories(Path.Combine(world.Loaded.ArchiveDirectory, pipeline), "*.partial"));
        }

        // The archive holds the staged rows (pseudonyms and scrubbed narratives, never the clear-text columns of the source).
        using var connection = Warehouse.Open(world.Loaded, readOnly: true);
        var file = Path.Combine(ArchiveOf(world.Loaded, "hotline", LoadedBatches(world.Loaded, "hotline")[0]), BatchArchive.RowsFile);
        var columns = Sql.Query(connection, $"SELECT name FROM parquet_schema('{file}')", r => r.GetString(0));
        Assert.Contains("victim_name_pseudonym", columns);
        Assert.DoesNotContain("nombre_victima", columns);
        Assert.DoesNotContain("dni_victima", columns);
    }

    [Fact]
    public async Task A_rolled_back_batch_leaves_no_archive_and_a_crash_after_commit_is_settled_at_the_next_run()
    {
        var home = world.NewHome("archive-rollback");
        var stations = await world.Engine(home).RunAsync(new PipelineRunRequest("police_stations", world.Sources));
        Assert.True(stations.Succeeded, stations.Error);
        var failed = await world.Engine(home, new PointFaultInjector("hotline", "before_commit")).RunAsync(new PipelineRunRequest("hotline", world.Sources));
        Assert.False(failed.Succeeded);
        var failedBatch = (long)WarehouseFixture.Rows(home, "SELECT max(batch_id) FROM meta.batch WHERE pipeline = 'hotline' AND status = 'failed'")[0][0]!;
        var hotlineArchive = Path.Combine(home.ArchiveDirectory, "hotline");
        Assert.False(Directory.Exists(ArchiveOf(home, "hotline", failedBatch)));
        Assert.Empty(Directory.Exists(hotlineArchive) ? Directory.GetDirectories(hotlineArchive) : []);

        var loaded = await world.Engine(home).RunAsync(new PipelineRunRequest("hotline", world.Sources));
        Assert.True(loaded.Succeeded, loaded.Error);
        var batches = LoadedBatches(home, "hotline");
        Assert.All(batches, b => Assert.True(Directory.Exists(ArchiveOf(home, "hotline", b))));

        // A process stopped between commit and rename leaves the committed batch's folder partial; one stopped before commit leaves
        // a partial folder of a batch that never committed. The next run publishes the first and removes the second.
        var committed = ArchiveOf(home, "hotline", batches[0]);
        Directory.Move(committed, committed + ".partial");
        var neverCommitted = ArchiveOf(home, "hotline", 9999) + ".partial";
        Directory.CreateDirectory(neverCommitted);
        var rerun = await world.Engine(home).RunAsync(new PipelineRunRequest("hotline", world.Sources));
        Assert.True(rerun.Succeeded, rerun.Error);
        Assert.True(File.Exists(Path.Combine(committed, BatchArchive.RowsFile)));
        Assert.False(Directory.Exists(neverCommitted));
        Assert.False(Directory.Exists(committed + ".partial"));
    }

    [Fact]
    public async Task Rebuild_after_a_transform_change_changes_the_rows_keeps_their_keys_and_a_second_rebuild_changes_nothing()
    {
        var home = world.CopyOfLoaded("rebuild-transform");
        var pipelines = WarehouseFixture.CopyPipelines(Path.Combine(world.Root, "pipelines-rebuild-transform"));
        var transform = Path.Combine(pipelines, "hotline", "30_fact_hotline_call.sql");
        var sql = File.ReadAllText(transform);
        const string minor = "CASE WHEN t.victim_age IS NULL THEN NULL ELSE t.victim_age < 18 END";
        Assert.Contains(minor, sql);
        File.WriteAllText(transform, sql.Replace(minor, "CASE WHEN t.victim_age IS NULL THEN NULL ELSE t.victim_age < 16 END", StringComparison.Ordinal));

        var keysBefore = Keys(home, "SELECT call_id, call_key, victim_person_key FROM dw.fact_hotline_call");
        var scoresBefore = Keys(home, "SELECT * FROM dw.fact_call_score");
        var minorsBefore = WarehouseFixture.Scalar(home, "SELECT count(*) FROM dw.fact_hotline_call WHERE is_minor");
        var aged16or17 = WarehouseFixture.Scalar(home, "SELECT count(*) FROM dw.fact_hotline_call WHERE victim_age IN (16, 17)");
        Assert.True(aged16or17 > 0);
        var original = WarehouseFixture.Rows(home, "SELECT batch_id, rows_read, rows_loaded, rows_rejected, rows_duplicate FROM meta.batch WHERE pipeline = 'hotline' AND status = 'succeeded' ORDER BY 1");

        var engine = world.Engine(home, pipelines: pipelines);
        var first = Assert.Single(await engine.RebuildManyAsync(["hotline"], world.Sources));
        Assert.True(first.Run.Succeeded, first.Run.Error);
        Assert.Equal(minorsBefore - aged16or17, WarehouseFixture.Scalar(home, "SELECT count(*) FROM dw.fact_hotline_call WHERE is_minor"));
        Assert.Equal(0, WarehouseFixture.Scalar(home, "SELECT count(*) FROM dw.fact_hotline_call WHERE is_minor AND victim_age >= 16"));
        Assert.Equal(keysBefore, Keys(home, "SELECT call_id, call_key, victim_person_key FROM dw.fact_hotline_call"));
        Assert.Equal(scoresBefore, Keys(home, "SELECT * FROM dw.fact_call_score"));

        // The same reconciliation counts per replayed batch as when it was first loaded.
        var replay = first.Replay!;
        Assert.Equal(original.Count(r => (long)r[2]! > 0), replay.Batches.Count);
        foreach (var batch in replay.Batches)
        {
            var row = original.Single(r => (long)r[0]! == batch.BatchId);
            Assert.Equal(batch.RowsRead, batch.RowsLoaded + batch.RowsRejected + batch.RowsDuplicate);
            Assert.Equal(((long)row[1]!, (long)row[2]!, (long)row[3]!, (long)row[4]!), (batch.RowsRead, batch.RowsLoaded, batch.RowsRejected, batch.RowsDuplicate));
        }

        var calls = replay.Tables.Single(t => t.Table == "dw.fact_hotline_call");
        Assert.Equal((calls.RowsBefore, 0L, 0L, aged16or17), (calls.RowsAfter, calls.Added, calls.Removed, calls.Changed));
        Assert.Equal(0, replay.Tables.Single(t => t.Table == "dw.dim_person").Changed);

        var afterFirst = WarehouseFixture.HashDw(home);
        var second = Assert.Single(await world.Engine(home, pipelines: pipelines).RebuildManyAsync(["hotline"], world.Sources));
        Assert.True(second.Run.Succeeded, second.Run.Error);
        Assert.Equal(afterFirst, WarehouseFixture.HashDw(home));
        Assert.All(second.Replay!.Tables, t => Assert.Equal((0L, 0L, 0L), (t.Added, t.Removed, t.Changed)));
    }

    [Theory]
    [InlineData("transform:30_fact_hotline_call.sql")]
    [InlineData("before_commit")]
    public async Task A_failed_rebuild_leaves_the_previous_state(string point)
    {
        var home = world.CopyOfLoaded("rebuild-fault-" + point.Replace(':', '-').Replace('.', '-'));
        var pipelines = WarehouseFixture.CopyPipelines(Path.Combine(world.Root, "pipelines-rebuild-fault-" + point.Replace(':', '-').Replace('.', '-')));
        var transform = Path.Combine(pipelines, "hotline", "30_fact_hotline_call.sql");
        File.WriteAllText(transform, File.ReadAllText(transform).Replace("t.victim_age < 18", "t.victim_age < 16", StringComparison.Ordinal));
        var before = WarehouseFixture.HashDw(home);
        var flags = Keys(home, "SELECT * FROM meta.data_quality_flag");
        var archive = Directory.GetFiles(home.ArchiveDirectory, "*", SearchOption.AllDirectories).Length;

        // A fault in the last replayed batch's transform, or after every batch was replayed and re-keyed.
        var batches = LoadedBatches(home, "hotline").Count;
        var engine = world.Engine(home, new PointFaultInjector("hotline", point, point == "before_commit" ? 1 : batches), pipelines);
        var result = Assert.Single(await engine.RebuildManyAsync(["hotline"], world.Sources));
        Assert.False(result.Run.Succeeded);
        Assert.Contains("Injected fault", result.Run.Error, StringComparison.Ordinal);
        Assert.Equal(before, WarehouseFixture.HashDw(home));
        Assert.Equal(flags, Keys(home, "SELECT * FROM meta.data_quality_flag"));
        Assert.Equal(archive, Directory.GetFiles(home.ArchiveDirectory, "*", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public async Task Rebuilding_every_source_pipeline_reproduces_the_load_with_the_same_keys_and_is_idempotent()
    {
        var home = world.CopyOfLoaded("rebuild-all-sources");
        var engine = world.Engine(home);
        const string keys = """
            SELECT 'call', call_id, call_key FROM dw.fact_hotline_call
            UNION ALL SELECT 'report', report_number, report_key FROM dw.fact_police_report
            UNION ALL SELECT 'arrest', arrest_id, arrest_key FROM dw.fact_arrest
            UNION ALL SELECT 'event', CAST(event_sequence AS VARCHAR), case_event_key FROM dw.fact_case_event
            UNION ALL SELECT 'person', person_nk || '@' || CAST(valid_from AS VARCHAR), person_key FROM dw.dim_person
            """;
        var keysBefore = Keys(home, keys);
        var projection = WarehouseFixture.NaturalProjection(home);
        string[] all = [.. s_sources, "linkage", "tip_determination"];

        var first = await engine.RebuildManyAsync(all, world.Sources);
        Assert.All(first, r => Assert.True(r.Run.Succeeded, $"{r.Run.Pipeline}: {r.Run.Error}"));
        Assert.Equal(keysBefore, Keys(home, keys));
        Assert.Equal(projection, WarehouseFixture.NaturalProjection(home));
        var tables = first.Where(r => r.Replay is not null).SelectMany(r => r.Replay!.Tables).ToList();
        Assert.Equal(10, tables.Count);
        Assert.All(tables, t => Assert.Equal((t.RowsBefore, 0L, 0L, 0L), (t.RowsAfter, t.Added, t.Removed, t.Changed)));

        var afterFirst = WarehouseFixture.HashDw(home);
        var second = await world.Engine(home).RebuildManyAsync(all, world.Sources);
        Assert.All(second, r => Assert.True(r.Run.Succeeded, $"{r.Run.Pipeline}: {r.Run.Error}"));
        Assert.Equal(afterFirst, WarehouseFixture.HashDw(home));
    }

    [Fact]
    public async Task A_warehouse_loaded_without_an_archive_is_refused_naming_the_batches_and_nothing_changes()
    {
        var home = world.CopyOfLoaded("rebuild-legacy");
        var batch = LoadedBatches(home, "prosecution")[0];
        Directory.Delete(ArchiveOf(home, "prosecution", batch), recursive: true);
        var engine = world.Engine(home);
        var blocker = engine.RebuildBlocker("prosecution");
        Assert.NotNull(blocker);
        Assert.Contains($"batches {batch} (", blocker, StringComparison.Ordinal);
        Assert.Contains("nothing was changed", blocker, StringComparison.Ordinal);
        Assert.Null(engine.RebuildBlocker("hotline"));
        Assert.Contains("declares no rebuild: section", engine.RebuildBlocker("police_stations"), StringComparison.Ordinal);

        var before = WarehouseFixture.HashDw(home);
        var result = Assert.Single(await engine.RebuildManyAsync(["prosecution"], world.Sources));
        Assert.False(result.Run.Succeeded);
        Assert.Contains("have no archive", result.Run.Error, StringComparison.Ordinal);
        Assert.Equal(before, WarehouseFixture.HashDw(home));
    }

    [Fact]
    public void The_references_each_rebuild_table_declares_are_the_schemas_foreign_keys_to_it()
    {
        var schema = WarehouseSchema.Load().Description;
        var engine = world.Engine(world.Loaded);
        foreach (var spec in engine.Specs)
        {
            foreach (var table in spec.Rebuild.Where(t => t.Surrogate is not null))
            {
                var expected = schema.Tables
                    .SelectMany(t => t.ForeignKeys.Where(f => f.ReferencedTable == table.Table && f.ReferencedColumns.SequenceEqual([table.Surrogate!])).Select(f => $"{t.QualifiedName}.{f.Columns[0]}"))
                    .Order(StringComparer.Ordinal);
                Assert.Equal(expected, table.ReferencedBy.Order(StringComparer.Ordinal));
            }
        }
    }
}
