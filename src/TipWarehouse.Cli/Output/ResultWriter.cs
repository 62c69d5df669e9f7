using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using DuckDB.NET.Native;
using Spectre.Console;
using TipWarehouse.Core;

namespace TipWarehouse.Cli.Output;

/// <summary>Renders a <see cref="ResultTable"/> as a readable table, RFC 4180 CSV or a JSON array of objects.</summary>
public static class ResultWriter
{
    /// <summary>Writes <paramref name="table"/> in <paramref name="format"/> (table, csv or json) to <paramref name="writer"/>.</summary>
    public static void Write(ResultTable table, string format, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(writer);
        switch (format)
        {
            case "csv":
                WriteCsv(table, writer);
                break;
            case "json":
                WriteJson(table, writer);
                break;
            case "table":
                WriteTable(table, writer);
                break;
            default:
                throw new UsageException($"Unknown format '{format}'. Use table, csv or json.");
        }
    }

    private static readonly AsyncLocal<IReadOnlyList<string>?> s_columns = new();

    /// <summary>The columns <c>--columns</c> asked for, in order (null: all), for the running command; set by <see cref="CliApp.RunAsync"/>.</summary>
    internal static IReadOnlyList<string>? Columns
    {
        get => s_columns.Value;
        set => s_columns.Value = value;
    }

    /// <summary>The column names of a <c>--columns a,b,c</c> value (spaces trimmed); null when the option is absent; a usage error when it names none.</summary>
    public static IReadOnlyList<string>? ParseColumns(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var names = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return names.Length > 0 ? names : throw new UsageException("--columns names no column; give them comma-separated, e.g. --columns pipeline,status.");
    }

    /// <summary>
    /// The table with only <paramref name="columns"/>, in that order (null: the table itself). A name the table lacks is a
    /// usage error that names it and lists the valid ones.
    /// </summary>
    public static ResultTable SelectColumns(ResultTable table, IReadOnlyList<string>? columns)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (columns is null)
        {
            return table;
        }

        var indexes = new int[columns.Count];
        for (var i = 0; i < columns.Count; i++)
        {
            indexes[i] = table.IndexOf(columns[i]);
            if (indexes[i] < 0)
            {
                throw new UsageException($"--columns: this result has no column '{columns[i]}'. Its columns are: {string.Join(", ", table.Columns.Select(c => c.Name))}.");
            }
        }

