using Microsoft.Extensions.Time.Testing;
using TipWarehouse.Core;

namespace TipWarehouse.Schema.Tests;

/// <summary>The reference seeds are what <c>reference/seeds.yaml</c> lists: a seed is a CSV file and a manifest entry, and a broken entry loads nothing.</summary>
public sealed class ReferenceSeedTests : IDisposable
{
    private readonly string _reference = Directory.CreateTempSubdirectory("tipw-seeds-").FullName;

    public ReferenceSeedTests()
    {
        foreach (var file in Directory.EnumerateFiles(SchemaSources.ReferenceDirectory, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(_reference, Path.GetRelativePath(SchemaSources.ReferenceDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public void Dispose() => Directory.Delete(_reference, recursive: true);

    private string Manifest => Path.Combine(_reference, ReferenceSeeds.ManifestFileName);

    private InitResult Initialize(DuckDB.NET.Data.DuckDBConnection connection) =>
        WarehouseInitializer.Initialize(connection, new InitOptions { ReferenceDirectory = _reference, Time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero)) });

    [Fact]
    public void The_shipped_manifest_lists_every_csv_seed_and_passes_its_check()
    {
        var (seeds, problems) = ReferenceSeeds.Read(SchemaSources.ReferenceDirectory);
        Assert.Empty(problems);
        Assert.Equal(6, seeds.Count);
        Assert.Empty(ReferenceSeeds.Check(SchemaSources.ReferenceDirectory, WarehouseSchema.Load().Description));
        Assert.All(seeds, s => Assert.False(string.IsNullOrWhiteSpace(s.Licence)));
    }

    [Fact]
    public void A_seed_is_loaded_from_where_the_manifest_says_and_not_at_all_when_it_is_not_listed()
    {
        // The caller types move to another file name; the case stages leave the manifest.
        Directory.CreateDirectory(Path.Combine(_reference, "hotline"));
        File.Move(Path.Combine(_reference, "caller_types.csv"), Path.Combine(_reference, "hotline", "callers.csv"));
        var text = File.ReadAllText(Manifest)
            .Replace("file: caller_types.csv", "file: hotline/callers.csv", StringComparison.Ordinal)
            .Replace("  - file: case_stages.csv\n    table: dw.dim_case_stage\n    key: [stage_code]\n    licence: written for this project (the repository's licence)\n", "", StringComparison.Ordinal);
        File.WriteAllText(Manifest, text);

        using var connection = Warehouse.OpenPath(":memory:");
        var result = Initialize(connection);
        Assert.DoesNotContain(result.ReferenceData, r => r.Table == "dw.dim_case_stage");
        Assert.Equal(File.ReadAllLines(Path.Combine(_reference, "hotline", "callers.csv")).Length - 1, Db.Scalar(connection, "SELECT count(*) FROM dw.dim_caller_type WHERE caller_type_key <> -1"));
        Assert.Equal(0, Db.Scalar(connection, "SELECT count(*) FROM dw.dim_case_stage WHERE case_stage_key <> -1"));
    }

    [Fact]
    public void A_broken_manifest_stops_init_before_any_seed_is_loaded_naming_file_and_line()
    {
        var lines = File.ReadAllLines(Manifest);
        var tableLine = Array.FindIndex(lines, l => l.Contains("table: dw.dim_means_of_control", StringComparison.Ordinal)) + 1;
        File.WriteAllText(Manifest, File.ReadAllText(Manifest).Replace("table: dw.dim_means_of_control", "table: dw.dim_means_of_controls", StringComparison.Ordinal));

        using var connection = Warehouse.OpenPath(":memory:");
        var ex = Assert.Throws<TipwException>(() => Initialize(connection));
        Assert.Contains($"seeds.yaml:{tableLine}: table: dw.dim_means_of_controls is not a table", ex.Message, StringComparison.Ordinal);
    }
}
