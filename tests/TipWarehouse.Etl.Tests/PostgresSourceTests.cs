using System.Globalization;
using DuckDB.NET.Data;
using Npgsql;
using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;
using TipWarehouse.Etl.Engine;

namespace TipWarehouse.Etl.Tests;

/// <summary>A test that needs the real PostgreSQL server named by <c>TIPW_TEST_POSTGRES</c>: skipped (with the reason) when it is unset, except under CI (<c>CI</c> set), where it runs and fails.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    /// <summary>The connection string variable (CI's <c>.ci/run</c> sets it to the loopback server it starts).</summary>
    public const string Variable = "TIPW_TEST_POSTGRES";

    public PostgresFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Variable)) && string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("CI")))
        {
            Skip = $"{Variable} is not set: these tests read a real PostgreSQL server (e.g. {Variable}=\"Host=127.0.0.1;Port=5432;Username=tipw;Password=tipw;Database=postgres\"); under CI they fail instead of skipping";
        }
    }
}

/// <summary>The <c>postgres</c> source kind end to end against a real server: a table in its own schema, keyset chunks after the watermark, a bad value quarantined by table, key and column, incremental reruns, no password in errors.</summary>
[Collection(SimulatedWarehouseGroup.Name)]
public sealed class PostgresSourceTests(WarehouseFixture world) : IDisposable
{
    private const string ConnectionVariable = "TIPW_TEST_PG_SOURCE";
    private readonly string _schema = "tipw_test_" + Guid.NewGuid().ToString("N")[..12];
    private readonly List<string> _created = [];

