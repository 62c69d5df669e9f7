using System.Globalization;
using DuckDB.NET.Data;
using Microsoft.Extensions.Time.Testing;
using TipWarehouse.Core;
using TipWarehouse.Schema;

namespace TipWarehouse.Linkage.Tests;

/// <summary>An in-memory warehouse (schema and reference data from <c>sql/</c>) with helpers that insert agency records as the ETL would.</summary>
internal sealed class TestWarehouse : IDisposable
{
    public const string Lima = "150101";
    public const string Ancon = "150102";
    public const string Cusco = "080101";

    private int _nextPerson = 1000;

    public TestWarehouse()
    {
        Connection = Warehouse.OpenPath(":memory:");
        WarehouseInitializer.Initialize(Connection, new InitOptions { Time = Time });
    }

    public DuckDBConnection Connection { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2008, 1, 15, 12, 0, 0, TimeSpan.Zero));

    public int Geo(string inei) => Scalar<int>("SELECT geography_key FROM dw.dim_geography WHERE ubigeo_inei = $u", ("u", inei));

    public int Unit(string stationId, string inei)
    {
        var existing = Scalar<int?>("SELECT police_unit_key FROM dw.dim_police_unit WHERE station_id = $s", ("s", stationId));
        if (existing is { } key)
        {
            return key;
        }

        Execute("""
            INSERT INTO dw.dim_police_unit (station_id, station_name, directorate, geography_key, tip_training_date, is_inferred, valid_from, valid_to, is_current, batch_id)
            VALUES ($s, $s, 'DIRTEPOL', $g, NULL, false, TIMESTAMP '2000-01-01', NULL, true, 0)
            """, ("s", stationId), ("g", Geo(inei)));
        return Scalar<int>("SELECT police_unit_key FROM dw.dim_police_unit WHERE station_id = $s", ("s", stationId));
    }

    public int Person(string? dni, string? name, char sex, string source = "police")
    {
        var key = _nextPerson++;
        Execute("""
            INSERT INTO dw.dim_person (person_key, person_nk, dni_pseudonym, name_pseudonym, name_phonetic_pseudonym, age_band, sex, nationality, source_system, valid_from, valid_to, is_current, batch_id)
            VALUES ($k, $nk, $dni, $name, $name, 'unknown', $sex, 'PERUANA', $src, TIMESTAMP '2000-01-01', NULL, true, 0)
            """,
            ("k", key), ("nk", source + ":" + key.ToString(CultureInfo.InvariantCulture)), ("dni", dni is null ? null : "dni:" + dni),
            ("name", name is null ? null : "name:" + name), ("sex", sex.ToString()), ("src", source));
        return key;
    }

    public void Call(string id, DateOnly date, string inei, int unitKey, int personKey = -1, int? age = null, char? sex = null, bool tip = true)
    {
        Execute("""
            INSERT INTO dw.fact_hotline_call (call_id, call_date_key, call_hour, call_ts_lima, geography_key, caller_type_key, victim_person_key, referred_police_unit_key,
                referral_date_key, duration_sec, victim_age, is_minor, victim_sex, operator_category, is_tip_by_operator, hours_to_referral, narrative, ubigeo_source_coding, call_count, batch_id)
            VALUES ($id, $d, 10, $ts, $g, -1, $p, $u, $d, 300, $age, NULL, $sex, 'TRATA', $tip, 2.0, NULL, 'reniec', 1, 1)
            """,
            ("id", id), ("d", Key(date)), ("ts", date.ToDateTime(new TimeOnly(10, 0))), ("g", Geo(inei)), ("p", personKey), ("u", unitKey),
            ("age", age is null ? null : (short)age.Value), ("sex", sex?.ToString()), ("tip", tip));
    }

    public void Report(string number, DateOnly date, string inei, int unitKey, string? sourceCallId = null, bool tip = true, int crimeTypeKey = -1)
    {
        Execute("""
            INSERT INTO dw.fact_police_report (report_number, report_date_key, incident_date_key, police_unit_key, geography_key, crime_type_key, exploitation_type_key,
                source_call_id, modality, status, is_tip_related, victim_count, suspect_count, report_count, source_updated_at, batch_id)
            VALUES ($n, $d, $d, $u, $g, $c, -1, $call, NULL, 'REGISTRADA', $tip, 1, 1, 1, $ts, 1)
            """,
            ("n", number), ("d", Key(date)), ("u", unitKey), ("g", Geo(inei)), ("c", crimeTypeKey), ("call", sourceCallId), ("tip", tip), ("ts", date.ToDateTime(TimeOnly.MinValue)));
    }

    public void ReportPerson(string number, string personId, int personKey, string role, int? age)
    {
        Execute("INSERT INTO dw.bridge_report_person (report_number, person_id, person_key, role, age, batch_id) VALUES ($n, $id, $k, $r, $a, 1)",
            ("n", number), ("id", personId), ("k", personKey), ("r", role), ("a", age is null ? null : (short)age.Value));
    }

    public void Arrest(string arrestId, string number, int personKey, DateOnly date)
    {
        Execute("""
            INSERT INTO dw.fact_arrest (arrest_id, report_key, report_number, person_key, arrest_date_key, police_unit_key, geography_key, arrest_count, source_updated_at, batch_id)
            SELECT $a, report_key, report_number, $k, $d, police_unit_key, geography_key, 1, $ts, 1 FROM dw.fact_police_report WHERE report_number = $n
            """, ("a", arrestId), ("n", number), ("k", personKey), ("d", Key(date)), ("ts", date.ToDateTime(TimeOnly.MinValue)));
    }

    public void Event(long sequence, string caseNumber, DateOnly date, string stageCode, string? citedReport, string inei = Lima, string? outcome = null, int crimeTypeKey = -1, DateOnly? reportedOn = null)
    {
        Execute("""
            INSERT INTO dw.fact_case_event (event_sequence, case_number, event_date_key, reported_date_key, case_stage_key, prosecutor_office_key, geography_key, crime_type_key,
                is_tip_related, cited_report_number, charged_articles, defendant_count, sentence_outcome, sentence_years, event_count, batch_id)
            SELECT $s, $c, $d, $r, case_stage_key, -1, $g, $ct, true, $cited, '153', 1, $o, NULL, 1, 1 FROM dw.dim_case_stage WHERE stage_code = $stage
            """,
            ("s", sequence), ("c", caseNumber), ("d", Key(date)), ("r", Key(reportedOn ?? date)), ("g", Geo(inei)), ("ct", crimeTypeKey), ("cited", citedReport),
            ("o", outcome), ("stage", stageCode));
    }

    public void Defendant(long sequence, int index, int personKey, int? age)
    {
        Execute("INSERT INTO dw.bridge_case_event_defendant (event_sequence, defendant_index, person_key, age, batch_id) VALUES ($s, $i, $k, $a, 1)",
            ("s", sequence), ("i", index), ("k", personKey), ("a", age is null ? null : (short)age.Value));
    }

    /// <summary>Registers model 1 (<c>tip-call-test</c>, threshold 0.5) as the active call classifier.</summary>
    public void ActiveModel() => Execute("""
        INSERT INTO dw.dim_model (model_key, model_name, trainer, trained_at, threshold, is_active)
        VALUES (1, 'tip-call-test', 'sdca', TIMESTAMP '2008-01-01 00:00:00', 0.5, true)
        """);

    /// <summary>Scores call <paramref name="callId"/> by the active model 1 (see <see cref="ActiveModel"/>), flagged at 0.5.</summary>
    public void Score(string callId, double probability) => Execute("""
        INSERT INTO dw.fact_call_score (call_key, model_key, score_date_key, probability, is_flagged, scored_at, batch_id)
        SELECT call_key, 1, 20080115, $p, $p >= 0.5, TIMESTAMP '2008-01-15 00:00:00', 1 FROM dw.fact_hotline_call WHERE call_id = $id
        """, ("p", probability), ("id", callId));

    /// <summary>Runs linkage as the pipeline engine would: one transaction, committed.</summary>
    public LinkageRunSummary Link(long batchId, LinkageOptions? options = null)
    {
        using var transaction = Connection.BeginTransaction();
        var summary = new LinkageEngine(options ?? new LinkageOptions()).Run(Connection, batchId);
        transaction.Commit();
        return summary;
    }

    public List<(string LinkType, string Left, string Right, string Method, string Status, string CaseId)> Links() =>
        Rows("SELECT link_type, left_record_id, right_record_id, method, status, case_id FROM dw.bridge_case_link ORDER BY ALL",
            r => (r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5)));

    public string CaseOf(string recordType, string recordId) =>
        Scalar<string>("SELECT case_id FROM dw.case_membership WHERE record_type = $t AND record_id = $i", ("t", recordType), ("i", recordId))
        ?? throw new InvalidOperationException($"{recordType} {recordId} is in no case.");

    public string Snapshot() => string.Join('\n', new[] { "dw.bridge_case_link", "dw.case_membership", "dw.fact_case_lifecycle" }
        .Select(t => t + " " + Scalar<string>($"SELECT count(*) || ':' || COALESCE(sum(hash(x)), 0) FROM {t} AS x")));

    public T? Scalar<T>(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        var value = command.ExecuteScalar();
        return value is null or DBNull ? default : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), CultureInfo.InvariantCulture);
    }

    public List<T> Rows<T>(string sql, Func<System.Data.Common.DbDataReader, T> map, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    public void Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        command.ExecuteNonQuery();
    }

    public static int Key(DateOnly date) => (date.Year * 10000) + (date.Month * 100) + date.Day;

    public void Dispose() => Connection.Dispose();

    private DuckDBCommand Command(string sql, (string Name, object? Value)[] parameters)
    {
        var command = Connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(new DuckDBParameter(name, value ?? DBNull.Value));
        }

        return command;
    }
}
