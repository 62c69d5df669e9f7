namespace TipWarehouse.Core;

/// <summary>RFC 4180 CSV cells for every CSV the warehouse writes (CLI output, exports, quarantine), safe to open in a spreadsheet.</summary>
public static class CsvCell
{
    /// <summary>
    /// A text cell: a leading <c>'</c> when it starts with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab or a carriage
    /// return (so a spreadsheet shows it as text instead of running it as a formula), then quoted when needed.
    /// Numbers are written with <see cref="Quote"/> only: a negative number is not a formula.
    /// </summary>
    public static string Text(string? value) => value is null ? "" : Quote(Neutralize(value));

    /// <summary>The value with a leading <c>'</c> when its first character would start a spreadsheet formula.</summary>
    public static string Neutralize(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;
    }

    /// <summary>The field quoted (doubling quotes) when it holds a comma, a quote or a line break.</summary>
    public static string Quote(string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        return field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
    }
}