        var rows = table.Rows.Select(row => indexes.Select(i => row[i]).ToArray()).ToList();
        return new ResultTable([.. indexes.Select(i => table.Columns[i])], rows, table.Notes);
    }

    /// <summary>Writes to <paramref name="outPath"/> when given, else to <paramref name="stdout"/>; only the <c>--columns</c> asked for.</summary>
    public static void WriteTo(ResultTable table, string format, string? outPath, TextWriter stdout)
    {
        table = SelectColumns(table, Columns);
        if (string.IsNullOrEmpty(outPath))
        {
            Write(table, format, stdout);
            return;
        }

        if (Directory.Exists(outPath))
        {
            throw new UsageException($"--out {outPath} is a folder; name a file in it, e.g. --out {Path.Combine(outPath, "result." + (format == "table" ? "txt" : format))}.");
        }

        try
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(outPath));
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            using var file = new StreamWriter(outPath, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            Write(table, format, file);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new TipwException($"Cannot write --out {outPath}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Formats one value the way CSV and tables show it, exactly (the README's value-format table): ISO 8601 dates,
    /// timestamps, times and durations, shortest round-trip doubles, decimals with their scale, hex bytes, JSON for
    /// lists, structs and maps.
    /// </summary>
    public static string FormatValue(object? value) => value switch
    {
        null => string.Empty,
        string s => s,
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime dt => dt.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        DateTimeOffset dto => dto.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture),
        TimeOnly t => t.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        TimeSpan ts => IsoDuration(0, ts.Days, ts.Ticks % TimeSpan.TicksPerDay),
        DuckDBInterval interval => IsoDuration(interval.Months, interval.Days, unchecked((long)interval.Micros) * 10),
        bool b => b ? "true" : "false",
        double dbl => dbl.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        decimal m => m.ToString(CultureInfo.InvariantCulture),
        ExactDecimal exact => exact.ToString(),
        byte[] bytes => Convert.ToHexStringLower(bytes),
        Guid guid => guid.ToString("D", CultureInfo.InvariantCulture),
        IDictionary or IList => Json(value),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>
    /// An ISO 8601 duration (<c>P1Y2M3DT4H5M6.5S</c>, <c>PT0S</c> for zero). A DuckDB interval keeps months, days and
    /// time apart (a month is not 30 days), so each part keeps its own sign; an all-negative one is written <c>-P…</c>.
    /// </summary>
    public static string IsoDuration(int months, int days, long ticks)
    {
        var negative = months <= 0 && days <= 0 && ticks <= 0 && (months != 0 || days != 0 || ticks != 0);
        if (negative)
        {
            (months, days, ticks) = (-months, -days, -ticks);
        }

        var text = new StringBuilder(negative ? "-P" : "P");
        if (months / 12 != 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{months / 12}Y");
        }

        if (months % 12 != 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{months % 12}M");
        }

        if (days != 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{days}D");
        }

        if (ticks != 0 || text.Length == (negative ? 2 : 1))
        {
            text.Append('T');
            var hours = ticks / TimeSpan.TicksPerHour;
            var minutes = ticks % TimeSpan.TicksPerHour / TimeSpan.TicksPerMinute;
            var secondTicks = ticks % TimeSpan.TicksPerMinute;
            if (hours != 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"{hours}H");
            }

            if (minutes != 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"{minutes}M");
            }

            if (secondTicks != 0 || (hours == 0 && minutes == 0))
            {
                text.Append((secondTicks / (decimal)TimeSpan.TicksPerSecond).ToString("0.#######", CultureInfo.InvariantCulture)).Append('S');
            }
        }

        return text.ToString();
    }

    private static string Json(object value)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            WriteJsonValue(json, value);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteCsv(ResultTable table, TextWriter writer)
    {
        var csv = new CsvWriter(writer);
        csv.Header(table.Columns.Select(c => c.Name));
        foreach (var row in table.Rows)
        {
            foreach (var value in row)
            {
                _ = value is string text ? csv.Text(text) : csv.Value(FormatValue(value));
            }

            csv.EndRow();
        }
    }

    private static void WriteJson(ResultTable table, TextWriter writer)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            foreach (var row in table.Rows)
            {
                json.WriteStartObject();
                for (var i = 0; i < row.Length; i++)
                {
                    json.WritePropertyName(table.Columns[i].Name);
                    WriteJsonValue(json, row[i]);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        writer.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static void WriteJsonValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case bool b:
                json.WriteBooleanValue(b);
                break;
            case byte or sbyte or short or ushort or int or uint or long:
                json.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ulong ul:
                json.WriteNumberValue(ul);
                break;
            case BigInteger big:
                json.WriteRawValue(big.ToString(CultureInfo.InvariantCulture));
                break;
            case double d when double.IsFinite(d):
                json.WriteRawValue(d.ToString("R", CultureInfo.InvariantCulture));
                break;
            case float f when float.IsFinite(f):
                json.WriteRawValue(f.ToString("R", CultureInfo.InvariantCulture));
                break;
            case decimal m:
                json.WriteRawValue(m.ToString(CultureInfo.InvariantCulture));
                break;
            case ExactDecimal exact:
                json.WriteRawValue(exact.ToString());
                break;
            case double or float:
                json.WriteNullValue();
                break;
            case IDictionary map:
                json.WriteStartObject();
                foreach (DictionaryEntry entry in map)
                {
                    json.WritePropertyName(FormatValue(entry.Key));
                    WriteJsonValue(json, entry.Value);
                }

                json.WriteEndObject();
                break;
            case IList list and not byte[]:
                json.WriteStartArray();
                foreach (var item in list)
                {
                    WriteJsonValue(json, item);
                }

                json.WriteEndArray();
                break;
            default:
                json.WriteStringValue(FormatValue(value));
                break;
        }
    }

    private static void WriteTable(ResultTable table, TextWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(writer),
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 240;
        var rendered = new Table().Border(TableBorder.Rounded);
        foreach (var column in table.Columns)
        {
            var tableColumn = new TableColumn(Markup.Escape(column.Name));
            if (IsNumeric(column.Type))
            {
                tableColumn.RightAligned();
            }

            rendered.AddColumn(tableColumn);
        }

        foreach (var row in table.Rows)
        {
            rendered.AddRow(row.Select(v => Markup.Escape(FormatValue(v))).ToArray());
        }

        console.Write(rendered);
        writer.WriteLine($"{table.Rows.Count} row{(table.Rows.Count == 1 ? string.Empty : "s")}");
        foreach (var note in table.Notes)
        {
            writer.WriteLine(note);
        }
    }

    private static bool IsNumeric(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t == typeof(int) || t == typeof(long) || t == typeof(short) || t == typeof(byte) || t == typeof(double)
            || t == typeof(float) || t == typeof(decimal) || t == typeof(BigInteger) || t == typeof(uint) || t == typeof(ulong)
            || t == typeof(ushort) || t == typeof(sbyte) || t == typeof(ExactDecimal);
    }
}
