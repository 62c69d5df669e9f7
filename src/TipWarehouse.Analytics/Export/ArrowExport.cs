using System.Data.Common;
using System.Globalization;
using System.Numerics;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using TipWarehouse.Core;

namespace TipWarehouse.Analytics.Export;

/// <summary>Writes tabular data as an Arrow IPC file (the random-access "Feather v2" file format, not the stream format).</summary>
public static class ArrowExport
{
    private const int BatchSize = 65_536;

    /// <summary>Streams every row of <paramref name="reader"/> into an Arrow IPC file at <paramref name="path"/>; returns the row count.</summary>
    /// <remarks><paramref name="sqlTypes"/> gives the SQL type per column name when known (DECIMAL scale, DATE vs TIMESTAMP).</remarks>
    public static async Task<long> WriteAsync(DbDataReader reader, string path, IReadOnlyDictionary<string, string>? sqlTypes = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var columns = new ColumnWriter[reader.FieldCount];
        for (var i = 0; i < columns.Length; i++)
        {
            var name = reader.GetName(i);
            var sqlType = sqlTypes is not null && sqlTypes.TryGetValue(name, out var known) ? known : reader.GetDataTypeName(i);
            columns[i] = ColumnWriter.For(name, reader.GetFieldType(i), sqlType);
        }

        var schema = new Schema(columns.Select(c => c.Field), null);
        long total = 0;
        await using var stream = File.Create(path);
        using var writer = new ArrowFileWriter(stream, schema);
        await writer.WriteStartAsync(cancellationToken);
        var inBatch = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            for (var i = 0; i < columns.Length; i++)
            {
                columns[i].Append(reader.IsDBNull(i) ? null : reader.GetValue(i));
            }

            inBatch++;
            total++;
            if (inBatch == BatchSize)
            {
                await writer.WriteRecordBatchAsync(Flush(schema, columns, inBatch), cancellationToken);
                inBatch = 0;
            }
        }

        if (inBatch > 0 || total == 0)
        {
            await writer.WriteRecordBatchAsync(Flush(schema, columns, inBatch), cancellationToken);
        }

