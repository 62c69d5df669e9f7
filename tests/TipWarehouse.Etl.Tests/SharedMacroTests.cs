using DuckDB.NET.Data;
using Microsoft.Extensions.Time.Testing;
using TipWarehouse.Core;
using TipWarehouse.Etl.Checking;
using TipWarehouse.Etl.Specs;
using TipWarehouse.Schema;

namespace TipWarehouse.Etl.Tests;

/// <summary>The shared macros of <c>pipelines/macros.sql</c> give what the SQL they replaced gave, and the tables their bodies read count for lineage.</summary>
public sealed class SharedMacroTests : IDisposable
{
    // The SQL the transforms held before the macros, kept here as the reference the macros must reproduce.
    private const string InlineAgeBand = """
        CASE WHEN a IS NULL THEN 'unknown' WHEN a < 12 THEN '0-11' WHEN a < 18 THEN '12-17'
             WHEN a < 30 THEN '18-29' WHEN a < 45 THEN '30-44' WHEN a < 60 THEN '45-59' ELSE '60+' END
        """;

    private const string InlineInferredUnits = """
        INSERT INTO meta.data_quality_flag (batch_id, pipeline, table_name, natural_key, flag, source_value, detail)
        SELECT DISTINCT getvariable('batch_id'), getvariable('pipeline'), 'dw.dim_police_unit', s.station_id, 'inferred_member', s.station_id,
               'station referred to before the police source delivered it: inferred member created'
        FROM stg.police_report AS s
        WHERE s.station_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM dw.dim_police_unit AS d WHERE d.station_id = s.station_id);

        INSERT INTO dw.dim_police_unit (station_id, station_name, directorate, geography_key, tip_training_date, is_inferred, valid_from, valid_to, is_current, row_hash, batch_id)
        SELECT DISTINCT s.station_id, 'Inferida ' || s.station_id, 'Desconocida', -1, CAST(NULL AS DATE), true,
               TIMESTAMP '1900-01-01 00:00:00', CAST(NULL AS TIMESTAMP), true, CAST(NULL AS VARCHAR), getvariable('batch_id')
        FROM stg.police_report AS s
        WHERE s.station_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM dw.dim_police_unit AS d WHERE d.station_id = s.station_id);
        """;

    private readonly DuckDBConnection _connection = Warehouse.OpenPath(":memory:");

