using System.Globalization;
using TipWarehouse.Simulation.Text;

namespace TipWarehouse.Simulation.Police;

/// <summary>
/// The rows of the police database over their whole life, made from the reports once the prosecution side is known.
/// Rows are produced as they are read (stations, reports, persons, then arrests), so a large world never holds them all.
/// </summary>
internal sealed class PoliceRows
{
    public static readonly string[] StationColumns = ["id_comisaria", "nombre", "direccion_territorial", "ubigeo_inei", "fecha_capacitacion_trata"];
    public static readonly string[] ReportColumns = ["nro_denuncia", "fecha_hecho", "fecha_denuncia", "id_comisaria", "articulo", "modalidad", "id_llamada", "estado"];
    public static readonly string[] PersonColumns = ["id_persona", "nro_denuncia", "rol", "nombres", "apellidos", "dni", "edad", "sexo", "nacionalidad"];
    public static readonly string[] ArrestColumns = ["id_detencion", "nro_denuncia", "id_persona", "fecha_detencion"];

    public const int StationTraining = 4;
    public const int ReportIncidentDate = 1;
    public const int ReportArticle = 4;
    public const int ReportModality = 5;
    public const int ReportStatus = 7;
    public const int PersonDni = 5;
    public const int PersonAge = 6;

    private readonly SimulationOptions _options;
    private readonly Geography _geography;
    private readonly List<PoliceReport> _reports;
    private readonly DateTime _asOf;
    private readonly DateTime _worldEnd;
    private List<Arrest>? _arrests;

    /// <summary>Rows of the world for <paramref name="reports"/>; counts are kept for the rows that exist before <paramref name="asOf"/>.</summary>
    public PoliceRows(SimulationOptions options, Geography geography, List<PoliceReport> reports, DateTime asOf)
    {
        _options = options;
        _geography = geography;
        _reports = reports;
        _asOf = asOf;
        _worldEnd = options.To.AddDays(1).ToDateTime(TimeOnly.MinValue);
    }

    /// <summary>Report and person rows created before the as-of date whose late correction took effect before it (counted as the rows are enumerated).</summary>
    public int LateCorrections { get; private set; }

    /// <summary>An arrest waiting for its number: arrests are numbered in time order once every person is known.</summary>
    private readonly record struct Arrest(DateTime At, string ReportNumber, string PersonKey);

    public IEnumerable<SimRow> Stations()
    {
        var stationCreated = _options.From.ToDateTime(new TimeOnly(0, 5, 0));
        foreach (var station in _geography.Stations)
        {
            var row = new SimRow(station.Id, stationCreated, [station.Id, station.Name, station.Directorate, station.District.Inei, null]);
            if (station.TrainingDate is { } trained)
            {
                // The training date is entered in the database some days after the course.
                row.Change(station.TrainingRecordedAt, StationTraining, Date(trained), _worldEnd);
            }

            yield return row;
        }
    }

    /// <summary>The report rows, in report order; rows are made as they are read, so none is kept.</summary>
    public IEnumerable<SimRow> Reports()
    {
        foreach (var report in _reports)
        {
            var row = ReportRow(report, Rng.For(_options.Seed, "police-life", report.Index), Rng.For(_options.Seed, "police-defects", report.Index));
            if (row.CreatedAt < _asOf && row.ChangedBefore(ReportIncidentDate, _asOf))
            {
                LateCorrections++;
            }

            yield return row;
        }
    }

    /// <summary>
    /// The person rows, in report order. Each report's random streams are replayed past its report row, so the people
    /// draw exactly what they drew when report and people were made in one pass. Collects the arrests for <see cref="Arrests"/>.
    /// </summary>
    public IEnumerable<SimRow> Persons()
    {
        var arrests = new List<Arrest>();
        var personSeq = 0;
        foreach (var report in _reports)
        {
            var rng = Rng.For(_options.Seed, "police-life", report.Index);
            var defects = Rng.For(_options.Seed, "police-defects", report.Index);
            var filed = report.FiledAt;
            _ = ReportRow(report, rng, defects);
            var second = 0;
            foreach (var person in report.Persons)
            {
                var truth = person.Truth;
                var id = "P" + (++personSeq).ToString("D7", CultureInfo.InvariantCulture);
                var created = filed.AddSeconds(++second);
                object?[] personValues =
                [
                    id,
                    report.Number,
                    person.Role,
                    PersonNames.Upper(rng.Chance(0.5) ? PersonNames.Vary(rng, truth.FirstNames) : truth.FirstNames),
                    PersonNames.Upper(rng.Chance(0.3) ? PersonNames.Vary(rng, truth.Surnames) : truth.Surnames),
                    truth.HasDni && rng.Chance(person.Role == "VICTIMA" ? 0.8 : 0.6) ? truth.Dni : null,
                    rng.Chance(0.9) ? truth.Age : null,
                    truth.Sex == 'F' ? "F" : "M",
                    truth.Nationality,
                ];
                var personRow = new SimRow(id, created, personValues);
                if (defects.Chance(_options.Defects.PoliceLateCorrection))
                {
                    var fixAt = created.AddDays(defects.Between(3, 90)).AddMinutes(defects.Between(1, 300));
                    if (truth.HasDni && personValues[PersonDni] is null)
                    {
                        personRow.Change(fixAt, PersonDni, truth.Dni, _worldEnd);
                    }
                    else
                    {
                        var wrongAge = Math.Max(1, truth.Age + defects.Pick([-10, -2, -1, 1, 2, 10]));
                        personValues[PersonAge] = wrongAge;
                        personRow.Change(fixAt, PersonAge, truth.Age, _worldEnd);
                    }
                }

                if (personRow.CreatedAt < _asOf && (personRow.ChangedBefore(PersonDni, _asOf) || personRow.ChangedBefore(PersonAge, _asOf)))
                {
                    LateCorrections++;
                }

                if (person.Role == "DENUNCIADO" && rng.Chance(report.IsTip ? 0.3 : 0.15))
                {
                    var arrested = rng.Chance(0.7) ? filed.AddHours(rng.Between(1, 72)) : filed.AddDays(rng.Between(20, 250)).AddMinutes(rng.Between(0, 900));
                    if (arrested < _worldEnd)
                    {
                        arrests.Add(new Arrest(arrested, report.Number, id));
                    }
                }

                yield return personRow;
            }
        }

        _arrests = arrests;
    }