    private static string ConnectionString =>
        Environment.GetEnvironmentVariable(PostgresFactAttribute.Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{PostgresFactAttribute.Variable} is not set but CI is: the PostgreSQL source tests must run in CI (.ci/run starts the server and sets it).");

    [PostgresFact]
    public async Task Table_loads_in_keyset_chunks_quarantines_a_bad_value_and_reruns_incrementally()
    {
        Execute($"""
            CREATE SCHEMA {_schema};
            CREATE TABLE {_schema}.detenciones (id_detencion bigint PRIMARY KEY, nro_denuncia text NOT NULL, fecha_detencion text, updated_at timestamp NOT NULL, notas text);
            INSERT INTO {_schema}.detenciones VALUES
              (1, 'D-1', '2006-04-01', '2006-05-01 10:00:00', NULL),
              (2, 'D-2', '2006-04-02', '2006-05-01 10:00:00', NULL),
              (3, 'D-3', 'not-a-date', '2006-05-02 09:30:00', NULL),
              (4, 'D-4', '2006-04-04', '2006-05-03 08:00:00', 'x'),
              (5, 'D-5', '2006-04-05', '2006-05-04 12:00:00', NULL);
            """);
        var (home, pipelines) = Setup("pg");
        var engine = Engine(home, pipelines, ConnectionString);

        var first = await engine.RunAsync(new PipelineRunRequest("pg_arrests", world.Sources));
        Assert.True(first.Succeeded, first.Error);
        Assert.Equal((5L, 4L, 1L, 0L), (first.RowsRead, first.RowsLoaded, first.RowsRejected, first.RowsDuplicate));
        Assert.Equal(3, first.Batches); // chunk_rows: 2 → 2 + 2 + 1 rows, each chunk its own batch

        using (var connection = Warehouse.Open(home))
        {
            // Each batch reconciles on its own: read = loaded + rejected + duplicate.
            var batches = Rows(connection, "SELECT rows_read, rows_loaded, rows_rejected, rows_duplicate, watermark_after FROM meta.batch WHERE pipeline = 'pg_arrests' ORDER BY batch_id");
            Assert.Equal(["2|2|0|0|2006-05-01 10:00:00.000000", "2|1|1|0|2006-05-03 08:00:00.000000", "1|1|0|0|2006-05-04 12:00:00.000000"], batches);

            // A database row is named by table + key + column.
            var reject = Assert.Single(Rows(connection, "SELECT source_file, source_row, source_column, reason_code FROM meta.reject WHERE pipeline = 'pg_arrests'"));
            Assert.Equal($"{_schema}.detenciones|3|fecha_detencion|invalid_date", reject);
            Assert.Equal(["1", "2", "4", "5"], Rows(connection, "SELECT arrest_id FROM main.pg_arrest ORDER BY arrest_id"));
            Assert.Equal(["2006-04-04"], Rows(connection, "SELECT strftime(arrest_date, '%Y-%m-%d') FROM main.pg_arrest WHERE arrest_id = 4"));
            // The column the spec does not declare is flagged as schema drift, not loaded.
            Assert.Equal(["notas"], Rows(connection, "SELECT source_value FROM meta.data_quality_flag WHERE flag = 'schema_extra_column' AND batch_id IN (SELECT batch_id FROM meta.batch WHERE pipeline = 'pg_arrests')"));
        }

        Execute($"""
            INSERT INTO {_schema}.detenciones VALUES
              (6, 'D-6', '2006-04-06', '2006-05-05 07:00:00', NULL),
              (7, 'D-7', '2006-04-07', '2006-05-06 07:00:00', NULL);
            """);
        var second = await engine.RunAsync(new PipelineRunRequest("pg_arrests", world.Sources));
        Assert.True(second.Succeeded, second.Error);
        // The row at the watermark is read again (>=) and counted a duplicate; only the two new rows load.
        Assert.Equal((3L, 2L, 0L, 1L), (second.RowsRead, second.RowsLoaded, second.RowsRejected, second.RowsDuplicate));

        var third = await engine.RunAsync(new PipelineRunRequest("pg_arrests", world.Sources));
        Assert.True(third.Succeeded, third.Error);
        Assert.Equal((1L, 0L, 0L, 1L), (third.RowsRead, third.RowsLoaded, third.RowsRejected, third.RowsDuplicate));

        using (var connection = Warehouse.Open(home))
        {
            Assert.Equal(["1", "2", "4", "5", "6", "7"], Rows(connection, "SELECT arrest_id FROM main.pg_arrest ORDER BY arrest_id"));
            Assert.Equal(["2006-05-06 07:00:00.000000"], Rows(connection, "SELECT watermark_value FROM meta.watermark WHERE pipeline = 'pg_arrests'"));
            Assert.Equal(["0"], Rows(connection, "SELECT count(*) FROM meta.batch WHERE pipeline = 'pg_arrests' AND rows_read <> rows_loaded + rows_rejected + rows_duplicate"));
        }
    }

    [PostgresFact]
    public async Task Query_source_reads_its_rows_after_the_watermark()
    {
        Execute($"""
            CREATE SCHEMA {_schema};
            CREATE TABLE {_schema}.detenciones (id_detencion bigint PRIMARY KEY, nro_denuncia text NOT NULL, fecha_detencion date, updated_at timestamptz NOT NULL, anulada boolean NOT NULL);
            INSERT INTO {_schema}.detenciones VALUES
              (10, 'D-10', '2006-04-01', '2006-05-01 10:00:00+00', false),
              (11, 'D-11', '2006-04-02', '2006-05-01 11:00:00+00', true),
              (12, 'D-12', '2006-04-03', '2006-05-01 12:00:00+00', false);
            """);
        var (home, pipelines) = Setup("pg-query", $"SELECT id_detencion, nro_denuncia, fecha_detencion, updated_at FROM {_schema}.detenciones WHERE NOT anulada");
        var engine = Engine(home, pipelines, ConnectionString);
        var first = await engine.RunAsync(new PipelineRunRequest("pg_arrests", world.Sources));
        Assert.True(first.Succeeded, first.Error);
        Assert.Equal((2L, 2L, 0L, 0L), (first.RowsRead, first.RowsLoaded, first.RowsRejected, first.RowsDuplicate));

        Execute($"INSERT INTO {_schema}.detenciones VALUES (13, 'D-13', '2006-04-04', '2006-05-02 08:00:00+00', false)");
        var second = await engine.RunAsync(new PipelineRunRequest("pg_arrests", world.Sources));
        Assert.True(second.Succeeded, second.Error);
        Assert.Equal((2L, 1L, 0L, 1L), (second.RowsRead, second.RowsLoaded, second.RowsRejected, second.RowsDuplicate));
        using var connection = Warehouse.Open(home);
        Assert.Equal(["10", "12", "13"], Rows(connection, "SELECT arrest_id FROM main.pg_arrest ORDER BY arrest_id"));
        // timestamptz values are read in UTC.
        Assert.Equal(["2006-05-02 08:00:00.000000"], Rows(connection, "SELECT watermark_value FROM meta.watermark WHERE pipeline = 'pg_arrests'"));
        Assert.Equal(["query"], Rows(connection, "SELECT DISTINCT source FROM meta.batch WHERE pipeline = 'pg_arrests'"));
    }

    [PostgresFact]
    public async Task A_failed_connection_names_the_variable_and_never_the_password()
    {
        const string password = "Wrong-Secret-7731";
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { Password = password };
        var (home, pipelines) = Setup("pg-auth");
        var result = await Engine(home, pipelines, builder.ConnectionString).RunAsync(new PipelineRunRequest("pg_arrests", world.Sources));
        Assert.False(result.Succeeded);
        Assert.Contains(ConnectionVariable, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(password, result.Error, StringComparison.Ordinal);
        using var connection = Warehouse.Open(home);
        Assert.Equal(["0"], Rows(connection, $"SELECT count(*) FROM meta.pipeline_run WHERE coalesce(error, '') LIKE '%{password}%'"));
        Assert.Equal(["0"], Rows(connection, $"SELECT count(*) FROM meta.batch WHERE coalesce(error, '') LIKE '%{password}%'"));
    }

    [Fact]
    public async Task An_unset_connection_variable_fails_the_run_naming_it()
    {
        var (home, pipelines) = Setup("pg-unset");
        var result = await Engine(home, pipelines, null).RunAsync(new PipelineRunRequest("pg_arrests", world.Sources));
        Assert.False(result.Succeeded);
        Assert.Contains($"the environment variable {ConnectionVariable}", result.Error, StringComparison.Ordinal);
    }

    private PipelineEngine Engine(TipwHome home, string pipelines, string? connectionString) =>
        new(home, pipelines, world.Time, [], new PipelineEngineOptions { Environment = name => name == ConnectionVariable ? connectionString : null });

    /// <summary>A fresh home with a staging table and a small load table, and a pipelines folder holding only the postgres spec.</summary>
    private (TipwHome Home, string Pipelines) Setup(string name, string? query = null)
    {
        var home = world.NewHome(name + "-" + Guid.NewGuid().ToString("N")[..8]);
        using (var connection = Warehouse.Open(home))
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE stg.pg_arrest (batch_id BIGINT NOT NULL, source_file VARCHAR NOT NULL, source_row BIGINT NOT NULL, arrest_id BIGINT NOT NULL, report_number VARCHAR NOT NULL, arrest_date DATE NOT NULL, source_updated_at TIMESTAMP NOT NULL);
                CREATE TABLE main.pg_arrest (arrest_id BIGINT, report_number VARCHAR, arrest_date DATE, source_updated_at TIMESTAMP, batch_id BIGINT);
                """;
            command.ExecuteNonQuery();
        }

        var dir = Path.Combine(world.Root, "pipelines-" + Path.GetFileName(home.Root));
        Directory.CreateDirectory(Path.Combine(dir, "pg_arrests"));
        File.WriteAllText(Path.Combine(dir, "pg_arrests", "10_load.sql"), """
            INSERT INTO main.pg_arrest SELECT arrest_id, report_number, arrest_date, source_updated_at, getvariable('batch_id') FROM stg.pg_arrest;
            """);
        File.WriteAllText(Path.Combine(dir, "pg_arrests.yaml"), $$"""
            kind: postgres
            source:
              connection_env: {{ConnectionVariable}}
              {{(query is null ? $"table: {_schema}.detenciones" : $"query: \"{query}\"")}}
              schema_drift: flag
            incremental: { strategy: watermark, column: updated_at, chunk_rows: 2 }
            target: stg.pg_arrest
            natural_key: [id_detencion]
            columns:
              - { name: id_detencion, type: long, target: arrest_id, required: true }
              - { name: nro_denuncia, target: report_number, required: true, max_length: 30 }
              - { name: fecha_detencion, type: date, format: "yyyy-MM-dd", target: arrest_date, required: true }
              - { name: updated_at, type: datetime, target: source_updated_at, required: true }
            duplicates:
              key: [arrest_id]
              version: source_updated_at
              already_loaded: "EXISTS (SELECT 1 FROM main.pg_arrest AS d WHERE d.arrest_id = s.arrest_id AND d.source_updated_at >= s.source_updated_at)"
            transforms: [pg_arrests/10_load.sql]
            """);
        return (home, dir);
    }

    private void Execute(string sql)
    {
        // Recorded before it runs: a script that fails halfway may still have created the schema, which Dispose then drops.
        if (!_created.Contains(_schema))
        {
            _created.Add(_schema);
        }

        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    private static List<string> Rows(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))));
        }

        return rows;
    }

    public void Dispose()
    {
        foreach (var schema in _created)
        {
            using var connection = new NpgsqlConnection(ConnectionString);
            connection.Open();
            using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", connection);
            command.ExecuteNonQuery();
        }
    }
}
