using System.Globalization;
using TipWarehouse.Simulation.Hotline;
using TipWarehouse.Simulation.Text;

namespace TipWarehouse.Simulation.Police;

/// <summary>A person named in a police report (victim or suspect), with the true identity behind it.</summary>
internal readonly record struct PolicePerson(WorldPerson Truth, string Role);

/// <summary>A police report (denuncia) over its life.</summary>
internal sealed class PoliceReport
{
    private PolicePerson[] _persons = [];

    public required int Index { get; init; }

    public required DateTime FiledAt { get; init; }

    public required DateOnly IncidentDate { get; init; }

    public required Station Station { get; init; }

    public required CallKind? TipKind { get; init; }

    public required string Article { get; set; }

    public required string Modality { get; set; }

    public string? TrueCallId { get; init; }

    public string? ShownCallId { get; init; }

    /// <summary>The people named in the report; released with <see cref="ReleasePersons"/> once the rows and cases have them.</summary>
    public IReadOnlyList<PolicePerson> Persons => _persons;

    public string Number { get; set; } = "";

    public DateOnly? ProsecutedOn { get; set; }

    public string? CaseNumber { get; set; }

    public bool IsTip => TipKind is not null;

    public bool IsPimping => !IsTip && Article is "181" or "179";

    /// <summary>Drops the people, which large worlds cannot keep for every report once the police rows are written.</summary>
    public void ReleasePersons() => _persons = [];

    /// <summary>Names one more person in the report.</summary>
    public void AddPerson(PolicePerson person)
    {
        // Reports name one to four people: grow the array by one rather than keep a list's spare capacity per report.
        Array.Resize(ref _persons, _persons.Length + 1);
        _persons[^1] = person;
    }
}

/// <summary>Builds the police side of the world: reports from hotline leads, walk-in TIP reports, and the many non-TIP reports around them.</summary>
internal static class PoliceWorld
{
    /// <summary>The day Law 28950 took effect; from then TIP is article 153.</summary>
    public static readonly DateOnly TipLaw = new(2007, 1, 17);

    private static readonly (string Article, string Modality, double Weight)[] s_otherCrimes =
    [
        ("185", "HURTO SIMPLE", 0.22), ("186", "HURTO AGRAVADO", 0.16), ("188", "ROBO", 0.10), ("189", "ROBO AGRAVADO", 0.10),
        ("121", "LESIONES GRAVES", 0.05), ("122", "LESIONES LEVES", 0.09), ("196", "ESTAFA", 0.06), ("170", "VIOLACION SEXUAL", 0.03),
        ("176-A", "ACTOS CONTRA EL PUDOR EN MENORES", 0.02), ("106", "HOMICIDIO", 0.01), ("296", "TRAFICO ILICITO DE DROGAS", 0.05),
        ("200", "EXTORSION", 0.02), ("205", "DAÑOS", 0.04), ("147", "SUSTRACCION DE MENOR", 0.01), ("LEY 26260", "VIOLENCIA FAMILIAR", 0.04),
    ];

