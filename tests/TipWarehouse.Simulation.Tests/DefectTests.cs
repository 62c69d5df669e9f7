using System.Globalization;
using TipWarehouse.Simulation.Reference;

namespace TipWarehouse.Simulation.Tests;

[Collection(DefaultWorldGroup.Name)]
public sealed class DefectTests(DefaultWorldFixture world)
{
    private static readonly DefectRates s_defaults = new();

    private int UniqueCalls => world.Labels.Count;

    private List<string[]> FirstOccurrences => [.. world.Calls.GroupBy(c => c.Fields[0]).Select(g => g.First().Fields)];

    private static void AssertRate(double expected, int count, int total, double tolerance)
    {
        Assert.True(count > 0, "the defect never appeared");
        Assert.InRange(count / (double)total, expected - tolerance, expected + tolerance);
    }

    [Fact]
    public void Duplicate_calls_reappear_in_the_next_days_file_at_their_rate()
    {
        var byId = world.Calls.GroupBy(c => c.Fields[0]).Where(g => g.Count() > 1).ToList();
        AssertRate(s_defaults.DuplicateCall, byId.Count, UniqueCalls, 0.003);
        Assert.All(byId, g =>
        {
            var files = g.Select(c => c.File).ToList();
            Assert.Equal(2, files.Count);
            Assert.NotEqual(files[0], files[1]);
            Assert.Equal(string.Join(';', g.First().Fields), string.Join(';', g.Last().Fields));
        });
    }

    [Fact]
    public void Missing_and_invalid_ubigeo_codes_appear_at_their_rates()
    {
        var catalog = UbigeoCatalog.Default.All;
        var known = catalog.Select(d => d.Reniec).Concat(catalog.Select(d => d.Inei)).Where(c => c.Length == 6).ToHashSet();
        var complete = FirstOccurrences.Where(f => f.Length == 13).ToList();
        AssertRate(s_defaults.MissingUbigeo, complete.Count(f => f[4].Length == 0), complete.Count, 0.004);
        AssertRate(s_defaults.InvalidUbigeo, complete.Count(f => f[4].Length > 0 && !known.Contains(f[4])), complete.Count, 0.003);
    }

    [Fact]
    public void Malformed_dates_and_truncated_lines_appear_at_their_rates()
    {
        var rows = FirstOccurrences;
        AssertRate(s_defaults.MalformedDate, rows.Count(f => SourceFiles.ParseHotlineTime(f[1]) is null), UniqueCalls, 0.0025);
        AssertRate(s_defaults.TruncatedLine, rows.Count(f => f.Length < 13), UniqueCalls, 0.0012);
        Assert.All(rows, f => Assert.InRange(f.Length, 5, 13));
    }

    [Fact]
    public void Hotline_files_are_windows_1252_except_exactly_one_utf8_file()
    {
        var files = Directory.GetFiles(Path.Combine(world.Root, "hotline"));
        var utf8 = files.Where(f => SourceFiles.IsNonAsciiUtf8(File.ReadAllBytes(f))).Select(f => Path.GetFileName(f)).ToList();
        Assert.Single(utf8);
        Assert.Equal(world.Summary.Defects.Utf8Files, utf8);
        // Every other file has non-ASCII text that is not valid UTF-8 (so it is the Windows-1252 code page) and decodes to Spanish letters.
        Assert.All(files.Where(f => Path.GetFileName(f) != utf8[0]), f =>
        {
            var bytes = File.ReadAllBytes(f);
            Assert.Contains(bytes, b => b >= 0x80);
            Assert.Matches("[ñÑáéíóúÁÉÍÓÚ]", SourceFiles.Windows1252.GetString(bytes));
        });
    }

    [Fact]
    public void Prosecution_events_cite_missing_and_mistyped_report_numbers_at_their_rates()
    {
        var truth = SourceFiles.Csv(Path.Combine(world.Root, "truth", "prosecution_cases.csv")).ToDictionary(r => r[0], r => r[2]);
        var cited = world.Events.Select(e => (Cited: e.GetProperty("nro_denuncia_policial").GetString(), True: truth[e.GetProperty("nro_caso").GetString()!])).ToList();
        AssertRate(s_defaults.MissingReportNumber, cited.Count(c => c.Cited is null), cited.Count, 0.025);
        var mistyped = cited.Where(c => c.Cited is not null && c.Cited != c.True).ToList();
        AssertRate(s_defaults.MistypedReportNumber, mistyped.Count, cited.Count, 0.02);
        Assert.Contains(mistyped, c => string.Equals(c.Cited, c.True, StringComparison.OrdinalIgnoreCase));
        Assert.Contains(mistyped, c => c.Cited!.Count(ch => ch == '-') == 1);
    }

