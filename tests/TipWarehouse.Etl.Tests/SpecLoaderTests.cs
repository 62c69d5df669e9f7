using TipWarehouse.Etl.Specs;

namespace TipWarehouse.Etl.Tests;

public sealed class SpecLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tipw-spec-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string Valid = """
        name: calls
        kind: csv
        schedule:
          cron: "0 30 6 * * ?"
          time_zone: America/Lima
        source:
          path: hotline
          pattern: "*.csv"
          encoding: windows-1252
          delimiter: ";"
        incremental:
          strategy: file_manifest
        target: stg.hotline_call
        columns:
          - { name: id_llamada, target: call_id, required: true }
          - { name: fecha_hora, type: datetime, format: "dd/MM/yyyy HH:mm:ss", target: call_ts_lima }
        """;

    private SpecException LoadExpectingError(string yaml, string file = "calls.yaml")
    {
        File.WriteAllText(Path.Combine(_dir, file), yaml);
        return Assert.Throws<SpecException>(() => SpecLoader.LoadDirectory(_dir));
    }

    [Fact]
    public void Valid_spec_loads_with_its_schedule_and_columns()
    {
        File.WriteAllText(Path.Combine(_dir, "calls.yaml"), Valid);
        var spec = Assert.Single(SpecLoader.LoadDirectory(_dir));
        Assert.Equal("calls", spec.Name);
        Assert.Equal("0 30 6 * * ?", spec.Cron);
        Assert.Equal(';', spec.Source.Delimiter);
        Assert.Equal(ColumnType.DateTime, spec.Columns[1].Type);
        Assert.Equal("America/Lima", spec.ToDescriptor().TimeZone);
    }

    [Fact]
    public void Counted_flags_load_and_an_unqualified_table_or_missing_column_is_reported()
    {
        const string Flag = "\ncounted_flags:\n  - { flag: ubigeo_ambiguous, table: dw.fact_hotline_call, column: is_ubigeo_ambiguous, detail: \"read as RENIEC\" }\n";
        File.WriteAllText(Path.Combine(_dir, "calls.yaml"), Valid + Flag);
        var flag = Assert.Single(Assert.Single(SpecLoader.LoadDirectory(_dir)).CountedFlags);
        Assert.Equal(("ubigeo_ambiguous", "dw.fact_hotline_call", "is_ubigeo_ambiguous", "read as RENIEC"), (flag.Flag, flag.Table, flag.Column, flag.Detail));

        var unqualified = LoadExpectingError(Valid + Flag.Replace("table: dw.fact_hotline_call", "table: fact_hotline_call", StringComparison.Ordinal));
        Assert.Contains(unqualified.Errors, e => e.Field.EndsWith(".table", StringComparison.Ordinal) && e.Message.Contains("schema-qualified", StringComparison.Ordinal));
        var noColumn = LoadExpectingError(Valid + Flag.Replace(" column: is_ubigeo_ambiguous,", "", StringComparison.Ordinal));
        Assert.Contains(noColumn.Errors, e => e.Field.Contains("column", StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_key_is_reported_with_file_line_and_field()
    {
        var ex = LoadExpectingError(Valid.Replace("  pattern: \"*.csv\"", "  patern: \"*.csv\"", StringComparison.Ordinal));
        var error = Assert.Single(ex.Errors);
        Assert.EndsWith("calls.yaml", error.File, StringComparison.Ordinal);
        Assert.Equal(8, error.Line);
        Assert.Equal("source.patern", error.Field);
        Assert.Contains("calls.yaml:8: source.patern", ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string, string> KeysOfAnotherKind => new()
    {
        // kind, its second source line, a key another kind takes (or a typo), the incremental and columns that make the rest valid
        { "csv", "pattern: \"*.csv\"", "table: llamadas", "incremental: { strategy: file_manifest }\ntarget: stg.hotline_call\ncolumns:\n  - { name: id_llamada, target: call_id }" },
        { "csv", "pattern: \"*.csv\"", "schema_drift: flag", "incremental: { strategy: file_manifest }\ntarget: stg.hotline_call\ncolumns:\n  - { name: id_llamada, target: call_id }" },
        { "sqlite", "table: denuncias", "delimiter: \";\"", "incremental: { strategy: watermark, column: updated_at }\ntarget: stg.police_report\ncolumns:\n  - { name: updated_at, type: datetime, target: source_updated_at }" },
        { "sqlite", "table: denuncias", "pattern: \"*.sqlite\"", "incremental: { strategy: watermark, column: updated_at }\ntarget: stg.police_report\ncolumns:\n  - { name: updated_at, type: datetime, target: source_updated_at }" },
        { "jsonl", "pattern: \"*.jsonl\"", "delimiter: \";\"", "incremental: { strategy: sequence, column: secuencia }\ntarget: stg.prosecution_event\ncolumns:\n  - { name: secuencia, type: long, target: event_sequence }" },
        { "jsonl", "pattern: \"*.jsonl\"", "completion_marker: \"{file}.done\"", "incremental: { strategy: sequence, column: secuencia }\ntarget: stg.prosecution_event\ncolumns:\n  - { name: secuencia, type: long, target: event_sequence }" },
        { "postgres", "table: pnp.denuncias", "path: police/pnp.sqlite", "incremental: { strategy: watermark, column: updated_at }\ntarget: stg.police_report\ncolumns:\n  - { name: updated_at, type: datetime, target: source_updated_at }" },
        { "postgres", "table: pnp.denuncias", "tabel: pnp.denuncias", "incremental: { strategy: watermark, column: updated_at }\ntarget: stg.police_report\ncolumns:\n  - { name: updated_at, type: datetime, target: source_updated_at }" },
    };

    [Theory]
    [MemberData(nameof(KeysOfAnotherKind))]
    public void A_source_key_the_kind_does_not_take_is_rejected_at_its_line_with_the_kinds_own_keys(string kind, string second, string extra, string rest)
    {
        var path = kind == "postgres" ? "connection_env: TIPW_UNSET_FOR_TEST" : kind == "sqlite" ? "path: police/pnp.sqlite" : "path: drop";
        var ex = LoadExpectingError($"kind: {kind}\nsource:\n  {path}\n  {second}\n  {extra}\n{rest}\n");
        var key = extra[..extra.IndexOf(':', StringComparison.Ordinal)];
        var error = Assert.Single(ex.Errors, e => e.Field == "source." + key);
        Assert.Equal(5, error.Line);
        // The allowed keys in the message are the kind's own list (ISourceKind.SourceKeys), not one list shared by the kinds.
        var sourceKind = Sources.SourceKindRegistry.With(null)[kind];
        Assert.DoesNotContain(key, sourceKind.SourceKeys);
        Assert.Equal($"unknown key (allowed: {string.Join(", ", sourceKind.SourceKeys)})", error.Message);
        Assert.Contains($"calls.yaml:5: source.{key}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_built_in_kind_declares_its_own_source_keys_and_memory_bound()
    {
        var keys = Sources.SourceKindRegistry.BuiltIn.ToDictionary(k => k.Kind, k => k.SourceKeys);
        Assert.Contains("delimiter", keys["csv"]);
        Assert.DoesNotContain("table", keys["csv"]);
        Assert.Contains("table", keys["sqlite"]);
        Assert.DoesNotContain("encoding", keys["sqlite"]);
        Assert.DoesNotContain("delimiter", keys["jsonl"]);
        Assert.Contains("connection_env", keys["postgres"]);
        Assert.Equal(4, keys.Values.Select(k => string.Join(",", k)).Distinct().Count());
        // Only the drop folder's batches are bounded by the source (files, megabytes): its loads run under the engine's memory limit.
        Assert.Equal(["csv"], Sources.SourceKindRegistry.BuiltIn.Where(k => k.BoundedLoadMemory).Select(k => k.Kind));
    }

    [Fact]
    public void Unknown_column_type_is_reported_on_its_line()
    {
        var ex = LoadExpectingError(Valid.Replace("type: datetime", "type: timestamp", StringComparison.Ordinal));
        var error = Assert.Single(ex.Errors);
        Assert.Equal(16, error.Line);
        Assert.Equal("columns.fecha_hora.type", error.Field);
        Assert.Contains("timestamp", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_cron_and_time_zone_are_both_reported()
    {
        var ex = LoadExpectingError(Valid.Replace("\"0 30 6 * * ?\"", "\"30 6 * * *\"", StringComparison.Ordinal).Replace("America/Lima", "Mars/Olympus", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Field == "schedule.cron" && e.Line == 4);
        Assert.Contains(ex.Errors, e => e.Field == "schedule.time_zone" && e.Line == 5);
    }

    [Theory]
    [InlineData("99 * * * * ?")]
    [InlineData("0 0 25 * * ?")]
    [InlineData("0 0 6 * * MON")]
    [InlineData("0 0 6 ? * FOO")]
    public void Cron_that_Quartz_rejects_is_rejected_by_the_spec_loader(string cron)
    {
        var ex = LoadExpectingError(Valid.Replace("\"0 30 6 * * ?\"", $"\"{cron}\"", StringComparison.Ordinal));
        var error = Assert.Single(ex.Errors);
        Assert.Equal("schedule.cron", error.Field);
        Assert.Equal(4, error.Line);
    }

    [Fact]
    public void Missing_transform_file_and_unknown_upstream_are_reported()
    {
        var ex = LoadExpectingError(Valid + "\nupstream: [police]\ntransforms:\n  - calls/10_missing.sql\n");
        Assert.Contains(ex.Errors, e => e.Field == "upstream" && e.Message.Contains("police", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Field == "transforms[0]" && e.Line == 19);
    }

    [Fact]
    public void Clear_text_pii_column_cannot_be_staged()
    {
        var ex = LoadExpectingError(Valid + "\n  - { name: dni_victima, pii: true, target: victim_dni_pseudonym }\n");
        Assert.Contains(ex.Errors, e => e.Field == "columns.dni_victima.target" && e.Line == 17);
    }

    [Fact]
    public void Yaml_syntax_error_has_its_line()
    {
        var ex = LoadExpectingError("name: calls\nkind: [csv\n");
        Assert.Equal("(syntax)", ex.Errors[0].Field);
        Assert.True(ex.Errors[0].Line >= 2);
    }

    [Fact]
    public void Step_kind_spec_needs_a_registered_step_and_passes_its_settings()
    {
        File.WriteAllText(Path.Combine(_dir, "calls.yaml"), Valid);
        File.WriteAllText(Path.Combine(_dir, "linkage.yaml"), "kind: linkage\nupstream: [calls]\nsettings:\n  threshold: \"0.8\"\n");
        var ex = Assert.Throws<SpecException>(() => SpecLoader.LoadDirectory(_dir, ["scoring"]));
        Assert.Contains(ex.Errors, e => e.Field == "kind" && e.File.EndsWith("linkage.yaml", StringComparison.Ordinal));

        var specs = SpecLoader.LoadDirectory(_dir, ["linkage"]);
        Assert.Equal(["calls", "linkage"], specs.Select(s => s.Name));
        Assert.Equal("0.8", specs[1].Source.Settings["threshold"]);
    }

    [Fact]
    public void Upstream_cycle_is_an_error()
    {
        File.WriteAllText(Path.Combine(_dir, "a.yaml"), "kind: linkage\nupstream: [b]\n");
        File.WriteAllText(Path.Combine(_dir, "b.yaml"), "kind: linkage\nupstream: [a]\n");
        var ex = Assert.Throws<SpecException>(() => SpecLoader.LoadDirectory(_dir, ["linkage"]));
        Assert.Contains(ex.Errors, e => e.Message.Contains("cycle", StringComparison.Ordinal));
    }

    [Fact]
    public void Repository_pipelines_load_upstream_first()
    {
        var specs = SpecLoader.LoadDirectory(Path.Combine(AppContext.BaseDirectory, "pipelines"), [TipWarehouse.Linkage.LinkageStep.StepKind, TipWarehouse.Classifier.CallScoringStep.StepKind, TipWarehouse.Linkage.Determination.TipDeterminationStep.StepKind]);
        var names = specs.Select(s => s.Name).ToList();
        Assert.Contains("hotline", names);
        foreach (var spec in specs)
        {
            foreach (var upstream in spec.Upstream)
            {
                Assert.True(names.IndexOf(upstream) < names.IndexOf(spec.Name), $"{upstream} must run before {spec.Name}");
            }
        }
    }
}