    public static List<PoliceReport> Build(SimulationOptions options, Geography geography, IReadOnlyList<HotlineLead> leads)
    {
        var reports = new List<PoliceReport>();
        var worldEnd = options.To.AddDays(1).ToDateTime(TimeOnly.MinValue);

        // Reports that came from the hotline, in lead order (deterministic).
        var leadRng = Rng.For(options.Seed, "police-leads");
        foreach (var lead in leads)
        {
            var filed = lead.ReferredAt.AddHours(leadRng.Between(2, 24 * 10));
            if (filed >= worldEnd)
            {
                continue;
            }

            var incident = DateOnly.FromDateTime(lead.CallTime).AddDays(-leadRng.Between(0, 60));
            var tipKind = lead.Kind.IsTip() ? lead.Kind : (CallKind?)null;
            var (article, modality) = tipKind is { } k ? TipArticle(leadRng, k, lead.Station, DateOnly.FromDateTime(filed)) : HotlineNonTipArticle(lead.Kind);
            var report = new PoliceReport
            {
                Index = reports.Count, FiledAt = filed, IncidentDate = incident, Station = lead.Station, TipKind = tipKind,
                Article = article, Modality = modality, TrueCallId = lead.CallId, ShownCallId = leadRng.Chance(0.85) ? lead.CallId : null,
            };
            report.AddPerson(new PolicePerson(lead.Victim, "VICTIMA"));
            AddSuspects(leadRng, report);
            reports.Add(report);
        }

        // Reports filed at stations directly, month by month.
        for (var month = new DateOnly(options.From.Year, options.From.Month, 1); month <= options.To; month = month.AddMonths(1))
        {
            var rng = Rng.For(options.Seed, "police-month", month.DayNumber);
            var tipRate = month.Year <= 2005 ? 3.0 : month.Year == 2006 ? 4.0 : 6.0;
            AddDirect(rng, options, geography, reports, month, rng.Poisson(tipRate * options.Scale), tip: true, pimping: false);
            AddDirect(rng, options, geography, reports, month, rng.Poisson(140 * options.Scale), tip: false, pimping: false);
            AddDirect(rng, options, geography, reports, month, rng.Poisson(5 * options.Scale), tip: false, pimping: true);
        }

        // Number reports in filing order, one sequence per year.
        reports.Sort((a, b) => a.FiledAt != b.FiledAt ? a.FiledAt.CompareTo(b.FiledAt) : a.Index.CompareTo(b.Index));
        var sequence = new Dictionary<int, int>();
        foreach (var report in reports)
        {
            var year = report.FiledAt.Year;
            var n = sequence[year] = sequence.GetValueOrDefault(year) + 1;
            report.Number = "DEN-" + year.ToString(CultureInfo.InvariantCulture) + "-" + n.ToString("D6", CultureInfo.InvariantCulture);
        }

        return reports;
    }

    private static void AddDirect(Rng rng, SimulationOptions options, Geography geography, List<PoliceReport> reports, DateOnly month, int count, bool tip, bool pimping)
    {
        var days = DateTime.DaysInMonth(month.Year, month.Month);
        for (var i = 0; i < count; i++)
        {
            var day = month.AddDays(rng.Next(days));
            if (day < options.From || day > options.To)
            {
                continue;
            }

            var filed = day.ToDateTime(new TimeOnly(rng.Between(7, 22), rng.Next(60), rng.Next(60)));
            var station = geography.SampleStation(rng, tip || pimping);
            CallKind? tipKind = tip ? rng.Pick([CallKind.TipSexual, CallKind.TipSexual, CallKind.TipSexual, CallKind.TipMining, CallKind.TipDomestic, CallKind.TipBegging, CallKind.TipLogging, CallKind.TipAgriculture]) : null;
            string article, modality;
            if (tipKind is { } k)
            {
                (article, modality) = TipArticle(rng, k, station, day);
            }
            else if (pimping)
            {
                (article, modality) = rng.Chance(0.6) ? ("181", "PROXENETISMO") : ("179", "FAVORECIMIENTO A LA PROSTITUCION");
            }
            else
            {
                var pick = s_otherCrimes[rng.PickWeighted([.. s_otherCrimes.Select(c => c.Weight)])];
                (article, modality) = (pick.Article, pick.Modality);
            }

            var report = new PoliceReport
            {
                Index = reports.Count, FiledAt = filed, IncidentDate = day.AddDays(-rng.Between(0, tip ? 90 : 10)), Station = station,
                TipKind = tipKind, Article = article, Modality = modality,
            };
            var victim = tipKind switch
            {
                CallKind.TipSexual => PersonNames.NewPerson(rng, 'F', rng.Chance(0.55) ? rng.Between(13, 17) : rng.Between(18, 25)),
                CallKind.TipDomestic => PersonNames.NewPerson(rng, rng.Chance(0.9) ? 'F' : 'M', rng.Between(10, 19)),
                CallKind.TipBegging => PersonNames.NewPerson(rng, rng.Chance(0.5) ? 'F' : 'M', rng.Between(6, 15)),
                { } => PersonNames.NewPerson(rng, rng.Chance(0.2) ? 'F' : 'M', rng.Between(14, 35)),
                null => PersonNames.NewPerson(rng, pimping || rng.Chance(0.45) ? 'F' : 'M', rng.Between(16, 70)),
            };
            report.AddPerson(new PolicePerson(victim, "VICTIMA"));
            AddSuspects(rng, report);
            reports.Add(report);
        }
    }

