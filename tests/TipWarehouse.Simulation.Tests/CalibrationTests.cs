using System.Globalization;
using TipWarehouse.Simulation.Reference;

namespace TipWarehouse.Simulation.Tests;

[Collection(DefaultWorldGroup.Name)]
public sealed class CalibrationTests(DefaultWorldFixture world)
{
    private Dictionary<string, string[]> LabelsById => world.Labels.ToDictionary(l => l[0]);

    [Fact]
    public void Every_month_from_2006_04_to_2007_12_has_900_to_1100_calls()
    {
        var byMonth = world.Labels.GroupBy(l => l[0].Substring(1, 6)).ToDictionary(g => g.Key, g => g.Count());
        for (var month = new DateOnly(2006, 4, 1); month <= new DateOnly(2007, 12, 1); month = month.AddMonths(1))
        {
            var key = month.ToString("yyyyMM", CultureInfo.InvariantCulture);
            Assert.InRange(byMonth.GetValueOrDefault(key), 900, 1100);
        }
    }

    [Fact]
    public void Tip_related_calls_are_13_to_17_percent_of_all_calls()
    {
        var share = world.Labels.Count(l => l[1] == "1") / (double)world.Labels.Count;
        Assert.InRange(share, 0.13, 0.17);
        Assert.All(world.Labels.Where(l => l[1] == "1"), l => Assert.Contains(l[2], new[] { "SEXUAL", "LABORAL", "SERVIDUMBRE_DOMESTICA", "MENDICIDAD" }));
        Assert.All(world.Labels.Where(l => l[1] == "0"), l => Assert.Equal("", l[2]));
    }

    [Fact]
    public void No_call_exists_before_the_hotline_opened_and_every_call_is_labelled_once()
    {
        Assert.Equal("20060313", world.Labels.Select(l => l[0].Substring(1, 8)).Order(StringComparer.Ordinal).First());
        Assert.Equal(world.Labels.Count, world.Labels.Select(l => l[0]).Distinct().Count());
        var idsInFiles = world.Calls.Select(c => c.Fields[0]).ToHashSet();
        Assert.True(idsInFiles.SetEquals(world.Labels.Select(l => l[0])));
    }

    [Fact]
    public void Calls_follow_weekday_and_hour_patterns()
    {
        var times = world.Calls.Select(c => SourceFiles.ParseHotlineTime(c.Fields[1])).OfType<DateTime>().ToList();
        double PerDay(DayOfWeek d) => times.Count(t => t.DayOfWeek == d) / (double)times.Select(t => t.Date).Distinct().Count(x => x.DayOfWeek == d);
        Assert.True(PerDay(DayOfWeek.Monday) > PerDay(DayOfWeek.Sunday) * 1.15);
        Assert.True(times.Count(t => t.Hour == 10) > 5 * times.Count(t => t.Hour == 3));
    }

    [Fact]
    public void Tip_calls_are_weighted_toward_the_hot_spots()
    {
        var departmentOfReniec = UbigeoCatalog.Default.Usable.ToDictionary(d => d.Reniec, d => d.DepartmentCode);
        var labels = LabelsById;
        var located = world.Calls.Where(c => c.Fields.Length == 13 && departmentOfReniec.ContainsKey(c.Fields[4]))
            .Select(c => (Department: departmentOfReniec[c.Fields[4]], Tip: labels[c.Fields[0]][1] == "1")).ToList();
        double Share(string department, bool tip) => located.Count(x => x.Tip == tip && x.Department == department) / (double)located.Count(x => x.Tip == tip);
        Assert.True(Share("17", tip: true) > 5 * Share("17", tip: false), "Madre de Dios should be over-represented among TIP calls");
        Assert.True(Share("21", tip: true) > 1.5 * Share("21", tip: false), "Puno should be over-represented among TIP calls");
        Assert.True(Share("15", tip: false) > 0.25, "Lima should be the largest source of calls");
    }

    [Fact]
    public void Tip_cases_passed_to_prosecutors_match_the_2005_and_2006_figures()
    {
        var tipCases = SourceFiles.Csv(Path.Combine(world.Root, "truth", "prosecution_cases.csv")).Where(r => r[1] == "1").Select(r => r[0]).ToHashSet();
        var received = world.Events.Where(e => e.GetProperty("tipo_evento").GetString() == "DENUNCIA_RECIBIDA" && tipCases.Contains(e.GetProperty("nro_caso").GetString()!))
            .Select(e => DateOnly.Parse(e.GetProperty("fecha").GetString()!, CultureInfo.InvariantCulture)).ToList();
        Assert.InRange(received.Count(d => d.Year == 2005), 5, 9);
        Assert.InRange(received.Count(d => d.Year == 2006 && d.Month <= 7), 2, 6);
        Assert.True(received.Count(d => d.Year == 2007) > received.Count(d => d.Year == 2006), "the funnel widens after the law and the training");
    }

    [Fact]
    public void About_30_people_were_formally_charged_with_pimping_in_2006()
    {
        var charged = world.Events.Where(e => e.GetProperty("tipo_evento").GetString() == "FORMALIZACION"
                && e.GetProperty("fecha").GetString()!.StartsWith("2006", StringComparison.Ordinal)
                && e.GetProperty("articulos").EnumerateArray().Any(a => a.GetString() == "181"))
            .Sum(e => e.GetProperty("imputados").GetArrayLength());
        Assert.InRange(charged, 25, 35);
    }

