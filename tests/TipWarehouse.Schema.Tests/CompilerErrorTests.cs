namespace TipWarehouse.Schema.Tests;

public sealed class CompilerErrorTests
{
    [Fact]
    public void Syntax_error_names_the_file_and_line()
    {
        using var sql = new TempSqlCopy();
        sql.Write("dw/Tables/zz_broken.sql", "-- broken on purpose\nCREATE TABLE [dw].[zz_broken]\n(\n    [a] INT NOT NULL,\n    [b] VARCHAR(10) NOT NULL DEFAULT\n);\n");

        using var compilation = SchemaCompiler.Compile(sql.Sql);

        Assert.False(compilation.IsValid);
        var error = Assert.Single(compilation.Errors, e => e.SourceName == "dw/Tables/zz_broken.sql" && e.Line > 0);
        Assert.InRange(error.Line, 5, 6);
        var exception = Assert.Throws<SchemaException>(compilation.ThrowIfInvalid);
        Assert.Contains("dw/Tables/zz_broken.sql(", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unresolved_reference_names_the_file()
    {
        using var sql = new TempSqlCopy();
        sql.Replace("rpt/Views/v_case_funnel.sql", "FROM dw.fact_case_lifecycle\n    UNION ALL SELECT 2", "FROM dw.fact_case_lifecycle_typo\n    UNION ALL SELECT 2");

        using var compilation = SchemaCompiler.Compile(sql.Sql);

        Assert.False(compilation.IsValid);
        Assert.Contains(compilation.Errors, e => e.SourceName == "rpt/Views/v_case_funnel.sql" && e.Message.Contains("fact_case_lifecycle_typo", StringComparison.Ordinal));
    }

    [Fact]
    public void Missing_sql_folder_is_a_clear_error()
    {
        var missing = Path.Combine(Path.GetTempPath(), "tipw-no-such-" + Guid.NewGuid().ToString("N"));
        var error = Assert.Throws<SchemaException>(() => SchemaCompiler.Compile(missing));
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Source_hash_changes_with_any_file_and_not_otherwise()
    {
        using var sql = new TempSqlCopy();
        var before = SchemaCompiler.HashSources(SchemaCompiler.ReadSources(sql.Sql));
        Assert.Equal(before, SchemaCompiler.HashSources(SchemaCompiler.ReadSources(sql.Sql)));
        sql.Replace("meta/Tables/watermark.sql", "-- The high-water mark", "-- The high water mark");
        Assert.NotEqual(before, SchemaCompiler.HashSources(SchemaCompiler.ReadSources(sql.Sql)));
    }
}
