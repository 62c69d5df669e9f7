using System.Security.Cryptography;
using System.Text;
using Microsoft.SqlServer.Dac.Model;
using TipWarehouse.Core;

namespace TipWarehouse.Schema;

/// <summary>One <c>.sql</c> file of the schema sources, with its path relative to <c>sql/</c> ('/' separated).</summary>
public sealed record SchemaSourceFile(string RelativePath, string FullPath, string Text);

/// <summary>One message from DacFx (parse or validation), with the file, line and column it points at.</summary>
public sealed record SchemaError(string SourceName, int Line, int Column, string Code, string Message, bool IsWarning)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{SourceName}({Line},{Column}): {(IsWarning ? "warning" : "error")} {Code}: {Message}";
}

/// <summary>The DacFx platforms the schema is compiled for.</summary>
public enum SchemaPlatform
{
    /// <summary>SQL Server 2022 / Azure SQL (<c>Sql160</c>).</summary>
    SqlServer,

    /// <summary>Azure Synapse dedicated SQL pool (<c>SqlDw</c>), built from a transformed copy of the sources.</summary>
    Synapse,
}

/// <summary>The outcome of compiling <c>sql/</c>: the DacFx model, its messages, the sources and their hash.</summary>
public sealed class SchemaCompilation : IDisposable
{
    internal SchemaCompilation(
        string sqlDirectory,
        SchemaPlatform platform,
        TSqlModel model,
        IReadOnlyList<SchemaSourceFile> modelSources,
        IReadOnlyList<SchemaSourceFile> postDeploymentScripts,
        IReadOnlyList<SchemaError> messages,
        string sourceHash)
    {
        SqlDirectory = sqlDirectory;
        Platform = platform;
        Model = model;
        ModelSources = modelSources;
        PostDeploymentScripts = postDeploymentScripts;
        Messages = messages;
        SourceHash = sourceHash;
    }

    /// <summary>The folder that was compiled.</summary>
    public string SqlDirectory { get; }

    /// <summary>The platform the model targets.</summary>
    public SchemaPlatform Platform { get; }

    /// <summary>The DacFx model of every schema object.</summary>
    public TSqlModel Model { get; }

    /// <summary>The files that define model objects (everything outside <c>Scripts/</c>).</summary>
    public IReadOnlyList<SchemaSourceFile> ModelSources { get; }

    /// <summary>The post-deployment scripts (<c>Scripts/PostDeployment/*.sql</c>), run after the DDL on every engine.</summary>
    public IReadOnlyList<SchemaSourceFile> PostDeploymentScripts { get; }

    /// <summary>Every parse and validation message, errors and warnings.</summary>
    public IReadOnlyList<SchemaError> Messages { get; }

    /// <summary>Only the errors.</summary>
    public IReadOnlyList<SchemaError> Errors => [.. Messages.Where(m => !m.IsWarning)];

    /// <summary>True when DacFx reported no error.</summary>
    public bool IsValid => Messages.All(m => m.IsWarning);

    /// <summary>SHA-256 (hex) of every source file's path and text: the schema version recorded in <c>meta.schema_version</c>.</summary>
    public string SourceHash { get; }

    /// <summary>Throws a <see cref="TipwException"/> listing DacFx's errors (file, line, column) when the schema is invalid.</summary>
    public void ThrowIfInvalid()
    {
        if (IsValid)
        {
            return;
        }

        var errors = Errors;
        var text = new StringBuilder();
        text.Append(FormattableString.Invariant($"The schema in {SqlDirectory} is invalid ({errors.Count} error(s)):"));
        foreach (var error in errors)
        {
            text.Append('\n').Append("  ").Append(error);
        }

        throw new SchemaException(text.ToString(), errors);
    }

    /// <inheritdoc />
    public void Dispose() => Model.Dispose();
}

/// <summary>The schema sources do not compile or validate; the message lists DacFx's errors with file names.</summary>
public sealed class SchemaException : TipwException
{
    public SchemaException(string message, IReadOnlyList<SchemaError> errors) : base(message) => Errors = errors;

    public SchemaException(string message) : base(message) => Errors = [];

    /// <summary>The DacFx errors behind this failure.</summary>
    public IReadOnlyList<SchemaError> Errors { get; }
}

/// <summary>Compiles every <c>.sql</c> file under <c>sql/</c> into a DacFx <see cref="TSqlModel"/> and validates it.</summary>
public static class SchemaCompiler
{
    /// <summary>The folder (under <c>sql/</c>) of scripts that are not model objects.</summary>
    public const string ScriptsFolder = "Scripts";

    /// <summary>Compiles <paramref name="sqlDirectory"/> for SQL Server; never throws for invalid SQL (see <see cref="SchemaCompilation.Messages"/>).</summary>
    public static SchemaCompilation Compile(string sqlDirectory) => Compile(sqlDirectory, SchemaPlatform.SqlServer);

