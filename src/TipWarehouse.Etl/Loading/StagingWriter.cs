using System.Globalization;
using Apache.Arrow;
using DuckDB.NET.Data;
using TipWarehouse.Etl.Extraction;
using TipWarehouse.Etl.Privacy;
using TipWarehouse.Etl.Specs;
using TipWarehouse.Etl.Validation;

namespace TipWarehouse.Etl.Loading;

/// <summary>A column of a warehouse table: name, DuckDB type, nullability.</summary>
internal sealed record TableColumn(string Name, string DataType, bool Nullable);

/// <summary>Reads table layouts from the warehouse catalog.</summary>
internal static class Catalog
{
    public static IReadOnlyList<TableColumn> Columns(DuckDBConnection connection, string qualifiedTable)
    {
        var parts = qualifiedTable.Split('.', 2);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_catalog = current_database() AND table_schema = $s AND table_name = $t ORDER BY ordinal_position";
        command.Parameters.Add(new DuckDBParameter("s", parts[0]));
        command.Parameters.Add(new DuckDBParameter("t", parts[1]));
        using var reader = command.ExecuteReader();
        var list = new List<TableColumn>();
        while (reader.Read())
        {
            list.Add(new TableColumn(reader.GetString(0), reader.GetString(1), reader.GetString(2) == "YES"));
        }

        return list;
    }
}

/// <summary>A mismatch between a spec and its staging table: the spec's target column it concerns (null for the table), whether it is the child table, and what is wrong.</summary>
internal sealed record LayoutProblem(string? TargetColumn, bool Child, string Message);

/// <summary>A batch validated, with its derived values (pseudonyms, scrubbed text) computed: appended without further work.</summary>
internal sealed record PreparedBatch(ExtractedBatch Batch, BatchVerdict Verdict, IReadOnlyDictionary<string, string?[]> Derived, IReadOnlyDictionary<string, string?[]> ChildDerived)
{
    /// <summary>How many typed rows the batch holds (its weight in the read-ahead budget).</summary>
    public int Rows => Batch.Rows.Length + (Batch.Children?.Length ?? 0);
}

/// <summary>Prepares batches (validation, pseudonymization, scrubbing; safe on any thread) and appends them into their staging table(s) with the DuckDB appender.</summary>
internal sealed class StagingWriter
{
    private delegate void Writer(IDuckDBAppenderRow target, int row);

    private delegate void ValueWriter(IDuckDBAppenderRow target, FieldValue value);

    private readonly DuckDBConnection _connection;
    private readonly PipelineSpec _spec;
    private readonly Pseudonymizer _pseudonymizer;
    private readonly IReadOnlyList<TableColumn> _columns;
    private readonly IReadOnlyList<TableColumn> _childColumns;
    private DuckDBAppender? _appender;
    private DuckDBAppender? _childAppender;

    public StagingWriter(DuckDBConnection connection, PipelineSpec spec, Pseudonymizer pseudonymizer)
    {
        _connection = connection;
        _spec = spec;
        _pseudonymizer = pseudonymizer;
        _columns = Catalog.Columns(connection, spec.Target!);
        _childColumns = spec.Child is { } child ? Catalog.Columns(connection, child.Target) : [];
    }

    /// <summary>Checks the spec against the staging tables: every target exists and every NOT NULL column is fed; returns the problems.</summary>
    public IReadOnlyList<string> CheckLayout() => [.. CheckLayout(_spec, _columns, _childColumns).Select(p => p.Message)];

    /// <summary>Checks <paramref name="spec"/> against the staging tables of the warehouse behind <paramref name="connection"/> (used by <c>tipw check</c> before any run).</summary>
    public static IReadOnlyList<LayoutProblem> CheckLayout(DuckDBConnection connection, PipelineSpec spec) =>
        CheckLayout(spec, Catalog.Columns(connection, spec.Target!), spec.Child is { } child ? Catalog.Columns(connection, child.Target) : []);

