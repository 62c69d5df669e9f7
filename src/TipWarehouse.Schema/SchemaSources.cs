namespace TipWarehouse.Schema;

/// <summary>Finds the schema sources (<c>sql/</c>) and seed data (<c>reference/</c>) shipped beside the assemblies.</summary>
public static class SchemaSources
{
    /// <summary>Environment variable that points at another <c>sql/</c> folder (for schema development).</summary>
    public const string SqlDirectoryVariable = "TIPW_SQL_DIR";

    /// <summary>Environment variable that points at another <c>reference/</c> folder.</summary>
    public const string ReferenceDirectoryVariable = "TIPW_REFERENCE_DIR";

    /// <summary>The <c>sql/</c> folder: <c>TIPW_SQL_DIR</c> when set, else the copy in the application's folder.</summary>
    public static string SqlDirectory => Resolve(SqlDirectoryVariable, "sql");

    /// <summary>The <c>reference/</c> folder: <c>TIPW_REFERENCE_DIR</c> when set, else the copy in the application's folder.</summary>
    public static string ReferenceDirectory => Resolve(ReferenceDirectoryVariable, "reference");

    private static string Resolve(string variable, string folder)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrWhiteSpace(fromEnvironment)
            ? Path.Combine(AppContext.BaseDirectory, folder)
            : Path.GetFullPath(fromEnvironment);
    }
}
