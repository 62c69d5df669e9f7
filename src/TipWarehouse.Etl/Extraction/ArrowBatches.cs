using Apache.Arrow;
using Apache.Arrow.Types;
using TipWarehouse.Etl.Specs;

namespace TipWarehouse.Etl.Extraction;

/// <summary>A rejected row or file: where it came from, which column, why, and its raw text (quarantine only).</summary>
public sealed record RejectRecord(string SourceFile, long? SourceRow, string? Column, string ReasonCode, string Reason, string? RawText, string? MaskedRawText);

/// <summary>Masks what could identify a person in raw text kept inside the warehouse.</summary>
public static partial class RawTextMask
{
    /// <summary>Replaces standalone runs of 8 or more digits (DNI-like numbers, not parts of identifiers like L2006031900001) by <c>[DNI]</c>.</summary>
    public static string? Digits(string? text) => text is null ? null : DniLike().Replace(text, "[DNI]");

    [System.Text.RegularExpressions.GeneratedRegex(@"(?<![\p{L}\d])\d{8,}(?!\d)")]
    private static partial System.Text.RegularExpressions.Regex DniLike();
}

/// <summary>Builds one Arrow column from typed values.</summary>
internal abstract class ColumnBuilder
{
    public abstract void Append(in FieldValue value);

    public abstract IArrowArray Build();

    public static (IArrowType Type, Func<ColumnBuilder> Create) For(ColumnType type) => type switch
    {
        ColumnType.String => (StringType.Default, () => new StringColumn()),
        ColumnType.Int => (Int32Type.Default, () => new Int32Column()),
        ColumnType.Long => (Int64Type.Default, () => new Int64Column()),
        ColumnType.Decimal => (DoubleType.Default, () => new DoubleColumn()),
        ColumnType.Bool => (BooleanType.Default, () => new BoolColumn()),
        ColumnType.Date => (Date32Type.Default, () => new DateColumn()),
        ColumnType.DateTime => (TimestampType.Default, () => new TimestampColumn()),
        _ => throw new InvalidOperationException($"Unhandled column type {type}."),
    };

    private sealed class StringColumn : ColumnBuilder
    {
        private readonly StringArray.Builder _b = new();

        public override void Append(in FieldValue value)
        {
            if (value.IsNull || value.Text is null)
            {
                _b.AppendNull();
            }
            else
            {
                _b.Append(value.Text);
            }
        }

        public override IArrowArray Build() => _b.Build();
    }

    private sealed class Int32Column : ColumnBuilder
    {
        private readonly Int32Array.Builder _b = new();

        public override void Append(in FieldValue value)
        {
            if (value.IsNull)
            {
                _b.AppendNull();
            }
            else
            {
                _b.Append((int)value.Int);
            }
        }

        public override IArrowArray Build() => _b.Build();
    }

    private sealed class Int64Column : ColumnBuilder
    {
        private readonly Int64Array.Builder _b = new();

        public override void Append(in FieldValue value)
        {
            if (value.IsNull)
            {
                _b.AppendNull();
            }
            else
            {
                _b.Append(value.Int);
            }
        }

        public override IArrowArray Build() => _b.Build();
    }

    private sealed class DoubleColumn : ColumnBuilder
    {
        private readonly DoubleArray.Builder _b = new();

        public override void Append(in FieldValue value)
        {
            if (value.IsNull)
            {
                _b.AppendNull();
            }
            else
            {
                _b.Append(value.Real);
            }
        }

        public override IArrowArray Build() => _b.Build();
    }

    private sealed class BoolColumn : ColumnBuilder
    {
        private readonly BooleanArray.Builder _b = new();

        public override void Append(in FieldValue value)
        {
            if (value.IsNull)
            {
                _b.AppendNull();
            }
            else
            {
                _b.Append(value.Int != 0);
            }
        }

        public override IArrowArray Build() => _b.Build();
    }