    /// <summary>The arrest rows, numbered in time order; read after <see cref="Persons"/>, which finds the arrests.</summary>
    public IEnumerable<SimRow> Arrests()
    {
        var arrests = _arrests ?? throw new InvalidOperationException("Read the person rows before the arrest rows: the arrests are found with the people.");
        _arrests = null;
        arrests.Sort((a, b) => a.At != b.At ? a.At.CompareTo(b.At) : string.CompareOrdinal(a.PersonKey, b.PersonKey));
        var arrestSeq = 0;
        foreach (var (at, reportNumber, personKey) in arrests)
        {
            var id = "D" + (++arrestSeq).ToString("D7", CultureInfo.InvariantCulture);
            yield return new SimRow(id, at.AddMinutes(30), [id, reportNumber, personKey, Timestamp(at)]);
        }
    }

    /// <summary>The report's row over its life; draws the report's share of its two random streams (the people draw after it).</summary>
    private SimRow ReportRow(PoliceReport report, Rng rng, Rng defects)
    {
        var options = _options;
        var worldEnd = _worldEnd;
        var filed = report.FiledAt;
        object?[] values = [report.Number, Date(report.IncidentDate), Timestamp(filed), report.Station.Id, report.Article, report.Modality, report.ShownCallId, "REGISTRADA"];
        var row = new SimRow(report.Number, filed, values);
        if (defects.Chance(options.Defects.PoliceLateCorrection))
        {
            // Typed as the filing date first, corrected weeks later.
            values[ReportIncidentDate] = Date(DateOnly.FromDateTime(filed));
            row.Change(filed.AddDays(defects.Between(7, 120)).AddMinutes(defects.Between(1, 600)), ReportIncidentDate, Date(report.IncidentDate), worldEnd);
        }

        DateTime? investigated = null;
        if (rng.Chance(report.IsTip ? 0.8 : 0.6))
        {
            investigated = filed.AddDays(rng.Between(1, 20)).AddMinutes(rng.Between(1, 600));
            row.Change(investigated.Value, ReportStatus, "EN_INVESTIGACION", worldEnd);
        }

        if (report.ProsecutedOn is { } prosecuted)
        {
            var derived = prosecuted.AddDays(-rng.Between(0, 3)).ToDateTime(new TimeOnly(rng.Between(8, 18), rng.Next(60), rng.Next(60)));
            if (derived <= filed)
            {
                derived = filed.AddHours(2);
            }

            if (investigated is { } inv && derived <= inv)
            {
                derived = inv.AddHours(1);
            }

            row.Change(derived, ReportStatus, "DERIVADA_FISCALIA", worldEnd);
        }
        else if (rng.Chance(0.35))
        {
            row.Change(filed.AddDays(rng.Between(30, 300)), ReportStatus, "ARCHIVADA", worldEnd);
        }
        else if (!report.IsTip && rng.Chance(0.15))
        {
            row.Change(filed.AddDays(rng.Between(5, 90)), ReportStatus, "CONCLUIDA", worldEnd);
        }

        // After Law 28950 some TIP reports recorded under other articles are reclassified as 153.
        if (report.IsTip && DateOnly.FromDateTime(filed) < PoliceWorld.TipLaw && report.Article != "153")
        {
            var trainedOn = report.Station.TrainingDate;
            if (rng.Chance(trainedOn is not null && trainedOn < options.To ? 0.5 : 0.25))
            {
                var from = new DateOnly(2007, 2, 1);
                if (trainedOn is { } t && t > from)
                {
                    from = t;
                }

                var when = from.AddDays(rng.Between(0, 120)).ToDateTime(new TimeOnly(rng.Between(8, 18), rng.Next(60), 0));
                row.Change(when, ReportArticle, "153", worldEnd);
                row.Change(when, ReportModality, "TRATA DE PERSONAS - " + report.TipKind!.Value.ExploitationType().Replace('_', ' '), worldEnd);
            }
        }

        return row;
    }

    public static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Timestamp(DateTime time) => time.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
