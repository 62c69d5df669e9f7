using DuckDB.NET.Data;
using Microsoft.Extensions.Time.Testing;
using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;
using TipWarehouse.Etl.Engine;
using TipWarehouse.Etl.Privacy;
using TipWarehouse.Schema;
using TipWarehouse.Simulation;

namespace TipWarehouse.Etl.Tests;

/// <summary>A small simulated world (2006-03-01..2006-06-30), an initialized warehouse template, and one home loaded from it.</summary>
public sealed class WarehouseFixture : IDisposable
{
    public static readonly DateOnly From = new(2006, 3, 1);
    public static readonly DateOnly To = new(2006, 6, 30);
    private static readonly byte[] s_key = [.. Enumerable.Range(100, 32).Select(i => (byte)i)];
    private readonly string _template;

    public WarehouseFixture()
    {
        Root = Directory.CreateTempSubdirectory("tipw-etl-e2e-").FullName;
        Sources = Path.Combine(Root, "sources");
        Summary = WorldSimulator.Run(new SimulationOptions { OutputDirectory = Sources, From = From, To = To });
        _template = Path.Combine(Root, "template.duckdb");
        using (var connection = Warehouse.OpenPath(_template))
        {
            WarehouseInitializer.Initialize(connection, new InitOptions { Time = Time });
        }

        Loaded = NewHome("loaded");
        FirstRun = Engine(Loaded).RunManyAsync(null, Sources).GetAwaiter().GetResult();
    }

    public string Root { get; }

    public string Sources { get; }

