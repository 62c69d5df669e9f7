using System.Text;
using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;
using TipWarehouse.Etl.Engine;
using TipWarehouse.Schema;
using TipWarehouse.Simulation;

namespace TipWarehouse.Etl.Tests;

[Collection(SimulatedWarehouseGroup.Name)]
public sealed class EndToEndTests(WarehouseFixture world)
{
    [Fact]
    public void Every_pipeline_succeeds_and_every_batch_reconciles()
    {
        Assert.All(world.FirstRun, r => Assert.True(r.Succeeded, $"{r.Pipeline}: {r.Error}"));
        Assert.Equal(["police_stations", "hotline", "call_scoring", "police_reports", "police_persons", "police_arrests", "prosecution", "linkage", "tip_determination"], world.FirstRun.Select(r => r.Pipeline));
        var batches = WarehouseFixture.Rows(world.Loaded, "SELECT batch_id, status, rows_read, rows_loaded, rows_rejected, rows_duplicate FROM meta.batch");
        Assert.NotEmpty(batches);
        foreach (var b in batches)
        {
            Assert.Equal("succeeded", b[1]);
            Assert.Equal((long)b[2]!, (long)b[3]! + (long)b[4]! + (long)b[5]!);
        }

        var hotline = world.FirstRun.Single(r => r.Pipeline == "hotline");
        Assert.Equal(world.Summary.HotlineCalls, hotline.RowsLoaded + world.Summary.Defects.MalformedDates + world.Summary.Defects.TruncatedLines);
        Assert.Equal(hotline.RowsLoaded, WarehouseFixture.Scalar(world.Loaded, "SELECT count(*) FROM dw.fact_hotline_call"));
        Assert.Equal(world.Summary.PoliceReports, WarehouseFixture.Scalar(world.Loaded, "SELECT count(*) FROM dw.fact_police_report"));

        // The keys DuckDB does not enforce (facts, dim_person, flags) hold because the pipelines keep them.
        using var connection = Warehouse.Open(world.Loaded, readOnly: true);
        Assert.Empty(ReferentialIntegrity.CheckKeys(connection, WarehouseSchema.Load().Description));
    }

    [Fact]
    public void Staging_tables_are_empty_after_every_batch_so_the_log_holds_no_staged_row()
    {
        var targets = world.Engine(world.Loaded).Specs.SelectMany(s => new[] { s.Target, s.Child?.Target }).OfType<string>().Distinct().ToList();
        Assert.Contains("stg.hotline_call", targets);
        Assert.Contains("stg.prosecution_defendant", targets);
        Assert.All(targets, t => Assert.Equal(0, WarehouseFixture.Scalar(world.Loaded, $"SELECT count(*) FROM {t}")));
    }

    [Fact]
    public async Task Second_run_on_the_same_sources_loads_nothing_and_changes_no_dw_table()
    {
        var home = world.CopyOfLoaded("rerun");
        var before = WarehouseFixture.HashDw(home);
        var second = await world.Engine(home).RunManyAsync(null, world.Sources);
        Assert.All(second, r => Assert.True(r.Succeeded, r.Error));
        Assert.Equal(0, second.Sum(r => r.RowsLoaded));
        Assert.Equal(before, WarehouseFixture.HashDw(home));
    }

    [Fact]
    public async Task Two_loads_of_the_same_sources_give_the_same_warehouse_surrogate_keys_included()
    {
        // Reproducible builds: warehouses loaded from the same sources hold the same rows in every dw table, with the same
        // person_key for every person. The prosecution's new defendants used to be numbered in the order DuckDB's threads
        // inserted them, which differed between most loads of three years of a world (the fixture's four months are too few
        // for DuckDB to use more than one thread); three loads make a regression that slips through one comparison unlikely.
        var sources = Path.Combine(world.Root, "sources-three-years");
        WorldSimulator.Run(new SimulationOptions { OutputDirectory = sources });
        var hashes = new List<Dictionary<string, string>>();
        foreach (var name in new[] { "reproduced-1", "reproduced-2", "reproduced-3" })
        {
            var home = world.NewHome(name);
            var run = await world.Engine(home).RunManyAsync(["prosecution"], sources);
            Assert.All(run, r => Assert.True(r.Succeeded, r.Error));
            Assert.True(WarehouseFixture.Scalar(home, "SELECT count(*) FROM dw.dim_person WHERE source_system = 'prosecution'") > 500);
            hashes.Add(WarehouseFixture.HashDw(home));
        }

        Assert.All(hashes.Skip(1), h => Assert.Equal(hashes[0], h));
    }

