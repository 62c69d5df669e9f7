namespace TipWarehouse.Schema.Tests;

public sealed class DuckDbDdlTests(CompiledSchemaFixture fixture) : IClassFixture<CompiledSchemaFixture>
{
    /// <summary>Set to 1 to rewrite the golden file from the current generator (then review the diff).</summary>
    public const string UpdateGoldenVariable = "TIPW_UPDATE_GOLDEN";

    [Fact]
    public void Generated_duckdb_ddl_matches_the_golden_file()
    {
        var generated = fixture.Schema.DuckDb.ToCreateScript();
        var golden = Path.Combine(RepositoryRoot(), "tests", "TipWarehouse.Schema.Tests", "golden", "duckdb.sql");
        if (Environment.GetEnvironmentVariable(UpdateGoldenVariable) == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(golden)!);
            File.WriteAllText(golden, generated);
        }

        Assert.True(File.Exists(golden), $"{golden} is missing: run the tests with {UpdateGoldenVariable}=1 to create it.");
        Assert.Equal(File.ReadAllText(golden).ReplaceLineEndings("\n"), generated);
    }

    [Fact]
    public void Schema_loaded_through_the_process_and_disk_cache_equals_a_fresh_compile()
    {
        var fresh = DuckDbDdl.Generate(SchemaDescription.FromModel(fixture.Compilation.Model), fixture.Compilation.PostDeploymentScripts);
        Assert.Equal(fresh.ToCreateScript(), fixture.Schema.DuckDb.ToCreateScript());
        Assert.Equal(fresh.PostDeployment, fixture.Schema.DuckDb.PostDeployment);
        Assert.Equal(fixture.Compilation.SourceHash, fixture.Schema.SourceHash);
    }

    [Fact]
    public void Generated_ddl_has_primary_and_unique_keys_but_no_foreign_keys()
    {
        var script = fixture.Schema.DuckDb.ToCreateScript();
        Assert.Contains("PRIMARY KEY (date_key)", script, StringComparison.Ordinal);
        Assert.Contains("UNIQUE (penal_article, valid_from)", script, StringComparison.Ordinal);
        Assert.DoesNotContain("FOREIGN KEY", script, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("REFERENCES", script, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("[", script, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_of_tables_that_grow_with_the_sources_are_not_indexed_by_duckdb()
    {
        string Create(string table) => DuckDbDdl.CreateTable(fixture.Schema.Description.Table(table)!);
        foreach (var table in new[] { "dw.fact_hotline_call", "dw.fact_case_event", "dw.dim_person", "meta.data_quality_flag" })
        {
            Assert.DoesNotContain("PRIMARY KEY", Create(table), StringComparison.Ordinal);
            Assert.DoesNotContain("UNIQUE", Create(table), StringComparison.Ordinal);
        }

        Assert.Contains("UNIQUE (penal_article, valid_from)", Create("dw.dim_crime_type"), StringComparison.Ordinal);
        Assert.Contains("PRIMARY KEY (pipeline, file_name)", Create("meta.file_manifest"), StringComparison.Ordinal);
    }

    [Fact]
    public void Sequence_defaults_become_nextval()
    {
        var table = fixture.Schema.Description.Table("dw.fact_hotline_call")!;
        Assert.Equal("call_key BIGINT NOT NULL DEFAULT nextval('dw.seq_call_key')", DuckDbDdl.ColumnDefinitionSql(table, table.Column("call_key")!));
    }

    [Theory]
    [InlineData("int", 0, 0, 0, false, "INTEGER")]
    [InlineData("bigint", 0, 0, 0, false, "BIGINT")]
    [InlineData("smallint", 0, 0, 0, false, "SMALLINT")]
    [InlineData("tinyint", 0, 0, 0, false, "UTINYINT")]
    [InlineData("bit", 0, 0, 0, false, "BOOLEAN")]
    [InlineData("decimal", 0, 9, 6, false, "DECIMAL(9,6)")]
    [InlineData("float", 0, 0, 0, false, "DOUBLE")]
    [InlineData("real", 0, 0, 0, false, "FLOAT")]
    [InlineData("date", 0, 0, 0, false, "DATE")]
    [InlineData("datetime2", 0, 0, 3, false, "TIMESTAMP")]
    [InlineData("datetimeoffset", 0, 0, 7, false, "TIMESTAMP WITH TIME ZONE")]
    [InlineData("nvarchar", 0, 0, 0, true, "VARCHAR")]
    [InlineData("char", 6, 0, 0, false, "VARCHAR")]
    [InlineData("varbinary", 16, 0, 0, false, "BLOB")]
    [InlineData("uniqueidentifier", 0, 0, 0, false, "UUID")]
    public void TSql_types_map_to_duckdb_types(string name, int length, int precision, int scale, bool isMax, string expected) =>
        Assert.Equal(expected, DuckDbTypes.Map(new SqlTypeDefinition(name, length, precision, scale, isMax)));

    [Fact]
    public void Unmapped_type_is_refused_with_its_name()
    {
        var error = Assert.Throws<SchemaException>(() => DuckDbTypes.Map(new SqlTypeDefinition("geography", 0, 0, 0, false)));
        Assert.Contains("geography", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void View_queries_lose_bracket_quoting_and_get_duckdb_cast_types()
    {
        var rewritten = TSqlText.ToDuckDbQuery("SELECT CAST([s].[cases] AS FLOAT) AS [ratio], CAST(x AS DATETIME2(3)) AS [order] FROM [dw].[fact_case_lifecycle] AS [s]", "test.sql");
        Assert.Equal("SELECT CAST(s.cases AS DOUBLE) AS ratio, CAST(x AS TIMESTAMP) AS \"order\" FROM dw.fact_case_lifecycle AS s", rewritten);
    }

    [Fact]
    public void Post_deployment_statements_are_rewritten_for_duckdb()
    {
        var statements = fixture.Schema.DuckDb.PostDeployment;
        Assert.Equal(fixture.Schema.Description.Tables.Count(t => t.Name.StartsWith("dim_", StringComparison.Ordinal)), statements.Count);
        Assert.DoesNotContain(statements, s => s.Contains("DATETIME2", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Keyword_list_matches_the_duckdb_in_use()
    {
        using var connection = TipWarehouse.Core.Warehouse.OpenPath(":memory:");
        var keywords = Db.Column(connection, "SELECT keyword_name FROM duckdb_keywords() WHERE keyword_category IN ('reserved', 'type_function')");
        Assert.NotEmpty(keywords);
        Assert.All(keywords, k => Assert.True(DuckDbKeywords.IsReserved(k), $"'{k}' is reserved in this DuckDB: add it to DuckDbKeywords"));
        Assert.Equal("\"order\"", DuckDbKeywords.Quote("order"));
        Assert.Equal("year", DuckDbKeywords.Quote("year"));
    }

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "TipWarehouse.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("TipWarehouse.sln not found above " + AppContext.BaseDirectory);
    }
}
