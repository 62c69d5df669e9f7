using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using TipWarehouse.Analytics.Reports;
using Microsoft.Extensions.Time.Testing;
using TipWarehouse.Core;
using TipWarehouse.Schema;

namespace TipWarehouse.Analytics.Tests;

/// <summary>
/// A small warehouse with synthetic facts whose totals the tests know: 6 districts in 5 directorates, hotline calls from
/// 2006-03, police reports 2005-01..2007-12 with a training effect of exactly +3 TIP reports a month after training,
/// arrests, prosecution events and linked cases. Facts are written with plain SQL inserts.
/// </summary>
public sealed class SyntheticWarehouse : IDisposable
{
    public const int TrainingEffect = 3;

    public static readonly (int Key, string Department, string Directorate, decimal Poverty)[] Geographies =
    [
        (1, "LIMA", "VII DIRTEPOL LIMA", 20.0m),
        (2, "CALLAO", "VII DIRTEPOL LIMA", 15.0m),
        (3, "AREQUIPA", "DIRTEPOL AREQUIPA", 25.0m),
        (4, "CUSCO", "DIRTEPOL CUSCO", 50.0m),
        (5, "PUNO", "DIRTEPOL PUNO", 60.0m),
        (6, "LORETO", "DIRTEPOL LORETO", 55.0m),
    ];

    public static readonly Dictionary<int, DateOnly?> StationTraining = new()
    {
        [1] = new DateOnly(2007, 4, 10),
        [2] = new DateOnly(2007, 4, 25),
        [3] = new DateOnly(2007, 4, 20),
        [4] = new DateOnly(2007, 9, 5),
        [5] = null,
        [6] = null,
    };

    public SyntheticWarehouse(bool withActiveModel = false, string? path = null)
    {
        Connection = Warehouse.OpenPath(path ?? ":memory:");
        // The real schema: DacFx compiles sql/ and the initializer generates the DuckDB DDL, views and unknown members.
        WarehouseInitializer.Initialize(Connection, new InitOptions { SqlDirectory = RepoPaths.SqlDirectory, LoadReferenceData = false, Time = new FakeTimeProvider(new DateTimeOffset(2008, 1, 15, 12, 0, 0, TimeSpan.Zero)) });
        Build(withActiveModel);
    }

    public DuckDBConnection Connection { get; }

    public List<HotlineCall> Calls { get; } = [];

    public List<Report> Reports { get; } = [];

    public List<Arrest> Arrests { get; } = [];

    public List<CaseEvent> Events { get; } = [];

    public List<Lifecycle> Cases { get; } = [];

    public Dictionary<string, bool> Scores { get; } = [];

    public static YearMonth? DirectorateTraining(string directorate) => directorate switch
    {
        "VII DIRTEPOL LIMA" or "DIRTEPOL AREQUIPA" => new YearMonth(2007, 4),
        "DIRTEPOL CUSCO" => new YearMonth(2007, 9),
        _ => null,
    };

    public static string DirectorateOf(int geographyKey) => geographyKey < 0 ? "Desconocida" : Geographies.Single(g => g.Key == geographyKey).Directorate;

    public static string DepartmentOf(int geographyKey) => geographyKey < 0 ? "Desconocido" : Geographies.Single(g => g.Key == geographyKey).Department;

    public void Dispose() => Connection.Dispose();

