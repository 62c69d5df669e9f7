using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;
using TipWarehouse.Etl.Engine;

namespace TipWarehouse.Etl.Tests;

/// <summary>The loss and recovery paths of issue 14, each reproduced on a copy of the simulated world and shown closed.</summary>
[Collection(SimulatedWarehouseGroup.Name)]
public sealed class FaultPathTests(WarehouseFixture world)
{
    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;

    /// <summary>A copy of the sources with only <paramref name="folders"/> (police, prosecution, hotline).</summary>
    private string CopySources(string name, params string[] folders)
    {
        var root = Path.Combine(world.Root, "sources-" + name);
        foreach (var folder in folders)
        {
            var from = Path.Combine(world.Sources, folder);
            var to = Directory.CreateDirectory(Path.Combine(root, folder)).FullName;
            foreach (var file in Directory.GetFiles(from))
            {
                File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
            }
        }

        return root;
    }

    private static void Sqlite(string sources, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(sources, "police", "pnp_trata.sqlite")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string SqliteScalar(string sources, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(sources, "police", "pnp_trata.sqlite")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), s_inv)!;
    }

    private static string Text(TipwHome home, string sql) => Convert.ToString(WarehouseFixture.Rows(home, sql)[0][0], s_inv)!;

    // ---------------------------------------------------------------- 1. a rejected row never moves the watermark

    [Fact]
    public async Task Garbage_or_future_updated_at_is_rejected_and_does_not_move_the_watermark()
    {
        var sources = CopySources("wm-garbage", "police");
        var home = world.CopyOfLoaded("wm-garbage");
        var max = SqliteScalar(sources, "SELECT max(updated_at) FROM personas");
        var next = DateTime.ParseExact(max, "yyyy-MM-dd HH:mm:ss", s_inv).AddMinutes(1).ToString("yyyy-MM-dd HH:mm:ss", s_inv);
        var report = SqliteScalar(sources, "SELECT nro_denuncia FROM personas LIMIT 1");
        Sqlite(sources, $"""
            INSERT INTO personas VALUES ('PX1', '{report}', 'VICTIMA', 'A', 'B', NULL, 20, 'F', 'PERUANA', 'yesterday');
            INSERT INTO personas VALUES ('PX2', '{report}', 'NOBODY', 'A', 'B', NULL, 20, 'F', 'PERUANA', '2099-01-01 00:00:00');
            INSERT INTO personas VALUES ('PX5', '{report}', 'VICTIMA', 'A', 'B', NULL, 20, 'F', 'PERUANA', '2099-01-01 00:00:00');
            INSERT INTO personas VALUES ('PX3', '{report}', 'VICTIMA', 'C', 'D', NULL, 30, 'M', 'PERUANA', '{next}');
            """);
        var engine = world.Engine(home);
        var first = await engine.RunAsync(new PipelineRunRequest("police_persons", sources));
        Assert.True(first.Succeeded, first.Error);
        Assert.Equal(next, Text(home, "SELECT watermark_value FROM meta.watermark WHERE pipeline = 'police_persons'"));
        Assert.Equal(1, WarehouseFixture.Scalar(home, "SELECT count(*) FROM dw.dim_person WHERE person_nk = 'pnp:PX3'"));

        // A later row is read (before the fix the watermark was 'yesterday' or 2099 and nothing after it was ever read again).
        var later = DateTime.ParseExact(next, "yyyy-MM-dd HH:mm:ss", s_inv).AddMinutes(1).ToString("yyyy-MM-dd HH:mm:ss", s_inv);
        Sqlite(sources, $"INSERT INTO personas VALUES ('PX4', '{report}', 'VICTIMA', 'E', 'F', NULL, 40, 'F', 'PERUANA', '{later}');");
        var second = await engine.RunAsync(new PipelineRunRequest("police_persons", sources));
        Assert.True(second.Succeeded, second.Error);
        Assert.Equal(1, WarehouseFixture.Scalar(home, "SELECT count(*) FROM dw.dim_person WHERE person_nk = 'pnp:PX4'"));
        Assert.Equal(later, Text(home, "SELECT watermark_value FROM meta.watermark WHERE pipeline = 'police_persons'"));
        Assert.True(WarehouseFixture.Scalar(home, "SELECT count(*) FROM meta.reject WHERE pipeline = 'police_persons' AND reason_code = 'future_watermark'") >= 1);
        Assert.Equal(second.RowsRead, second.RowsLoaded + second.RowsRejected + second.RowsDuplicate);
    }

    [Fact]
    public async Task A_rejected_event_with_a_huge_sequence_hides_no_later_event_and_a_filled_gap_is_read()
    {
        var sources = CopySources("seq", "prosecution");
        var home = world.CopyOfLoaded("seq");
        var last = Directory.GetFiles(Path.Combine(sources, "prosecution"), "*.jsonl").Order(StringComparer.Ordinal).Last();
        var template = JsonNode.Parse(File.ReadLines(last).Last(l => l.Length > 0))!.AsObject();
        var max = WarehouseFixture.Scalar(home, "SELECT max(event_sequence) FROM dw.fact_case_event");
        string Event(long seq, string? type = null)
        {
            var e = template.DeepClone().AsObject();
            e["secuencia"] = seq;
            if (type is not null)
            {
                e["tipo_evento"] = type;
            }

            return e.ToJsonString() + "\n";
        }

        File.AppendAllText(last, Event(99_999_999, "NO_SUCH_TYPE") + Event(max + 2));
        var engine = world.Engine(home);
        var first = await engine.RunAsync(new PipelineRunRequest("prosecution", sources));
        Assert.True(first.Succeeded, first.Error);
        Assert.Equal((2L, 1L, 1L), (first.RowsRead, first.RowsLoaded, first.RowsRejected));

        // Events that arrive later below the rejected number, and one that fills the gap left below the watermark, are read.
        File.AppendAllText(last, Event(max + 1) + Event(max + 3));
        var second = await engine.RunAsync(new PipelineRunRequest("prosecution", sources));
        Assert.True(second.Succeeded, second.Error);
        Assert.Equal((2L, 2L), (second.RowsRead, second.RowsLoaded));
        Assert.Equal(3, WarehouseFixture.Scalar(home, $"SELECT count(*) FROM dw.fact_case_event WHERE event_sequence IN ({max + 1}, {max + 2}, {max + 3})"));

        // Nothing is read twice: a third run reads nothing.
        var third = await engine.RunAsync(new PipelineRunRequest("prosecution", sources));
        Assert.Equal(0, third.RowsRead);
    }

    [Fact]
    public void Sequence_state_keeps_gaps_until_filled()
    {
        var state = new SequenceState(null, []).Advance([1, 2, 3, 7, 9]);
        Assert.Equal(9, state.Watermark);
        Assert.Equal([(4L, 6L), (8L, 8L)], state.Gaps);
        Assert.True(state.ShouldRead(5));
        Assert.False(state.ShouldRead(7));
        var filled = state.Advance([5, 8, 10]);
        Assert.Equal(10, filled.Watermark);
        Assert.Equal([(4L, 4L), (6L, 6L)], filled.Gaps);
    }

    // ---------------------------------------------------------------- issue 20: bounded relational chunks, same result

    [Fact]
    public async Task Police_and_prosecution_load_in_bounded_chunks_each_its_own_batch_with_the_same_result()
    {
        var pipelines = WarehouseFixture.CopyPipelines(Path.Combine(world.Root, "pipelines-chunked"));

        foreach (var (name, column, rows) in new[] { ("police_persons", "updated_at", 300), ("police_reports", "updated_at", 200), ("prosecution", "secuencia", 10) })
        {
            var path = Path.Combine(pipelines, name + ".yaml");
            File.WriteAllText(path, File.ReadAllText(path).Replace($"  column: {column}\n", $"  column: {column}\n  chunk_rows: {rows}\n", StringComparison.Ordinal));
        }

        var home = world.NewHome("chunked");
        var engine = new PipelineEngine(home, pipelines, world.Time, [new TipWarehouse.Linkage.LinkageStep(), new TipWarehouse.Classifier.CallScoringStep()], new PipelineEngineOptions { Environment = _ => null });
        var results = await engine.RunManyAsync(["police_stations", "police_reports", "police_persons", "prosecution"], world.Sources);
        Assert.All(results, r => Assert.True(r.Succeeded, r.Error));
        foreach (var name in new[] { "police_persons", "police_reports", "prosecution" })
        {
            var r = results.Single(r => r.Pipeline == name);
            Assert.True(r.Batches > 2, $"{name}: {r.Batches} batches, {r.RowsRead} rows read");
            Assert.Equal(0, WarehouseFixture.Scalar(home, $"SELECT count(*) FROM meta.batch WHERE pipeline = '{name}' AND rows_read <> rows_loaded + rows_rejected + rows_duplicate"));
        }

        var persons = results.Single(r => r.Pipeline == "police_persons");
        Assert.Equal(world.FirstRun.Single(r => r.Pipeline == "police_persons").RowsLoaded, persons.RowsLoaded);
        // The full world also ran linkage and tip_determination, which this chunked load does not.
        var full = WarehouseFixture.NaturalProjection(world.Loaded, withTipDetermination: false);
        var chunked = WarehouseFixture.NaturalProjection(home, withTipDetermination: false);
        foreach (var table in new[] { "fact_police_report", "fact_case_event", "dim_prosecutor_office" })
        {
            Assert.Equal(full[table], chunked[table]);
        }

        Assert.Equal(
            WarehouseFixture.Scalar(world.Loaded, "SELECT count(*) FROM dw.dim_person WHERE source_system IN ('pnp', 'mpfn') AND is_current"),
            WarehouseFixture.Scalar(home, "SELECT count(*) FROM dw.dim_person WHERE source_system IN ('pnp', 'mpfn') AND is_current"));
    }

    [Fact]
    public async Task A_cancelled_police_load_stops_and_keeps_nothing_of_its_batch()
    {
        var home = world.NewHome("cancel");
        var engine = world.Engine(home);
        Assert.True((await engine.RunAsync(new PipelineRunRequest("police_stations", world.Sources))).Succeeded);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => engine.RunAsync(new PipelineRunRequest("police_reports", world.Sources), cts.Token));
        Assert.Equal(0, WarehouseFixture.Scalar(home, "SELECT count(*) FROM dw.fact_police_report"));
    }

    // ---------------------------------------------------------------- 5. reconciliation holds end to end

    [Fact]
    public async Task An_arrest_whose_report_was_rejected_is_a_reject_with_the_reason_not_a_loaded_row()
    {
        var sources = CopySources("reconcile", "police");
        var home = world.CopyOfLoaded("reconcile");
        var max = SqliteScalar(sources, "SELECT max(updated_at) FROM detenciones");
        var next = DateTime.ParseExact(max, "yyyy-MM-dd HH:mm:ss", s_inv).AddMinutes(5).ToString("yyyy-MM-dd HH:mm:ss", s_inv);
        var station = SqliteScalar(sources, "SELECT id_comisaria FROM denuncias LIMIT 1");
        var person = SqliteScalar(sources, "SELECT id_persona FROM personas LIMIT 1");
        Sqlite(sources, $"""
            INSERT INTO denuncias VALUES ('DEN-X-1', '2006-05-01', 'not a date', '{station}', '153', 'TRATA', NULL, 'REGISTRADA', '{next}');
            INSERT INTO detenciones VALUES ('DX1', 'DEN-X-1', '{person}', '2006-05-02 10:00:00', '{next}');
            """);
        var engine = world.Engine(home);
        var results = await engine.RunManyAsync(["police_reports", "police_persons", "police_arrests"], sources);
        Assert.All(results, r => Assert.True(r.Succeeded, r.Error));
        var arrests = results.Single(r => r.Pipeline == "police_arrests");
        Assert.Equal(0, arrests.RowsLoaded);
        Assert.Equal(1, arrests.RowsRejected);
        var reason = Text(home, "SELECT reason FROM meta.reject WHERE pipeline = 'police_arrests' AND reason_code = 'dropped_by_transform'");
        Assert.Contains("DX1", reason, StringComparison.Ordinal);
        Assert.Contains("report_not_loaded", reason, StringComparison.Ordinal);
        Assert.Equal(0, WarehouseFixture.Scalar(home, "SELECT count(*) FROM dw.fact_arrest WHERE arrest_id = 'DX1'"));

        // meta.batch agrees with dw: loaded arrests = fact rows.
        Assert.Equal(
            WarehouseFixture.Scalar(home, "SELECT count(*) FROM dw.fact_arrest"),
            WarehouseFixture.Scalar(home, "SELECT CAST(sum(rows_loaded) AS BIGINT) FROM meta.batch WHERE pipeline = 'police_arrests' AND status = 'succeeded'"));
    }

    // ---------------------------------------------------------------- 6. stale running runs

    [Fact]
    public async Task A_run_left_running_by_a_killed_process_is_marked_failed_at_the_next_start()
    {
        var home = world.CopyOfLoaded("stale");
        using (var connection = Warehouse.Open(home))
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "INSERT INTO meta.pipeline_run (run_id, pipeline, trigger_kind, started_at, status) SELECT max(run_id) + 1, 'hotline', 'cli', TIMESTAMP '2007-01-10 11:00:00', 'running' FROM meta.pipeline_run";
            command.ExecuteNonQuery();
        }

        var result = await world.Engine(home).RunAsync(new PipelineRunRequest("police_stations", world.Sources));
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(0, WarehouseFixture.Scalar(home, "SELECT count(*) FROM meta.pipeline_run WHERE status = 'running'"));
        Assert.StartsWith("interrupted", Text(home, "SELECT error FROM meta.pipeline_run WHERE pipeline = 'hotline' ORDER BY run_id DESC LIMIT 1"), StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- 7. a reader holding the warehouse is transient

    private const string LockMessage = "Cannot open the warehouse /h/warehouse.duckdb: IO Error: Could not set lock on file \"/h/warehouse.duckdb\": Conflicting lock is held in /usr/local/bin/duckdb (PID 4242) by user ana. See also https://duckdb.org/docs/connect/concurrency";

    [Fact]
    public async Task A_lock_held_by_another_process_is_waited_out_within_the_bound()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2007, 1, 10, 12, 0, 0, TimeSpan.Zero));
        var attempts = 0;
        using var connection = await LoadFailures.OpenAsync(
            () => ++attempts < 3 ? throw new WarehouseException(LockMessage) : Warehouse.OpenPath(":memory:"),
            "/h/warehouse.duckdb", time, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1), (t, _) => { time.Advance(t); return Task.CompletedTask; }, CancellationToken.None);
        Assert.Equal(3, attempts);
    }

    [Fact]
    public async Task A_lock_held_past_the_bound_is_a_transient_busy_failure_naming_the_holder()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2007, 1, 10, 12, 0, 0, TimeSpan.Zero));
        var ex = await Assert.ThrowsAsync<TransientSourceException>(() => LoadFailures.OpenAsync(
            () => throw new WarehouseException(LockMessage), "/h/warehouse.duckdb", time, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1),
            (t, _) => { time.Advance(t); return Task.CompletedTask; }, CancellationToken.None));
        Assert.StartsWith("the warehouse is busy (held by PID 4242, duckdb)", ex.Message, StringComparison.Ordinal);
        Assert.False(LoadFailures.IsLockConflict(new WarehouseException("No warehouse at /h")));
    }

    // ---------------------------------------------------------------- 8. disk full is named

    [Fact]
    public void A_full_disk_is_named_with_its_directory()
    {
        var io = new IOException("No space left on device : '/data/tipw/quarantine/hotline/7.partial/rejects.csv'", 28);
        Assert.StartsWith("no space left on device in /data/tipw/quarantine/hotline/7.partial", LoadFailures.DiskFull(new InvalidOperationException("wrapped", io), "/data/tipw"), StringComparison.Ordinal);
        Assert.StartsWith("no space left on device in /data/tipw:", LoadFailures.DiskFull(new WarehouseException("IO Error: Could not write file: No space left on device"), "/data/tipw"), StringComparison.Ordinal);
        Assert.Null(LoadFailures.DiskFull(new IOException("file not found"), "/data/tipw"));
    }

    [FullDiskFact]
    public async Task A_real_full_disk_fails_the_batch_by_name_and_after_freeing_space_nothing_is_lost()
    {
        // A home on the small file system of TIPW_TEST_FULL_DISK_DIR (.ci/run mounts a 64 MB tmpfs), filled but for 256 KB: less than
        // the hotline's dw rows need (staged rows never reach the log, so the 1.5 MB left before that change now holds the whole load).
        var root = Path.Combine(Environment.GetEnvironmentVariable(FullDiskFactAttribute.Variable)!, "home-" + Guid.NewGuid().ToString("N")[..8]);
        var template = world.NewHome("full-disk-template");
        foreach (var file in Directory.EnumerateFiles(template.Root, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(root, Path.GetRelativePath(template.Root, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }

        var home = new TipwHome(root);
        var filler = Path.Combine(root, "..", Path.GetFileName(root) + ".filler");
        try
        {
            var engine = new PipelineEngine(home, WarehouseFixture.PipelinesDirectory, world.Time, [], new PipelineEngineOptions { Environment = _ => null });
            Assert.True((await engine.RunAsync(new PipelineRunRequest("police_stations", world.Sources))).Succeeded);
            using (var fill = new FileStream(filler, FileMode.CreateNew))
            {
                var chunk = new byte[1 << 20];
                while (new DriveInfo(root).AvailableFreeSpace > 256_000)
                {
                    fill.Write(chunk, 0, (int)Math.Min(chunk.Length, new DriveInfo(root).AvailableFreeSpace - 200_000));
                    fill.Flush();
                }
            }

            var full = await engine.RunAsync(new PipelineRunRequest("hotline", world.Sources));
            Assert.Equal(PipelineRunStatus.Failed, full.Status);
            Assert.StartsWith("no space left on device in " + root, full.Error, StringComparison.Ordinal);
            Assert.Equal(0, WarehouseFixture.Scalar(home, "SELECT count(*) FROM meta.pipeline_run WHERE status = 'running'"));

            File.Delete(filler);
            var freed = await engine.RunAsync(new PipelineRunRequest("hotline", world.Sources));
            Assert.True(freed.Succeeded, freed.Error);
            Assert.Equal(freed.RowsRead, freed.RowsLoaded + freed.RowsRejected + freed.RowsDuplicate);
            Assert.Equal(WarehouseFixture.Scalar(world.Loaded, "SELECT count(*) FROM dw.fact_hotline_call"), WarehouseFixture.Scalar(home, "SELECT count(*) FROM dw.fact_hotline_call"));
            Assert.Equal(WarehouseFixture.Scalar(world.Loaded, "SELECT count(*) FROM meta.reject WHERE pipeline = 'hotline'"), WarehouseFixture.Scalar(home, "SELECT count(*) FROM meta.reject WHERE pipeline = 'hotline'"));
        }
        finally
        {
            File.Delete(filler);
            Directory.Delete(root, recursive: true);
        }
    }

    // ---------------------------------------------------------------- 2 and 3. replaced and half-written drops

    [Fact]
    public async Task A_half_written_drop_completed_later_loads_its_remaining_rows_once()
    {
        var sources = CopySources("half", "hotline");
        var folder = Path.Combine(sources, "hotline");
        var files = Directory.GetFiles(folder, "*.csv").Order(StringComparer.Ordinal).ToList();
        foreach (var extra in files.Skip(1))
        {
            File.Delete(extra);
        }

        var full = File.ReadAllBytes(files[0]);
        var lines = File.ReadAllLines(files[0], Encoding.Latin1);
        File.WriteAllLines(files[0], lines.Take(lines.Length / 3), Encoding.Latin1);
        var home = world.NewHome("half");
        var engine = world.Engine(home);
        Assert.True((await engine.RunAsync(new PipelineRunRequest("police_stations", world.Sources))).Succeeded);
        var first = await engine.RunAsync(new PipelineRunRequest("hotline", sources));
        Assert.True(first.Succeeded, first.Error);

        File.WriteAllBytes(files[0], full);
        File.SetLastWriteTimeUtc(files[0], File.GetLastWriteTimeUtc(files[0]).AddSeconds(5));
        var second = await engine.RunAsync(new PipelineRunRequest("hotline", sources));
        Assert.True(second.Succeeded, second.Error);
        Assert.Equal(first.RowsLoaded, second.RowsDuplicate);
        Assert.Equal(0, WarehouseFixture.Scalar(home, "SELECT count(*) FROM meta.reject WHERE reason_code = 'changed_after_load'"));
        Assert.Equal(1, WarehouseFixture.Scalar(home, "SELECT count(*) FROM meta.data_quality_flag WHERE flag = 'file_replaced'"));
        Assert.Equal(lines.Length - 1, second.RowsRead);
        Assert.Equal(first.RowsLoaded + second.RowsLoaded, WarehouseFixture.Scalar(home, "SELECT count(*) FROM dw.fact_hotline_call"));

        var third = await engine.RunAsync(new PipelineRunRequest("hotline", sources));
        Assert.Equal(0, third.Batches);
    }

    [Fact]
    public async Task A_drop_younger_than_stable_for_or_without_its_marker_waits()
    {
        var pipelines = WarehouseFixture.CopyPipelines(Path.Combine(world.Root, "pipelines-marker"));

        var spec = Path.Combine(pipelines, "hotline.yaml");
        File.WriteAllText(spec, File.ReadAllText(spec).Replace("  delimiter: \";\"\n", "  delimiter: \";\"\n  completion_marker: \"{file}.done\"\n", StringComparison.Ordinal));
        var sources = CopySources("marker", "hotline");
        var folder = Path.Combine(sources, "hotline");
        var files = Directory.GetFiles(folder, "*.csv").Order(StringComparer.Ordinal).ToList();
        File.WriteAllText(files[0] + ".done", "");
        var home = world.NewHome("marker");
        var engine = new PipelineEngine(home, pipelines, world.Time, options: new PipelineEngineOptions { Environment = _ => null });
        Assert.True((await engine.RunAsync(new PipelineRunRequest("police_stations", world.Sources))).Succeeded);
        var result = await engine.RunAsync(new PipelineRunRequest("hotline", sources));
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(1, WarehouseFixture.Scalar(home, "SELECT count(*) FROM meta.file_manifest WHERE pipeline = 'hotline'"));
        File.WriteAllText(files[1] + ".done", "");
        await engine.RunAsync(new PipelineRunRequest("hotline", sources));
        Assert.Equal(2, WarehouseFixture.Scalar(home, "SELECT count(*) FROM meta.file_manifest WHERE pipeline = 'hotline'"));
    }

    // ---------------------------------------------------------------- 4. schema drift

    [Fact]
    public async Task A_police_table_that_lost_a_column_fails_naming_it()
    {
        var sources = CopySources("drift", "police");
        Sqlite(sources, "ALTER TABLE personas DROP COLUMN dni; ALTER TABLE personas ADD COLUMN apodo TEXT;");
        var home = world.CopyOfLoaded("drift");
        var result = await world.Engine(home).RunAsync(new PipelineRunRequest("police_persons", sources));
        Assert.False(result.Succeeded);
        Assert.Contains("schema drift", result.Error, StringComparison.Ordinal);
        Assert.Contains("dni", result.Error, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- 9. symlinks and conflicting duplicates

    [Fact]
    public async Task A_symlink_outside_the_source_folder_is_refused_not_read_or_copied()
    {
        var sources = CopySources("symlink", "hotline");
        var folder = Path.Combine(sources, "hotline");
        foreach (var extra in Directory.GetFiles(folder, "*.csv").Order(StringComparer.Ordinal).Skip(1))
        {
            File.Delete(extra);
        }

        var secret = Path.Combine(world.Root, "secret-outside.csv");
        File.WriteAllText(secret, "root:x:0:0:root:/root:/bin/bash\n");
        File.CreateSymbolicLink(Path.Combine(folder, "llamadas_20060102.csv"), secret);
        var home = world.NewHome("symlink");
        var engine = world.Engine(home);
        Assert.True((await engine.RunAsync(new PipelineRunRequest("police_stations", world.Sources))).Succeeded);
        var result = await engine.RunAsync(new PipelineRunRequest("hotline", sources));
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(1, WarehouseFixture.Scalar(home, "SELECT count(*) FROM meta.reject WHERE reason_code = 'symlink_outside_source'"));
        Assert.Empty(Directory.GetFiles(home.QuarantineDirectory, "llamadas_20060102.csv", SearchOption.AllDirectories));
        Assert.Equal(0, (await engine.RunAsync(new PipelineRunRequest("hotline", sources))).Batches);
    }

    [Fact]
    public async Task A_row_whose_updated_at_moved_backwards_is_loaded_by_the_full_compare_sweep()
    {
        var sources = CopySources("sweep", "police");
        var home = world.CopyOfLoaded("sweep");
        var report = SqliteScalar(sources, "SELECT nro_denuncia FROM denuncias WHERE estado <> 'ARCHIVADA' ORDER BY updated_at DESC LIMIT 1");
        // A corrected status whose updated_at moved backwards, below the watermark (a source that does not keep updated_at honest).
        Sqlite(sources, $"UPDATE denuncias SET estado = 'ARCHIVADA', updated_at = datetime(updated_at, '-30 days') WHERE nro_denuncia = '{report}'");
        var clock = new FakeTimeProvider(world.Time.GetUtcNow());
        var engine = new PipelineEngine(home, WarehouseFixture.PipelinesDirectory, clock, [], new PipelineEngineOptions { Environment = _ => null });
        var normal = await engine.RunAsync(new PipelineRunRequest("police_reports", sources));
        Assert.True(normal.Succeeded, normal.Error);
        Assert.Equal(0, normal.RowsRead); // the watermark hides it: the limit the sweep closes
        Assert.NotEqual("ARCHIVADA", Text(home, $"SELECT status FROM dw.fact_police_report WHERE report_number = '{report}'"));
        var reports = WarehouseFixture.Scalar(home, "SELECT count(*) FROM dw.fact_police_report");

        // Requested sweep: every row compared by content, the changed one loaded and flagged, nothing else loaded, the watermark unmoved.
        var watermark = Text(home, "SELECT watermark_value FROM meta.watermark WHERE pipeline = 'police_reports'");
        var sweep = await engine.RunAsync(new PipelineRunRequest("police_reports", sources, FullCompare: true));
        Assert.True(sweep.Succeeded, sweep.Error);
        Assert.Equal((reports, 1L, reports - 1), (sweep.RowsRead, sweep.RowsLoaded, sweep.RowsDuplicate));
        Assert.Equal("ARCHIVADA", Text(home, $"SELECT status FROM dw.fact_police_report WHERE report_number = '{report}'"));
        Assert.Equal(report, Text(home, "SELECT natural_key FROM meta.data_quality_flag WHERE flag = 'changed_at_source'"));
        Assert.Equal(watermark, Text(home, "SELECT watermark_value FROM meta.watermark WHERE pipeline = 'police_reports'"));
        Assert.Equal("1", Text(home, "SELECT rows_changed FROM meta.full_compare WHERE pipeline = 'police_reports'"));
        Assert.Equal(reports, WarehouseFixture.Scalar(home, "SELECT count(*) FROM dw.fact_police_report"));

        // Not due again within full_compare_every (7 days in police_reports.yaml); due after it, and then it finds nothing changed.
        clock.Advance(TimeSpan.FromDays(6));
        Assert.Equal(0, (await engine.RunAsync(new PipelineRunRequest("police_reports", sources))).RowsRead);
        clock.Advance(TimeSpan.FromDays(2));
        var due = await engine.RunAsync(new PipelineRunRequest("police_reports", sources));
        Assert.True(due.Succeeded, due.Error);
        Assert.Equal((reports, 0L), (due.RowsRead, due.RowsLoaded));
        Assert.Equal("0", Text(home, "SELECT rows_changed FROM meta.full_compare WHERE pipeline = 'police_reports'"));
    }

    [Fact]
    public async Task The_same_call_id_with_different_content_is_flagged_as_a_conflict()
    {
        var sources = CopySources("conflict", "hotline");
        var folder = Path.Combine(sources, "hotline");
        var files = Directory.GetFiles(folder, "*.csv").Order(StringComparer.Ordinal).ToList();
        foreach (var extra in files.Skip(1))
        {
            File.Delete(extra);
        }

        var lines = File.ReadAllLines(files[0], Encoding.Latin1).ToList();
        var fields = lines[1].Split(';');
        fields[2] = "999";
        lines.Add(string.Join(';', fields));
        lines.Add(lines[2]);
        File.WriteAllLines(files[0], lines, Encoding.Latin1);
        var home = world.NewHome("conflict");
        var engine = world.Engine(home);
        Assert.True((await engine.RunAsync(new PipelineRunRequest("police_stations", world.Sources))).Succeeded);
        var result = await engine.RunAsync(new PipelineRunRequest("hotline", sources));
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(2, result.RowsDuplicate);
        var conflict = WarehouseFixture.Rows(home, "SELECT natural_key, source_value FROM meta.data_quality_flag WHERE flag = 'conflicting_duplicate'");
        Assert.Equal(fields[0], (string)Assert.Single(conflict)[0]!);
        Assert.Equal(1, WarehouseFixture.Scalar(home, $"SELECT count(*) FROM meta.data_quality_flag WHERE flag = 'duplicate' AND natural_key = '{lines[2].Split(';')[0]}'"));
    }
}

/// <summary>Messages that name what is wrong with a file or line (issue 14, item 9).</summary>
[Collection(SimulatedWarehouseGroup.Name)]
public sealed class BadInputMessageTests(WarehouseFixture world)
{
    [Fact]
    public void Utf16_and_binary_files_are_named_as_such()
    {
        Assert.Contains("UTF-16", TipWarehouse.Etl.Extraction.FileInspector.NotText([0xFF, 0xFE, (byte)'i', 0, (byte)'d', 0]), StringComparison.Ordinal);
        Assert.Contains("binary", TipWarehouse.Etl.Extraction.FileInspector.NotText([0x12, 0x00, 0x9C, 0x41]), StringComparison.Ordinal);
        Assert.Null(TipWarehouse.Etl.Extraction.FileInspector.NotText("id_llamada;fecha_hora\n"u8));
    }

    [Fact]
    public async Task A_utf16_drop_is_quarantined_as_utf16_not_as_missing_columns()
    {
        var sources = Path.Combine(world.Root, "sources-utf16");
        var folder = Directory.CreateDirectory(Path.Combine(sources, "hotline")).FullName;
        var file = Directory.GetFiles(Path.Combine(world.Sources, "hotline"), "*.csv").Order(StringComparer.Ordinal).First();
        File.WriteAllText(Path.Combine(folder, Path.GetFileName(file)), File.ReadAllText(file, Encoding.Latin1), Encoding.Unicode);
        var home = world.NewHome("utf16");
        var engine = world.Engine(home);
        Assert.True((await engine.RunAsync(new PipelineRunRequest("police_stations", world.Sources))).Succeeded);
        var result = await engine.RunAsync(new PipelineRunRequest("hotline", sources));
        Assert.True(result.Succeeded, result.Error);
        var reason = Convert.ToString(WarehouseFixture.Rows(home, "SELECT reason FROM meta.file_manifest WHERE status = 'quarantined'")[0][0], CultureInfo.InvariantCulture);
        Assert.Contains("UTF-16", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_json_names_the_line_of_the_file()
    {
        var sources = Path.Combine(world.Root, "sources-badjson");
        var folder = Directory.CreateDirectory(Path.Combine(sources, "prosecution")).FullName;
        var file = Directory.GetFiles(Path.Combine(world.Sources, "prosecution"), "*.jsonl").Order(StringComparer.Ordinal).First();
        var lines = File.ReadAllLines(file).ToList();
        lines.Insert(2, "{\"secuencia\": 5, oops");
        File.WriteAllLines(Path.Combine(folder, Path.GetFileName(file)), lines);
        var home = world.CopyOfLoaded("badjson");
        var result = await world.Engine(home).RunAsync(new PipelineRunRequest("prosecution", sources, From: new DateOnly(2000, 1, 1), To: new DateOnly(2030, 1, 1)));
        Assert.True(result.Succeeded, result.Error);
        var reason = Convert.ToString(WarehouseFixture.Rows(home, "SELECT reason FROM meta.reject WHERE reason_code = 'malformed_row'")[0][0], CultureInfo.InvariantCulture)!;
        Assert.StartsWith("invalid JSON at line 3, character", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber: 0", reason, StringComparison.Ordinal);
    }
    [Fact]
    public async Task Drift_and_implausible_drops_are_flagged_or_rejected_with_their_reason()
    {
        var sources = Path.Combine(world.Root, "sources-implausible");
        var folder = Directory.CreateDirectory(Path.Combine(sources, "hotline")).FullName;
        var drops = Directory.GetFiles(Path.Combine(world.Sources, "hotline"), "*.csv").Order(StringComparer.Ordinal).Take(2).ToList();
        var lines = File.ReadAllLines(drops[0], Encoding.Latin1);
        var rows = lines.Skip(1).Where(l => l.Split(';').Length == 13 && !l.Contains('"', StringComparison.Ordinal)).Take(4).Select(l => l.Split(';')).ToList();
        rows[1][1] = "15/06/2031 10:00:00";                 // a 2031 call in a 2006 daily file
        rows[2][9] = new string('x', 25_000);               // a narrative longer than the spec's 20,000 characters
        File.WriteAllLines(Path.Combine(folder, Path.GetFileName(drops[0])),
            [lines[0] + ";canal", .. rows.Select(r => string.Join(';', r) + ";web")], Encoding.Latin1);   // a column the spec does not declare
        File.Copy(drops[1], Path.Combine(folder, "llamadas_20061399.csv"));   // a file name with an impossible date
        var home = world.NewHome("implausible");
        var engine = world.Engine(home);
        Assert.True((await engine.RunAsync(new PipelineRunRequest("police_stations", world.Sources))).Succeeded);
        var result = await engine.RunAsync(new PipelineRunRequest("hotline", sources));
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(result.RowsRead, result.RowsLoaded + result.RowsRejected + result.RowsDuplicate);
        string Flag(string flag) => Convert.ToString(Assert.Single(WarehouseFixture.Rows(home, $"SELECT natural_key || ' ' || coalesce(source_value, '') || ' ' || detail FROM meta.data_quality_flag WHERE flag = '{flag}'"))[0], CultureInfo.InvariantCulture)!;
        Assert.Contains("canal", Flag("schema_extra_column"), StringComparison.Ordinal);
        Assert.StartsWith(rows[1][0] + " 2031-06-15", Flag("call_outside_file_date"), StringComparison.Ordinal);
        Assert.Contains("'20061399'", Flag("file_date_invalid"), StringComparison.Ordinal);
        var reject = Assert.Single(WarehouseFixture.Rows(home, "SELECT reason FROM meta.reject WHERE reason LIKE '%longer than 20000%'"));
        Assert.Equal(0, WarehouseFixture.Scalar(home, $"SELECT count(*) FROM dw.fact_hotline_call WHERE call_id = '{rows[2][0]}'"));
        Assert.Equal(1, WarehouseFixture.Scalar(home, $"SELECT count(*) FROM dw.fact_hotline_call WHERE call_id = '{rows[1][0]}'"));
    }

    [Fact]
    public async Task An_unknown_json_key_is_flagged_and_persons_that_are_not_a_list_reject_the_event()
    {
        var sources = Path.Combine(world.Root, "sources-jsonkeys");
        var folder = Directory.CreateDirectory(Path.Combine(sources, "prosecution")).FullName;
        var file = Directory.GetFiles(Path.Combine(world.Sources, "prosecution"), "*.jsonl").OrderByDescending(f => new FileInfo(f).Length).First();
        var events = File.ReadAllLines(file).Where(l => l.Length > 0).Take(3).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        Assert.Equal(3, events.Count);
        events[0]["canal"] = "web";
        events[1]["imputados"] = "x";
        File.WriteAllLines(Path.Combine(folder, Path.GetFileName(file)), events.Select(e => e.ToJsonString()));
        var home = world.NewHome("jsonkeys");
        var result = await world.Engine(home).RunAsync(new PipelineRunRequest("prosecution", sources));
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal((3L, 2L, 1L), (result.RowsRead, result.RowsLoaded, result.RowsRejected));
        var flag = Assert.Single(WarehouseFixture.Rows(home, "SELECT natural_key, source_value FROM meta.data_quality_flag WHERE flag = 'schema_extra_column'"));
        Assert.Equal((Path.GetFileName(file), "canal"), ((string)flag[0]!, (string)flag[1]!));
        var reason = Convert.ToString(Assert.Single(WarehouseFixture.Rows(home, "SELECT reason FROM meta.reject"))[0], CultureInfo.InvariantCulture)!;
        Assert.Contains("'imputados' is a JSON string, not a list", reason, StringComparison.Ordinal);
    }
}

/// <summary>A test that fills a real, small file system named by <c>TIPW_TEST_FULL_DISK_DIR</c> (e.g. a 64 MB tmpfs that <c>.ci/run</c> mounts as root): skipped, with the reason, when it is unset.</summary>
public sealed class FullDiskFactAttribute : FactAttribute
{
    /// <summary>The folder on the small file system.</summary>
    public const string Variable = "TIPW_TEST_FULL_DISK_DIR";

    public FullDiskFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(Variable) is not { Length: > 0 } folder || !Directory.Exists(folder))
        {
            Skip = $"{Variable} does not name a folder: this test fills a real small file system (as root: mount -t tmpfs -o size=64m tmpfs DIR; {Variable}=DIR)";
        }
    }
}