    private sealed class DateColumn : ColumnBuilder
    {
        private readonly Date32Array.Builder _b = new();

        public override void Append(in FieldValue value)
        {
            if (value.IsNull)
            {
                _b.AppendNull();
            }
            else
            {
                _b.Append(value.Time);
            }
        }

        public override IArrowArray Build() => _b.Build();
    }

    private sealed class TimestampColumn : ColumnBuilder
    {
        private readonly TimestampArray.Builder _b = new(TimestampType.Default);

        public override void Append(in FieldValue value)
        {
            if (value.IsNull)
            {
                _b.AppendNull();
            }
            else
            {
                _b.Append(new DateTimeOffset(DateTime.SpecifyKind(value.Time, DateTimeKind.Unspecified), TimeSpan.Zero));
            }
        }

        public override IArrowArray Build() => _b.Build();
    }
}

/// <summary>Reads typed values back out of an Arrow record batch column by column.</summary>
internal static class ArrowValues
{
    /// <summary>The value at <paramref name="row"/> of <paramref name="array"/> as a <see cref="FieldValue"/>.</summary>
    public static FieldValue Get(IArrowArray array, int row)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.IsNull(row))
        {
            return FieldValue.Null;
        }

        return array switch
        {
            StringArray s => new FieldValue { Text = s.GetString(row) },
            Int32Array i => new FieldValue { Int = i.GetValue(row)!.Value },
            Int64Array l => new FieldValue { Int = l.GetValue(row)!.Value },
            DoubleArray d => new FieldValue { Real = d.GetValue(row)!.Value },
            BooleanArray b => new FieldValue { Int = b.GetValue(row)!.Value ? 1 : 0 },
            Date32Array dt => new FieldValue { Time = dt.GetDateTime(row)!.Value },
            TimestampArray ts => new FieldValue { Time = ts.GetTimestamp(row)!.Value.UtcDateTime },
            _ => throw new InvalidOperationException($"Unhandled Arrow array {array.GetType().Name}."),
        };
    }

    /// <summary>The string at <paramref name="row"/>, or null.</summary>
    public static string? GetString(IArrowArray array, int row) => array is StringArray s ? s.GetString(row) : Get(array, row).Text;
}

/// <summary>One bounded batch of typed rows extracted from a source, with the rows rejected while typing them.</summary>
public sealed class ExtractedBatch
{
    public const string SourceRowField = "_source_row";
    public const string RawField = "_raw";
    public const string ParentField = "_parent";
    public const string IndexField = "_index";

    public ExtractedBatch(RecordBatch rows, RecordBatch? children, IReadOnlyList<RejectRecord> rejects, long rowsRead)
    {
        Rows = rows;
        Children = children;
        Rejects = rejects;
        RowsRead = rowsRead;
    }

    /// <summary><c>_source_row</c>, <c>_raw</c>, then every declared column, typed.</summary>
    public RecordBatch Rows { get; }

    /// <summary><c>_parent</c> (row index in <see cref="Rows"/>), <c>_index</c>, then the child columns; null without a child spec.</summary>
    public RecordBatch? Children { get; }

    /// <summary>Rows that could not be typed (bad date, truncated line, missing required value).</summary>
    public IReadOnlyList<RejectRecord> Rejects { get; }

    /// <summary>Every source row seen in this batch: typed rows plus rejects.</summary>
    public long RowsRead { get; }
}

/// <summary>A source read row by row: one implementation per source kind, the typing is shared.</summary>
internal interface IRowSource : IDisposable
{
    /// <summary>The file (or table) name rejects are reported against.</summary>
    string SourceName { get; }

    /// <summary>Advances to the next row; false at the end.</summary>
    bool MoveNext();

    /// <summary>The 1-based line (file) or row (table) number of the current row.</summary>
    long SourceRow { get; }

    /// <summary>The current row's raw text, for the quarantine file.</summary>
    string RawText { get; }