    public SharedMacroTests()
    {
        WarehouseInitializer.Initialize(_connection, new InitOptions { LoadReferenceData = false, Time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero)) });
        SharedMacros.Load(WarehouseFixture.PipelinesDirectory).Create(_connection);
    }

    public void Dispose() => _connection.Dispose();

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private List<string> Rows(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "∅" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }

        return rows;
    }

    [Fact]
    public void Age_band_gives_the_band_the_inline_case_gave_for_every_age()
    {
        // Every integer age from -5 to 130, a fractional one either side of each boundary, and NULL.
        var differences = Rows($"""
            WITH ages(a) AS (SELECT CAST(x AS DECIMAL(6,2)) FROM range(-5, 131) AS r(x)
                             UNION ALL SELECT b + d FROM (VALUES (12), (18), (30), (45), (60)) AS v(b), (VALUES (-0.5), (0.5)) AS w(d)
                             UNION ALL SELECT NULL)
            SELECT coalesce(CAST(a AS VARCHAR), 'NULL'), age_band(a), {InlineAgeBand} FROM ages WHERE age_band(a) IS DISTINCT FROM ({InlineAgeBand})
            """);
        Assert.Empty(differences);
        Assert.Equal(["unknown|0-11|12-17|12-17|18-29|60+"], Rows("SELECT age_band(NULL) || '|' || age_band(0) || '|' || age_band(12) || '|' || age_band(17) || '|' || age_band(18) || '|' || age_band(99)"));
    }

    [Fact]
    public void Inferred_police_unit_macros_write_the_rows_and_flags_the_inline_sql_wrote()
    {
        // One station already delivered, two new ones named twice, and reports without a station.
        Execute("""
            INSERT INTO dw.dim_police_unit (station_id, station_name, directorate, geography_key, is_inferred, valid_from, is_current, batch_id)
            VALUES ('C0001', 'Comisaría Uno', 'VII DIRTEPOL LIMA', -1, false, TIMESTAMP '2005-01-01 00:00:00', true, 1);
            INSERT INTO stg.police_report (batch_id, source_file, source_row, report_number, report_date, station_id, source_updated_at)
            VALUES (7, 'pnp', 1, 'D1', DATE '2006-01-02', 'C0001', TIMESTAMP '2006-01-02 10:00:00'),
                   (7, 'pnp', 2, 'D2', DATE '2006-01-02', 'C0107', TIMESTAMP '2006-01-02 10:00:00'),
                   (7, 'pnp', 3, 'D3', DATE '2006-01-03', 'C0107', TIMESTAMP '2006-01-03 10:00:00'),
                   (7, 'pnp', 4, 'D4', DATE '2006-01-03', NULL, TIMESTAMP '2006-01-03 10:00:00'),
                   (7, 'pnp', 5, 'D5', DATE '2006-01-04', 'C0233', TIMESTAMP '2006-01-04 10:00:00'),
                   (7, 'pnp', 6, 'D6', DATE '2006-01-04', 'C0233', TIMESTAMP '2006-01-04 10:00:00');
            SET VARIABLE batch_id = 7; SET VARIABLE pipeline = 'police_reports';
            """);
        const string Units = "SELECT * EXCLUDE (police_unit_key) FROM dw.dim_police_unit ORDER BY station_id";
        const string Flags = "SELECT * FROM meta.data_quality_flag ORDER BY natural_key";

        List<string> Apply(string sql)
        {
            using var transaction = _connection.BeginTransaction();
            Execute(sql);
            var rows = Rows(Units).Concat(Rows(Flags)).ToList();
            transaction.Rollback();
            return rows;
        }

        var inline = Apply(InlineInferredUnits);
        var shared = Apply(File.ReadAllText(Path.Combine(WarehouseFixture.PipelinesDirectory, "police_reports", "10_inferred_police_units.sql")));
        Assert.Equal(inline, shared);
        // The delivered station and the two inferred ones, each flagged once.
        Assert.Equal(3, shared.Count(r => r.StartsWith('C')));
        Assert.Equal(2, shared.Count(r => r.Contains("inferred_member", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_transform_reads_the_tables_of_the_macros_it_calls()
    {
        var relations = new HashSet<string>(Rows("SELECT lower(table_schema || '.' || table_name) FROM information_schema.tables"), StringComparer.Ordinal);
        var sql = File.ReadAllText(Path.Combine(WarehouseFixture.PipelinesDirectory, "hotline", "20_inferred_police_units.sql"));
        var macros = SharedMacros.Load(WarehouseFixture.PipelinesDirectory);

        // The file itself names only the staging table; dim_police_unit is read inside missing_police_units, through inferred_police_units.
        Assert.DoesNotContain("dw.dim_police_unit", PipelineChecker.TablesOf(sql, relations.Contains).Reads);
        var tables = PipelineChecker.TablesOf(sql, relations.Contains, macros);
        Assert.Equal(["dw.dim_police_unit", "stg.hotline_call"], tables.Reads);
        Assert.Equal(["dw.dim_police_unit", "meta.data_quality_flag"], tables.Writes);
    }

    [Fact]
    public void A_statement_that_is_not_a_temp_macro_is_refused_with_its_line()
    {
        var dir = Directory.CreateTempSubdirectory("tipw-macros-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, SharedMacros.FileName), "-- shared\nCREATE OR REPLACE TEMP MACRO twice(x) AS 2 * x;\n\nCREATE TABLE dw.scratch AS SELECT 1 AS x;\nCREATE OR REPLACE MACRO kept(x) AS x;\n");
            var ex = Assert.Throws<SpecException>(() => SharedMacros.Load(dir));
            Assert.Equal([4, 5], ex.Errors.Select(e => e.Line));
            Assert.All(ex.Errors, e => Assert.Contains("TEMP MACRO", e.Message, StringComparison.Ordinal));
            Assert.Same(SharedMacros.None, SharedMacros.Load(Path.Combine(dir, "none")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

/// <summary>The inferred-units macros through the engine: police reports loaded before the stations infer every station they name, and the stations pipeline completes them.</summary>
[Collection(SimulatedWarehouseGroup.Name)]
public sealed class InferredPoliceUnitRunTests(WarehouseFixture world)
{
    [Fact]
    public async Task Reports_loaded_before_the_stations_infer_each_station_once_and_the_stations_complete_them()
    {
        var home = world.NewHome("inferred-units");
        var engine = world.Engine(home);
        var reports = await engine.RunAsync(new Core.Pipelines.PipelineRunRequest("police_reports", world.Sources));
        Assert.True(reports.Succeeded, reports.Error);

        var named = WarehouseFixture.Scalar(home, "SELECT count(DISTINCT u.station_id) FROM dw.fact_police_report AS r JOIN dw.dim_police_unit AS u ON u.police_unit_key = r.police_unit_key WHERE u.police_unit_key <> -1");
        Assert.True(named > 10, $"only {named} stations named");
        Assert.Equal(named, WarehouseFixture.Scalar(home, "SELECT count(*) FROM dw.dim_police_unit WHERE is_inferred AND station_name = 'Inferida ' || station_id AND directorate = 'Desconocida'"));
        Assert.Equal(named, WarehouseFixture.Scalar(home, "SELECT count(DISTINCT natural_key) FROM meta.data_quality_flag WHERE flag = 'inferred_member' AND pipeline = 'police_reports' AND table_name = 'dw.dim_police_unit'"));

        var stations = await engine.RunAsync(new Core.Pipelines.PipelineRunRequest("police_stations", world.Sources));
        Assert.True(stations.Succeeded, stations.Error);
        Assert.Equal(0, WarehouseFixture.Scalar(home, "SELECT count(*) FROM dw.dim_police_unit WHERE is_inferred AND station_id IN (SELECT station_id FROM dw.dim_police_unit WHERE NOT is_inferred)"));
    }
}
