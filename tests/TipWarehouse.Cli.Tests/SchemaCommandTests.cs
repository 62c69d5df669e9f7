using TipWarehouse.Schema;

namespace TipWarehouse.Cli.Tests;

public sealed class SchemaCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "tipw-cli-schema-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Init_then_query_returns_every_district_and_a_second_init_changes_nothing()
    {
        var home = Path.Combine(_root, "home");
        var harness = new CliHarness();

        var init = await harness.RunAsync("init", "--home", home, "--format", "csv");
        Assert.Equal(0, init.ExitCode);
        Assert.Contains("reference,dw.dim_geography,1893,1894", init.Out, StringComparison.Ordinal);
        Assert.Contains($"schema,tables created,{WarehouseSchema.Load().Description.Tables.Count},", init.Out, StringComparison.Ordinal);
        Assert.Contains("compiling the schema", init.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(home, "secrets", "pseudonym.key")));

        var query = await harness.RunAsync("query", "--home", home, "--format", "csv", "SELECT count(*) AS n FROM dw.dim_geography WHERE geography_key > 0");
        Assert.Equal(0, query.ExitCode);
        Assert.Equal("n\n1893\n", query.Out.ReplaceLineEndings("\n"));

        var again = await harness.RunAsync("init", "--home", home, "--format", "csv");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("schema,up to date,0,", again.Out, StringComparison.Ordinal);
        Assert.Contains("reference,dw.dim_date,0,13150", again.Out, StringComparison.Ordinal);
        Assert.Contains("pseudonym key,kept,0,", again.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_refuses_a_write_with_exit_code_2()
    {
        var home = Path.Combine(_root, "home");
        var harness = new CliHarness();
        Assert.Equal(0, (await harness.RunAsync("init", "--home", home)).ExitCode);

        var run = await harness.RunAsync("query", "--home", home, "INSERT INTO dw.dim_caller_type (caller_type_code, caller_type_name_es) VALUES ('X', 'x')");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("read-only", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_with_the_key_in_the_environment_writes_no_key_file()
    {
        var home = Path.Combine(_root, "home");
        var harness = new CliHarness();
        harness.Environment[WarehouseInitializer.PseudonymKeyVariable] = "a2V5LWZyb20tZW52";

        var run = await harness.RunAsync("init", "--home", home, "--format", "csv");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("pseudonym key,from TIPW_PSEUDONYM_KEY", run.Out, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(home, "secrets", "pseudonym.key")));
    }

    [Fact]
    public async Task Schema_build_writes_the_dacpac_and_a_create_script_with_every_table_in_sql()
    {
        var output = Path.Combine(_root, "out");

        var run = await new CliHarness().RunAsync("schema", "build", "--out", output, "--format", "csv");

        Assert.Equal(0, run.ExitCode);
        Assert.True(File.Exists(Path.Combine(output, "TipWarehouse.dacpac")));
        var script = File.ReadAllText(Path.Combine(output, "TipWarehouse.create.sql"));
        var tables = Directory.EnumerateFiles(SchemaSources.SqlDirectory, "*.sql", SearchOption.AllDirectories)
            .Where(f => f.Replace('\\', '/').Contains("/Tables/", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(tables);
        foreach (var file in tables)
        {
            var schema = Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(file)))!;
            Assert.Contains($"CREATE TABLE [{schema}].[{Path.GetFileNameWithoutExtension(file)}]", script, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Init_refuses_a_dropped_column_with_exit_code_1_naming_it()
    {
        var sql = CopySql();
        var home = Path.Combine(_root, "home");
        var harness = new CliHarness();
        harness.Environment[SchemaSources.SqlDirectoryVariable] = sql;
        Assert.Equal(0, (await harness.RunAsync("init", "--home", home)).ExitCode);

        var file = Path.Combine(sql, "meta", "Tables", "reject.sql");
        File.WriteAllText(file, File.ReadAllText(file).Replace("    [raw_text] NVARCHAR(MAX) NULL,\n", string.Empty, StringComparison.Ordinal));
        var run = await harness.RunAsync("init", "--home", home);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("meta.reject.raw_text", run.Error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Out);
    }

    [Fact]
    public async Task Schema_build_of_a_broken_file_exits_1_naming_the_file()
    {
        var sql = CopySql();
        File.WriteAllText(Path.Combine(sql, "dw", "Tables", "dim_oops.sql"), "CREATE TABLE [dw].[dim_oops] ([a] INT NOT NULL,, );\n");

        var run = await new CliHarness().RunAsync("schema", "build", "--sql", sql, "--out", Path.Combine(_root, "out"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("dw/Tables/dim_oops.sql(1,", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_root, "out", "TipWarehouse.dacpac")));
    }

    private string CopySql()
    {
        var sql = Path.Combine(_root, "sql");
        foreach (var file in Directory.EnumerateFiles(SchemaSources.SqlDirectory, "*.sql", SearchOption.AllDirectories))
        {
            var target = Path.Combine(sql, Path.GetRelativePath(SchemaSources.SqlDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return sql;
    }
}