    private static List<LayoutProblem> CheckLayout(PipelineSpec spec, IReadOnlyList<TableColumn> columns, IReadOnlyList<TableColumn> childColumns)
    {
        var problems = new List<LayoutProblem>();
        Check(spec.Target!, columns, Feeds(spec.Columns, spec.Pii, spec.Scrub.Select(s => spec.ColumnIndex(s.Column) is var i and >= 0 ? spec.Columns[i].Target : null)), false, problems);
        if (spec.Child is { } child)
        {
            var feeds = Feeds(child.Columns, child.Pii, []).Concat(child.ParentColumns.Keys);
            if (child.IndexColumn is not null)
            {
                feeds = feeds.Append(child.IndexColumn);
            }

            Check(child.Target, childColumns, feeds, true, problems);
        }

        return problems;
    }

    private static IEnumerable<string> Feeds(IReadOnlyList<ColumnSpec> columns, IReadOnlyList<PiiSpec> pii, IEnumerable<string?> extra) =>
        columns.Select(c => c.Target).Concat(pii.Select(p => p.Target)).Concat(pii.Select(p => p.PhoneticTarget)).Concat(extra)
            .Append("batch_id").Append("source_file").Append("source_row").OfType<string>();

    private static void Check(string table, IReadOnlyList<TableColumn> columns, IEnumerable<string> feeds, bool child, List<LayoutProblem> problems)
    {
        if (columns.Count == 0)
        {
            problems.Add(new LayoutProblem(null, child, $"the staging table {table} does not exist in the warehouse (run 'tipw init')"));
            return;
        }

        var fed = feeds.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var names = columns.Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        problems.AddRange(fed.Where(f => !names.Contains(f)).Select(f => new LayoutProblem(f, child, $"{table} has no column '{f}'")));
        problems.AddRange(columns.Where(c => !c.Nullable && !fed.Contains(c.Name)).Select(c => new LayoutProblem(null, child, $"{table}.{c.Name} is NOT NULL but no spec column targets it")));
    }

    /// <summary>Validates <paramref name="batch"/> and computes its pseudonyms and scrubbed text; touches no connection, so it runs ahead of the loading thread.</summary>
    public PreparedBatch Prepare(RowValidator validator, ExtractedBatch batch, string sourceFile)
    {
        ArgumentNullException.ThrowIfNull(validator);
        ArgumentNullException.ThrowIfNull(batch);
        var verdict = validator.Validate(batch.Rows, sourceFile);
        var derived = new Dictionary<string, string?[]>(StringComparer.OrdinalIgnoreCase);
        foreach (var column in _columns)
        {
            if (MainDerivation(column, batch.Rows) is { } value)
            {
                derived[column.Name] = Compute(value, batch.Rows.Length, row => !verdict.Rejected[row]);
            }
        }

        var childDerived = new Dictionary<string, string?[]>(StringComparer.OrdinalIgnoreCase);
        if (_spec.Child is { } child && batch.Children is { } children && children.Length > 0)
        {
            var parents = (Int32Array)children.Column(ExtractedBatch.ParentField);
            foreach (var column in _childColumns)
            {
                if (ChildDerivation(child, column, children) is { } value)
                {
                    childDerived[column.Name] = Compute(value, children.Length, row => !verdict.Rejected[parents.GetValue(row)!.Value]);
                }
            }
        }

        return new PreparedBatch(batch, verdict, derived, childDerived);
    }

    private static string?[] Compute(Func<int, string?> value, int rows, Func<int, bool> kept)
    {
        var values = new string?[rows];
        for (var row = 0; row < rows; row++)
        {
            if (kept(row))
            {
                values[row] = value(row);
            }
        }

        return values;
    }

