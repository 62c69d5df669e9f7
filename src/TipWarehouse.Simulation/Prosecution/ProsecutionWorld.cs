using System.Globalization;
using TipWarehouse.Simulation.Police;
using TipWarehouse.Simulation.Text;

namespace TipWarehouse.Simulation.Prosecution;

/// <summary>A defendant as the prosecutor's system records them.</summary>
internal sealed record Defendant(string Nombres, string Apellidos, string? Dni, int Edad, char Sexo);

/// <summary>One event of a prosecution case.</summary>
internal sealed class CaseEvent
{
    public required ProsecutionCase Case { get; init; }

    public required string Type { get; init; }

    public required DateOnly Date { get; set; }

    public required int Order { get; init; }

    public DateOnly ReportedOn { get; set; }

    public bool Late { get; set; }

    public IReadOnlyList<string> Articles { get; set; } = [];

    public string? Outcome { get; init; }

    public int? Years { get; init; }

    public long Sequence { get; set; }

    public string? CitedReport { get; set; }

    public bool Mistyped { get; set; }
}

/// <summary>A prosecution case opened from a police report.</summary>
internal sealed class ProsecutionCase
{
    public required string CaseId { get; init; }

    public required PoliceReport Report { get; init; }

    public required DateOnly ReceivedOn { get; init; }

    public string Number { get; set; } = "";

    public string OfficeCode { get; set; } = "";

    public string OfficeUbigeo { get; set; } = "";

    public List<Defendant> Defendants { get; } = [];

    public List<CaseEvent> Events { get; } = [];

    public bool IsTip => Report.IsTip;
}

/// <summary>Turns police reports into prosecution cases, calibrated to the 2005–2006 funnel, and lays out each case's events.</summary>
internal static class ProsecutionWorld
{
    private static readonly Dictionary<string, string> s_departmentAbbreviations = new(StringComparer.Ordinal)
    {
        ["01"] = "AMA", ["02"] = "ANC", ["03"] = "APU", ["04"] = "ARE", ["05"] = "AYA", ["06"] = "CAJ", ["07"] = "CAL", ["08"] = "CUS", ["09"] = "HUV",
        ["10"] = "HUC", ["11"] = "ICA", ["12"] = "JUN", ["13"] = "LAL", ["14"] = "LAM", ["15"] = "LIM", ["16"] = "LOR", ["17"] = "MDD", ["18"] = "MOQ",
        ["19"] = "PAS", ["20"] = "PIU", ["21"] = "PUN", ["22"] = "SAM", ["23"] = "TAC", ["24"] = "TUM", ["25"] = "UCA",
    };

    /// <summary>TIP-related cases passed to prosecutors per period at scale 1 (CONTEXT.md: 7 in 2005, 4 in Jan–Jul 2006; later figures grow with the hotline, the law and the training).</summary>
    private static double TipCasesPerMonth(DateOnly month) => month switch
    {
        { Year: <= 2005 } => 7.0 / 12,
        { Year: 2006, Month: <= 7 } => 4.0 / 7,
        { Year: 2006 } => 6.0 / 5,
        { Year: 2007, Month: <= 6 } => 4.0,
        _ => 6.0,
    };

    /// <summary>People formally charged with pimping (article 181) in 2006 at scale 1 (CONTEXT.md: 30).</summary>
    public const int PimpingChargedIn2006 = 30;

