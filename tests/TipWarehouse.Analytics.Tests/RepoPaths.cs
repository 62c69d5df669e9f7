namespace TipWarehouse.Analytics.Tests;

/// <summary>Finds the repository root (the folder with TipWarehouse.sln) from the test binaries.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = Find();

    public static string SqlDirectory => Path.Combine(Root, "sql");

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "TipWarehouse.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("TipWarehouse.sln not found above " + AppContext.BaseDirectory);
    }
}