    /// <summary>The current row's raw text with the values of <paramref name="maskedColumns"/> (PII, free text) replaced by <c>***</c>: safe for the warehouse.</summary>
    string MaskedRawText(IReadOnlySet<int> maskedColumns);

    /// <summary>A structural problem with the whole row (truncated line, invalid JSON), or null.</summary>
    string? RowError { get; }

    /// <summary>The text of declared column <paramref name="column"/>; false when the row does not have it.</summary>
    bool TryGetField(int column, out ReadOnlySpan<char> text);

    /// <summary>How many child elements the current row has.</summary>
    int ChildCount { get; }

    /// <summary>The text of child column <paramref name="column"/> of child <paramref name="child"/>.</summary>
    bool TryGetChildField(int child, int column, out ReadOnlySpan<char> text);
}

/// <summary>Turns a row source into typed Arrow record batches of at most <c>batch_size</c> rows; memory stays bounded by one batch.</summary>
internal sealed class BatchAssembler
{
    private readonly PipelineSpec _spec;
    private readonly ValueParser _parser;
    private readonly Apache.Arrow.Schema _schema;
    private readonly Apache.Arrow.Schema? _childSchema;
    private readonly HashSet<int> _masked;

    public BatchAssembler(PipelineSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        _spec = spec;
        _parser = new ValueParser(spec.Source.Culture);
        _masked = [.. spec.Columns.Select((c, i) => (c, i)).Where(x => x.c.Pii || spec.Scrub.Any(s => string.Equals(s.Column, x.c.Name, StringComparison.OrdinalIgnoreCase))).Select(x => x.i)];
        var builder = new Apache.Arrow.Schema.Builder()
            .Field(f => f.Name(ExtractedBatch.SourceRowField).DataType(Int64Type.Default).Nullable(false))
            .Field(f => f.Name(ExtractedBatch.RawField).DataType(StringType.Default).Nullable(true));
        foreach (var c in spec.Columns)
        {
            builder.Field(f => f.Name(c.Name).DataType(ColumnBuilder.For(c.Type).Type).Nullable(true));
        }

        _schema = builder.Build();
        if (spec.Child is { } child)
        {
            var cb = new Apache.Arrow.Schema.Builder()
                .Field(f => f.Name(ExtractedBatch.ParentField).DataType(Int32Type.Default).Nullable(false))
                .Field(f => f.Name(ExtractedBatch.IndexField).DataType(Int32Type.Default).Nullable(false));
            foreach (var c in child.Columns)
            {
                cb.Field(f => f.Name(c.Name).DataType(ColumnBuilder.For(c.Type).Type).Nullable(true));
            }

            _childSchema = cb.Build();
        }
    }

    /// <summary>The Arrow schema of <see cref="ExtractedBatch.Rows"/>.</summary>
    public Apache.Arrow.Schema Schema => _schema;