    [Fact]
    public void Simulated_defects_end_in_quarantine_or_a_flag_with_a_reason()
    {
        var defects = world.Summary.Defects;
        long Rejects(string code) => WarehouseFixture.Scalar(world.Loaded, $"SELECT count(*) FROM meta.reject WHERE reason_code = '{code}'");
        long Flags(string flag) => WarehouseFixture.Scalar(world.Loaded, $"SELECT count(*) FROM meta.data_quality_flag WHERE flag = '{flag}'");
        Assert.Equal(defects.MalformedDates, Rejects("invalid_datetime"));
        Assert.Equal(defects.TruncatedLines, Rejects("truncated_row"));
        Assert.Equal(defects.DuplicateCallLines, world.FirstRun.Single(r => r.Pipeline == "hotline").RowsDuplicate);
        // A call can carry two defects: one whose line was rejected (bad date, truncated) is in quarantine, not flagged.
        var rejected = defects.MalformedDates + defects.TruncatedLines;
        Assert.InRange(Flags("ubigeo_missing"), defects.MissingUbigeo - rejected, defects.MissingUbigeo);
        Assert.InRange(Flags("ubigeo_invalid"), defects.InvalidUbigeo - rejected, defects.InvalidUbigeo);
        // An ambiguous code (4 calls in 10) is a column of the fact counted per batch, not a flag row per call.
        var ambiguous = WarehouseFixture.Scalar(world.Loaded, "SELECT CAST(coalesce(sum(failed_rows), 0) AS BIGINT) FROM meta.data_quality_result WHERE check_name = 'flag:ubigeo_ambiguous'");
        Assert.Equal(WarehouseFixture.Scalar(world.Loaded, "SELECT count(*) FROM dw.fact_hotline_call WHERE is_ubigeo_ambiguous"), ambiguous);
        Assert.Equal(0, WarehouseFixture.Scalar(world.Loaded, "SELECT count(*) FROM dw.fact_hotline_call WHERE is_ubigeo_ambiguous IS NULL"));
        Assert.Equal(0, Flags("ubigeo_ambiguous"));
        Assert.True(ambiguous > 0);
        Assert.True(Flags("ubigeo_inei_coding") + ambiguous >= defects.IneiUbigeo - rejected, $"INEI codes: {defects.IneiUbigeo} injected, {Flags("ubigeo_inei_coding")} flagged INEI, {ambiguous} ambiguous");
        Assert.Equal(defects.Utf8Files.Count, Flags("encoding_mismatch"));
        Assert.Equal(defects.MissingReportNumbers, Flags("cited_report_missing"));
        Assert.True(Flags("cited_report_not_found") >= defects.MistypedReportNumbers);
        Assert.Equal(0, WarehouseFixture.Scalar(world.Loaded, "SELECT count(*) FROM meta.reject WHERE reason IS NULL OR reason = ''"));

        // The quarantine file keeps the raw line (outside the warehouse) with file, line, column and reason.
        var rejectFiles = Directory.GetFiles(Path.Combine(world.Loaded.QuarantineDirectory, "hotline"), "rejects.csv", SearchOption.AllDirectories);
        var lines = rejectFiles.SelectMany(File.ReadAllLines).Where(l => !l.StartsWith("source_file", StringComparison.Ordinal)).ToList();
        Assert.Equal(defects.MalformedDates + defects.TruncatedLines, lines.Count);
        Assert.All(lines, l => Assert.Matches(@"^llamadas_\d{8}\.csv,\d+,", l));
    }

