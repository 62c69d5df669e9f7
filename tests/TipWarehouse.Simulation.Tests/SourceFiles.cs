using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using TipWarehouse.Core;

namespace TipWarehouse.Simulation.Tests;

/// <summary>Reads the simulated sources the way an independent consumer would.</summary>
public static class SourceFiles
{
    static SourceFiles() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static Encoding Windows1252 => Encoding.GetEncoding(1252);

    public static string NewTempDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "tipw-sim-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>True when the bytes are valid UTF-8 and contain at least one non-ASCII character.</summary>
    public static bool IsNonAsciiUtf8(byte[] bytes)
    {
        if (bytes.All(b => b < 0x80))
        {
            return false;
        }

        try
        {
            new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>The data lines of every hotline file (header skipped), split on ';' with RFC-4180 style quotes, decoded as Windows-1252 unless the file is UTF-8.</summary>
    public static IEnumerable<(string File, string[] Fields)> HotlineRows(string root)
    {
        foreach (var path in Directory.GetFiles(Path.Combine(root, "hotline"), "llamadas_*.csv").Order(StringComparer.Ordinal))
        {
            var bytes = File.ReadAllBytes(path);
            var text = IsNonAsciiUtf8(bytes) ? Encoding.UTF8.GetString(bytes) : Windows1252.GetString(bytes);
            var lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            foreach (var line in lines.Skip(1))
            {
                yield return (Path.GetFileName(path), Split(line));
            }
        }
    }

    public static string[] Split(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ';')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return [.. fields];
    }

    public static List<string[]> Csv(string path) =>
        [.. File.ReadAllLines(path, Encoding.UTF8).Skip(1).Select(l => l.Split(','))];

    public static List<JsonElement> ProsecutionEvents(string root) =>
        [.. Directory.GetFiles(Path.Combine(root, "prosecution"), "eventos_*.jsonl").Order(StringComparer.Ordinal)
            .SelectMany(File.ReadAllLines)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone())];

    public static List<object?[]> Query(string root, string sql)
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = Path.Combine(root, "police", "pnp_trata.sqlite"), Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        using var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        return [.. ResultTable.FromReader(reader).Rows];
    }

    public static DateTime? ParseHotlineTime(string text) =>
        DateTime.TryParseExact(text, "dd/MM/yyyy HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t : null;

    /// <summary>Every file under <paramref name="root"/> with its bytes, keyed by relative path.</summary>
    public static SortedDictionary<string, byte[]> Snapshot(string root, string? under = null)
    {
        var result = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        var start = under is null ? root : Path.Combine(root, under);
        foreach (var path in Directory.GetFiles(start, "*", SearchOption.AllDirectories))
        {
            result[Path.GetRelativePath(root, path)] = File.ReadAllBytes(path);
        }

        return result;
    }
}

/// <summary>The default world (2005-01-01..2007-12-31, scale 1, seed 42), simulated once for the calibration and defect tests.</summary>
public sealed class DefaultWorldFixture : IDisposable
{
    public DefaultWorldFixture()
    {
        Root = SourceFiles.NewTempDirectory();
        Summary = WorldSimulator.Run(new SimulationOptions { OutputDirectory = Root });
        Calls = [.. SourceFiles.HotlineRows(Root)];
        Labels = SourceFiles.Csv(Path.Combine(Root, "truth", "hotline_labels.csv"));
        Events = SourceFiles.ProsecutionEvents(Root);
    }

    public string Root { get; }

    public SimulationSummary Summary { get; }

    public List<(string File, string[] Fields)> Calls { get; }

    public List<string[]> Labels { get; }

    public List<JsonElement> Events { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

/// <summary>Shares one simulated default world between the calibration, defect and narrative tests.</summary>
[CollectionDefinition(Name)]
public sealed class DefaultWorldGroup : ICollectionFixture<DefaultWorldFixture>
{
    public const string Name = "default world";
}
