using TipWarehouse.Core;

namespace TipWarehouse.Simulation.Tests;

public sealed class AsOfAndDeterminismTests : IDisposable
{
    private static readonly DateOnly s_from = new(2006, 1, 1);
    private static readonly DateOnly s_to = new(2006, 8, 31);
    private readonly List<string> _directories = [];

    private string NewDirectory()
    {
        var path = SourceFiles.NewTempDirectory();
        _directories.Add(path);
        return path;
    }

    private static SimulationOptions Options(string root, DateOnly? asOf = null, long seed = 42) =>
        new() { OutputDirectory = root, From = s_from, To = s_to, AsOf = asOf, Seed = seed };

    private static Dictionary<string, string> Rows(string root, string table, string key) =>
        SourceFiles.Query(root, $"SELECT * FROM {table} ORDER BY {key}")
            .ToDictionary(r => (string)r[0]!, r => string.Join('|', r.Select(v => v?.ToString() ?? "∅")));

    private static readonly (string Table, string Key)[] s_tables = [("comisarias", "id_comisaria"), ("denuncias", "nro_denuncia"), ("personas", "id_persona"), ("detenciones", "id_detencion")];

    [Fact]
    public void Two_runs_with_the_same_seed_are_byte_identical()
    {
        var a = NewDirectory();
        var b = NewDirectory();
        WorldSimulator.Run(Options(a));
        WorldSimulator.Run(Options(b));
        var first = SourceFiles.Snapshot(a);
        var second = SourceFiles.Snapshot(b);
        Assert.Equal(first.Keys, second.Keys);
        Assert.Contains(Path.Combine("police", "pnp_trata.sqlite"), first.Keys);
        Assert.Contains(first.Keys, k => k.StartsWith("prosecution", StringComparison.Ordinal));
        foreach (var (path, bytes) in first)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(second[path]), $"{path} differs between two runs with one seed");
        }
    }

    [Fact]
    public void A_different_seed_gives_a_different_world()
    {
        var a = NewDirectory();
        var b = NewDirectory();
        WorldSimulator.Run(Options(a) with { To = new DateOnly(2006, 3, 31) });
        WorldSimulator.Run(Options(b, seed: 7) with { To = new DateOnly(2006, 3, 31) });
        var file = Path.Combine("hotline", "llamadas_20060320.csv");
        Assert.False(SourceFiles.Snapshot(a)[file].AsSpan().SequenceEqual(SourceFiles.Snapshot(b)[file]));
    }

    [Fact]
    public void Advancing_as_of_only_adds_files_and_rows_and_updates_rows_never_rewriting_history()
    {
        var root = NewDirectory();
        var first = WorldSimulator.Run(Options(root, new DateOnly(2006, 5, 10)));
        var files = SourceFiles.Snapshot(root, "hotline").Concat(SourceFiles.Snapshot(root, "prosecution")).ToDictionary();
        var tables = s_tables.ToDictionary(t => t.Table, t => Rows(root, t.Table, t.Key));
        Assert.Equal(new DateOnly(2006, 5, 9), files.Keys.Where(k => k.StartsWith("hotline", StringComparison.Ordinal)).Select(k => DateOnly.ParseExact(Path.GetFileNameWithoutExtension(k)[9..], "yyyyMMdd")).Max());
        Assert.DoesNotContain(files.Keys, k => k.EndsWith("eventos_200605.jsonl", StringComparison.Ordinal));

        var second = WorldSimulator.Run(Options(root, new DateOnly(2006, 8, 1)));
        Assert.True(second.HotlineFilesWritten > 0);
        Assert.Equal(first.HotlineFilesWritten, second.HotlineFilesKept);
        Assert.True(second.PoliceRowsUpdated > 0, "rows written before must change after export");
        foreach (var (path, bytes) in files)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(root, path))), $"{path} was rewritten");
        }

        var changed = 0;
        foreach (var (table, key) in s_tables)
        {
            var after = Rows(root, table, key);
            Assert.True(after.Count >= tables[table].Count);
            foreach (var (id, row) in tables[table])
            {
                Assert.True(after.TryGetValue(id, out var now), $"{table} row {id} was deleted");
                if (now != row)
                {
                    changed++;
                    // updated_at is the last column and must move forward when a row changes.
                    Assert.True(string.CompareOrdinal(now.Split('|')[^1], row.Split('|')[^1]) > 0, $"{table} row {id} changed without a later updated_at");
                }
            }
        }

        Assert.True(changed > 0);
    }

    [Fact]
    public void Advancing_step_by_step_reaches_the_same_sources_as_one_run()
    {
        var stepwise = NewDirectory();
        var direct = NewDirectory();
        foreach (var asOf in new[] { new DateOnly(2006, 2, 15), new DateOnly(2006, 4, 1), new DateOnly(2006, 7, 20), s_to.AddDays(1) })
        {
            WorldSimulator.Run(Options(stepwise, asOf));
        }

        WorldSimulator.Run(Options(direct));
        var a = SourceFiles.Snapshot(stepwise);
        var b = SourceFiles.Snapshot(direct);
        foreach (var path in a.Keys.Where(k => !k.StartsWith("police", StringComparison.Ordinal) && !k.EndsWith("summary.json", StringComparison.Ordinal)))
        {
            Assert.True(a[path].AsSpan().SequenceEqual(b[path]), $"{path} differs");
        }

        foreach (var (table, key) in s_tables)
        {
            Assert.Equal(Rows(direct, table, key), Rows(stepwise, table, key));
        }
    }

    [Fact]
    public void Rerunning_with_the_same_as_of_changes_nothing()
    {
        var root = NewDirectory();
        var asOf = new DateOnly(2006, 6, 15);
        WorldSimulator.Run(Options(root, asOf));
        var before = SourceFiles.Snapshot(root);
        var again = WorldSimulator.Run(Options(root, asOf));
        Assert.Equal(0, again.HotlineFilesWritten);
        Assert.Equal(0, again.PoliceRowsInserted);
        Assert.Equal(0, again.PoliceRowsUpdated);
        var after = SourceFiles.Snapshot(root);
        Assert.Equal(before.Keys, after.Keys);
        foreach (var (path, bytes) in before.Where(f => !f.Key.EndsWith("summary.json", StringComparison.Ordinal)))
        {
            Assert.True(bytes.AsSpan().SequenceEqual(after[path]), $"{path} changed on a rerun");
        }
    }

    [Fact]
    public void Scale_multiplies_the_call_volume()
    {
        var small = WorldSimulator.Run(Options(NewDirectory()) with { From = new DateOnly(2006, 4, 1), To = new DateOnly(2006, 4, 30), Scale = 0.1 });
        var large = WorldSimulator.Run(Options(NewDirectory()) with { From = new DateOnly(2006, 4, 1), To = new DateOnly(2006, 4, 30), Scale = 4 });
        Assert.InRange(small.HotlineCalls, 80, 120);
        Assert.InRange(large.HotlineCalls, 3800, 4200);
        Assert.True(large.PoliceReports > 20 * small.PoliceReports);
    }

    [Fact]
    public void The_summary_counts_what_the_police_file_holds_at_the_as_of_date()
    {
        var root = NewDirectory();
        var summary = WorldSimulator.Run(Options(root, new DateOnly(2006, 6, 15)));
        long Count(string sql) => (long)SourceFiles.Query(root, sql)[0][0]!;
        Assert.Equal(summary.Stations, Count("SELECT count(*) FROM comisarias"));
        Assert.Equal(summary.PoliceReports, Count("SELECT count(*) FROM denuncias"));
        Assert.Equal(summary.Persons, Count("SELECT count(*) FROM personas"));
        Assert.Equal(summary.Arrests, Count("SELECT count(*) FROM detenciones"));
        Assert.Equal(summary.PoliceRowsInserted, summary.Stations + summary.PoliceReports + summary.Persons + summary.Arrests);
        Assert.Equal(0, Count("SELECT count(*) FROM denuncias WHERE fecha_denuncia >= '2006-06-15'"));
        Assert.Equal(summary.PoliceReports, File.ReadAllLines(Path.Combine(root, "truth", "police_reports.csv")).Length - 1);
        Assert.True(summary.Arrests > 0 && summary.Defects.PoliceLateCorrections > 0);
    }

    [Fact]
    public void Every_arrest_is_of_a_suspect_named_in_its_own_report_and_arrests_are_numbered_in_time_order()
    {
        var root = NewDirectory();
        WorldSimulator.Run(Options(root));
        var arrests = SourceFiles.Query(root, """
            SELECT d.id_detencion, d.fecha_detencion, p.rol, p.nro_denuncia = d.nro_denuncia
            FROM detenciones d LEFT JOIN personas p ON p.id_persona = d.id_persona ORDER BY d.id_detencion
            """);
        Assert.NotEmpty(arrests);
        Assert.All(arrests, a => Assert.Equal(("DENUNCIADO", 1L), ((string?)a[2], (long?)a[3])));
        var times = arrests.Select(a => (string)a[1]!).ToList();
        Assert.Equal(times.Order(StringComparer.Ordinal), times);
    }

    [Fact]
    public void Invalid_options_are_usage_errors()
    {
        var root = NewDirectory();
        Assert.Throws<UsageException>(() => WorldSimulator.Run(Options(root) with { To = new DateOnly(2004, 1, 1) }));
        Assert.Throws<UsageException>(() => WorldSimulator.Run(Options(root) with { Scale = 0 }));
        Assert.Throws<UsageException>(() => WorldSimulator.Run(Options(root, asOf: s_from)));
        Assert.Throws<UsageException>(() => WorldSimulator.Run(Options(root) with { Defects = new DefectRates { DuplicateCall = 1.5 } }));
    }

    public void Dispose()
    {
        foreach (var directory in _directories)
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
