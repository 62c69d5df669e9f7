using System.Globalization;
using System.Text;
using nietras.SeparatedValues;
using TipWarehouse.Core;

namespace TipWarehouse.Classifier;

/// <summary>The outcome of <c>tipw model predict</c>: rows scored, rows flagged and how the input was read.</summary>
public sealed record PredictFileResult(int Rows, int Flagged, char Separator, string Encoding);

/// <summary>Lookups that turn hotline-export codes into the values the model was trained on (from the warehouse when available).</summary>
public sealed record PredictLookups(Func<string, string?>? DepartmentOfUbigeo = null, Func<string, string?>? CallerTypeCode = null);

/// <summary>Scores a CSV with the hotline export's columns (only <c>relato</c> required) and writes it back with
/// <c>probabilidad_trata</c> and <c>es_trata</c>.</summary>
/// <remarks>The separator (<c>;</c> or <c>,</c>) is detected from the header; the encoding is UTF-8 when the bytes are valid
/// UTF-8 and Windows-1252 otherwise. The output keeps the input's separator and is written as UTF-8.</remarks>
public static class NarrativeFilePredictor
{
    /// <summary>The narrative column, the only one required.</summary>
    public const string NarrativeColumn = "relato";

    /// <summary>The probability column added to the output.</summary>
    public const string ProbabilityColumn = "probabilidad_trata";

    /// <summary>The flag column added to the output (1 = TIP-related at the model's threshold).</summary>
    public const string FlagColumn = "es_trata";

    private static readonly string[] s_timestampFormats = ["dd/MM/yyyy HH:mm:ss", "dd/MM/yyyy HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-dd HH:mm"];

    /// <summary>Reads <paramref name="inputPath"/>, scores every row with <paramref name="scorer"/> and writes <paramref name="outputPath"/>.</summary>
    public static PredictFileResult Predict(string inputPath, string outputPath, CallScorer scorer, PredictLookups? lookups = null)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        var input = Read(inputPath);
        var calls = input.Rows.Select((row, i) => ToFeatures(input, row, i, lookups ?? new PredictLookups())).ToArray();
        var probabilities = scorer.Score(calls);
        var flagged = 0;
        var directory = Path.GetDirectoryName(Path.GetFullPath(outputPath));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        using var writer = new StreamWriter(outputPath, false, new UTF8Encoding(false));
        writer.NewLine = "\n";
        writer.WriteLine(Join([.. input.Header, ProbabilityColumn, FlagColumn], input.Separator));
        for (var i = 0; i < input.Rows.Count; i++)
        {
            var isFlagged = scorer.IsFlagged(probabilities[i]);
            flagged += isFlagged ? 1 : 0;
            writer.WriteLine(Join(
                [.. input.Rows[i], probabilities[i].ToString("0.000000", CultureInfo.InvariantCulture), isFlagged ? "1" : "0"],
                input.Separator));
        }