    /// <summary>
    /// Appends the rows of a prepared batch that its verdict did not reject; returns how many main rows were staged. The
    /// appenders stay open across the prepared batches of one transaction (one per table, not one per file): the rows are
    /// in the staging tables only after <see cref="Flush"/>.
    /// </summary>
    public long Append(PreparedBatch prepared, long batchId, string sourceFile)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        var (batch, verdict) = (prepared.Batch, prepared.Verdict);
        var rows = batch.Rows;
        var writers = MainWriters(rows, verdict, prepared.Derived, batchId, sourceFile);
        long staged = 0;
        var parts = _spec.Target!.Split('.', 2);
        var appender = _appender ??= _connection.CreateAppender(parts[0], parts[1]);
        for (var row = 0; row < rows.Length; row++)
        {
            if (verdict.Rejected[row])
            {
                continue;
            }

            var target = appender.CreateRow();
            foreach (var w in writers)
            {
                w(target, row);
            }

            target.EndRow();
            staged++;
        }

        if (_spec.Child is { } child && batch.Children is { } children && children.Length > 0)
        {
            var childWriters = ChildWriters(child, rows, children, prepared.ChildDerived, batchId, sourceFile);
            var parents = (Int32Array)children.Column(ExtractedBatch.ParentField);
            var cp = child.Target.Split('.', 2);
            var childAppender = _childAppender ??= _connection.CreateAppender(cp[0], cp[1]);
            for (var row = 0; row < children.Length; row++)
            {
                if (verdict.Rejected[parents.GetValue(row)!.Value])
                {
                    continue;
                }

                var target = childAppender.CreateRow();
                foreach (var w in childWriters)
                {
                    w(target, row);
                }

                target.EndRow();
            }
        }

