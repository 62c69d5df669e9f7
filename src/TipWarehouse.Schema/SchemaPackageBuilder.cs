using System.IO.Packaging;
using System.Text;
using Microsoft.SqlServer.Dac;

namespace TipWarehouse.Schema;

/// <summary>What <see cref="SchemaPackageBuilder.Build"/> wrote for one platform.</summary>
public sealed record SchemaBuildOutput(SchemaPlatform Platform, string DacpacPath, string CreateScriptPath, int Tables, int Views, IReadOnlyList<SchemaError> Warnings, IReadOnlyList<string> Notes);

/// <summary>
/// Builds <c>TipWarehouse.dacpac</c> (with the post-deployment script embedded, as SSDT does) and its create script
/// from <c>sql/</c>: <c>tipw schema build</c>.
/// </summary>
public static class SchemaPackageBuilder
{
    /// <summary>The package (and database) name.</summary>
    public const string PackageName = "TipWarehouse";

    /// <summary>Compiles, validates and writes the dacpac and create script of <paramref name="platform"/> into <paramref name="outDirectory"/>; throws <see cref="SchemaException"/> when invalid.</summary>
    public static SchemaBuildOutput Build(string sqlDirectory, string outDirectory, SchemaPlatform platform, string version = "1.0.0")
    {
        using var compilation = SchemaCompiler.Compile(sqlDirectory, platform);
        compilation.ThrowIfInvalid();
        Directory.CreateDirectory(outDirectory);
        var suffix = platform == SchemaPlatform.Synapse ? ".synapse" : string.Empty;
        var dacpacPath = Path.Combine(outDirectory, PackageName + suffix + ".dacpac");
        var scriptPath = Path.Combine(outDirectory, PackageName + suffix + ".create.sql");

        if (File.Exists(dacpacPath))
        {
            File.Delete(dacpacPath);
        }

        var metadata = new PackageMetadata
        {
            Name = PackageName,
            Version = version,
            Description = "TipWarehouse star schema (" + (platform == SchemaPlatform.Synapse ? "Azure Synapse dedicated SQL pool" : "SQL Server") + "), built from sql/ at " + compilation.SourceHash[..12],
        };
        DacPackageExtensions.BuildPackage(dacpacPath, compilation.Model, metadata, new PackageOptions());

        var postDeployment = PostDeploymentScript(compilation);
        if (postDeployment.Length > 0)
        {
            EmbedPostDeploymentScript(dacpacPath, postDeployment);
        }

        using (var package = DacPackage.Load(dacpacPath))
        {
            var options = new DacDeployOptions { CreateNewDatabase = true, CommentOutSetVarDeclarations = false };
            var script = DacServices.GenerateCreateScript(package, PackageName, options);
            File.WriteAllText(scriptPath, script, new UTF8Encoding(false));
        }

        var description = SchemaDescription.FromModel(compilation.Model);
        IReadOnlyList<string> notes = platform == SchemaPlatform.Synapse ? SynapseTransform.Notes : [];
        return new SchemaBuildOutput(platform, dacpacPath, scriptPath, description.Tables.Count, description.Views.Count, [.. compilation.Messages.Where(m => m.IsWarning)], notes);
    }

    /// <summary>The post-deployment scripts joined in path order (each headed by its file name).</summary>
    public static string PostDeploymentScript(SchemaCompilation compilation)
    {
        ArgumentNullException.ThrowIfNull(compilation);
        var text = new StringBuilder();
        foreach (var script in compilation.PostDeploymentScripts)
        {
            text.Append("-- ").Append(script.RelativePath).Append('\n').Append(script.Text.TrimEnd()).Append('\n');
        }

        return text.ToString();
    }

    // The dacpac is an OPC package; SSDT stores the post-deployment script as its /postdeploy.sql part, which DacFx
    // reads back (DacPackage.PostDeploymentScript) and runs at deployment.
    private static void EmbedPostDeploymentScript(string dacpacPath, string script)
    {
        using var package = Package.Open(dacpacPath, FileMode.Open, FileAccess.ReadWrite);
        var uri = PackUriHelper.CreatePartUri(new Uri("/postdeploy.sql", UriKind.Relative));
        if (package.PartExists(uri))
        {
            package.DeletePart(uri);
        }

        var part = package.CreatePart(uri, "text/plain", CompressionOption.Normal);
        using var stream = part.GetStream(FileMode.Create, FileAccess.Write);
        var bytes = new UTF8Encoding(false).GetBytes(script);
        stream.Write(bytes);
    }
}
