using Microsoft.Extensions.Time.Testing;
using TipWarehouse.Core;

namespace TipWarehouse.Schema.Tests;

public sealed class MigrationTests
{
    private static readonly FakeTimeProvider s_time = new(new DateTimeOffset(2007, 5, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Init_twice_changes_nothing()
    {
        using var connection = Warehouse.OpenPath(":memory:");
        var first = WarehouseInitializer.Initialize(connection, new InitOptions { Time = s_time });
        var schema = WarehouseSchema.Load().Description;
        var before = Db.Snapshot(connection, schema);

        var second = WarehouseInitializer.Initialize(connection, new InitOptions { Time = s_time });

        Assert.False(first.ChangedNothing);
        Assert.True(second.ChangedNothing);
        Assert.Empty(second.SchemaChanges);
        Assert.Equal(before, Db.Snapshot(connection, schema));
        Assert.Equal(1, Db.Scalar(connection, "SELECT count(*) FROM meta.schema_version"));
        Assert.Equal("2007-05-01 12:00:00", Db.Text(connection, "SELECT strftime(applied_at, '%Y-%m-%d %H:%M:%S') FROM meta.schema_version"));
    }

    [Fact]
    public void Additive_upgrade_adds_table_column_and_view_and_keeps_rows()
    {
        using var sql = new TempSqlCopy();
        var path = Path.Combine(sql.Root, "warehouse.duckdb");
        using (var connection = Warehouse.OpenPath(path))
        {
            WarehouseInitializer.Initialize(connection, new InitOptions { SqlDirectory = sql.Sql, Time = s_time });
            Exec(connection, "INSERT INTO meta.pipeline_run (run_id, pipeline, trigger_kind, started_at, status) VALUES (7, 'hotline', 'cli', TIMESTAMP '2007-05-01 10:00:00', 'succeeded')");
            Exec(connection, "INSERT INTO dw.dim_police_unit (station_id, station_name, directorate, geography_key, is_inferred, valid_from, is_current, batch_id) VALUES ('S1', 'Comisaria', 'VII DIRTEPOL LIMA', -1, false, TIMESTAMP '2007-01-01 00:00:00', true, 1)");
        }

        sql.Replace("meta/Tables/pipeline_run.sql", "    [host] NVARCHAR(120) NULL,", "    [host] NVARCHAR(120) NULL,\n    [operator_note] NVARCHAR(200) NULL,\n    [attempt] INT NOT NULL CONSTRAINT [df_pipeline_run_attempt] DEFAULT (1),");
        sql.Write("meta/Tables/export_log.sql", "CREATE TABLE [meta].[export_log]\n(\n    [export_id] BIGINT NOT NULL,\n    [path] NVARCHAR(400) NOT NULL,\n    CONSTRAINT [pk_export_log] PRIMARY KEY ([export_id])\n);\n");
        sql.Write("rpt/Views/v_runs.sql", "CREATE VIEW [rpt].[v_runs]\nAS\nSELECT [r].[pipeline], COUNT(*) AS [runs] FROM [meta].[pipeline_run] AS [r] GROUP BY [r].[pipeline];\n");

        using (var connection = Warehouse.OpenPath(path))
        {
            var result = WarehouseInitializer.Initialize(connection, new InitOptions { SqlDirectory = sql.Sql, Time = s_time });

            Assert.False(result.IsNewWarehouse);
            Assert.Contains(result.SchemaChanges, s => s.Kind == "table" && s.Description.Contains("meta.export_log", StringComparison.Ordinal));
            Assert.Contains(result.SchemaChanges, s => s.Kind == "add column" && s.Description.Contains("meta.pipeline_run.operator_note", StringComparison.Ordinal));
            Assert.Contains(result.SchemaChanges, s => s.Kind == "add column" && s.Description.Contains("meta.pipeline_run.attempt", StringComparison.Ordinal));
            Assert.Contains(result.SchemaChanges, s => s.Kind == "view" && s.Description.Contains("rpt.v_runs", StringComparison.Ordinal));
            Assert.Equal("hotline|<null>|1", Db.Text(connection, "SELECT pipeline || '|' || coalesce(operator_note, '<null>') || '|' || attempt FROM meta.pipeline_run WHERE run_id = 7"));
            Assert.Equal(1, Db.Scalar(connection, "SELECT runs FROM rpt.v_runs WHERE pipeline = 'hotline'"));
            Assert.Equal(1, Db.Scalar(connection, "SELECT count(*) FROM dw.dim_police_unit WHERE station_id = 'S1'"));
            Assert.Equal(1893, Db.Scalar(connection, "SELECT count(*) FROM dw.dim_geography WHERE geography_key > 0"));
            Assert.Equal(2, Db.Scalar(connection, "SELECT count(*) FROM meta.schema_version"));

            var again = WarehouseInitializer.Initialize(connection, new InitOptions { SqlDirectory = sql.Sql, Time = s_time });
            Assert.True(again.ChangedNothing);
        }
    }

    [Fact]
    public void Destructive_changes_are_refused_naming_each_column_and_change_nothing()
    {
        using var sql = new TempSqlCopy();
        using var connection = Warehouse.OpenPath(":memory:");
        WarehouseInitializer.Initialize(connection, new InitOptions { SqlDirectory = sql.Sql, Time = s_time });
        Exec(connection, "INSERT INTO meta.watermark VALUES ('police', 'updated_at', '2007-01-01', 1, TIMESTAMP '2007-01-01 00:00:00')");
        var schema = WarehouseSchema.Load(sql.Sql).Description;
        var before = Db.Snapshot(connection, schema);

        sql.Replace("meta/Tables/reject.sql", "    [raw_text] NVARCHAR(MAX) NULL,\n", string.Empty);
        sql.Replace("meta/Tables/watermark.sql", "[batch_id] BIGINT NOT NULL", "[batch_id] NVARCHAR(40) NOT NULL");
        sql.Replace("meta/Tables/file_manifest.sql", "    [reason] NVARCHAR(400) NULL,", "    [reason] NVARCHAR(400) NULL,\n    [checked_by] VARCHAR(40) NOT NULL,");
        File.Delete(sql.PathOf("meta/Tables/data_quality_flag.sql"));

        var error = Assert.Throws<DestructiveSchemaChangeException>(() => WarehouseInitializer.Initialize(connection, new InitOptions { SqlDirectory = sql.Sql, Time = s_time }));

        Assert.Contains("meta.reject.raw_text", error.Message, StringComparison.Ordinal);
        Assert.Contains("meta.watermark.batch_id was retyped from BIGINT to VARCHAR", error.Message, StringComparison.Ordinal);
        Assert.Contains("meta.file_manifest.checked_by", error.Message, StringComparison.Ordinal);
        Assert.Contains("meta.data_quality_flag", error.Message, StringComparison.Ordinal);
        Assert.Equal(4, error.Changes.Count);
        Assert.Equal(1, error.ExitCode);
        Assert.Equal(before, Db.Snapshot(connection, schema));
    }

    [Fact]
    public void Invalid_schema_is_refused_before_touching_the_warehouse()
    {
        using var sql = new TempSqlCopy();
        sql.Write("dw/Tables/dim_broken.sql", "CREATE TABLE [dw].[dim_broken] ([a] INT NOT NULL, CONSTRAINT [fk_x] FOREIGN KEY ([a]) REFERENCES [dw].[no_such_table] ([a]));\n");
        using var connection = Warehouse.OpenPath(":memory:");

        var error = Assert.Throws<SchemaException>(() => WarehouseInitializer.Initialize(connection, new InitOptions { SqlDirectory = sql.Sql }));

        Assert.Contains("dw/Tables/dim_broken.sql", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, Db.Scalar(connection, "SELECT count(*) FROM duckdb_tables() WHERE NOT internal"));
    }

    [Fact]
    public void Incomplete_directorate_mapping_is_refused_naming_the_department_and_loads_nothing()
    {
        using var sql = new TempSqlCopy();
        var reference = Path.Combine(sql.Root, "reference");
        foreach (var file in Directory.EnumerateFiles(SchemaSources.ReferenceDirectory, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(reference, Path.GetRelativePath(SchemaSources.ReferenceDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        var directorates = Path.Combine(reference, "pnp_directorates.csv");
        File.WriteAllLines(directorates, File.ReadAllLines(directorates).Where(l => !l.StartsWith("21,", StringComparison.Ordinal)));
        using var connection = Warehouse.OpenPath(":memory:");

        var error = Assert.Throws<TipwException>(() => WarehouseInitializer.Initialize(connection, new InitOptions { ReferenceDirectory = reference }));

        Assert.Contains("PUNO", error.Message, StringComparison.Ordinal);
        Assert.Contains("pnp_directorates.csv", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, Db.Scalar(connection, "SELECT count(*) FROM duckdb_tables() WHERE NOT internal"));
    }

    private static void Exec(DuckDB.NET.Data.DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
