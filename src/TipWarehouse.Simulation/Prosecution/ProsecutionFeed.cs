using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace TipWarehouse.Simulation.Prosecution;

/// <summary>Orders the case events by when they were reported, injects the citation defects, and writes <c>eventos_YYYYMM.jsonl</c> once a month is complete.</summary>
internal static class ProsecutionFeed
{
    private static readonly JsonWriterOptions s_json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    /// <summary>Counts of what the feed holds and wrote.</summary>
    public sealed class Stats
    {
        public int EventsMaterialized { get; set; }

        public int LateEvents { get; set; }

        public int MistypedReports { get; set; }

        public int MissingReports { get; set; }

        public int FilesWritten { get; set; }

        public int FilesKept { get; set; }

        public List<CaseEvent> Materialized { get; } = [];
    }

    /// <summary>Assigns reporting dates, defects and the global sequence; returns all events of the world in sequence order.</summary>
    public static List<CaseEvent> Prepare(SimulationOptions options, List<ProsecutionCase> cases)
    {
        var all = new List<CaseEvent>();
        foreach (var c in cases)
        {
            var rng = Rng.For(options.Seed, "prosecution-report", long.Parse(c.CaseId[1..], CultureInfo.InvariantCulture));
            var defects = Rng.For(options.Seed, "prosecution-defects", long.Parse(c.CaseId[1..], CultureInfo.InvariantCulture));
            foreach (var e in c.Events)
            {
                e.ReportedOn = e.Date.AddDays(rng.Between(0, 7));
                if (defects.Chance(options.Defects.LateEvent))
                {
                    e.Late = true;
                    e.ReportedOn = e.Date.AddDays(defects.Between(31, 180));
                }

                var u = defects.NextDouble();
                if (u < options.Defects.MissingReportNumber)
                {
                    e.CitedReport = null;
                }
                else if (u < options.Defects.MissingReportNumber + options.Defects.MistypedReportNumber)
                {
                    e.CitedReport = Mistype(defects, c.Report.Number);
                    e.Mistyped = e.CitedReport != c.Report.Number;
                }
                else
                {
                    e.CitedReport = c.Report.Number;
                }

                if (e.ReportedOn <= options.To)
                {
                    all.Add(e);
                }
            }
        }

        all.Sort((a, b) =>
        {
            var x = a.ReportedOn.CompareTo(b.ReportedOn);
            if (x == 0)
            {
                x = a.Date.CompareTo(b.Date);
            }

            if (x == 0)
            {
                x = string.CompareOrdinal(a.Case.Number, b.Case.Number);
            }

            return x != 0 ? x : a.Order.CompareTo(b.Order);
        });
        for (var i = 0; i < all.Count; i++)
        {
            all[i].Sequence = i + 1;
        }

        return all;
    }

    /// <summary>Writes every month file that is complete before the as-of date and not yet on disk; files on disk are never rewritten.</summary>
    public static Stats Write(string directory, List<CaseEvent> events, DateOnly asOf, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var stats = new Stats();
        foreach (var month in events.GroupBy(e => new DateOnly(e.ReportedOn.Year, e.ReportedOn.Month, 1)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (month.Key.AddMonths(1) > asOf)
            {
                continue;
            }

            foreach (var e in month)
            {
                stats.Materialized.Add(e);
                stats.EventsMaterialized++;
                stats.LateEvents += e.Late ? 1 : 0;
                stats.MistypedReports += e.Mistyped ? 1 : 0;
                stats.MissingReports += e.CitedReport is null ? 1 : 0;
            }

            var path = Path.Combine(directory, FileName(month.Key));
            if (File.Exists(path))
            {
                stats.FilesKept++;
                continue;
            }

            using var buffer = new MemoryStream();
            foreach (var e in month)
            {
                WriteEvent(buffer, e);
                buffer.WriteByte((byte)'\n');
            }

            AtomicFile.WriteAllBytes(path, buffer.ToArray());
            stats.FilesWritten++;
        }

        return stats;
    }

    public static string FileName(DateOnly month) => "eventos_" + month.ToString("yyyyMM", CultureInfo.InvariantCulture) + ".jsonl";

    private static void WriteEvent(Stream stream, CaseEvent e)
    {
        using var json = new Utf8JsonWriter(stream, s_json);
        json.WriteStartObject();
        json.WriteNumber("secuencia", e.Sequence);
        json.WriteString("nro_caso", e.Case.Number);
        json.WriteString("tipo_evento", e.Type);
        json.WriteString("fecha", e.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        json.WriteString("reported_on", e.ReportedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        json.WriteStartObject("fiscalia");
        json.WriteString("codigo", e.Case.OfficeCode);
        json.WriteString("ubigeo_inei", e.Case.OfficeUbigeo);
        json.WriteEndObject();
        if (e.CitedReport is null)
        {
            json.WriteNull("nro_denuncia_policial");
        }
        else
        {
            json.WriteString("nro_denuncia_policial", e.CitedReport);
        }

        json.WriteStartArray("articulos");
        foreach (var article in e.Articles)
        {
            json.WriteStringValue(article);
        }

        json.WriteEndArray();
        json.WriteStartArray("imputados");
        foreach (var d in e.Case.Defendants)
        {
            json.WriteStartObject();
            json.WriteString("nombres", d.Nombres);
            json.WriteString("apellidos", d.Apellidos);
            if (d.Dni is null)
            {
                json.WriteNull("dni");
            }
            else
            {
                json.WriteString("dni", d.Dni);
            }

            json.WriteNumber("edad", d.Edad);
            json.WriteString("sexo", d.Sexo.ToString());
            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (e.Type == "SENTENCIA")
        {
            json.WriteString("resultado", e.Outcome);
            if (e.Years is { } years)
            {
                json.WriteNumber("anios_pena", years);
            }
            else
            {
                json.WriteNull("anios_pena");
            }
        }

        json.WriteEndObject();
    }

    /// <summary>A police report number as a prosecutor's clerk might mistype it.</summary>
    public static string Mistype(Rng rng, string number)
    {
        // number is DEN-YYYY-NNNNNN
        var year = number[4..8];
        var digits = number[9..];
        return rng.Next(5) switch
        {
            0 => "DEN-" + year + "-" + Transpose(rng, digits),
            1 => "DEN" + year + "-" + digits,
            2 => "DEN-" + year + digits,
            3 => number.ToLowerInvariant(),
            _ => "DEN-" + (int.Parse(year, CultureInfo.InvariantCulture) + (rng.Chance(0.5) ? -1 : 1)).ToString(CultureInfo.InvariantCulture) + "-" + digits,
        };
    }

    private static string Transpose(Rng rng, string digits)
    {
        var chars = digits.ToCharArray();
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var i = rng.Next(chars.Length - 1);
            if (chars[i] != chars[i + 1])
            {
                (chars[i], chars[i + 1]) = (chars[i + 1], chars[i]);
                return new string(chars);
            }
        }

        // All digits equal next to each other (e.g. 000000): drop a leading zero instead.
        return new StringBuilder(digits).Remove(0, 1).ToString();
    }
}