    [Fact]
    public void Warehouse_file_holds_no_dni_or_full_name_from_the_sources()
    {
        var (dnis, names) = SourcePii(world.Sources);
        Assert.True(dnis.Count > 100 && names.Count > 100);
        var bytes = File.ReadAllBytes(world.Loaded.WarehousePath);
        var wal = world.Loaded.WarehousePath + ".wal";
        if (File.Exists(wal))
        {
            bytes = [.. bytes, .. File.ReadAllBytes(wal)];
        }

        var text = Encoding.Latin1.GetString(bytes);
        var utf8 = Encoding.UTF8.GetString(bytes);

        // Every 8-digit run of the file (and WAL) against every source DNI; names: an ordered sample (full scans are slow).
        var eightDigitRuns = System.Text.RegularExpressions.Regex.Matches(text, "[0-9]{8}").Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
        Assert.DoesNotContain(dnis, eightDigitRuns.Contains);
        var sample = names.Order(StringComparer.Ordinal).Where((_, i) => i % 10 == 0).ToList();
        Assert.DoesNotContain(sample, n => text.Contains(n, StringComparison.Ordinal) || utf8.Contains(n, StringComparison.Ordinal));
        Assert.Equal(0, WarehouseFixture.Scalar(world.Loaded, "SELECT count(*) FROM dw.fact_hotline_call WHERE regexp_matches(narrative, '(^|[^0-9])[0-9]{8}([^0-9]|$)')"));
    }

    private static (HashSet<string> Dnis, HashSet<string> Names) SourcePii(string sources)
    {
        var dnis = new HashSet<string>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(Path.Combine(sources, "hotline"), "*.csv"))
        {
            foreach (var line in File.ReadAllLines(file, Encoding.Latin1).Skip(1))
            {
                var f = line.Split(';');
                if (f.Length > 6 && f[6].Length == 8 && f[6].All(char.IsAsciiDigit))
                {
                    dnis.Add(f[6]);
                }

                if (f.Length > 5 && f[5].Contains(' ', StringComparison.Ordinal))
                {
                    names.Add(f[5]);
                }
            }
        }