        return staged;
    }

    /// <summary>Closes the open appenders, writing their buffered rows into the staging tables (inside the current transaction): before any SQL reads staging, and before a failed batch rolls back.</summary>
    public void Flush()
    {
        var (main, child) = (_appender, _childAppender);
        (_appender, _childAppender) = (null, null);
        try
        {
            main?.Dispose();
        }
        finally
        {
            child?.Dispose();
        }
    }

    private List<Writer> MainWriters(RecordBatch rows, BatchVerdict verdict, IReadOnlyDictionary<string, string?[]> derived, long batchId, string sourceFile)
    {
        var sourceRows = (Int64Array)rows.Column(ExtractedBatch.SourceRowField);
        var writers = new List<Writer>();
        foreach (var column in _columns)
        {
            if ((Common(column, batchId, sourceFile, row => sourceRows.GetValue(row)!.Value) ?? Derived(derived, column)) is { } writer)
            {
                writers.Add(writer);
                continue;
            }

            var index = IndexOfTarget(_spec.Columns, column.Name);
            if (index >= 0)
            {
                var nulled = verdict.Nulled.Any(n => n.Column == index) ? verdict.Nulled : null;
                writers.Add(Copy(column, rows.Column(index + 2), null, nulled is null ? null : row => nulled.Contains((row, index))));
                continue;
            }

            writers.Add((t, _) => t.AppendNullValue());
        }

        return writers;
    }

    /// <summary>How the value of a main staging column is derived (scrubbed free text, pseudonym), or null for a column copied or left empty.</summary>
    private Func<int, string?>? MainDerivation(TableColumn column, RecordBatch rows)
    {
        if (IsCommon(column))
        {
            return null;
        }

        var index = IndexOfTarget(_spec.Columns, column.Name);
        if (index >= 0)
        {
            var scrub = _spec.Scrub.FirstOrDefault(s => string.Equals(s.Column, _spec.Columns[index].Name, StringComparison.OrdinalIgnoreCase));
            if (scrub is null)
            {
                return null;
            }

            var array = rows.Column(index + 2);
            var nameArrays = scrub.NamesFrom.Select(n => rows.Column(_spec.ColumnIndex(n) + 2)).ToArray();
            return row => NarrativeScrubber.Scrub(ArrowValues.GetString(array, row), nameArrays.Select(a => ArrowValues.GetString(a, row)));
        }

        return PiiDerivation(_spec.Pii, column, name => rows.Column(_spec.ColumnIndex(name) + 2));
    }

    /// <summary>How the value of a child staging column is derived (pseudonym), or null.</summary>
    private Func<int, string?>? ChildDerivation(ChildSpec child, TableColumn column, RecordBatch children) =>
        IsCommon(column)
        || string.Equals(column.Name, child.IndexColumn, StringComparison.OrdinalIgnoreCase)
        || child.ParentColumns.Keys.Any(k => string.Equals(k, column.Name, StringComparison.OrdinalIgnoreCase))
        || IndexOfTarget(child.Columns, column.Name) >= 0
            ? null
            : PiiDerivation(child.Pii, column, name => children.Column(IndexOfName(child.Columns, name) + 2));

    private List<Writer> ChildWriters(ChildSpec child, RecordBatch rows, RecordBatch children, IReadOnlyDictionary<string, string?[]> derived, long batchId, string sourceFile)
    {
        var parents = (Int32Array)children.Column(ExtractedBatch.ParentField);
        var indexes = (Int32Array)children.Column(ExtractedBatch.IndexField);
        var sourceRows = (Int64Array)rows.Column(ExtractedBatch.SourceRowField);
        var writers = new List<Writer>();
        foreach (var column in _childColumns)
        {
            if (Common(column, batchId, sourceFile, row => sourceRows.GetValue(parents.GetValue(row)!.Value)!.Value) is { } common)
            {
                writers.Add(common);
                continue;
            }

            if (string.Equals(column.Name, child.IndexColumn, StringComparison.OrdinalIgnoreCase))
            {
                var put = Converter(column);
                writers.Add((t, row) => put(t, new FieldValue { Int = indexes.GetValue(row)!.Value }));
                continue;
            }

            if (child.ParentColumns.FirstOrDefault(p => string.Equals(p.Key, column.Name, StringComparison.OrdinalIgnoreCase)) is { Key: not null } parent)
            {
                writers.Add(Copy(column, rows.Column(_spec.ColumnIndex(parent.Value) + 2), parents, null));
                continue;
            }

            var index = IndexOfTarget(child.Columns, column.Name);
            if (index >= 0)
            {
                writers.Add(Copy(column, children.Column(index + 2), null, null));
                continue;
            }

            if (Derived(derived, column) is { } pseudonym)
            {
                writers.Add(pseudonym);
                continue;
            }

            writers.Add((t, _) => t.AppendNullValue());
        }

        return writers;
    }

    /// <summary>Writes the value <see cref="Prepare"/> derived for the column (scrubbed text, pseudonym; null stays null), if it derived one.</summary>
    private static Writer? Derived(IReadOnlyDictionary<string, string?[]> derived, TableColumn column) =>
        derived.TryGetValue(column.Name, out var values) ? (t, row) => t.AppendValue(values[row]) : null;

    private static bool IsCommon(TableColumn column) => column.Name is "batch_id" or "source_file" or "source_row";

    private static Writer? Common(TableColumn column, long batchId, string sourceFile, Func<int, long> sourceRow) => column.Name switch
    {
        "batch_id" => (t, _) => t.AppendValue(batchId),
        "source_file" => (t, _) => t.AppendValue(sourceFile),
        "source_row" => (t, row) => t.AppendValue(sourceRow(row)),
        _ => null,
    };

    private Func<int, string?>? PiiDerivation(IReadOnlyList<PiiSpec> pii, TableColumn column, Func<string, IArrowArray> arrayOf)
    {
        foreach (var p in pii)
        {
            var isMain = string.Equals(p.Target, column.Name, StringComparison.OrdinalIgnoreCase);
            var isPhonetic = string.Equals(p.PhoneticTarget, column.Name, StringComparison.OrdinalIgnoreCase);
            if (!isMain && !isPhonetic)
            {
                continue;
            }

            var arrays = p.Columns.Select(arrayOf).ToArray();
            if (p.Kind == "dni")
            {
                return row => _pseudonymizer.Dni(ArrowValues.GetString(arrays[0], row));
            }

            return row =>
            {
                var name = arrays.Length == 1 ? ArrowValues.GetString(arrays[0], row) : string.Join(' ', arrays.Select(a => ArrowValues.GetString(a, row)));
                return isMain ? _pseudonymizer.Name(name) : _pseudonymizer.PhoneticName(name);
            };
        }

        return null;
    }

    private static int IndexOfTarget(IReadOnlyList<ColumnSpec> columns, string target)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            if (string.Equals(columns[i].Target, target, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    private static int IndexOfName(IReadOnlyList<ColumnSpec> columns, string name)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            if (string.Equals(columns[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// The writer of one staging column from one Arrow column (row <c>r</c>, or row <c>rowMap[r]</c> for a child's parent column; a row
    /// for which <paramref name="nulled"/> is true gets null). The conversion is chosen once per column and batch, not per value: a
    /// string, integer or timestamp column of the staging type is copied without an intermediate value.
    /// </summary>
    private static Writer Copy(TableColumn column, IArrowArray array, Int32Array? rowMap, Func<int, bool>? nulled)
    {
        var type = column.DataType;
        if (rowMap is null && nulled is null)
        {
            switch (array)
            {
                case StringArray text when type.StartsWith("VARCHAR", StringComparison.Ordinal):
                    return (t, row) => t.AppendValue(text.IsNull(row) ? null : text.GetString(row));
                case Int32Array number when type == "INTEGER":
                    return (t, row) => t.AppendValue(number.GetValue(row));
                case Int32Array number when type == "SMALLINT":
                    return (t, row) => t.AppendValue((short?)number.GetValue(row));
                case Int64Array number when type == "BIGINT":
                    return (t, row) => t.AppendValue(number.GetValue(row));
                case TimestampArray time when type == "TIMESTAMP":
                    return (t, row) => t.AppendValue(time.GetTimestamp(row)?.UtcDateTime);
            }
        }

        var put = Converter(column);
        return (t, row) =>
        {
            var value = nulled?.Invoke(row) == true ? FieldValue.Null : ArrowValues.Get(array, rowMap is null ? row : rowMap.GetValue(row)!.Value);
            put(t, value);
        };
    }

    /// <summary>How a typed value is appended to a staging column of its DuckDB type (null as null), resolved once per column.</summary>
    private static ValueWriter Converter(TableColumn column)
    {
        var type = column.DataType;
        ValueWriter put = type.StartsWith("VARCHAR", StringComparison.Ordinal)
            ? (t, v) => t.AppendValue(v.Text ?? (v.Time != default ? v.Time.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : v.Real != 0 ? v.Real.ToString(CultureInfo.InvariantCulture) : v.Int.ToString(CultureInfo.InvariantCulture)))
            : type.StartsWith("DECIMAL", StringComparison.Ordinal)
                ? (t, v) => t.AppendValue((decimal?)(v.Text is null ? v.Real : double.Parse(v.Text, CultureInfo.InvariantCulture)))
                : type switch
                {
                    "BIGINT" => (t, v) => t.AppendValue((long?)v.Int),
                    "INTEGER" => (t, v) => t.AppendValue((int?)v.Int),
                    "SMALLINT" => (t, v) => t.AppendValue((short?)v.Int),
                    "TINYINT" => (t, v) => t.AppendValue((sbyte?)v.Int),
                    "DOUBLE" => (t, v) => t.AppendValue((double?)v.Real),
                    "FLOAT" => (t, v) => t.AppendValue((float?)v.Real),
                    "BOOLEAN" => (t, v) => t.AppendValue((bool?)(v.Int != 0)),
                    "DATE" => (t, v) => t.AppendValue((DateOnly?)DateOnly.FromDateTime(v.Time)),
                    "TIMESTAMP" => (t, v) => t.AppendValue((DateTime?)v.Time),
                    _ => (_, _) => throw new InvalidOperationException($"Staging column {column.Name} has type {type}, which the loader does not handle."),
                };
        return (t, v) =>
        {
            if (v.IsNull)
            {
                t.AppendNullValue();
            }
            else
            {
                put(t, v);
            }
        };
    }
}
