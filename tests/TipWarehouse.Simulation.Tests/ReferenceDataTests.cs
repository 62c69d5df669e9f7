using TipWarehouse.Simulation.Reference;

namespace TipWarehouse.Simulation.Tests;

public sealed class ReferenceDataTests
{
    private static string RepoRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "TipWarehouse.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("TipWarehouse.sln not found above the test binaries.");
    }

    [Fact]
    public void The_embedded_ubigeo_file_is_the_repo_reference_file_with_1893_districts()
    {
        var onDisk = File.ReadAllText(Path.Combine(RepoRoot(), "reference", "ubigeo", "ubigeo_distrito.csv"));
        Assert.Equal(onDisk, UbigeoCatalog.ReadEmbedded());
        Assert.Equal(1893, UbigeoCatalog.Default.All.Count);
        Assert.Equal(1782, UbigeoCatalog.Default.All.Count(d => d.Inei != d.Reniec));
        var bagua = Assert.Single(UbigeoCatalog.Default.All, d => d.Inei == "010201");
        Assert.Equal("010205", bagua.Reniec);
        Assert.True(File.Exists(Path.Combine(RepoRoot(), "reference", "ubigeo", "LICENSE")));
    }

    [Fact]
    public void The_directorate_csv_matches_the_public_mapping()
    {
        var onDisk = File.ReadAllText(Path.Combine(RepoRoot(), "reference", "pnp_directorates.csv")).ReplaceLineEndings("\n");
        Assert.Equal(PnpDirectorates.ToCsv(), onDisk);
        Assert.Equal(25, PnpDirectorates.Entries.Count);
        Assert.Equal(12, PnpDirectorates.Entries.Select(e => e.Directorate).Distinct().Count());
        Assert.True(PnpDirectorates.Entries.Select(e => e.Directorate).ToHashSet().SetEquals(PnpDirectorates.Names));
        Assert.Equal("IX DIRTEPOL CUSCO", PnpDirectorates.ForDepartment("170101"));
        Assert.Equal(8, PnpDirectorates.TrainedByApril2007.Count);
        var departments = UbigeoCatalog.Default.Usable.Select(d => d.DepartmentCode).Distinct();
        Assert.All(departments, d => Assert.NotEmpty(PnpDirectorates.ForDepartment(d)));
    }
}
