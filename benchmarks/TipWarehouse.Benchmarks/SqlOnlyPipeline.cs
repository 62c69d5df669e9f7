using System.Diagnostics;
using System.Text;
using DuckDB.NET.Data;
using TipWarehouse.Core;
using TipWarehouse.Etl.Engine;
using TipWarehouse.Etl.Extraction;
using TipWarehouse.Etl.Privacy;
using TipWarehouse.Etl.Specs;

namespace TipWarehouse.Benchmarks;

/// <summary>What the SQL-only hotline pipeline did: rows DuckDB read (typed), rows that reached <c>dw.fact_hotline_call</c>, the seconds it took, and where they went (seconds per phase, in order).</summary>
public sealed record SqlOnlyMeasurement(long RowsRead, long RowsLoaded, double Seconds, IReadOnlyList<KeyValuePair<string, double>> PhaseSeconds);

/// <summary>
/// The hotline load as a data engineer would write it on DuckDB alone, to compare tipw with what a user would pick
/// instead: <c>read_csv</c> with explicit types, the DNI and name pseudonyms as keyed HMAC-SHA256 in SQL (bit-identical to
/// tipw's, checked before the timing), first-seen de-duplication by call id, then the pipeline's own transform SQL
/// (dim_person, inferred police units, conformance and the fact insert) in one transaction. What it skips of tipw's work:
/// the phonetic name pseudonym, the narrative scrub, per-row validation with reasons (a row DuckDB cannot type is
/// dropped, not quarantined), rejects and reconciliation, the manifest, and batching (the whole folder is one transaction).
/// </summary>
public static class SqlOnlyPipeline
{
    /// <summary>Loads the hotline files of <paramref name="hotlineFolder"/> into <paramref name="home"/>'s warehouse (police stations loaded before, untimed).</summary>
    public static SqlOnlyMeasurement Run(TipwHome home, string hotlineFolder, string pipelines)
    {
        ArgumentNullException.ThrowIfNull(home);
        var spec = SpecLoader.LoadDirectory(pipelines).First(s => s.Name == "hotline");
        var key = PseudonymKey.Load(home, _ => null);
        var byEncoding = Directory.EnumerateFiles(hotlineFolder, "*.csv").Order(StringComparer.Ordinal)
            .GroupBy(f => FileInspector.Inspect(f, spec.Source).Encoding.CodePage == Encoding.UTF8.CodePage ? "utf-8" : "latin-1")
            .ToList();
        using var connection = Warehouse.Open(home);
        SharedMacros.Load(pipelines).Create(connection);
        Sql.Execute(connection, PseudonymMacro(key));
        CheckPseudonyms(connection, new Pseudonymizer(key));

        var timings = new LoadTimings();
        var started = Stopwatch.GetTimestamp();
        using var transaction = connection.BeginTransaction();
        Sql.Execute(connection, "SET VARIABLE batch_id = 1; SET VARIABLE pipeline = 'hotline';");
        var first = true;
        foreach (var group in byEncoding)
        {
            var files = string.Join(", ", group.Select(f => "'" + f.Replace("'", "''", StringComparison.Ordinal) + "'"));
            var read = $"""
                SELECT * FROM read_csv([{files}], delim = ';', header = true, encoding = '{group.Key}', filename = true, ignore_errors = true,
                    timestampformat = '%d/%m/%Y %H:%M:%S',
                    columns = {'{'}'id_llamada': 'VARCHAR', 'fecha_hora': 'TIMESTAMP', 'duracion_seg': 'INTEGER', 'tipo_llamante': 'VARCHAR', 'ubigeo': 'VARCHAR',
                               'nombre_victima': 'VARCHAR', 'dni_victima': 'VARCHAR', 'edad_victima': 'SMALLINT', 'sexo_victima': 'VARCHAR', 'relato': 'VARCHAR',
                               'categoria_operador': 'VARCHAR', 'comisaria_derivada': 'VARCHAR', 'fecha_derivacion': 'TIMESTAMP'{'}'})
                """;
            timings.Time("read_csv (typed)", () => Sql.Execute(connection, (first ? "CREATE TEMP TABLE raw AS " : "INSERT INTO raw ") + read));
            first = false;
        }

        timings.Time("pseudonyms, de-duplication and staging", () => Sql.Execute(connection, """
            INSERT INTO stg.hotline_call (batch_id, source_file, source_row, call_id, call_ts_lima, duration_sec, caller_type, ubigeo,
                victim_name_pseudonym, victim_name_phonetic_pseudonym, victim_dni_pseudonym, victim_age, victim_sex, narrative,
                operator_category, referred_station_id, referral_ts_lima)
            SELECT 1, parse_filename(filename), 0, id_llamada, fecha_hora, duracion_seg, tipo_llamante, ubigeo,
                   pseudonym('name', normalized_name(nombre_victima)),
                   NULL,
                   pseudonym('dni', CASE WHEN regexp_replace(dni_victima, '[^0-9]', '', 'g') <> '' THEN lpad(regexp_replace(dni_victima, '[^0-9]', '', 'g'), 8, '0') END),
                   edad_victima, CASE WHEN sexo_victima IN ('F', 'M') THEN sexo_victima END, relato, categoria_operador, comisaria_derivada, fecha_derivacion
            FROM raw
            WHERE id_llamada IS NOT NULL AND fecha_hora IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM dw.fact_hotline_call AS d WHERE d.call_id = raw.id_llamada)
            QUALIFY row_number() OVER (PARTITION BY id_llamada ORDER BY filename) = 1
            """));
        foreach (var file in spec.Transforms)
        {
            timings.Time("transform " + Path.GetFileName(file), () => Sql.Execute(connection, File.ReadAllText(file)));
        }

        timings.Time("clear staging and commit", () =>
        {
            Sql.Execute(connection, "DELETE FROM stg.hotline_call");
            transaction.Commit();
        });
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new SqlOnlyMeasurement(Sql.Scalar<long>(connection, "SELECT count(*) FROM raw"), Sql.Scalar<long>(connection, "SELECT count(*) FROM dw.fact_hotline_call"), seconds, timings.Seconds());
    }

