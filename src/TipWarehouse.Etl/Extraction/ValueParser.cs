using System.Globalization;
using System.Text;
using TipWarehouse.Etl.Specs;

namespace TipWarehouse.Etl.Extraction;

/// <summary>Resolves encoding names of specs (windows-1252 needs the code-pages provider).</summary>
public static class TextEncodings
{
    static TextEncodings() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>The encoding named <paramref name="name"/>, strict (throws on bytes it cannot decode) for UTF-8.</summary>
    public static Encoding Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.ToLowerInvariant() switch
        {
            "utf-8" or "utf8" => new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true),
            _ => Encoding.GetEncoding(name),
        };
    }
}

/// <summary>One typed source value: a string, a 64-bit integer, a double, a date/time or a boolean, or null.</summary>
internal struct FieldValue
{
    public bool IsNull;
#pragma warning disable CA1720 // a value slot named after what it holds
    public long Int;
#pragma warning restore CA1720
    public double Real;
    public DateTime Time;
    public string? Text;

    /// <summary>The null value.</summary>
    public static FieldValue Null => new() { IsNull = true };
}

/// <summary>Parses source text into typed values according to a column spec (formats, culture) without allocating for non-strings.</summary>
internal sealed class ValueParser
{
    private readonly CultureInfo _culture;

    public ValueParser(string culture)
    {
        _culture = culture == "invariant" ? CultureInfo.InvariantCulture : CultureInfo.GetCultureInfo(culture);
    }

    /// <summary>Parses <paramref name="text"/> for <paramref name="column"/>; on failure returns false with a reason a user can act on.</summary>
    public bool TryParse(ColumnSpec column, ReadOnlySpan<char> text, out FieldValue value, out string? error)
    {
        ArgumentNullException.ThrowIfNull(column);
        text = text.Trim();
        error = null;
        value = default;
        if (text.IsEmpty)
        {
            value = FieldValue.Null;
            if (column.Required)
            {
                error = "required value is missing";
                return false;
            }

            return true;
        }

        switch (column.Type)
        {
            case ColumnType.String:
                value.Text = text.ToString();
                return true;
            case ColumnType.Int:
            case ColumnType.Long:
                if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value.Int)
                    && (column.Type == ColumnType.Long || value.Int is >= int.MinValue and <= int.MaxValue))
                {
                    return true;
                }

                // Some exports write integers as 12.0.
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == Math.Floor(d) && Math.Abs(d) < 1e15)
                {
                    value.Int = (long)d;
                    return true;
                }

                error = $"'{Shorten(text)}' is not a whole number";
                return false;
            case ColumnType.Decimal:
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value.Real)
                    || double.TryParse(text, NumberStyles.Float, _culture, out value.Real))
                {
                    return true;
                }

                error = $"'{Shorten(text)}' is not a number";
                return false;
            case ColumnType.Bool:
                if (text is "1" || text.Equals("true", StringComparison.OrdinalIgnoreCase) || text.Equals("si", StringComparison.OrdinalIgnoreCase))
                {
                    value.Int = 1;
                    return true;
                }

                if (text is "0" || text.Equals("false", StringComparison.OrdinalIgnoreCase) || text.Equals("no", StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }

                error = $"'{Shorten(text)}' is not a boolean";
                return false;
            case ColumnType.Date:
            case ColumnType.DateTime:
                if (TryParseTime(column, text, out value.Time))
                {
                    if (column.Type == ColumnType.Date)
                    {
                        value.Time = value.Time.Date;
                    }

                    return true;
                }

                error = column.Formats.Count > 0
                    ? $"'{Shorten(text)}' is not a date in the format {string.Join(" or ", column.Formats)}"
                    : $"'{Shorten(text)}' is not an ISO-8601 date";
                return false;
            default:
                throw new InvalidOperationException($"Unhandled column type {column.Type}.");
        }
    }

    private bool TryParseTime(ColumnSpec column, ReadOnlySpan<char> text, out DateTime time)
    {
        foreach (var format in column.Formats)
        {
            if (DateTime.TryParseExact(text, format, _culture, DateTimeStyles.None, out time))
            {
                return true;
            }
        }

        if (column.Formats.Count == 0)
        {
            return DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out time);
        }

        time = default;
        return false;
    }

    /// <summary>Parses a rule bound (min/max) of a column: a number, or an ISO date/time.</summary>
    public static bool TryParseBound(ColumnSpec column, string text, out FieldValue value)
    {
        ArgumentNullException.ThrowIfNull(column);
        ArgumentNullException.ThrowIfNull(text);
        value = default;
        switch (column.Type)
        {
            case ColumnType.Int:
            case ColumnType.Long:
                return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value.Int);
            case ColumnType.Decimal:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value.Real);
            case ColumnType.Date:
            case ColumnType.DateTime:
                return DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out value.Time);
            default:
                return false;
        }
    }

    internal static string Shorten(ReadOnlySpan<char> text) => text.Length <= 40 ? text.ToString() : string.Concat(text[..40], "…");
}