    public static List<ProsecutionCase> Build(SimulationOptions options, Geography geography, List<PoliceReport> reports)
    {
        var rng = Rng.For(options.Seed, "prosecution");
        var cases = new List<ProsecutionCase>();
        var tipReports = reports.Where(r => r.IsTip).ToList();
        var taken = new HashSet<PoliceReport>();

        // TIP cases: a quota per month, rounded cumulatively so each period's total matches the figures.
        double cumulative = 0;
        var assigned = 0;
        for (var month = new DateOnly(options.From.Year, options.From.Month, 1); month <= options.To; month = month.AddMonths(1))
        {
            var monthEnd = month.AddMonths(1).AddDays(-1);
            var daysInWindow = Math.Min(monthEnd.DayNumber, options.To.DayNumber) - Math.Max(month.DayNumber, options.From.DayNumber) + 1;
            cumulative += TipCasesPerMonth(month) * options.Scale * daysInWindow / (monthEnd.DayNumber - month.DayNumber + 1);
            var quota = (int)Math.Round(cumulative) - assigned;
            var lastDay = monthEnd < options.To ? monthEnd : options.To;
            var candidates = tipReports.Where(r => !taken.Contains(r) && DateOnly.FromDateTime(r.FiledAt) <= lastDay.AddDays(-3) && DateOnly.FromDateTime(r.FiledAt) >= month.AddMonths(-6)).ToList();
            for (var i = 0; i < quota && candidates.Count > 0; i++)
            {
                var at = rng.Next(candidates.Count);
                var report = candidates[at];
                candidates.RemoveAt(at);
                var earliest = DateOnly.FromDateTime(report.FiledAt).AddDays(3);
                var start = earliest > month ? earliest : month;
                var received = start.AddDays(rng.Next(lastDay.DayNumber - start.DayNumber + 1));
                taken.Add(report);
                cases.Add(NewCase(rng, cases.Count, report, received));
                assigned++;
            }
        }

        // Non-TIP cases: a share of the other reports; pimping reports filed from September 2005 are kept for the 2006 calibration.
        var calibrationStart = new DateOnly(2005, 9, 1);
        var calibrationEnd = new DateOnly(2006, 12, 31);
        var pimpingPool = new List<PoliceReport>();
        foreach (var report in reports)
        {
            if (report.IsTip || report.Article == "S/N")
            {
                continue;
            }

            var filed = DateOnly.FromDateTime(report.FiledAt);
            if (report.IsPimping && filed >= calibrationStart && filed <= calibrationEnd)
            {
                pimpingPool.Add(report);
                continue;
            }

            if (rng.Chance(report.IsPimping ? 0.3 : 0.08))
            {
                var received = filed.AddDays(rng.Between(10, 120));
                if (received <= options.To)
                {
                    cases.Add(NewCase(rng, cases.Count, report, received));
                }
            }
        }

        foreach (var c in cases)
        {
            Timeline(rng, options, c, forcedFormalization: null);
        }

        // Calibrate the 2006 pimping charges: fill with pimping cases formalized in 2006 until the target is met.
        var year2006Start = new DateOnly(2006, 1, 1);
        var overlap = Math.Min(options.To.DayNumber, calibrationEnd.DayNumber) - Math.Max(options.From.DayNumber, year2006Start.DayNumber) + 1;
        var target = overlap <= 0 ? 0 : (int)Math.Round(PimpingChargedIn2006 * options.Scale * overlap / 365.0);
        var charged = cases.Sum(c => c.Events.Where(e => e.Type == "FORMALIZACION" && e.Date.Year == 2006 && e.Articles.Contains("181")).Sum(_ => c.Defendants.Count));
        var pool = pimpingPool.OrderBy(_ => rng.NextUInt64()).ToList();
        foreach (var report in pool)
        {
            if (charged >= target)
            {
                break;
            }

            var received = DateOnly.FromDateTime(report.FiledAt).AddDays(rng.Between(10, 40));
            var formalization = received.AddDays(rng.Between(20, 90));
            if (formalization.Year != 2006 || formalization > options.To || received < options.From)
            {
                continue;
            }

            var c = NewCase(rng, cases.Count, report, received);
            cases.Add(c);
            Timeline(rng, options, c, formalization);
            charged += c.Events.Where(e => e.Type == "FORMALIZACION" && e.Date.Year == 2006 && e.Articles.Contains("181")).Sum(_ => c.Defendants.Count);
        }

        // Case numbers: per office and year, in order of receipt.
        cases.Sort((a, b) => a.ReceivedOn != b.ReceivedOn ? a.ReceivedOn.CompareTo(b.ReceivedOn) : string.CompareOrdinal(a.Report.Number, b.Report.Number));
        var sequences = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var c in cases)
        {
            var department = c.Report.Station.District.DepartmentCode;
            var abbreviation = s_departmentAbbreviations[department];
            c.OfficeCode = "FPP-" + abbreviation;
            c.OfficeUbigeo = geography.DepartmentCapitals[department].Inei;
            var key = abbreviation + c.ReceivedOn.Year.ToString(CultureInfo.InvariantCulture);
            var n = sequences[key] = sequences.GetValueOrDefault(key) + 1;
            c.Number = "FP" + abbreviation + "-" + c.ReceivedOn.Year.ToString(CultureInfo.InvariantCulture) + "-" + n.ToString("D4", CultureInfo.InvariantCulture);
            c.Report.ProsecutedOn = c.ReceivedOn;
            c.Report.CaseNumber = c.Number;
        }

