using System.Globalization;
using TipWarehouse.Simulation.Text;

namespace TipWarehouse.Simulation.Police;

/// <summary>The rows of the police database over their whole life, built from the reports once the prosecution side is known.</summary>
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

    public List<SimRow> Stations { get; } = [];

    public List<SimRow> Reports { get; } = [];

    public List<SimRow> Persons { get; } = [];

    public List<SimRow> Arrests { get; } = [];

    public static PoliceRows Build(SimulationOptions options, Geography geography, List<PoliceReport> reports)
    {
        var rows = new PoliceRows();
        var worldEnd = options.To.AddDays(1).ToDateTime(TimeOnly.MinValue);
        var stationCreated = options.From.ToDateTime(new TimeOnly(0, 5, 0));
        foreach (var station in geography.Stations)
        {
            var row = new SimRow(station.Id, stationCreated, [station.Id, station.Name, station.Directorate, station.District.Inei, null]);
            if (station.TrainingDate is { } trained)
            {
                // The training date is entered in the database some days after the course.
                row.Change(station.TrainingRecordedAt, StationTraining, Date(trained), worldEnd);
            }

            rows.Stations.Add(row);
        }

        var personSeq = 0;
        var arrests = new List<(DateTime At, PoliceReport Report, SimRow Person)>();
        foreach (var report in reports)
        {
            var rng = Rng.For(options.Seed, "police-life", report.Index);
            var defects = Rng.For(options.Seed, "police-defects", report.Index);
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

            report.Row = row;
            rows.Reports.Add(row);

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
                    truth.Dni is not null && rng.Chance(person.Role == "VICTIMA" ? 0.8 : 0.6) ? truth.Dni : null,
                    rng.Chance(0.9) ? truth.Age : null,
                    truth.Sex == 'F' ? "F" : "M",
                    truth.Nationality,
                ];
                var personRow = new SimRow(id, created, personValues);
                if (defects.Chance(options.Defects.PoliceLateCorrection))
                {
                    var fixAt = created.AddDays(defects.Between(3, 90)).AddMinutes(defects.Between(1, 300));
                    if (truth.Dni is not null && personValues[PersonDni] is null)
                    {
                        personRow.Change(fixAt, PersonDni, truth.Dni, worldEnd);
                    }
                    else
                    {
                        var wrongAge = Math.Max(1, truth.Age + defects.Pick([-10, -2, -1, 1, 2, 10]));
                        personValues[PersonAge] = wrongAge;
                        personRow.Change(fixAt, PersonAge, truth.Age, worldEnd);
                    }
                }

                person.Row = personRow;
                rows.Persons.Add(personRow);

                if (person.Role == "DENUNCIADO" && rng.Chance(report.IsTip ? 0.3 : 0.15))
                {
                    var arrested = rng.Chance(0.7) ? filed.AddHours(rng.Between(1, 72)) : filed.AddDays(rng.Between(20, 250)).AddMinutes(rng.Between(0, 900));
                    if (arrested < worldEnd)
                    {
                        person.ArrestedAt = arrested;
                        arrests.Add((arrested, report, personRow));
                    }
                }
            }
        }

        arrests.Sort((a, b) => a.At != b.At ? a.At.CompareTo(b.At) : string.CompareOrdinal(a.Person.Key, b.Person.Key));
        var arrestSeq = 0;
        foreach (var (at, report, person) in arrests)
        {
            var id = "D" + (++arrestSeq).ToString("D7", CultureInfo.InvariantCulture);
            rows.Arrests.Add(new SimRow(id, at.AddMinutes(30), [id, report.Number, person.Key, Timestamp(at)]));
        }

        return rows;
    }

    public static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Timestamp(DateTime time) => time.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