        return new PredictFileResult(input.Rows.Count, flagged, input.Separator, input.EncodingName);
    }

    /// <summary>A parsed input file: header, rows of raw strings, detected separator and encoding.</summary>
    public sealed record InputFile(string Path, IReadOnlyList<string> Header, IReadOnlyList<string[]> Rows, char Separator, string EncodingName)
    {
        /// <summary>The index of a column by name (case-insensitive, trimmed), or -1.</summary>
        public int IndexOf(string name)
        {
            for (var i = 0; i < Header.Count; i++)
            {
                if (string.Equals(Header[i].Trim(), name, StringComparison.OrdinalIgnoreCase))
                {
                    return i;
                }
            }

            return -1;
        }
    }

    /// <summary>Reads a narrative CSV, detecting its encoding and separator; a missing <c>relato</c> column is a clear error.</summary>
    public static InputFile Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new TipwException($"The input file {path} does not exist.");
        }

        var (text, encodingName) = Decode(File.ReadAllBytes(path));
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new TipwException($"{path} is empty; it needs a header row with at least the column '{NarrativeColumn}'.");
        }

        var separator = DetectSeparator(text);
        using var reader = Sep.Reader(o => o with
        {
            Sep = new Sep(separator),
            Unescape = true,
            DisableColCountCheck = true,
            ColNameComparer = StringComparer.OrdinalIgnoreCase,
        }).FromText(text);
        var header = reader.Header.ColNames.Select(c => c.Trim().TrimStart('\uFEFF')).ToArray();
        if (!header.Any(h => string.Equals(h, NarrativeColumn, StringComparison.OrdinalIgnoreCase)))
        {
            throw new TipwException(
                $"{path}: the required column '{NarrativeColumn}' is missing (found: {string.Join(", ", header)}; separator '{separator}'). " +
                $"The file needs a header row with '{NarrativeColumn}' and may also have the hotline export's other columns.");
        }

        var rows = new List<string[]>();
        foreach (var row in reader)
        {
            var values = new string[header.Length];
            for (var c = 0; c < header.Length; c++)
            {
                values[c] = c < row.ColCount ? row[c].ToString() : string.Empty;
            }

            rows.Add(values);
        }

        return new InputFile(path, header, rows, separator, encodingName);
    }

    private static CallFeatures ToFeatures(InputFile input, string[] row, int index, PredictLookups lookups)
    {
        string? Get(string column)
        {
            var i = input.IndexOf(column);
            return i < 0 || string.IsNullOrWhiteSpace(row[i]) ? null : row[i].Trim();
        }

        int? GetInt(string column) =>
            int.TryParse(Get(column), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;

        int? hour = null;
        var dateKey = 0;
        if (DateTime.TryParseExact(Get("fecha_hora"), s_timestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var ts))
        {
            hour = ts.Hour;
            dateKey = (ts.Year * 10000) + (ts.Month * 100) + ts.Day;
        }

        var ubigeo = Get("ubigeo");
        var callerType = Get("tipo_llamante");
        return CallFeatures.Create(
            callId: Get("id_llamada") ?? (index + 1).ToString(CultureInfo.InvariantCulture),
            callDateKey: dateKey,
            narrative: Get(NarrativeColumn),
            callerType: callerType is null ? null : lookups.CallerTypeCode?.Invoke(callerType) ?? callerType,
            sex: Get("sexo_victima"),
            department: ubigeo is null ? null : lookups.DepartmentOfUbigeo?.Invoke(ubigeo),
            hour: hour,
            victimAge: GetInt("edad_victima"),
            durationSec: GetInt("duracion_seg"));
    }

    /// <summary>UTF-8 (with or without BOM) when the bytes are valid UTF-8, otherwise Windows-1252.</summary>
    public static (string Text, string EncodingName) Decode(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var utf8 = Utf8Detector.Inspect(bytes);
        if (utf8.IsValid)
        {
            return (Encoding.UTF8.GetString(bytes.AsSpan(utf8.HasBom ? 3 : 0)), "utf-8");
        }

        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return (Encoding.GetEncoding(1252).GetString(bytes), "windows-1252");
    }

    /// <summary>The separator of the header line: <c>;</c>, <c>,</c> or tab, whichever occurs most outside quotes (<c>;</c> on a tie).</summary>
    public static char DetectSeparator(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int semicolons = 0, commas = 0, tabs = 0;
        var quoted = false;
        foreach (var c in text)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c is '\n' or '\r')
            {
                break;
            }
            else if (!quoted)
            {
                semicolons += c == ';' ? 1 : 0;
                commas += c == ',' ? 1 : 0;
                tabs += c == '\t' ? 1 : 0;
            }
        }

        if (tabs > semicolons && tabs > commas)
        {
            return '\t';
        }

        return commas > semicolons ? ',' : ';';
    }

    private static string Join(IReadOnlyList<string> values, char separator)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(separator);
            }

            var v = values[i];
            if (v.Contains(separator, StringComparison.Ordinal) || v.Contains('"', StringComparison.Ordinal) || v.Contains('\n', StringComparison.Ordinal) || v.Contains('\r', StringComparison.Ordinal))
            {
                sb.Append('"').Append(v.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            }
            else
            {
                sb.Append(v);
            }
        }

        return sb.ToString();
    }
}