    /// <summary>TEMP macros <c>normalized_name(v)</c> and <c>pseudonym(domain, value)</c>: HMAC-SHA256 over <c>domain || 0x00 || UTF-8 value</c> with the home's key, one letter a–p per nibble, as tipw's <see cref="Pseudonymizer"/>.</summary>
    private static string PseudonymMacro(byte[] key)
    {
        // HMAC (RFC 2104) with SHA-256 and a 64-byte block: H((K ^ opad) || H((K ^ ipad) || m)), the key hashed first when longer than a block.
        var block = key.Length > 64 ? System.Security.Cryptography.SHA256.HashData(key) : key;
        var padded = new byte[64];
        block.CopyTo(padded, 0);
        var inner = Convert.ToHexString([.. padded.Select(b => (byte)(b ^ 0x36))]);
        var outer = Convert.ToHexString([.. padded.Select(b => (byte)(b ^ 0x5c))]);
        return $"""
            CREATE OR REPLACE TEMP MACRO pseudonym(domain, v) AS
                CASE WHEN v IS NULL THEN NULL ELSE translate(
                    sha256(unhex('{outer}') || unhex(sha256(unhex('{inner}') || encode(domain) || unhex('00') || encode(v)))),
                    '0123456789abcdef', 'abcdefghijklmnop') END;
            -- tipw's NameNormalizer: accents folded, apostrophes dropped, upper case, any other non-letter run one space, trimmed; '' is no name.
            CREATE OR REPLACE TEMP MACRO normalized_name(v) AS nullif(trim(regexp_replace(upper(strip_accents(replace(v, chr(39), ''))), '[^A-Z]+', ' ', 'g')), '');
            """;
    }

    /// <summary>Fails unless the SQL pseudonyms equal tipw's on a few DNIs and names (accents, apostrophes, spacing), so both pipelines do the same work.</summary>
    private static void CheckPseudonyms(DuckDBConnection connection, Pseudonymizer pseudonymizer)
    {
        foreach (var dni in new[] { "01234567", "7654321", "44-555 666" })
        {
            var digits = new string([.. dni.Where(char.IsAsciiDigit)]).PadLeft(8, '0');
            var sql = Sql.Scalar<string>(connection, $"SELECT pseudonym('dni', '{digits}')");
            if (sql != pseudonymizer.Dni(dni))
            {
                throw new TipwException($"The SQL-only baseline's DNI pseudonym of {dni} differs from tipw's: the comparison would not be of the same work.");
            }
        }

        foreach (var name in new[] { "María  Quispe-Huamán", "José D'Ávila Ñahui", "ana lucía torres" })
        {
            var sql = Sql.Scalar<string>(connection, $"SELECT pseudonym('name', normalized_name('{name.Replace("'", "''", StringComparison.Ordinal)}'))");
            if (sql != pseudonymizer.Name(name))
            {
                throw new TipwException($"The SQL-only baseline's name pseudonym of '{name}' differs from tipw's ({NameNormalizer.Normalize(name)}): the comparison would not be of the same work.");
            }
        }
    }
}