    private static void AddSuspects(Rng rng, PoliceReport report)
    {
        var count = report.IsTip || report.IsPimping
            ? (rng.Chance(0.2) ? 0 : rng.PickWeighted([0.5, 0.35, 0.15]) + 1)
            : rng.PickWeighted([0.45, 0.4, 0.15]);
        for (var i = 0; i < count; i++)
        {
            var sex = report.IsTip && report.TipKind is CallKind.TipSexual or CallKind.TipDomestic ? (rng.Chance(0.45) ? 'F' : 'M') : (rng.Chance(0.15) ? 'F' : 'M');
            report.AddPerson(new PolicePerson(PersonNames.NewPerson(rng, sex, rng.Between(19, 60)), "DENUNCIADO"));
        }
    }

    /// <summary>The article a TIP report is recorded under: before the 2007 law, other statutes; after it, 153 mostly at trained stations.</summary>
    public static (string Article, string Modality) TipArticle(Rng rng, CallKind kind, Station station, DateOnly filed)
    {
        var trained = station.TrainingDate is { } t && t <= filed;
        if (filed >= TipLaw && rng.Chance(trained ? 0.85 : 0.45))
        {
            return ("153", "TRATA DE PERSONAS - " + kind.ExploitationType().Replace('_', ' '));
        }

        return kind switch
        {
            CallKind.TipSexual => rng.PickWeighted([0.22, 0.3, 0.25, 0.1, 0.05, 0.08]) switch
            {
                0 => ("182", "TRATA DE PERSONAS"),
                1 => ("179", "FAVORECIMIENTO A LA PROSTITUCION"),
                2 => ("181", "PROXENETISMO"),
                3 => ("152", "SECUESTRO"),
                4 => ("153", "VIOLACION DE LA LIBERTAD PERSONAL"),
                _ => ("170", "VIOLACION SEXUAL"),
            },
            CallKind.TipDomestic => rng.PickWeighted([0.3, 0.2, 0.3, 0.2]) switch
            {
                0 => ("168", "ATENTADO CONTRA LA LIBERTAD DE TRABAJO"),
                1 => ("152", "SECUESTRO"),
                2 => ("LEY 26260", "VIOLENCIA FAMILIAR"),
                _ => ("122", "LESIONES LEVES"),
            },
            CallKind.TipBegging => rng.PickWeighted([0.4, 0.3, 0.3]) switch
            {
                0 => ("128", "EXPOSICION A PELIGRO DE PERSONA DEPENDIENTE"),
                1 => ("168", "ATENTADO CONTRA LA LIBERTAD DE TRABAJO"),
                _ => ("152", "SECUESTRO"),
            },
            _ => rng.PickWeighted([0.5, 0.15, 0.2, 0.15]) switch
            {
                0 => ("168", "ATENTADO CONTRA LA LIBERTAD DE TRABAJO"),
                1 => ("152", "SECUESTRO"),
                2 => ("196", "ESTAFA"),
                _ => ("S/N", "OCURRENCIA"),
            },
        };
    }

    private static (string Article, string Modality) HotlineNonTipArticle(CallKind kind) => kind switch
    {
        CallKind.DomesticViolence => ("LEY 26260", "VIOLENCIA FAMILIAR"),
        CallKind.SexualAssault => ("170", "VIOLACION SEXUAL"),
        CallKind.MissingPerson or CallKind.RunawayTeen => ("S/N", "DESAPARICION DE PERSONA"),
        CallKind.JobFraud => ("196", "ESTAFA"),
        _ => ("185", "HURTO SIMPLE"),
    };
}