    /// <summary>Compiles <paramref name="sqlDirectory"/> for <paramref name="platform"/>.</summary>
    public static SchemaCompilation Compile(string sqlDirectory, SchemaPlatform platform)
    {
        var sources = ReadSources(sqlDirectory);
        var modelSources = sources.Where(s => !IsScript(s)).ToList();
        var postDeployment = sources.Where(s => s.RelativePath.StartsWith(ScriptsFolder + "/PostDeployment/", StringComparison.OrdinalIgnoreCase)).ToList();
        var hash = HashSources(sources);

        var version = platform == SchemaPlatform.Synapse ? SqlServerVersion.SqlDw : SqlServerVersion.Sql160;
        var model = new TSqlModel(version, new TSqlModelOptions());
        var messages = new List<SchemaError>();
        string? blocked = null;
        foreach (var source in modelSources)
        {
            var text = platform == SchemaPlatform.Synapse ? SynapseTransform.Transform(source.RelativePath, source.Text) : source.Text;
            if (text.Length == 0)
            {
                continue;
            }

            try
            {
                model.AddOrUpdateObjects(text, source.RelativePath, new TSqlObjectOptions());
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A build-blocking error (syntax, several statements in a batch) makes DacFx refuse every later file;
                // GetModelErrors() below names the file, line and column, so stop here instead of repeating it per file.
                blocked = source.RelativePath;
                if (!model.GetModelErrors().Any())
                {
                    messages.Add(new SchemaError(source.RelativePath, 0, 0, "DacFx", ex.Message, IsWarning: false));
                }

                break;
            }
        }

        if (blocked is not null)
        {
            foreach (var error in model.GetModelErrors())
            {
                messages.Add(ToSchemaError(error));
            }

            messages.Add(new SchemaError(blocked, 0, 0, "DacFx", "DacFx stopped at this file; the files after it were not compiled.", IsWarning: false));
            return new SchemaCompilation(Path.GetFullPath(sqlDirectory), platform, model, modelSources, postDeployment, messages, hash);
        }

        // GetModelErrors() has the parse errors with file, line and column; Validate() returns the validation messages
        // (unresolved references, platform rules) without a source, so each is traced to the element it names.
        var validation = model.Validate();
        foreach (var error in model.GetModelErrors())
        {
            messages.Add(ToSchemaError(error));
        }

        Dictionary<string, Microsoft.SqlServer.Dac.SourceInformation>? sourcesByName = null;
        foreach (var message in validation)
        {
            var code = message.Prefix + message.Number.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (messages.Any(m => m.Code == code && m.Message == message.Message))
            {
                continue;
            }

            // "Error validating element [dw].[x]: ..." names the object; its source information gives file, line, column.
            sourcesByName ??= SourcesByName(model);
            var element = s_elementName.Match(message.Message);
            var source = element.Success && sourcesByName.TryGetValue(element.Groups[1].Value, out var found) ? found : null;
            messages.Add(new SchemaError(
                source?.SourceName ?? "(model)",
                source?.StartLine ?? 0,
                source?.StartColumn ?? 0,
                code,
                message.Message,
                message.MessageType != Microsoft.SqlServer.Dac.DacMessageType.Error));
        }

        return new SchemaCompilation(Path.GetFullPath(sqlDirectory), platform, model, modelSources, postDeployment, messages, hash);
    }

    /// <summary>Reads every <c>.sql</c> file under <paramref name="sqlDirectory"/>, ordered by relative path.</summary>
    public static IReadOnlyList<SchemaSourceFile> ReadSources(string sqlDirectory)
    {
        if (!Directory.Exists(sqlDirectory))
        {
            throw new SchemaException($"The schema folder {sqlDirectory} does not exist (set {SchemaSources.SqlDirectoryVariable} to the repository's sql/ folder).");
        }

        var root = Path.GetFullPath(sqlDirectory);
        return [.. Directory.EnumerateFiles(root, "*.sql", SearchOption.AllDirectories)
            .Select(path => new SchemaSourceFile(Path.GetRelativePath(root, path).Replace('\\', '/'), path, File.ReadAllText(path)))
            .OrderBy(s => s.RelativePath, StringComparer.Ordinal)];
    }

    /// <summary>The SHA-256 (hex, lower case) of the sources' paths and texts (line endings normalized).</summary>
    public static string HashSources(IEnumerable<SchemaSourceFile> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var source in sources.OrderBy(s => s.RelativePath, StringComparer.Ordinal))
        {
            sha.AppendData(Encoding.UTF8.GetBytes(source.RelativePath + "\n"));
            sha.AppendData(Encoding.UTF8.GetBytes(source.Text.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n\0"));
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static readonly System.Text.RegularExpressions.Regex s_elementName =
        new(@"element (\[[^\]]+\](?:\.\[[^\]]+\])*)", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static Dictionary<string, Microsoft.SqlServer.Dac.SourceInformation> SourcesByName(TSqlModel model)
    {
        var result = new Dictionary<string, Microsoft.SqlServer.Dac.SourceInformation>(StringComparer.OrdinalIgnoreCase);
        foreach (var obj in model.GetObjects(DacQueryScopes.UserDefined))
        {
            var source = obj.GetSourceInformation();
            if (source is not null && obj.Name.HasName)
            {
                result.TryAdd(string.Join('.', obj.Name.Parts.Select(p => "[" + p + "]")), source);
            }
        }

        return result;
    }

    private static SchemaError ToSchemaError(DacModelError error) => new(
        string.IsNullOrEmpty(error.SourceName) ? "(model)" : error.SourceName,
        error.Line,
        error.Column,
        error.Prefix + error.ErrorCode.ToString(System.Globalization.CultureInfo.InvariantCulture),
        error.Message,
        error.Severity != ModelErrorSeverity.Error);

    private static bool IsScript(SchemaSourceFile source) =>
        source.RelativePath.StartsWith(ScriptsFolder + "/", StringComparison.OrdinalIgnoreCase);
}