        using var police = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(sources, "police", "pnp_trata.sqlite")};Mode=ReadOnly");
        police.Open();
        using var command = police.CreateCommand();
        command.CommandText = "SELECT dni, nombres || ' ' || apellidos FROM personas";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (!reader.IsDBNull(0))
            {
                dnis.Add(reader.GetString(0));
            }

            if (!reader.IsDBNull(1))
            {
                names.Add(reader.GetString(1));
            }
        }

        return (dnis, names);
    }

    [Fact]
    public async Task Incremental_load_equals_one_full_load()
    {
        var sources = Path.Combine(world.Root, "sources-incremental");
        var options = new SimulationOptions { OutputDirectory = sources, From = WarehouseFixture.From, To = WarehouseFixture.To, AsOf = new DateOnly(2006, 5, 1) };
        WorldSimulator.Run(options);
        var home = world.NewHome("incremental");
        var first = await world.Engine(home).RunManyAsync(null, sources);
        Assert.All(first, r => Assert.True(r.Succeeded, r.Error));
        WorldSimulator.Run(options with { AsOf = null });
        var second = await world.Engine(home).RunManyAsync(null, sources);
        Assert.All(second, r => Assert.True(r.Succeeded, r.Error));

        Assert.True(WarehouseFixture.Scalar(home, "SELECT count(*) FROM dw.fact_hotline_call WHERE call_ts_lima < TIMESTAMP '2006-05-01'") > 0);
        Assert.Equal(WarehouseFixture.NaturalProjection(world.Loaded), WarehouseFixture.NaturalProjection(home));
    }

    [Fact]
    public async Task Fault_in_the_middle_of_a_batch_leaves_no_trace_and_the_next_run_completes_it()
    {
        var home = world.NewHome("atomicity");
        var faults = new PointFaultInjector("hotline", "transform:30_fact_hotline_call.sql");
        var engine = world.Engine(home, faults);
        var failed = await engine.RunManyAsync(null, world.Sources);
        Assert.Equal(0, faults.Remaining);
        var hotline = failed.Single(r => r.Pipeline == "hotline");
        Assert.False(hotline.Succeeded);
        Assert.Contains("Injected fault", hotline.Error, StringComparison.Ordinal);
        Assert.Contains(failed, r => r.Pipeline == "police_stations" && r.Succeeded);

        // The failed batch left nothing: no facts, no persons, no manifest entry, no rejects or flags, no quarantine folder.
        var failedBatch = WarehouseFixture.Scalar(home, "SELECT batch_id FROM meta.batch WHERE pipeline = 'hotline' AND status = 'failed'");
        Assert.Equal(0, WarehouseFixture.Scalar(home, "SELECT count(*) FROM meta.batch WHERE pipeline = 'hotline' AND status = 'succeeded'"));
        Assert.Equal(0, WarehouseFixture.Scalar(home, "SELECT count(*) FROM dw.fact_hotline_call"));
        Assert.Equal(0, WarehouseFixture.Scalar(home, "SELECT count(*) FROM dw.dim_person WHERE source_system = 'hotline'"));
        Assert.Equal(0, WarehouseFixture.Scalar(home, "SELECT count(*) FROM meta.file_manifest WHERE pipeline = 'hotline'"));
        Assert.Equal(0, WarehouseFixture.Scalar(home, $"SELECT count(*) FROM meta.reject WHERE batch_id = {failedBatch}"));
        Assert.Equal(0, WarehouseFixture.Scalar(home, $"SELECT count(*) FROM meta.data_quality_flag WHERE batch_id = {failedBatch}"));
        Assert.False(Directory.Exists(Path.Combine(home.QuarantineDirectory, "hotline", failedBatch.ToString(System.Globalization.CultureInfo.InvariantCulture))));

        var resumed = await world.Engine(home).RunManyAsync(null, world.Sources);
        Assert.All(resumed, r => Assert.True(r.Succeeded, r.Error));
        Assert.Equal(WarehouseFixture.NaturalProjection(world.Loaded), WarehouseFixture.NaturalProjection(home));
    }

    [Fact]
    public async Task A_database_attached_to_the_warehouse_instance_does_not_change_the_staging_layout()
    {
        // tipw serve attaches its BI snapshot to the live instance while it copies it; a load that starts meanwhile must read its own
        // staging table's columns only (it once read both copies' and failed with "Cannot write Int64 to Varchar column").
        var home = world.NewHome("attached");
        using var connection = Warehouse.Open(home);
        using (var command = connection.CreateCommand())
        {
            command.CommandText = $"ATTACH '{Path.Combine(home.Root, "other.duckdb")}' AS other_copy; CREATE SCHEMA other_copy.stg; "
                + "CREATE TABLE other_copy.stg.police_station (batch_id VARCHAR, extra BIGINT, station_id BIGINT)";
            command.ExecuteNonQuery();
        }

        var result = await world.Engine(home).RunAsync(new PipelineRunRequest("police_stations", world.Sources));
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(result.RowsRead, result.RowsLoaded);
    }

    [Fact]
    public async Task Fault_before_commit_keeps_the_watermark_and_the_next_run_rereads()
    {
        var home = world.NewHome("watermark");
        var engine = world.Engine(home, new PointFaultInjector("police_stations", "before_commit"));
        var failed = await engine.RunAsync(new PipelineRunRequest("police_stations", world.Sources));
        Assert.Equal(PipelineRunStatus.Failed, failed.Status);
        Assert.Equal(0, WarehouseFixture.Scalar(home, "SELECT count(*) FROM meta.watermark"));
        Assert.Equal(0, WarehouseFixture.Scalar(home, "SELECT count(*) FROM dw.dim_police_unit WHERE police_unit_key <> -1"));
        var ok = await engine.RunAsync(new PipelineRunRequest("police_stations", world.Sources));
        Assert.True(ok.Succeeded, ok.Error);
        Assert.Equal(ok.RowsRead, ok.RowsLoaded);
        Assert.Equal(1, WarehouseFixture.Scalar(home, "SELECT count(*) FROM meta.watermark WHERE pipeline = 'police_stations'"));
    }

    [Fact]
    public async Task File_with_a_wrong_delimiter_is_quarantined_whole_while_the_others_load()
    {
        var sources = Path.Combine(world.Root, "sources-bad-file");
        var hotline = Directory.CreateDirectory(Path.Combine(sources, "hotline")).FullName;
        var good = Directory.GetFiles(Path.Combine(world.Sources, "hotline"), "*.csv").Order(StringComparer.Ordinal).Take(2).ToList();
        foreach (var file in good)
        {
            File.Copy(file, Path.Combine(hotline, Path.GetFileName(file)));
        }

        var bad = File.ReadAllLines(good[0], Encoding.Latin1).Select(l => l.Replace(';', ','));
        File.WriteAllLines(Path.Combine(hotline, "llamadas_20060101.csv"), bad, Encoding.Latin1);
        var home = world.NewHome("bad-file");
        var engine = world.Engine(home);
        var result = await engine.RunAsync(new PipelineRunRequest("hotline", sources));
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(result.RowsRead, result.RowsLoaded + result.RowsRejected + result.RowsDuplicate);
        var manifest = WarehouseFixture.Rows(home, "SELECT file_name, status, reason FROM meta.file_manifest ORDER BY file_name");
        Assert.Equal(3, manifest.Count);
        Assert.Equal(("llamadas_20060101.csv", "quarantined"), ((string)manifest[0][0]!, (string)manifest[0][1]!));
        Assert.Contains("wrong delimiter", (string)manifest[0][2]!, StringComparison.Ordinal);
        Assert.All(manifest.Skip(1), m => Assert.Equal("loaded", m[1]));
        Assert.Single(Directory.GetFiles(home.QuarantineDirectory, "llamadas_20060101.csv", SearchOption.AllDirectories));
        Assert.Equal(1, WarehouseFixture.Scalar(home, "SELECT count(*) FROM meta.reject WHERE reason_code = 'wrong_delimiter' AND source_row IS NULL"));

        // Seen again unchanged: skipped. Changed after it was loaded: loaded again as a new version, its old rows duplicates, not loaded twice.
        var again = await engine.RunAsync(new PipelineRunRequest("hotline", sources));
        Assert.Equal(0, again.Batches);
        Assert.Equal(0, WarehouseFixture.Scalar(home, "SELECT count(*) FROM meta.file_manifest WHERE file_modified_at IS NULL"));
        File.SetLastWriteTimeUtc(Path.Combine(hotline, Path.GetFileName(good[0])), new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var touched = await engine.RunAsync(new PipelineRunRequest("hotline", sources));
        Assert.Equal(0, touched.Batches); // a new write time with the same bytes: hashed again, found unchanged
        File.AppendAllText(Path.Combine(hotline, Path.GetFileName(good[1])), "L2099010100001;01/01/2007 10:00:00;10;OTRO;;;;;;x;OTRO;;\n", Encoding.Latin1);
        var loadedBefore = WarehouseFixture.Scalar(home, "SELECT count(*) FROM dw.fact_hotline_call");
        var changed = await engine.RunAsync(new PipelineRunRequest("hotline", sources));
        Assert.True(changed.Succeeded, changed.Error);
        Assert.Equal(changed.RowsRead - 1, changed.RowsDuplicate);
        Assert.Equal(loadedBefore + changed.RowsLoaded, WarehouseFixture.Scalar(home, "SELECT count(*) FROM dw.fact_hotline_call"));
        Assert.Equal(1, WarehouseFixture.Scalar(home, "SELECT count(*) FROM meta.data_quality_flag WHERE flag = 'file_replaced'"));
        Assert.Equal(0, WarehouseFixture.Scalar(home, "SELECT count(*) FROM meta.reject WHERE reason_code = 'changed_after_load'"));
    }
    [Fact]
    public async Task Hotline_backfill_re_reads_the_drops_of_its_window_as_duplicates_and_keeps_the_manifest()
    {
        var sources = Path.Combine(world.Root, "sources-backfill");
        var hotline = Directory.CreateDirectory(Path.Combine(sources, "hotline")).FullName;
        var drops = Directory.GetFiles(Path.Combine(world.Sources, "hotline"), "*.csv").Order(StringComparer.Ordinal).Take(4).ToList();
        foreach (var file in drops.Take(3))
        {
            File.Copy(file, Path.Combine(hotline, Path.GetFileName(file)));
        }

        var home = world.NewHome("backfill");
        var engine = world.Engine(home);
        var first = await engine.RunAsync(new PipelineRunRequest("hotline", sources));
        Assert.True(first.Succeeded, first.Error);
        const string ManifestSql = "SELECT string_agg(concat_ws(':', file_name, batch_id, file_sha256, rows_read, recorded_at), ',' ORDER BY file_name) FROM meta.file_manifest";
        var manifestBefore = WarehouseFixture.Rows(home, ManifestSql)[0][0];
        var calls = WarehouseFixture.Scalar(home, "SELECT count(*) FROM dw.fact_hotline_call");
        static DateOnly DateOf(string file) => DateOnly.ParseExact(Path.GetFileNameWithoutExtension(file)["llamadas_".Length..], "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        long RowsOf(string file) => WarehouseFixture.Scalar(home, $"SELECT rows_read FROM meta.file_manifest WHERE file_name = '{Path.GetFileName(file)}'");

        // The window of the second and third drops: both re-read, every row a duplicate; nothing loaded, the manifest as it was.
        var backfill = await engine.RunAsync(new PipelineRunRequest("hotline", sources, From: DateOf(drops[1]), To: DateOf(drops[2])));
        Assert.True(backfill.Succeeded, backfill.Error);
        Assert.Equal(RowsOf(drops[1]) + RowsOf(drops[2]), backfill.RowsRead);
        Assert.Equal(backfill.RowsRead, backfill.RowsDuplicate);
        Assert.Equal(0, backfill.RowsLoaded);
        Assert.Equal(calls, WarehouseFixture.Scalar(home, "SELECT count(*) FROM dw.fact_hotline_call"));
        Assert.Equal(manifestBefore, WarehouseFixture.Rows(home, ManifestSql)[0][0]);

        // A drop of the window that was never loaded loads in the backfill; one outside the window does not.
        File.Copy(drops[3], Path.Combine(hotline, Path.GetFileName(drops[3])));
        var outside = await engine.RunAsync(new PipelineRunRequest("hotline", sources, From: DateOf(drops[0]), To: DateOf(drops[0])));
        Assert.Equal((RowsOf(drops[0]), 0L), (outside.RowsRead, outside.RowsLoaded));
        var inside = await engine.RunAsync(new PipelineRunRequest("hotline", sources, From: DateOf(drops[3]), To: DateOf(drops[3])));
        Assert.True(inside.Succeeded, inside.Error);
        Assert.Equal(RowsOf(drops[3]), inside.RowsRead);
        Assert.Equal(first.RowsRead, RowsOf(drops[0]) + RowsOf(drops[1]) + RowsOf(drops[2]));
        Assert.Equal(inside.RowsRead, inside.RowsLoaded + inside.RowsRejected + inside.RowsDuplicate);
        Assert.True(inside.RowsLoaded > 0);
        Assert.Equal(4, WarehouseFixture.Scalar(home, "SELECT count(*) FROM meta.file_manifest"));
    }
}