    private void Build(bool withActiveModel)
    {
        Execute(DateDimensionSql);
        var stages = new[] { "COMPLAINT_RECEIVED", "PRELIMINARY_INVESTIGATION", "FORMALIZATION", "ACCUSATION", "TRIAL", "SENTENCE", "PRISON_ENTRY", "RELEASE", "ARCHIVED" };
        Insert("dw.dim_case_stage", "case_stage_key, stage_code, stage_name_es, stage_order, agency", stages.Select((s, i) => new object?[] { i + 1, s, s, i + 1, "MP" }));

        Insert(
            "dw.dim_geography",
            "geography_key, ubigeo_inei, ubigeo_reniec, district_name, province_code_inei, province_name, department_code_inei, department_name, pnp_directorate, poverty_rate_pct",
            Geographies.Select(g => new object?[] { g.Key, $"{g.Key:00}0101", $"{g.Key:00}0102", g.Department, $"{g.Key:00}01", g.Department, $"{g.Key:00}", g.Department, g.Directorate, g.Poverty }));
        Insert(
            "dw.dim_police_unit",
            "police_unit_key, station_id, station_name, directorate, geography_key, tip_training_date, is_inferred, valid_from, valid_to, is_current, batch_id",
            Geographies.Select(g => new object?[] { g.Key, $"S{g.Key}", $"COMISARIA {g.Department}", g.Directorate, g.Key, StationTraining[g.Key], false, new DateTime(2005, 1, 1), null, true, 1 }));

        BuildCalls();
        BuildReports();
        BuildEvents();
        BuildCases();
        if (withActiveModel)
        {
            Insert("dw.dim_model", "model_key, model_name, trainer, trained_at, threshold, is_active", [[1, "m1", "sdca", new DateTime(2007, 6, 1), 0.5, true], [2, "m0", "sdca", new DateTime(2007, 1, 1), 0.5, false]]);
            // Two calls in three scored; the flag (probability 0.9, else 0.1) agrees with the operator's label on most calls:
            // seven TIP calls in eight and one other call in nine are flagged.
            var scored = Calls.Where((c, i) => i % 3 != 1).ToArray();
            foreach (var call in scored)
            {
                Scores[call.Id] = call.IsTip ? call.Index % 8 != 0 : call.Index % 9 == 0;
            }

            Insert("dw.fact_call_score", "call_key, model_key, score_date_key, probability, is_flagged, scored_at, batch_id", scored.Select(c => new object?[] { c.Index, 1, 20070601, Scores[c.Id] ? 0.9 : 0.1, Scores[c.Id], new DateTime(2007, 6, 1), 1 }));

            // Scores of an inactive model must not count.
            Insert("dw.fact_call_score", "call_key, model_key, score_date_key, probability, is_flagged, scored_at, batch_id", Calls.Select(c => new object?[] { c.Index, 2, 20070101, 0.9, true, new DateTime(2007, 1, 1), 1 }));
        }
    }

    private void BuildCalls()
    {
        var index = 0;
        for (var month = YearMonth.HotlineOpened; month <= new YearMonth(2007, 12); month = month.AddMonths(1))
        {
            foreach (var g in Geographies)
            {
                var n = 3 + g.Key + (month.Index % 3);
                for (var j = 0; j < n; j++)
                {
                    index++;
                    var tip = index % 4 == 0;
                    var referred = tip && index % 8 == 0;
                    Calls.Add(new HotlineCall(index, $"C{index:000000}", new DateOnly(month.Year, month.Month, 1 + (index % 28)), g.Key, tip, referred ? g.Key : -1, referred ? (index % 30) + 0.5 : null));
                }
            }

            if (month == new YearMonth(2006, 6))
            {
                for (var j = 0; j < 2; j++)
                {
                    index++;
                    Calls.Add(new HotlineCall(index, $"C{index:000000}", new DateOnly(2006, 6, 10), -1, true, -1, null));
                }
            }
        }

        Insert(
            "dw.fact_hotline_call",
            "call_key, call_id, call_date_key, call_hour, call_ts_lima, geography_key, caller_type_key, victim_person_key, referred_police_unit_key, referral_date_key, is_tip_by_operator, hours_to_referral, ubigeo_source_coding, call_count, batch_id",
            Calls.Select(c => new object?[] { c.Index, c.Id, Key(c.Date), 10, c.Date.ToDateTime(new TimeOnly(10, 0)), c.GeographyKey, -1, -1, c.ReferredUnit, c.ReferredUnit > 0 ? Key(c.Date) : -1, c.IsTip, c.HoursToReferral is { } h ? (decimal)h : null, "RENIEC", 1, 1 }));
    }