    [Fact]
    public void Late_events_arrive_months_after_their_date_with_a_higher_sequence()
    {
        var events = world.Events.Select(e => (
            Sequence: e.GetProperty("secuencia").GetInt64(),
            Date: DateOnly.Parse(e.GetProperty("fecha").GetString()!, CultureInfo.InvariantCulture),
            Reported: DateOnly.Parse(e.GetProperty("reported_on").GetString()!, CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
        AssertRate(s_defaults.LateEvent, events.Count(e => e.Reported.DayNumber - e.Date.DayNumber > 30), events.Count, 0.025);
        var outOfOrder = events.Where((e, i) => i > 0 && e.Date < events.Take(i).Max(x => x.Date)).Count();
        Assert.True(outOfOrder > 20, "late events must arrive out of date order");
        Assert.All(events, e => Assert.True(e.Reported >= e.Date));
    }

    [Fact]
    public void Police_persons_are_corrected_after_they_were_written_at_their_rate()
    {
        var rows = SourceFiles.Query(world.Root, "SELECT p.updated_at, d.fecha_denuncia FROM personas p JOIN denuncias d ON d.nro_denuncia = p.nro_denuncia");
        var corrected = rows.Count(r => string.CompareOrdinal((string)r[0]!, ((string)r[1]!)[..10] + " 23:59:59") > 0);
        AssertRate(s_defaults.PoliceLateCorrection, corrected, rows.Count, 0.012);
    }

    [Fact]
    public void Turning_defects_off_gives_clean_sources()
    {
        var root = SourceFiles.NewTempDirectory();
        try
        {
            WorldSimulator.Run(new SimulationOptions { OutputDirectory = root, From = new DateOnly(2006, 3, 1), To = new DateOnly(2006, 5, 31), Defects = DefectRates.None });
            var rows = SourceFiles.HotlineRows(root).ToList();
            Assert.All(rows, r => Assert.Equal(13, r.Fields.Length));
            Assert.All(rows, r => Assert.NotNull(SourceFiles.ParseHotlineTime(r.Fields[1])));
            var reniec = UbigeoCatalog.Default.Usable.Select(d => d.Reniec).ToHashSet();
            Assert.All(rows, r => Assert.Contains(r.Fields[4], reniec));
            Assert.Equal(rows.Count, rows.Select(r => r.Fields[0]).Distinct().Count());
            Assert.DoesNotContain(Directory.GetFiles(Path.Combine(root, "hotline")), f => SourceFiles.IsNonAsciiUtf8(File.ReadAllBytes(f)));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Inei_codes_replace_reniec_codes_at_their_rate()
    {
        var clean = SourceFiles.NewTempDirectory();
        var dirty = SourceFiles.NewTempDirectory();
        try
        {
            var options = new SimulationOptions { OutputDirectory = clean, From = new DateOnly(2006, 3, 13), To = new DateOnly(2006, 8, 31), Defects = DefectRates.None };
            WorldSimulator.Run(options);
            WorldSimulator.Run(options with { OutputDirectory = dirty, Defects = DefectRates.None with { IneiUbigeo = 0.1 } });
            var ineiOfReniec = UbigeoCatalog.Default.Usable.ToDictionary(d => d.Reniec, d => d.Inei);
            var truth = SourceFiles.HotlineRows(clean).ToDictionary(r => r.Fields[0], r => r.Fields[4]);
            var swapped = 0;
            var total = 0;
            foreach (var (_, fields) in SourceFiles.HotlineRows(dirty))
            {
                total++;
                var reniec = truth[fields[0]];
                if (fields[4] != reniec)
                {
                    Assert.Equal(ineiOfReniec[reniec], fields[4]);
                    swapped++;
                }
            }

            // Only districts whose two codes differ can be swapped (1,782 of 1,893).
            AssertRate(0.1 * 0.93, swapped, total, 0.02);
        }
        finally
        {
            Directory.Delete(clean, recursive: true);
            Directory.Delete(dirty, recursive: true);
        }
    }
}
