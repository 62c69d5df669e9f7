using TipWarehouse.Core;
using Xunit;

namespace TipWarehouse.Core.Tests;

/// <summary>Owner-only homes and formula-safe CSV cells.</summary>
public sealed class OwnerOnlyAndCsvCellTests
{
    [Fact]
    public void Home_folders_are_created_owner_only_and_existing_files_are_tightened()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var root = Directory.CreateTempSubdirectory("tipw-modes-").FullName;
        try
        {
            var home = new TipwHome(Path.Combine(root, "home"));
            Directory.CreateDirectory(home.Root);
            File.WriteAllText(home.WarehousePath, "x");
            File.SetUnixFileMode(home.WarehousePath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            File.SetUnixFileMode(home.Root, (UnixFileMode)0b111_101_101);

            home.EnsureCreated();

            foreach (var dir in new[] { home.Root, home.ModelsDirectory, home.QuarantineDirectory, home.ArchiveDirectory, home.LogsDirectory, home.ExportsDirectory, home.SecretsDirectory })
            {
                Assert.Equal(OwnerOnly.DirectoryMode, File.GetUnixFileMode(dir));
            }

            Assert.Equal(OwnerOnly.FileMode, File.GetUnixFileMode(home.WarehousePath));
            Assert.False(OwnerOnly.IsOpenToOthers(home.WarehousePath));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"")]
    [InlineData("+51 987", "'+51 987")]
    [InlineData("-1+2", "'-1+2")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("Puno, Juliaca", "\"Puno, Juliaca\"")]
    [InlineData("plain", "plain")]
    [InlineData("", "")]
    public void Text_cells_that_would_start_a_formula_get_a_leading_quote(string value, string expected)
    {
        Assert.Equal(expected, CsvCell.Text(value));
    }

    [Fact]
    public void Numbers_keep_their_sign()
    {
        Assert.Equal("-5", CsvCell.Quote("-5"));
        Assert.Equal("", CsvCell.Text(null));
    }
}