    private void BuildReports()
    {
        var index = 0;
        for (var month = new YearMonth(2005, 1); month <= new YearMonth(2007, 12); month = month.AddMonths(1))
        {
            foreach (var g in Geographies)
            {
                var trained = DirectorateTraining(g.Directorate);
                // The second Lima station (Callao) is flat, so every directorate's series has the same seasonality and
                // the training effect is exactly +3 a month per directorate (parallel trends hold by construction).
                var tipReports = g.Key == 2 ? 1 : 1 + (g.Key % 2) + (month.Month % 3) + (trained is { } t && month > t ? TrainingEffect : 0);
                for (var j = 0; j < tipReports + 1; j++)
                {
                    index++;
                    Reports.Add(new Report(index, $"R{index:000000}", new DateOnly(month.Year, month.Month, 2 + (j % 20)), g.Key, g.Key, j < tipReports, null));
                }
            }
        }

        foreach (var call in Calls.Where(c => c.ReferredUnit > 0 && c.Index % 16 == 0))
        {
            index++;
            Reports.Add(new Report(index, $"R{index:000000}", call.Date, call.ReferredUnit, call.GeographyKey, false, call.Id));
        }

        Insert(
            "dw.fact_police_report",
            "report_key, report_number, report_date_key, incident_date_key, police_unit_key, geography_key, crime_type_key, exploitation_type_key, source_call_id, status, is_tip_related, victim_count, suspect_count, report_count, source_updated_at, batch_id",
            Reports.Select(r => new object?[] { r.Index, r.Number, Key(r.Date), Key(r.Date), r.PoliceUnitKey, r.GeographyKey, -1, -1, r.SourceCallId, "ABIERTO", r.IsTip, 1, 1, 1, r.Date.ToDateTime(TimeOnly.MinValue), 1 }));

        var arrest = 0;
        foreach (var report in Reports.Where(r => r.Index % 5 == 0))
        {
            arrest++;
            Arrests.Add(new Arrest(arrest, report.Index, report.Date, report.IsTip));
        }

        Insert(
            "dw.fact_arrest",
            "arrest_key, arrest_id, report_key, report_number, person_key, arrest_date_key, police_unit_key, geography_key, arrest_count, source_updated_at, batch_id",
            Arrests.Select(a => new object?[] { a.Index, $"A{a.Index}", a.ReportKey, $"R{a.ReportKey:000000}", -1, Key(a.Date), -1, -1, 1, a.Date.ToDateTime(TimeOnly.MinValue), 1 }));
    }

    private void BuildEvents()
    {
        var index = 0;
        for (var month = new YearMonth(2005, 1); month <= new YearMonth(2007, 12); month = month.AddMonths(1))
        {
            foreach (var g in Geographies)
            {
                var slot = month.Index + g.Key;
                void Add(string stage, bool tip, string? outcome)
                {
                    index++;
                    Events.Add(new CaseEvent(index, new DateOnly(month.Year, month.Month, 5), stage, g.Key, tip, outcome));
                }

                if (slot % 4 == 0)
                {
                    Add("COMPLAINT_RECEIVED", true, null);
                }

                if (slot % 5 == 0)
                {
                    Add("COMPLAINT_RECEIVED", false, null);
                }

                if (slot % 8 == 0)
                {
                    Add("FORMALIZATION", true, null);
                }

                if (slot % 12 == 0)
                {
                    Add("SENTENCE", true, g.Key % 2 == 1 ? "CONDENA" : "ABSUELTO");
                }
            }
        }

        var stageKeys = new[] { "COMPLAINT_RECEIVED", "PRELIMINARY_INVESTIGATION", "FORMALIZATION", "ACCUSATION", "TRIAL", "SENTENCE", "PRISON_ENTRY", "RELEASE", "ARCHIVED" };
        Insert(
            "dw.fact_case_event",
            "case_event_key, event_sequence, case_number, event_date_key, reported_date_key, case_stage_key, prosecutor_office_key, geography_key, crime_type_key, is_tip_related, defendant_count, sentence_outcome, event_count, batch_id",
            Events.Select(e => new object?[] { e.Index, e.Index, $"CASE-{e.Index}", Key(e.Date), Key(e.Date), Array.IndexOf(stageKeys, e.Stage) + 1, -1, e.GeographyKey, -1, e.IsTip, 1, e.Outcome, 1, 1 }));
    }