        await writer.WriteEndAsync(cancellationToken);
        return total;
    }

    /// <summary>Writes a report table to an Arrow IPC file at <paramref name="path"/>.</summary>
    public static async Task WriteAsync(ResultTable table, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        var columns = table.Columns.Select(c => ColumnWriter.For(c.Name, ReportType(table, c), null)).ToArray();
        var schema = new Schema(columns.Select(c => c.Field), null);
        foreach (var row in table.Rows)
        {
            for (var i = 0; i < columns.Length; i++)
            {
                columns[i].Append(row[i]);
            }
        }

        await using var stream = File.Create(path);
        using var writer = new ArrowFileWriter(stream, schema);
        await writer.WriteStartAsync(cancellationToken);
        await writer.WriteRecordBatchAsync(Flush(schema, columns, table.Rows.Count), cancellationToken);
        await writer.WriteEndAsync(cancellationToken);
    }

    /// <summary>Reads an Arrow IPC file back into a table (used to verify exports).</summary>
    public static async Task<ResultTable> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var stream = File.OpenRead(path);
        using var reader = new ArrowFileReader(stream);
        var schema = reader.Schema;
        var columns = schema.FieldsList.Select(f => new ResultColumn(f.Name, ClrType(f.DataType))).ToArray();
        var rows = new List<object?[]>();
        while (await reader.ReadNextRecordBatchAsync(cancellationToken) is { } batch)
        {
            using (batch)
            {
                for (var r = 0; r < batch.Length; r++)
                {
                    var row = new object?[columns.Length];
                    for (var c = 0; c < columns.Length; c++)
                    {
                        row[c] = Value(batch.Column(c), r);
                    }

                    rows.Add(row);
                }
            }
        }

        return new ResultTable(columns, rows);
    }

    // Report columns declare long/double/string; a column whose values are all null still gets its declared type.
    private static Type ReportType(ResultTable table, ResultColumn column) =>
        Nullable.GetUnderlyingType(column.Type) ?? column.Type;

    private static RecordBatch Flush(Schema schema, ColumnWriter[] columns, int length) =>
        new(schema, columns.Select(c => c.Build()), length);

    private static Type ClrType(IArrowType type) => type.TypeId switch
    {
        ArrowTypeId.Boolean => typeof(bool),
        ArrowTypeId.Int16 => typeof(short),
        ArrowTypeId.Int32 => typeof(int),
        ArrowTypeId.Int64 => typeof(long),
        ArrowTypeId.Double => typeof(double),
        ArrowTypeId.Float => typeof(float),
        ArrowTypeId.Decimal128 => typeof(decimal),
        ArrowTypeId.Date32 => typeof(DateOnly),
        ArrowTypeId.Timestamp => typeof(DateTime),
        _ => typeof(string),
    };

    private static object? Value(IArrowArray array, int index)
    {
        if (array.IsNull(index))
        {
            return null;
        }

        return array switch
        {
            BooleanArray a => a.GetValue(index),
            Int16Array a => a.GetValue(index),
            Int32Array a => a.GetValue(index),
            Int64Array a => a.GetValue(index),
            DoubleArray a => a.GetValue(index),
            FloatArray a => a.GetValue(index),
            Decimal128Array a => a.GetValue(index),
            Date32Array a => a.GetDateOnly(index),
            TimestampArray a => a.GetTimestamp(index)?.DateTime,
            StringArray a => a.GetString(index),
            _ => throw new NotSupportedException($"Arrow type {array.Data.DataType.Name} is not read back by this helper."),
        };
    }

    private abstract class ColumnWriter
    {
        protected ColumnWriter(Field field) => Field = field;

        public Field Field { get; }

        public abstract void Append(object? value);

        public abstract IArrowArray Build();

        public static ColumnWriter For(string name, Type type, string? duckDbType)
        {
            var t = Nullable.GetUnderlyingType(type) ?? type;
            if (t == typeof(bool))
            {
                return new Typed<BooleanArray, BooleanArray.Builder>(new Field(name, BooleanType.Default, true), () => new BooleanArray.Builder(), (b, v) => b.Append(Convert.ToBoolean(v, CultureInfo.InvariantCulture)), b => b.AppendNull(), b => b.Build());
            }

            if (t == typeof(short) || t == typeof(sbyte) || t == typeof(byte))
            {
                return new Typed<Int16Array, Int16Array.Builder>(new Field(name, Int16Type.Default, true), () => new Int16Array.Builder(), (b, v) => b.Append(Convert.ToInt16(v, CultureInfo.InvariantCulture)), b => b.AppendNull(), b => b.Build());
            }

            if (t == typeof(int) || t == typeof(ushort))
            {
                return new Typed<Int32Array, Int32Array.Builder>(new Field(name, Int32Type.Default, true), () => new Int32Array.Builder(), (b, v) => b.Append(Convert.ToInt32(v, CultureInfo.InvariantCulture)), b => b.AppendNull(), b => b.Build());
            }

            if (t == typeof(long) || t == typeof(uint) || t == typeof(ulong) || t == typeof(BigInteger))
            {
                return new Typed<Int64Array, Int64Array.Builder>(new Field(name, Int64Type.Default, true), () => new Int64Array.Builder(), (b, v) => b.Append(ToInt64(v)), b => b.AppendNull(), b => b.Build());
            }

            if (t == typeof(double) || t == typeof(float))
            {
                return new Typed<DoubleArray, DoubleArray.Builder>(new Field(name, DoubleType.Default, true), () => new DoubleArray.Builder(), (b, v) => b.Append(Convert.ToDouble(v, CultureInfo.InvariantCulture)), b => b.AppendNull(), b => b.Build());
            }

            if (t == typeof(decimal))
            {
                var (precision, scale) = DecimalShape(duckDbType);
                var decimalType = new Decimal128Type(precision, scale);
                return new Typed<Decimal128Array, Decimal128Array.Builder>(new Field(name, decimalType, true), () => new Decimal128Array.Builder(decimalType), (b, v) => b.Append(Convert.ToDecimal(v, CultureInfo.InvariantCulture)), b => b.AppendNull(), b => b.Build());
            }

            if (t == typeof(DateOnly) || (t == typeof(DateTime) && string.Equals(duckDbType, "DATE", StringComparison.OrdinalIgnoreCase)))
            {
                return new Typed<Date32Array, Date32Array.Builder>(new Field(name, Date32Type.Default, true), () => new Date32Array.Builder(), (b, v) => b.Append(v is DateOnly d ? d : DateOnly.FromDateTime((DateTime)v)), b => b.AppendNull(), b => b.Build());
            }

            if (t == typeof(DateTime))
            {
                var timestamp = new TimestampType(TimeUnit.Microsecond, (string?)null);
                return new Typed<TimestampArray, TimestampArray.Builder>(new Field(name, timestamp, true), () => new TimestampArray.Builder(timestamp), (b, v) => b.Append(new DateTimeOffset(DateTime.SpecifyKind((DateTime)v, DateTimeKind.Utc))), b => b.AppendNull(), b => b.Build());
            }

            return new Typed<StringArray, StringArray.Builder>(new Field(name, StringType.Default, true), () => new StringArray.Builder(), (b, v) => b.Append(v as string ?? Convert.ToString(v, CultureInfo.InvariantCulture)), b => b.AppendNull(), b => b.Build());
        }

        private static long ToInt64(object value) => value is BigInteger big ? (long)big : Convert.ToInt64(value, CultureInfo.InvariantCulture);

        private static (int Precision, int Scale) DecimalShape(string? duckDbType)
        {
            // DuckDB names decimals DECIMAL(p,s); without it, use a wide shape that holds report values.
            if (duckDbType is not null && duckDbType.StartsWith("DECIMAL(", StringComparison.OrdinalIgnoreCase))
            {
                var parts = duckDbType[8..^1].Split(',');
                if (parts.Length == 2
                    && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var p)
                    && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var s))
                {
                    return (p, s);
                }
            }

            return (38, 6);
        }
    }

    private sealed class Typed<TArray, TBuilder> : ColumnWriter
        where TArray : IArrowArray
    {
        private readonly Func<TBuilder> _create;
        private readonly Action<TBuilder, object> _append;
        private readonly Action<TBuilder> _appendNull;
        private readonly Func<TBuilder, TArray> _build;
        private TBuilder _builder;

        public Typed(Field field, Func<TBuilder> create, Action<TBuilder, object> append, Action<TBuilder> appendNull, Func<TBuilder, TArray> build)
            : base(field)
        {
            _create = create;
            _append = append;
            _appendNull = appendNull;
            _build = build;
            _builder = create();
        }

        public override void Append(object? value)
        {
            if (value is null or DBNull)
            {
                _appendNull(_builder);
            }
            else
            {
                _append(_builder, value);
            }
        }

        public override IArrowArray Build()
        {
            var array = _build(_builder);
            _builder = _create();
            return array;
        }
    }
}
