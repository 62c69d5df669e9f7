using Microsoft.Extensions.Time.Testing;
using Microsoft.SqlServer.Dac;
using TipWarehouse.Core;

namespace TipWarehouse.Schema.Tests;

public sealed class PackageAndHomeTests
{
    [Fact]
    public void Schema_build_writes_a_dacpac_with_the_post_deployment_script_and_a_create_script_with_every_table()
    {
        using var sql = new TempSqlCopy();
        var output = Path.Combine(sql.Root, "out");

        var result = SchemaPackageBuilder.Build(sql.Sql, output, SchemaPlatform.SqlServer);

        Assert.True(File.Exists(Path.Combine(output, "TipWarehouse.dacpac")));
        using (var package = DacPackage.Load(result.DacpacPath))
        {
            Assert.NotNull(package.PostDeploymentScript);
            using var reader = new StreamReader(package.PostDeploymentScript);
            Assert.Contains("dim_geography", reader.ReadToEnd(), StringComparison.Ordinal);
        }

        var script = File.ReadAllText(result.CreateScriptPath);
        foreach (var table in WarehouseSchema.Load().Description.Tables)
        {
            Assert.Contains($"CREATE TABLE [{table.Schema}].[{table.Name}]", script, StringComparison.Ordinal);
        }

        Assert.Contains("WHERE NOT EXISTS (SELECT 1 FROM dw.dim_date WHERE date_key = -1)", script, StringComparison.Ordinal);
    }

    [Fact]
    public void Synapse_build_validates_with_distributions_and_without_sequences_or_foreign_keys()
    {
        using var sql = new TempSqlCopy();
        var result = SchemaPackageBuilder.Build(sql.Sql, Path.Combine(sql.Root, "out"), SchemaPlatform.Synapse);

        var script = File.ReadAllText(result.CreateScriptPath);
        Assert.Contains("DISTRIBUTION = HASH([call_key])", script, StringComparison.Ordinal);
        Assert.Contains("DISTRIBUTION = REPLICATE", script, StringComparison.Ordinal);
        Assert.Contains("CLUSTERED COLUMNSTORE INDEX", script, StringComparison.Ordinal);
        Assert.Contains("NOT ENFORCED", script, StringComparison.Ordinal);
        Assert.DoesNotContain("FOREIGN KEY", script, StringComparison.Ordinal);
        Assert.DoesNotContain("CREATE SEQUENCE", script, StringComparison.Ordinal);
        Assert.Equal(WarehouseSchema.Load().Description.Tables.Count, result.Tables);
    }

    [Fact]
    public void Init_home_creates_the_folders_warehouse_and_an_owner_only_key_and_never_overwrites_it()
    {
        using var sql = new TempSqlCopy();
        var home = new TipwHome(Path.Combine(sql.Root, "home"));
        var time = new FakeTimeProvider(new DateTimeOffset(2007, 5, 1, 0, 0, 0, TimeSpan.Zero));

        var first = WarehouseInitializer.InitializeHome(home, time, getEnvironmentVariable: _ => null);

        Assert.True(first.PseudonymKeyCreated);
        Assert.True(File.Exists(home.WarehousePath));
        Assert.True(Directory.Exists(home.QuarantineDirectory));
        var keyPath = first.PseudonymKeyPath!;
        var key = File.ReadAllBytes(keyPath);
        Assert.Equal(32, key.Length);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyPath));
        }

        var second = WarehouseInitializer.InitializeHome(home, time, getEnvironmentVariable: _ => null);

        Assert.False(second.PseudonymKeyCreated);
        Assert.Equal(key, File.ReadAllBytes(keyPath));
        Assert.True(second.Warehouse.ChangedNothing);
    }

    [Fact]
    public void Init_home_writes_no_key_when_the_key_comes_from_the_environment()
    {
        using var sql = new TempSqlCopy();
        var home = new TipwHome(Path.Combine(sql.Root, "home"));

        var result = WarehouseInitializer.InitializeHome(home, TimeProvider.System, getEnvironmentVariable: name => name == WarehouseInitializer.PseudonymKeyVariable ? "c2VjcmV0" : null);

        Assert.Null(result.PseudonymKeyPath);
        Assert.False(File.Exists(Path.Combine(home.SecretsDirectory, WarehouseInitializer.PseudonymKeyFileName)));
    }
}