    [Fact]
    public void No_tip_conviction_before_2007()
    {
        var tipCases = SourceFiles.Csv(Path.Combine(world.Root, "truth", "prosecution_cases.csv")).Where(r => r[1] == "1").Select(r => r[0]).ToHashSet();
        var convictions = world.Events.Where(e => e.GetProperty("tipo_evento").GetString() == "SENTENCIA"
            && e.GetProperty("resultado").GetString() == "CONDENA" && tipCases.Contains(e.GetProperty("nro_caso").GetString()!)).ToList();
        Assert.DoesNotContain(convictions, e => string.CompareOrdinal(e.GetProperty("fecha").GetString(), "2007-01-01") < 0);
        Assert.NotEmpty(convictions);
    }

    [Fact]
    public void Police_training_reached_Lima_and_7_other_directorates_by_April_2007_and_the_rest_later()
    {
        var byApril = SourceFiles.Query(world.Root, "SELECT DISTINCT direccion_territorial FROM comisarias WHERE fecha_capacitacion_trata <= '2007-04-30'").Select(r => (string)r[0]!).ToList();
        Assert.Equal(8, byApril.Count);
        Assert.Contains("VII DIRTEPOL LIMA", byApril);
        var byEnd = SourceFiles.Query(world.Root, "SELECT DISTINCT direccion_territorial FROM comisarias WHERE fecha_capacitacion_trata IS NOT NULL");
        Assert.Equal(12, byEnd.Count);
        Assert.Equal(12, SourceFiles.Query(world.Root, "SELECT DISTINCT direccion_territorial FROM comisarias").Count);
    }

    [Fact]
    public void Tip_reports_before_the_law_are_recorded_under_other_articles_and_non_tip_reports_outnumber_them()
    {
        var truth = SourceFiles.Csv(Path.Combine(world.Root, "truth", "police_reports.csv")).ToDictionary(r => r[0], r => r[1] == "1");
        var reports = SourceFiles.Query(world.Root, "SELECT nro_denuncia, fecha_denuncia, articulo, updated_at FROM denuncias")
            .Select(r => (Number: (string)r[0]!, Filed: (string)r[1]!, Article: (string)r[2]!, Updated: (string)r[3]!)).ToList();
        var tipBeforeLaw = reports.Where(r => truth[r.Number] && string.CompareOrdinal(r.Filed, "2007-01-17") < 0).ToList();
        var untouchedSinceLaw = tipBeforeLaw.Where(r => string.CompareOrdinal(r.Updated, "2007-01-17") < 0).ToList();
        var tipAfterLaw = reports.Where(r => truth[r.Number] && string.CompareOrdinal(r.Filed, "2007-03-01") >= 0).ToList();
        Assert.True(untouchedSinceLaw.Count > 100);
        Assert.True(untouchedSinceLaw.Count(r => r.Article != "153") > 0.9 * untouchedSinceLaw.Count, "before the law TIP is recorded under other statutes");
        Assert.True(tipBeforeLaw.Select(r => r.Article).Distinct().Count() >= 5, "TIP hides under several statutes before the law");
        Assert.InRange(tipBeforeLaw.Count(r => r.Article == "153") / (double)tipBeforeLaw.Count, 0.15, 0.6);
        Assert.True(tipAfterLaw.Count(r => r.Article == "153") > 0.5 * tipAfterLaw.Count);
        Assert.True(reports.Count(r => !truth[r.Number]) > 3 * reports.Count(r => truth[r.Number]));
    }

    [Fact]
    public void Hotline_referrals_point_to_police_stations_and_victims_reappear_in_police_persons()
    {
        var stations = SourceFiles.Query(world.Root, "SELECT id_comisaria FROM comisarias").Select(r => (string)r[0]!).ToHashSet();
        var referred = world.Calls.Where(c => c.Fields.Length == 13 && c.Fields[11].Length > 0).ToList();
        Assert.NotEmpty(referred);
        Assert.All(referred, c => Assert.Contains(c.Fields[11], stations));

        var links = SourceFiles.Csv(Path.Combine(world.Root, "truth", "links.csv")).Where(l => l[1].Length > 0).ToList();
        var callDni = world.Calls.Where(c => c.Fields.Length == 13 && c.Fields[6].Length == 8).GroupBy(c => c.Fields[0]).ToDictionary(g => g.Key, g => g.First().Fields[6]);
        var personDnis = SourceFiles.Query(world.Root, "SELECT nro_denuncia, dni FROM personas WHERE rol = 'VICTIMA' AND dni IS NOT NULL")
            .GroupBy(r => (string)r[0]!).ToDictionary(g => g.Key, g => g.Select(r => (string)r[1]!).ToHashSet());
        var withDni = links.Where(l => callDni.ContainsKey(l[1])).ToList();
        Assert.True(withDni.Count > 50);
        var matched = withDni.Count(l => personDnis.TryGetValue(l[2], out var dnis) && dnis.Contains(callDni[l[1]]));
        Assert.InRange(matched / (double)withDni.Count, 0.6, 0.95);

        var reportCallIds = SourceFiles.Query(world.Root, "SELECT nro_denuncia, id_llamada FROM denuncias").ToDictionary(r => (string)r[0]!, r => r[1] as string);
        var carried = links.Count(l => reportCallIds[l[2]] == l[1]);
        Assert.InRange(carried / (double)links.Count, 0.75, 0.95);
    }
}
