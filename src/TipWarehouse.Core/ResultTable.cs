namespace TipWarehouse.Core;

/// <summary>A column of a <see cref="ResultTable"/>: a snake_case name and its CLR type.</summary>
public readonly record struct ResultColumn(string Name, Type Type);

/// <summary>A small tabular result (reports, run history, query output) that the CLI renders as a table, CSV or JSON.</summary>
public sealed class ResultTable
{
    public ResultTable(IReadOnlyList<ResultColumn> columns, IReadOnlyList<object?[]> rows, IReadOnlyList<string>? notes = null)
    {
        Columns = columns;
        Rows = rows;
        Notes = notes ?? [];
    }

    /// <summary>The columns, in order.</summary>
    public IReadOnlyList<ResultColumn> Columns { get; }

    /// <summary>The rows; each has one value per column (null for SQL NULL).</summary>
    public IReadOnlyList<object?[]> Rows { get; }

    /// <summary>Lines shown under a table (method statements, suppression footers); not part of CSV or JSON output.</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>The index of the named column, or -1.</summary>
    public int IndexOf(string columnName)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (string.Equals(Columns[i].Name, columnName, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Reads a whole ADO.NET result into a table. DuckDB values keep what .NET's defaults would lose: a DECIMAL keeps its
    /// scale (and becomes an <see cref="ExactDecimal"/> beyond System.Decimal), an INTERVAL its months and days
    /// (<see cref="DuckDB.NET.Native.DuckDBInterval"/>), a TIMESTAMPTZ its UTC offset, a TIMETZ its offset (as text),
    /// a BLOB its bytes.
    /// </summary>
    public static ResultTable FromReader(System.Data.Common.DbDataReader reader, IReadOnlyList<string>? notes = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var columns = new ResultColumn[reader.FieldCount];
        var readers = new Func<System.Data.Common.DbDataReader, int, object>[columns.Length];
        for (var i = 0; i < columns.Length; i++)
        {
            (columns[i], readers[i]) = ColumnOf(reader, i);
        }

        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[columns.Length];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : readers[i](reader, i);
            }

            rows.Add(row);
        }

        return new ResultTable(columns, rows, notes);
    }

    private static (ResultColumn Column, Func<System.Data.Common.DbDataReader, int, object> Read) ColumnOf(System.Data.Common.DbDataReader reader, int ordinal)
    {
        var name = reader.GetName(ordinal);
        var type = reader.GetFieldType(ordinal);
        if (reader is not DuckDB.NET.Data.DuckDBDataReader)
        {
            return (new ResultColumn(name, type), static (r, i) => r.GetValue(i));
        }

        return reader.GetDataTypeName(ordinal) switch
        {
            "Decimal" => (new ResultColumn(name, typeof(decimal)), static (r, i) => ExactDecimal.From(r.GetFieldValue<DuckDB.NET.Native.DuckDBDecimal>(i))),
            "Interval" => (new ResultColumn(name, typeof(DuckDB.NET.Native.DuckDBInterval)), static (r, i) => r.GetFieldValue<DuckDB.NET.Native.DuckDBInterval>(i)),
            "TimestampTz" => (new ResultColumn(name, typeof(DateTimeOffset)), static (r, i) => new DateTimeOffset(DateTime.SpecifyKind(r.GetDateTime(i), DateTimeKind.Utc))),
            "TimeTz" => (new ResultColumn(name, typeof(string)), static (r, i) => r.GetFieldValue<DateTimeOffset>(i).ToString("HH:mm:ss.FFFFFFFzzz", System.Globalization.CultureInfo.InvariantCulture)),
            "Blob" => (new ResultColumn(name, typeof(byte[])), static (r, i) => ReadBytes(r, i)),
            "List" or "Array" => ListReader(name, type),
            _ => (new ResultColumn(name, type), static (r, i) => r.GetValue(i)),
        };
    }

    /// <summary>DuckDB.NET reads <c>[2, NULL]</c> as a <c>List&lt;int&gt;</c> and throws: read lists with nullable elements.</summary>
    private static (ResultColumn Column, Func<System.Data.Common.DbDataReader, int, object> Read) ListReader(string name, Type type)
    {
        var nullable = WithNullableElements(type);
        var read = typeof(System.Data.Common.DbDataReader).GetMethod(nameof(System.Data.Common.DbDataReader.GetFieldValue))!.MakeGenericMethod(nullable);
        return (new ResultColumn(name, nullable), (r, i) => read.Invoke(r, [i])!);
    }

    private static Type WithNullableElements(Type type)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            return typeof(List<>).MakeGenericType(WithNullableElements(type.GetGenericArguments()[0]));
        }

        return type.IsValueType && Nullable.GetUnderlyingType(type) is null ? typeof(Nullable<>).MakeGenericType(type) : type;
    }

    private static byte[] ReadBytes(System.Data.Common.DbDataReader reader, int ordinal)
    {
        using var stream = reader.GetStream(ordinal);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

/// <summary>
/// A SQL DECIMAL with its scale, exact at any width: <see cref="From"/> gives a System.Decimal with the column's scale
/// when it fits (up to 28 digits) and this type beyond (DuckDB's DECIMAL(38,s)).
/// </summary>
public readonly record struct ExactDecimal(System.Numerics.BigInteger Unscaled, int Scale)
{
    private static readonly System.Numerics.BigInteger s_decimalLimit = System.Numerics.BigInteger.Pow(2, 96);

    /// <summary>The value of a DuckDB DECIMAL: a System.Decimal with its scale when it fits, else an <see cref="ExactDecimal"/>.</summary>
    public static object From(DuckDB.NET.Native.DuckDBDecimal value)
    {
        var unscaled = value.Value.ToBigInteger();
        var magnitude = System.Numerics.BigInteger.Abs(unscaled);
        if (magnitude >= s_decimalLimit || value.Scale > 28)
        {
            return new ExactDecimal(unscaled, value.Scale);
        }

        Span<byte> bytes = stackalloc byte[16];
        bytes.Clear();
        magnitude.TryWriteBytes(bytes, out _, isUnsigned: true, isBigEndian: false);
        return new decimal(
            BitConverter.ToInt32(bytes[..4]), BitConverter.ToInt32(bytes[4..8]), BitConverter.ToInt32(bytes[8..12]),
            unscaled.Sign < 0, value.Scale);
    }

    /// <summary>The digits with a '.' before the last <see cref="Scale"/> of them (invariant, no exponent).</summary>
    public override string ToString()
    {
        var digits = System.Numerics.BigInteger.Abs(Unscaled).ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(Scale + 1, '0');
        var text = Scale == 0 ? digits : digits[..^Scale] + "." + digits[^Scale..];
        return Unscaled.Sign < 0 ? "-" + text : text;
    }
}