    /// <summary>Reads <paramref name="source"/> to the end, yielding one batch per <c>batch_size</c> rows; <paramref name="keep"/> filters rows (sequence, window) before they count as read.</summary>
    public IEnumerable<ExtractedBatch> Read(IRowSource source, Func<IRowSource, bool>? keep = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        var columns = _spec.Columns;
        var values = new FieldValue[columns.Count];
        var childColumns = _spec.Child?.Columns ?? [];
        var childValues = new FieldValue[childColumns.Count];
        Batch? current = null;
        while (source.MoveNext())
        {
            if (keep is not null && source.RowError is null && !keep(source))
            {
                continue;
            }

            current ??= new Batch(this);
            string? error = source.RowError;
            string? errorColumn = null;
            var reasonCode = error is not null && error.StartsWith("truncated", StringComparison.Ordinal) ? "truncated_row" : "malformed_row";
            if (error is null)
            {
                for (var i = 0; i < columns.Count; i++)
                {
                    if (!source.TryGetField(i, out var text))
                    {
                        if (columns[i].Required)
                        {
                            error = "the row ends before this column (truncated line?)";
                            errorColumn = columns[i].Name;
                            reasonCode = "truncated_row";
                            break;
                        }

                        values[i] = FieldValue.Null;
                        continue;
                    }

                    if (!_parser.TryParse(columns[i], text, out values[i], out var fieldError))
                    {
                        error = fieldError;
                        errorColumn = columns[i].Name;
                        reasonCode = values[i].IsNull ? "missing_required" : "invalid_" + columns[i].Type.ToString().ToLowerInvariant();
                        break;
                    }
                }
            }

            current.Read++;
            if (error is not null)
            {
                current.Rejects.Add(new RejectRecord(source.SourceName, source.SourceRow, errorColumn, reasonCode, error, source.RawText, RawTextMask.Digits(source.MaskedRawText(_masked))));
            }
            else
            {
                var parent = current.Count;
                current.Append(source.SourceRow, source.RawText, values);
                for (var c = 0; c < source.ChildCount && _childSchema is not null; c++)
                {
                    for (var i = 0; i < childColumns.Count; i++)
                    {
                        if (!source.TryGetChildField(c, i, out var text) || !_parser.TryParse(childColumns[i] with { Required = false }, text, out childValues[i], out _))
                        {
                            childValues[i] = FieldValue.Null;
                        }
                    }

                    current.AppendChild(parent, c, childValues);
                }
            }

            if (current.Read >= _spec.BatchSize)
            {
                yield return current.Build();
                current = null;
            }
        }

        if (current is not null && current.Read > 0)
        {
            yield return current.Build();
        }
    }

    /// <summary>An empty batch (a source with nothing new still produces one batch record).</summary>
    public ExtractedBatch Empty() => new Batch(this).Build();

    private sealed class Batch
    {
        private readonly BatchAssembler _owner;
        private readonly Int64Array.Builder _sourceRow = new();
        private readonly StringArray.Builder _raw = new();
        private readonly ColumnBuilder[] _columns;
        private readonly Int32Array.Builder _parent = new();
        private readonly Int32Array.Builder _index = new();
        private readonly ColumnBuilder[] _childColumns;
        private int _childCount;

        public Batch(BatchAssembler owner)
        {
            _owner = owner;
            _columns = [.. owner._spec.Columns.Select(c => ColumnBuilder.For(c.Type).Create())];
            _childColumns = [.. (owner._spec.Child?.Columns ?? []).Select(c => ColumnBuilder.For(c.Type).Create())];
        }

        public List<RejectRecord> Rejects { get; } = [];

        public long Read { get; set; }

        public int Count { get; private set; }

        public void Append(long sourceRow, string raw, FieldValue[] values)
        {
            _sourceRow.Append(sourceRow);
            _raw.Append(raw);
            for (var i = 0; i < _columns.Length; i++)
            {
                _columns[i].Append(values[i]);
            }

            Count++;
        }

        public void AppendChild(int parent, int index, FieldValue[] values)
        {
            _parent.Append(parent);
            _index.Append(index);
            for (var i = 0; i < _childColumns.Length; i++)
            {
                _childColumns[i].Append(values[i]);
            }

            _childCount++;
        }

        public ExtractedBatch Build()
        {
            IArrowArray[] arrays = [_sourceRow.Build(), _raw.Build(), .. _columns.Select(c => c.Build())];
            var rows = new RecordBatch(_owner._schema, arrays, Count);
            RecordBatch? children = null;
            if (_owner._childSchema is not null)
            {
                IArrowArray[] childArrays = [_parent.Build(), _index.Build(), .. _childColumns.Select(c => c.Build())];
                children = new RecordBatch(_owner._childSchema, childArrays, _childCount);
            }

            return new ExtractedBatch(rows, children, Rejects, Read);
        }
    }
}