    public SimulationSummary Summary { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2007, 1, 10, 12, 0, 0, TimeSpan.Zero));

    /// <summary>A home loaded once with every pipeline from <see cref="Sources"/>.</summary>
    public TipwHome Loaded { get; }

    public IReadOnlyList<PipelineRunResult> FirstRun { get; }

    public static string PipelinesDirectory => Path.Combine(AppContext.BaseDirectory, "pipelines");

    /// <summary>Copies the shipped pipelines (specs and transform SQL) into <paramref name="target"/>, for a test to edit; returns it.</summary>
    public static string CopyPipelines(string target)
    {
        foreach (var file in Directory.EnumerateFiles(PipelinesDirectory, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(target, Path.GetRelativePath(PipelinesDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to, overwrite: true);
        }

        return target;
    }

    /// <summary>A fresh home with an initialized warehouse and an owner-only key file.</summary>
    public TipwHome NewHome(string name)
    {
        var home = new TipwHome(Path.Combine(Root, name));
        home.EnsureCreated();
        File.Copy(_template, home.WarehousePath);
        var key = PseudonymKey.FilePath(home);
        File.WriteAllBytes(key, s_key);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return home;
    }

    /// <summary>A new home holding a copy of <see cref="Loaded"/>'s warehouse (already loaded once).</summary>
    public TipwHome CopyOfLoaded(string name)
    {
        var home = NewHome(name);
        File.Copy(Loaded.WarehousePath, home.WarehousePath, overwrite: true);
        if (File.Exists(Loaded.WarehousePath + ".wal"))
        {
            File.Copy(Loaded.WarehousePath + ".wal", home.WarehousePath + ".wal", overwrite: true);
        }

        // The archive of accepted rows belongs with the warehouse that committed its batches (tipw rebuild replays it).
        foreach (var file in Directory.EnumerateFiles(Loaded.ArchiveDirectory, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(home.ArchiveDirectory, Path.GetRelativePath(Loaded.ArchiveDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to, overwrite: true);
        }

        return home;
    }

    public PipelineEngine Engine(TipwHome home, IFaultInjector? faults = null, string? pipelines = null) =>
        new(home, pipelines ?? PipelinesDirectory, Time, [new TipWarehouse.Linkage.LinkageStep(), new TipWarehouse.Classifier.CallScoringStep(), new TipWarehouse.Linkage.Determination.TipDeterminationStep()], new PipelineEngineOptions { Faults = faults, Environment = _ => null });

    public static List<object?[]> Rows(TipwHome home, string sql)
    {
        using var connection = Warehouse.Open(home, readOnly: true);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        return [.. ResultTable.FromReader(reader).Rows];
    }

    public static long Scalar(TipwHome home, string sql) => Convert.ToInt64(Rows(home, sql)[0][0], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Row count and content hash of every dw table.</summary>
    public static Dictionary<string, string> HashDw(TipwHome home)
    {
        using var connection = Warehouse.Open(home, readOnly: true);
        var tables = new List<string>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'dw' AND table_type = 'BASE TABLE' ORDER BY 1";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        return tables.ToDictionary(t => t, t => Hash(connection, $"SELECT * FROM dw.{t}"));
    }

    /// <summary>Count and hash of a query's rows, independent of row order.</summary>
    public static string Hash(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) || ':' || coalesce(md5(string_agg(CAST(t AS VARCHAR), '\n' ORDER BY CAST(t AS VARCHAR))), '') FROM ({sql}) AS t";
        return (string)command.ExecuteScalar()!;
    }

    /// <summary>The dw tables projected on natural keys (no surrogate keys, batch ids or SCD2 history): what two loads of the same data must agree on.</summary>
    public static Dictionary<string, string> NaturalProjection(TipwHome home, bool withTipDetermination = true)
    {
        // is_tip_related on reports and events is rewritten by the tip_determination step; a load compared without it leaves it out.
        var tip = withTipDetermination ? "f.is_tip_related" : "NULL";
        using var connection = Warehouse.Open(home, readOnly: true);
        var queries = new Dictionary<string, string>
        {
            ["fact_hotline_call"] = """
                SELECT f.call_id, f.call_date_key, f.call_hour, f.call_ts_lima, g.ubigeo_inei, c.caller_type_code, p.person_nk, u.station_id,
                       f.referral_date_key, f.duration_sec, f.victim_age, f.is_minor, f.victim_sex, f.operator_category, f.is_tip_by_operator,
                       f.hours_to_referral, f.narrative, f.ubigeo_source_coding
                FROM dw.fact_hotline_call f JOIN dw.dim_geography g USING (geography_key) JOIN dw.dim_caller_type c USING (caller_type_key)
                JOIN dw.dim_person p ON p.person_key = f.victim_person_key JOIN dw.dim_police_unit u ON u.police_unit_key = f.referred_police_unit_key
                """,
            ["fact_police_report"] = $"""
                SELECT f.report_number, f.report_date_key, f.incident_date_key, u.station_id, g.ubigeo_inei, c.penal_article, c.valid_from,
                       f.source_call_id, f.modality, f.status, {tip} AS is_tip_related, f.victim_count, f.suspect_count, f.source_updated_at
                FROM dw.fact_police_report f JOIN dw.dim_police_unit u USING (police_unit_key) JOIN dw.dim_geography g ON g.geography_key = f.geography_key
                JOIN dw.dim_crime_type c USING (crime_type_key)
                """,
            ["fact_arrest"] = """
                SELECT f.arrest_id, f.report_number, p.person_nk, f.arrest_date_key, u.station_id, f.source_updated_at
                FROM dw.fact_arrest f JOIN dw.dim_person p USING (person_key) JOIN dw.dim_police_unit u USING (police_unit_key)
                """,
            ["fact_case_event"] = $"""
                SELECT f.event_sequence, f.case_number, f.event_date_key, f.reported_date_key, s.stage_code, o.office_code, c.penal_article,
                       {tip} AS is_tip_related, f.cited_report_number, f.charged_articles, f.defendant_count, f.sentence_outcome, f.sentence_years
                FROM dw.fact_case_event f JOIN dw.dim_case_stage s USING (case_stage_key) JOIN dw.dim_prosecutor_office o USING (prosecutor_office_key)
                JOIN dw.dim_crime_type c USING (crime_type_key)
                """,
            ["dim_person"] = "SELECT person_nk, dni_pseudonym, name_pseudonym, name_phonetic_pseudonym, age_band, sex, nationality, source_system FROM dw.dim_person WHERE is_current",
            ["dim_police_unit"] = "SELECT station_id, station_name, directorate, geography_key, tip_training_date, is_inferred FROM dw.dim_police_unit WHERE is_current",
            ["dim_prosecutor_office"] = "SELECT office_code, office_name, geography_key FROM dw.dim_prosecutor_office",
        };
        return queries.ToDictionary(q => q.Key, q => Hash(connection, q.Value));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SimulatedWarehouseGroup : ICollectionFixture<WarehouseFixture>
{
    public const string Name = "simulated warehouse";
}
