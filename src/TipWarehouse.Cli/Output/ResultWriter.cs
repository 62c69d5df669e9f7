using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
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

    /// <summary>Writes to <paramref name="outPath"/> when given, else to <paramref name="stdout"/>.</summary>
    public static void WriteTo(ResultTable table, string format, string? outPath, TextWriter stdout)
    {
        if (string.IsNullOrEmpty(outPath))
        {
            Write(table, format, stdout);
            return;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(outPath));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        using var file = new StreamWriter(outPath, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        Write(table, format, file);
    }

    /// <summary>Formats one value the way CSV and tables show it: ISO-8601 dates, invariant numbers.</summary>
    public static string FormatValue(object? value) => value switch
    {
        null => string.Empty,
        string s => s,
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime dt when dt.TimeOfDay == TimeSpan.Zero => dt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime dt => dt.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        DateTimeOffset dto => dto.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture),
        TimeSpan ts => ts.ToString("c", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        double dbl => dbl.ToString("0.######", CultureInfo.InvariantCulture),
        float f => f.ToString("0.######", CultureInfo.InvariantCulture),
        decimal m => m.ToString(CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static void WriteCsv(ResultTable table, TextWriter writer)
    {
        writer.Write(string.Join(",", table.Columns.Select(c => Quote(c.Name))));
        writer.Write("\r\n");
        foreach (var row in table.Rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                if (i > 0)
                {
                    writer.Write(',');
                }

                writer.Write(row[i] is string text ? CsvCell.Text(text) : Quote(FormatValue(row[i])));
            }

            writer.Write("\r\n");
        }
    }

    private static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;

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
                json.WriteNumberValue(d);
                break;
            case float f when float.IsFinite(f):
                json.WriteNumberValue(f);
                break;
            case decimal m:
                json.WriteNumberValue(m);
                break;
            case double or float:
                json.WriteNullValue();
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
            || t == typeof(ushort) || t == typeof(sbyte);
    }
}
