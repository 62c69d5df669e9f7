using Microsoft.Extensions.Time.Testing;
using TipWarehouse.Etl.Checking;

namespace TipWarehouse.Etl.Tests;

/// <summary><c>tipw check</c>: passes on the repository's pipelines and names file:line for each broken spec of a catalogue.</summary>
public sealed class PipelineCheckerTests : IDisposable
{
    private static readonly string[] s_stepKinds = [TipWarehouse.Linkage.LinkageStep.StepKind, TipWarehouse.Classifier.CallScoringStep.StepKind, TipWarehouse.Linkage.Determination.TipDeterminationStep.StepKind];
    private readonly string _dir = Directory.CreateTempSubdirectory("tipw-check-").FullName;

    public PipelineCheckerTests() => WarehouseFixture.CopyPipelines(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private CheckReport Check() => PipelineChecker.Check(_dir, s_stepKinds, new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero)));

    /// <summary>Replaces <paramref name="find"/> (which must occur once) in <paramref name="relativePath"/>; returns the 1-based line it was on.</summary>
    private int Break(string relativePath, string find, string replace)
    {
        var path = Path.Combine(_dir, relativePath);
        var text = File.ReadAllText(path);
        var index = text.IndexOf(find, StringComparison.Ordinal);
        Assert.True(index >= 0, $"'{find}' is not in {relativePath}: the catalogue must follow the spec");
        Assert.Equal(index, text.LastIndexOf(find, StringComparison.Ordinal));
        File.WriteAllText(path, text[..index] + replace + text[(index + find.Length)..]);
        return text[..index].Count(c => c == '\n') + 1;
    }

    [Fact]
    public void Repository_pipelines_pass_with_every_statement_run()
    {
        var report = Check();
        Assert.False(report.HasErrors, string.Join(Environment.NewLine, report.Findings));
        Assert.Equal(9, report.Pipelines);
        Assert.True(report.Statements >= 30, $"only {report.Statements} statements were run");
        // Upstream is inferred from the SQL: prosecution events cite police reports, arrests join the police persons.
        Assert.Contains("police_reports", report.InferredUpstream["prosecution"]);
        Assert.Contains("police_persons", report.InferredUpstream["police_arrests"]);
        Assert.Empty(report.InferredUpstream["linkage"]);
    }

    public static TheoryData<string, string, string, string, string> BrokenSpecs => new()
    {
        // file changed, text, replacement, file the error names, words of the message
        { "hotline.yaml", "cron: \"0 30 6 * * ?\"", "cron: \"0 30 25 * * ?\"", "hotline.yaml", "schedule.cron" },
        { "hotline.yaml", "cron: \"0 30 6 * * ?\"", "cron: \"0 61 6 * * ?\"", "hotline.yaml", "schedule.cron" },
        { "hotline.yaml", "time_zone: America/Lima", "time_zone: America/Limaa", "hotline.yaml", "schedule.time_zone" },
        { "hotline.yaml", "  delimiter: \";\"", "  delimitr: \";\"", "hotline.yaml", "source.delimitr" },
        { "police_reports.yaml", "upstream: [police_stations]", "upstream: [police_station]", "police_reports.yaml", "unknown upstream pipeline 'police_station'" },
        { "linkage.yaml", "kind: linkage", "kind: linkag", "linkage.yaml", "no step is registered for kind 'linkag'" },
        { "hotline.yaml", "  - hotline/30_fact_hotline_call.sql", "  - hotline/31_fact_hotline_call.sql", "hotline.yaml", "does not exist" },
        { "hotline.yaml", "target: duration_sec,", "target: duration_seconds,", "hotline.yaml", "stg.hotline_call has no column 'duration_seconds'" },
        { "hotline.yaml", "{ name: fecha_hora, type: datetime, format: \"dd/MM/yyyy HH:mm:ss\", target: call_ts_lima,", "{ name: fecha_hora, type: datetime, format: \"dd/MM/yyyy HH:mm:ss\",", "hotline.yaml", "call_ts_lima is NOT NULL" },
        { "hotline.yaml", "WHERE d.call_id = s.call_id", "WHERE d.call_idx = s.call_id", "hotline.yaml", "duplicates.already_loaded" },
        { "hotline.yaml", "key: [call_id], surrogate: call_key", "key: [call_idx], surrogate: call_key", "hotline.yaml", "rebuild table dw.fact_hotline_call" },
        { "hotline.yaml", "referenced_by: [dw.fact_call_score.call_key]", "referenced_by: [dw.fact_call_score.call_id]", "hotline.yaml", "rebuild referenced_by dw.fact_call_score.call_id" },
        { "hotline.yaml", "column: is_ubigeo_ambiguous", "column: is_ubigeo_ambiguos", "hotline.yaml", "counted_flags ubigeo_ambiguous" },
        { "hotline/30_fact_hotline_call.sql", "su.station_id = s.referred_station_id", "su.station_id = s.referred_station_idx", "30_fact_hotline_call.sql", "referred_station_idx" },
        { "police_stations/10_dim_police_unit.sql", "WHERE s.batch_id = getvariable('batch_id');", "WHERE WHERE s.batch_id = getvariable('batch_id');", "10_dim_police_unit.sql", "syntax error" },
        { "prosecution/30_fact_case_event.sql", "dw.fact_police_report", "dw.fact_police_reports", "30_fact_case_event.sql", "fact_police_reports" },
    };

    [Theory]
    [MemberData(nameof(BrokenSpecs))]
    public void Broken_spec_fails_with_file_and_line(string file, string find, string replace, string errorFile, string words)
    {
        var line = Break(file, find, replace);
        var report = Check();
        Assert.True(report.HasErrors, $"no error for {file}: {replace}");
        var error = Assert.Single(report.Findings, f => f.Severity == CheckSeverity.Error);
        Assert.Equal(errorFile, Path.GetFileName(error.File));
        Assert.Contains(words, error.Message, StringComparison.OrdinalIgnoreCase);
        if (file.EndsWith(".sql", StringComparison.Ordinal) || words.StartsWith("schedule", StringComparison.Ordinal) || words.StartsWith("source.", StringComparison.Ordinal)
            || words.Contains("has no column", StringComparison.Ordinal))
        {
            // The error points at the broken line itself (the spec key, the column, or the SQL line DuckDB names).
            Assert.Equal(line, error.Line);
        }
        else
        {
            // A table-level problem points at the spec key it concerns (target, upstream, kind, transforms, duplicates, a rebuild or counted_flags entry).
            var key = File.ReadAllLines(error.File)[error.Line - 1];
            Assert.Matches(@"^\s*-?\s*(target|upstream|kind|duplicates|hotline/|\{ table:|\{ flag:)", key);
        }

        Assert.Contains($"{Path.GetFileName(error.File)}:{error.Line}:", error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>A postgres spec into the arrests staging table; its variable is never set, since <c>tipw check</c> does not connect.</summary>
    private const string PostgresSpec = """
        kind: postgres
        source:
          connection_env: TIPW_CHECK_POSTGRES_UNSET
          table: pnp.detenciones
        incremental: { strategy: watermark, column: updated_at, chunk_rows: 1000 }
        target: stg.police_arrest
        natural_key: [id_detencion]
        columns:
          - { name: id_detencion, target: arrest_id, required: true, max_length: 30 }
          - { name: nro_denuncia, target: report_number, required: true, max_length: 30 }
          - { name: id_persona, target: person_id, max_length: 30 }
          - { name: fecha_detencion, type: date, target: arrest_date, required: true }
          - { name: updated_at, type: datetime, target: source_updated_at, required: true }
        """;

    [Fact]
    public void Postgres_spec_is_checked_without_connecting()
    {
        File.WriteAllText(Path.Combine(_dir, "pg_arrests.yaml"), PostgresSpec);
        var report = Check();
        Assert.False(report.HasErrors, string.Join(Environment.NewLine, report.Findings));
        Assert.Equal(10, report.Pipelines);
    }

    public static TheoryData<string, string, string> BrokenPostgresSpecs => new()
    {
        // text, replacement, words of the message
        { "  table: pnp.detenciones", "  tabel: pnp.detenciones", "source.tabel: unknown key" },
        { "  connection_env: TIPW_CHECK_POSTGRES_UNSET", "  connection_env: \"Host=db;Username=pnp;Password=S3cret-pw\"", "source.connection_env" },
        { "  table: pnp.detenciones", "  table: pnp.detenciones\n  query: SELECT * FROM pnp.detenciones", "source.query: a postgres source reads either a table" },
        { "  table: pnp.detenciones", "  table: \"pnp.detenciones; DROP TABLE x\"", "source.table" },
        { "  table: pnp.detenciones", "  table: pnp.detenciones\n  path: police/pnp.sqlite", "source.path: unknown key" },
        { "strategy: watermark,", "strategy: sequence,", "incremental.strategy: 'sequence' is not supported by a postgres source" },
        { "target: report_number,", "target: report_no,", "stg.police_arrest has no column 'report_no'" },
    };

    [Theory]
    [MemberData(nameof(BrokenPostgresSpecs))]
    public void Broken_postgres_spec_fails_with_file_and_line(string find, string replace, string words)
    {
        File.WriteAllText(Path.Combine(_dir, "pg_arrests.yaml"), PostgresSpec);
        var line = Break("pg_arrests.yaml", find, replace) + (replace.StartsWith(find + "\n", StringComparison.Ordinal) ? 1 : 0);
        var report = Check();
        // Every error is the broken spec's; one names the key at its line (an unknown key may also leave a required one missing).
        var errors = report.Findings.Where(f => f.Severity == CheckSeverity.Error).ToList();
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.Equal("pg_arrests.yaml", Path.GetFileName(e.File)));
        Assert.DoesNotContain(errors, e => e.ToString().Contains("S3cret-pw", StringComparison.Ordinal));
        var error = Assert.Single(errors, e => e.Message.Contains(words, StringComparison.Ordinal));
        Assert.Equal(line, error.Line);
        Assert.Contains($"pg_arrests.yaml:{line}:", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Undeclared_upstream_is_a_warning_at_the_sql_line_that_reads_the_table()
    {
        Break("prosecution.yaml", "upstream: [police_reports]", "upstream: []");
        var report = Check();
        Assert.False(report.HasErrors, string.Join(Environment.NewLine, report.Findings));
        var warning = Assert.Single(report.Findings, f => f.Check == "upstream" && f.Pipeline == "prosecution");
        Assert.Equal(CheckSeverity.Warning, warning.Severity);
        Assert.Equal("30_fact_case_event.sql", Path.GetFileName(warning.File));
        var sqlLines = File.ReadAllLines(warning.File);
        Assert.Contains("dw.fact_police_report", sqlLines[warning.Line - 1], StringComparison.Ordinal);
        Assert.Contains("police_reports", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Statements_are_split_outside_strings_and_comments_with_their_lines()
    {
        var sql = "-- a; comment\nSELECT ';' AS x\nFROM dw.a;\n/* b; */ INSERT INTO dw.b\nSELECT * FROM stg.c -- FROM dw.z\n;";
        var statements = TransformSql.Split(sql);
        Assert.Equal(2, statements.Count);
        Assert.Equal(2, statements[0].CodeLine);
        Assert.Equal(4, statements[1].CodeLine);
        string[] known = ["dw.a", "dw.b", "stg.c", "dw.z"];
        Assert.Equal(["dw.a", "stg.c"], TransformSql.Reads(sql, known.Contains).Select(r => r.Table));
        Assert.Equal([3, 5], TransformSql.Reads(sql, known.Contains).Select(r => r.Line));
        Assert.Equal(["dw.b"], TransformSql.Writes(sql, known.Contains).Select(r => r.Table));
    }

    [Fact]
    public void Upstream_is_inferred_from_a_table_read_inside_a_shared_macro()
    {
        // hotline calls a macro whose body reads a table police_persons writes: the read counts at the line of the call.
        File.AppendAllText(Path.Combine(_dir, "macros.sql"), "\nCREATE OR REPLACE TEMP MACRO roles_seen() AS TABLE SELECT r.person_id FROM stg.police_person_role AS r;\n");
        var line = Break("hotline/30_fact_hotline_call.sql", "CREATE OR REPLACE TEMP TABLE tmp_call AS", "CREATE OR REPLACE TEMP TABLE tmp_roles AS SELECT * FROM roles_seen();\nCREATE OR REPLACE TEMP TABLE tmp_call AS");
        var report = Check();
        Assert.False(report.HasErrors, string.Join(Environment.NewLine, report.Findings));
        Assert.Contains("police_persons", report.InferredUpstream["hotline"]);
        var warning = Assert.Single(report.Findings, f => f.Check == "upstream" && f.Pipeline == "hotline");
        Assert.Equal(("30_fact_hotline_call.sql", line), (Path.GetFileName(warning.File), warning.Line));
        Assert.Contains("stg.police_person_role", warning.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> BrokenMacros => new()
    {
        // text, replacement, words of the message
        { "CREATE OR REPLACE TEMP MACRO missing_police_units(station_ids) AS TABLE", "CREATE OR REPLACE MACRO missing_police_units(station_ids) AS TABLE", "only 'CREATE OR REPLACE TEMP MACRO" },
        { "WHEN age < 30 THEN '18-29'", "WHEN age < 30 THEN THEN '18-29'", "syntax error" },
        { "-- The data-quality flag of each missing station", "CREATE OR REPLACE TEMP MACRO age_band(x) AS x;\n-- The data-quality flag of each missing station", "macro 'age_band' is defined twice" },
    };

    [Theory]
    [MemberData(nameof(BrokenMacros))]
    public void Broken_shared_macro_fails_at_its_line_in_macros_sql(string find, string replace, string words)
    {
        var line = Break("macros.sql", find, replace);
        var report = Check();
        // The transforms that call a refused macro fail too; the macro's own error names macros.sql and the broken line.
        var error = Assert.Single(report.Findings, f => f.Severity == CheckSeverity.Error && Path.GetFileName(f.File) == "macros.sql");
        Assert.Equal("macro", error.Check);
        Assert.Contains(words, error.Message, StringComparison.Ordinal);
        Assert.Equal(line, error.Line);
    }

    public static TheoryData<string, string, string, string, string> BrokenSeeds => new()
    {
        // file changed (under reference/), text, replacement, file the error names, words of the message
        { "seeds.yaml", "file: caller_types.csv", "file: caller_type.csv", "seeds.yaml", "file: caller_type.csv does not exist" },
        { "seeds.yaml", "table: dw.dim_caller_type", "table: dw.dim_caller_types", "seeds.yaml", "table: dw.dim_caller_types is not a table" },
        { "seeds.yaml", "key: [caller_type_code]", "key: [caller_code]", "seeds.yaml", "key: column 'caller_code' is not in the header of caller_types.csv" },
        { "seeds.yaml", "- file: case_stages.csv\n    table: dw.dim_case_stage\n    key: [stage_code]\n    licence: written for this project (the repository's licence)", "- file: case_stages.csv\n    table: dw.dim_case_stage\n    key: [stage_code]", "seeds.yaml", "a seed needs licence" },
        { "seeds.yaml", "key: [control_code]", "key: [control_code]\n    kee: [x]", "seeds.yaml", "kee: unknown key" },
        { "caller_types.csv", "caller_type_code,caller_type_name_es", "caller_type_code,caller_type_name_es,caller_type_colour", "caller_types.csv", "column 'caller_type_colour' is not a column of dw.dim_caller_type" },
        { "case_stages.csv", "stage_code,stage_order,stage_name_es,agency", "stage_code,stage_order,agency", "case_stages.csv", "the header lacks column 'stage_name_es'" },
    };

    [Theory]
    [MemberData(nameof(BrokenSeeds))]
    public void Broken_seed_manifest_fails_with_file_and_line(string file, string find, string replace, string errorFile, string words)
    {
        var reference = Path.Combine(_dir, "reference");
        foreach (var source in Directory.EnumerateFiles(TipWarehouse.Schema.SchemaSources.ReferenceDirectory))
        {
            Directory.CreateDirectory(reference);
            File.Copy(source, Path.Combine(reference, Path.GetFileName(source)));
        }

        var line = Break(Path.Combine("reference", file), find, replace) + (replace.StartsWith(find + "\n", StringComparison.Ordinal) ? 1 : 0);
        var report = PipelineChecker.Check(_dir, s_stepKinds, new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero)), referenceDirectory: reference);
        var error = Assert.Single(report.Findings, f => f.Severity == CheckSeverity.Error);
        Assert.Equal(("seed", errorFile), (error.Check, Path.GetFileName(error.File)));
        Assert.Contains(words, error.Message, StringComparison.Ordinal);
        Assert.Equal(line, error.Line);
        Assert.Contains($"{errorFile}:{line}:", error.ToString(), StringComparison.Ordinal);
    }
}
