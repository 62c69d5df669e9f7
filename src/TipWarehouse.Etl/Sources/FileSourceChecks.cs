using TipWarehouse.Core;
using TipWarehouse.Etl.Extraction;
using TipWarehouse.Etl.Specs;

namespace TipWarehouse.Etl.Sources;

/// <summary>The key checks the csv, sqlite and jsonl kinds share (a path under <c>--sources</c>, an encoding for text files, a table for databases).</summary>
internal static class FileSourceChecks
{
    /// <summary>Throws when a drop folder is missing: the sources directory is wrong, not the folder empty.</summary>
    internal static void RequireFolder(string pipeline, string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new TipwException($"Pipeline {pipeline}: the source folder {folder} does not exist (check --sources).");
        }
    }

    public static IEnumerable<(string Key, string Message)> Validate(SourceSpec source, bool needsTable, bool textFiles)
    {
        if (string.IsNullOrWhiteSpace(source.Path))
        {
            yield return ("path", "required: the file, folder or database path relative to --sources");
        }

        if (needsTable && string.IsNullOrWhiteSpace(source.Table))
        {
            yield return ("table", "required for a sqlite source");
        }

        if (textFiles && !KnownEncoding(source.Encoding))
        {
            yield return ("encoding", $"unknown encoding '{source.Encoding}' (e.g. utf-8, windows-1252)");
        }
    }

    private static bool KnownEncoding(string name)
    {
        try
        {
            _ = TextEncodings.Get(name);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