    private void BuildCases()
    {
        var origin = new DateOnly(2006, 3, 15);
        for (var j = 0; j < 40; j++)
        {
            DateOnly? call = j % 3 != 0 ? origin.AddDays(j * 9) : null;
            DateOnly? report = j % 5 != 4 ? (call ?? new DateOnly(2006, 1, 10).AddDays(j * 11)).AddDays(3 + (j % 4)) : null;
            DateOnly? prosecution = j % 2 == 0 ? (report ?? new DateOnly(2006, 2, 1).AddDays(j * 7)).AddDays(20 + j) : null;
            DateOnly? charge = prosecution is { } p && j % 4 == 0 ? p.AddDays(60) : null;
            DateOnly? trial = charge is { } c && j % 8 == 0 ? c.AddDays(90 + j) : null;
            DateOnly? sentence = trial?.AddDays(30);
            var outcome = sentence is null ? "SIN_PROCESO" : (j % 16 == 0 ? "CONDENA" : "ABSUELTO");
            DateOnly? prison = outcome == "CONDENA" ? sentence!.Value.AddDays(10) : null;
            Cases.Add(new Lifecycle($"K{j:000}", call, report, prosecution, charge, trial, sentence, outcome, prison, j % 7 != 6));
        }

        Insert(
            "dw.fact_case_lifecycle",
            "case_id, first_call_date_key, police_report_date_key, first_arrest_date_key, prosecution_opened_date_key, formalization_date_key, accusation_date_key, trial_date_key, sentence_date_key, prison_entry_date_key, release_date_key, current_stage_key, outcome, geography_key, police_unit_key, crime_type_key, is_tip_related, hotline_call_count, police_report_count, arrest_count, case_event_count, last_updated_batch_id",
            Cases.Select(c => new object?[] { c.Id, Key(c.Call), Key(c.Report), -1, Key(c.Prosecution), Key(c.Charge), -1, Key(c.Trial), Key(c.Sentence), Key(c.Prison), -1, -1, c.Outcome, 1, 1, -1, c.IsTip, 1, 1, 0, 1, 1 }));
    }

    public void Execute(string sql)
    {
        using var command = Connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Insert(string table, string columns, IEnumerable<object?[]> rows)
    {
        var all = rows.ToArray();
        for (var start = 0; start < all.Length; start += 500)
        {
            var sql = new StringBuilder($"INSERT INTO {table} ({columns}) VALUES ");
            for (var i = start; i < Math.Min(all.Length, start + 500); i++)
            {
                sql.Append(i > start ? ",(" : "(").AppendJoin(", ", all[i].Select(Literal)).Append(')');
            }

            Execute(sql.ToString());
        }
    }

    private static int Key(DateOnly date) => (date.Year * 10000) + (date.Month * 100) + date.Day;

    private static int Key(DateOnly? date) => date is { } d ? Key(d) : -1;

    private static string Literal(object? value) => value switch
    {
        null => "NULL",
        string s => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'",
        bool b => b ? "true" : "false",
        DateOnly d => $"DATE '{d:yyyy-MM-dd}'",
        DateTime dt => $"TIMESTAMP '{dt:yyyy-MM-dd HH:mm:ss}'",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => throw new ArgumentException($"No literal for {value.GetType()}"),
    };

    private const string DateDimensionSql = """
        INSERT INTO dw.dim_date
        SELECT CAST(strftime(d, '%Y%m%d') AS INTEGER), CAST(d AS DATE), year(d), quarter(d), month(d), 'mes', 'mes',
               strftime(d, '%Y-%m'), strftime(d, '%Y') || '-Q' || CAST(quarter(d) AS VARCHAR), day(d), dayofyear(d), isodow(d), 'dia',
               isodow(d) >= 6, weekofyear(d), isoyear(d), year(d), quarter(d), CAST(date_trunc('month', d) AS DATE)
        FROM range(TIMESTAMP '2004-01-01', TIMESTAMP '2009-01-01', INTERVAL 1 DAY) AS t(d)
        """;

    /// <summary>A synthetic hotline call.</summary>
    public sealed record HotlineCall(int Index, string Id, DateOnly Date, int GeographyKey, bool IsTip, int ReferredUnit, double? HoursToReferral)
    {
        public YearMonth Month => new(Date.Year, Date.Month);
    }

    /// <summary>A synthetic police report.</summary>
    public sealed record Report(int Index, string Number, DateOnly Date, int PoliceUnitKey, int GeographyKey, bool IsTip, string? SourceCallId)
    {
        public YearMonth Month => new(Date.Year, Date.Month);
    }

    /// <summary>A synthetic arrest.</summary>
    public sealed record Arrest(int Index, int ReportKey, DateOnly Date, bool ReportIsTip)
    {
        public YearMonth Month => new(Date.Year, Date.Month);
    }

    /// <summary>A synthetic prosecution case event.</summary>
    public sealed record CaseEvent(int Index, DateOnly Date, string Stage, int GeographyKey, bool IsTip, string? Outcome)
    {
        public YearMonth Month => new(Date.Year, Date.Month);
    }

    /// <summary>A synthetic linked case.</summary>
    public sealed record Lifecycle(string Id, DateOnly? Call, DateOnly? Report, DateOnly? Prosecution, DateOnly? Charge, DateOnly? Trial, DateOnly? Sentence, string Outcome, DateOnly? Prison, bool IsTip)
    {
        public DateOnly? Entry => Call ?? Report ?? Prosecution;
    }
}