        return cases;
    }

    private static ProsecutionCase NewCase(Rng rng, int index, PoliceReport report, DateOnly received)
    {
        var c = new ProsecutionCase { CaseId = "C" + index.ToString("D6", CultureInfo.InvariantCulture), Report = report, ReceivedOn = received };
        foreach (var person in report.Persons.Where(p => p.Role == "DENUNCIADO"))
        {
            c.Defendants.Add(ToDefendant(rng, person.Truth));
        }

        if (c.Defendants.Count == 0)
        {
            c.Defendants.Add(ToDefendant(rng, PersonNames.NewPerson(rng, rng.Chance(0.3) ? 'F' : 'M', rng.Between(20, 55))));
        }

        return c;
    }

    private static Defendant ToDefendant(Rng rng, WorldPerson p) =>
        new(PersonNames.Upper(PersonNames.Vary(rng, p.FirstNames)), PersonNames.Upper(rng.Chance(0.2) ? PersonNames.Vary(rng, p.Surnames) : p.Surnames), rng.Chance(0.85) ? p.Dni : null, p.Age, p.Sex);

    private static void Timeline(Rng rng, SimulationOptions options, ProsecutionCase c, DateOnly? forcedFormalization)
    {
        var events = new List<(string Type, DateOnly Date, string? Outcome, int? Years)>();
        var date = c.ReceivedOn;
        events.Add(("DENUNCIA_RECIBIDA", date, null, null));
        date = date.AddDays(rng.Between(3, 30));
        events.Add(("INVESTIGACION_PRELIMINAR", date, null, null));
        var formalized = forcedFormalization is not null || rng.Chance(c.IsTip ? 0.6 : 0.5);
        if (!formalized)
        {
            if (rng.Chance(0.7))
            {
                events.Add(("ARCHIVO", date.AddDays(rng.Between(60, 400)), null, null));
            }
        }
        else
        {
            date = forcedFormalization ?? date.AddDays(rng.Between(30, 180));
            events.Add(("FORMALIZACION", date, null, null));
            if (rng.Chance(0.65))
            {
                date = date.AddDays(rng.Between(60, 240));
                events.Add(("ACUSACION", date, null, null));
                if (rng.Chance(0.85))
                {
                    date = date.AddDays(rng.Between(30, 200));
                    events.Add(("JUICIO", date, null, null));
                    date = date.AddDays(rng.Between(1, 60));
                    var convicted = rng.Chance(c.IsTip ? 0.55 : 0.65);
                    int? years = convicted ? SentenceYears(rng, c) : null;
                    events.Add(("SENTENCIA", date, convicted ? "CONDENA" : "ABSUELTO", years));
                    if (convicted && (years >= 4 || rng.Chance(0.5)))
                    {
                        date = date.AddDays(rng.Between(0, 15));
                        events.Add(("INGRESO_PENAL", date, null, null));
                        // Release on parole after about a third to a half of the sentence.
                        events.Add(("LIBERACION", date.AddDays((int)(years!.Value * 365 * (0.33 + (rng.NextDouble() * 0.2)))), null, null));
                    }
                }
            }
            else if (rng.Chance(0.3))
            {
                events.Add(("ARCHIVO", date.AddDays(rng.Between(60, 300)), null, null));
            }
        }

        // No TIP case was tried, sentenced or closed before 2007 (CONTEXT.md): the late stages of TIP cases slip into 2007.
        if (c.IsTip)
        {
            var floor = new DateOnly(2007, 2, 1);
            var firstLate = events.FindIndex(e => e.Type is "JUICIO" or "SENTENCIA" or "ARCHIVO" && e.Date < floor);
            if (firstLate >= 0)
            {
                var shift = floor.DayNumber - events[firstLate].Date.DayNumber + rng.Between(0, 150);
                for (var i = firstLate; i < events.Count; i++)
                {
                    events[i] = events[i] with { Date = events[i].Date.AddDays(shift) };
                }
            }
        }

        var articles = InitialArticles(rng, c);
        var order = 0;
        foreach (var (type, eventDate, outcome, years) in events)
        {
            if (eventDate > options.To)
            {
                break;
            }

            if (type == "FORMALIZACION" && c.IsTip && eventDate >= PoliceWorld.TipLaw && !articles.Contains("153") && rng.Chance(0.6))
            {
                articles = rng.Chance(0.5) ? ["153"] : ["153", .. articles];
            }

            c.Events.Add(new CaseEvent { Case = c, Type = type, Date = eventDate, Order = order++, Articles = articles, Outcome = outcome, Years = years });
        }
    }

    private static List<string> InitialArticles(Rng rng, ProsecutionCase c)
    {
        var article = c.Report.Article;
        if (article is "S/N" or "LEY 26260")
        {
            article = c.IsTip ? "168" : "122";
        }

        if (c.IsTip && c.Report.TipKind == CallKind.TipSexual && article != "181" && article != "153" && rng.Chance(0.3))
        {
            return [article, "181"];
        }

        if (article == "179" && rng.Chance(0.5))
        {
            return ["179", "181"];
        }

        return [article];
    }

    private static int SentenceYears(Rng rng, ProsecutionCase c)
    {
        if (c.IsTip)
        {
            return rng.Between(6, 20);
        }

        return c.Report.IsPimping ? rng.Between(2, 6) : rng.Between(1, 12);
    }
}
