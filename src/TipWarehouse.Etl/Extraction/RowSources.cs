using System.Buffers;
using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using nietras.SeparatedValues;
using TipWarehouse.Core;
using TipWarehouse.Etl.Specs;

namespace TipWarehouse.Etl.Extraction;

/// <summary>A whole source file cannot be loaded (unreadable, wrong delimiter, missing columns); it is quarantined with this reason.</summary>
public sealed class FileRejectedException(string reasonCode, string message) : Exception(message)
{
    /// <summary>A short machine-readable reason (wrong_delimiter, missing_columns, ...).</summary>
    public string ReasonCode { get; } = reasonCode;
}

/// <summary>What a first pass over a file learned: size, SHA-256, and the encoding it really is in.</summary>
public sealed record FileFingerprint(long Size, string Sha256, Encoding Encoding, string? EncodingNote);

/// <summary>Hashes a file and checks that its bytes match the declared encoding, streaming (memory does not grow with the file).</summary>
public static class FileInspector
{
    /// <summary>Fingerprints <paramref name="path"/>; a Windows-1252 file that is really UTF-8 (BOM, or valid multi-byte UTF-8) is read as UTF-8, with a note.</summary>
    public static FileFingerprint Inspect(string path, SourceSpec source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var declared = TextEncodings.Get(source.Encoding);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var utf8 = new Utf8Detector();
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        long size = 0;
        try
        {
            int n;
            while ((n = stream.Read(buffer, 0, 1 << 16)) > 0)
            {
                if (size == 0 && NotText(buffer.AsSpan(0, n)) is { } notText)
                {
                    // Named for what it is: a UTF-16 file would otherwise read as "missing columns", binary garbage as a wrong delimiter.
                    throw new FileRejectedException("wrong_encoding", notText);
                }

                size += n;
                hash.AppendData(buffer, 0, n);
                utf8.Append(buffer.AsSpan(0, n));
            }

            utf8.Complete();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var sha = HashText.DigitFreeHex(hash.GetHashAndReset());
        var declaredIsUtf8 = declared.CodePage == Encoding.UTF8.CodePage;
        if (declaredIsUtf8 && !utf8.IsValid)
        {
            throw new FileRejectedException("wrong_encoding", $"the file is declared {source.Encoding} but is not valid UTF-8");
        }

        if (!declaredIsUtf8 && source.DetectEncoding && (utf8.HasBom || (utf8.HasNonAscii && utf8.IsValid)))
        {
            return new FileFingerprint(size, sha, new UTF8Encoding(false, false),
                $"declared {source.Encoding} but the file is UTF-8{(utf8.HasBom ? " (with BOM)" : "")}; loaded as UTF-8");
        }

        return new FileFingerprint(size, sha, declared, null);
    }

    /// <summary>Why the first block of a file shows it is not 8-bit or UTF-8 text (a UTF-16/UTF-32 byte order mark, NUL bytes), or null.</summary>
    internal static string? NotText(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return $"the file is UTF-16 ({(head[0] == 0xFF ? "little" : "big")}-endian byte order mark), not the declared encoding: convert it to the declared encoding";
        }

        var nul = head.Count((byte)0);
        if (nul > 0)
        {
            return $"the file is binary, not text: {nul} NUL byte(s) in its first {head.Length} bytes";
        }

        return null;
    }
}

/// <summary>Hex spellings used in the warehouse.</summary>
public static class HashText
{
    /// <summary>Lower-case hex with the digits 0-9 written as g-p: nothing stored in the warehouse file can read as a DNI number.</summary>
    public static string DigitFreeHex(ReadOnlySpan<byte> hash)
    {
        var hex = Convert.ToHexStringLower(hash).ToCharArray();
        for (var i = 0; i < hex.Length; i++)
        {
            if (char.IsAsciiDigit(hex[i]))
            {
                hex[i] = (char)('g' + (hex[i] - '0'));
            }
        }

        return new string(hex);
    }
}

/// <summary>Rows of a delimited text file read with Sep; columns are matched by header name.</summary>
internal sealed class CsvRowSource : IRowSource
{
    private static readonly char[] s_delimiters = [';', ',', '\t', '|'];
    private readonly SepReader _reader;
    private readonly int[] _map;
    private readonly int _headerCount;
    private readonly char _delimiter;
    private readonly Queue<(long Line, string Text)> _recovered = new();
    private SepReader? _lineReader;
    private bool _unterminated;
    private string? _raw;

    public CsvRowSource(string path, PipelineSpec spec, Encoding encoding)
    {
        ArgumentNullException.ThrowIfNull(spec);
        SourceName = Path.GetFileName(path);
        _delimiter = spec.Source.Delimiter;
        var text = new StreamReader(path, encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
        try
        {
            var first = text.Peek() == 0xFEFF;
            if (first)
            {
                text.Read();
            }

            _reader = Sep.Reader(o => ReaderOptions(o, spec.Source.Delimiter, hasHeader: true)).From(text);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            text.Dispose();
            throw new FileRejectedException("unreadable", $"cannot read the header: {ex.Message}");
        }

        var header = _reader.Header.ColNames;
        _headerCount = header.Count;
        if (header.Count <= 1)
        {
            var line = header.Count == 1 ? header[0] : "";
            var guess = s_delimiters.Where(c => c != spec.Source.Delimiter).FirstOrDefault(c => line.Contains(c, StringComparison.Ordinal));
            _reader.Dispose();
            throw new FileRejectedException("wrong_delimiter", guess != default
                ? $"the header has no '{spec.Source.Delimiter}' delimiter but uses '{(guess == '\t' ? "\\t" : guess.ToString())}': wrong delimiter"
                : "the file has no header row with the expected delimiter");
        }

        _map = new int[spec.Columns.Count];
        var missing = new List<string>();
        for (var i = 0; i < spec.Columns.Count; i++)
        {
            _map[i] = IndexOf(header, spec.Columns[i].Name);
            if (_map[i] < 0)
            {
                missing.Add(spec.Columns[i].Name);
            }
        }

        if (missing.Count > 0)
        {
            _reader.Dispose();
            throw new FileRejectedException("missing_columns", $"the header lacks column(s) {string.Join(", ", missing)}");
        }

        ExtraColumns = [.. header.Select((name, index) => (Name: name.Trim(), Index: index)).Where(h => !_map.Contains(h.Index) && h.Name.Length > 0).Select(h => h.Name)];
    }

    /// <summary>Header columns that no spec column reads (schema drift: flagged <c>schema_extra_column</c>, not loaded).</summary>
    public IReadOnlyList<string> ExtraColumns { get; }

    // One reading of the format for the file and for the lines replayed after an unterminated quote.
    private static SepReaderOptions ReaderOptions(SepReaderOptions options, char delimiter, bool hasHeader) => options with
    {
        Sep = new Sep(delimiter),
        HasHeader = hasHeader,
        DisableColCountCheck = true,
        Unescape = true,
        CultureInfo = CultureInfo.InvariantCulture,
    };

    private static int IndexOf(IReadOnlyList<string> header, string name)
    {
        for (var i = 0; i < header.Count; i++)
        {
            if (string.Equals(header[i].Trim(), name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    public string SourceName { get; }

    public long SourceRow { get; private set; }

    public string RawText => _raw ??= Current.Span.ToString();

    // The row being read: normally the file's reader; a one-line reader while lines recovered from an unterminated quote are replayed.
    private SepReader.Row Current => _lineReader is not null ? _lineReader.Current : _reader.Current;

    public string? RowError { get; private set; }

    public int ChildCount => 0;

    public bool MoveNext()
    {
        _lineReader?.Dispose();
        _lineReader = null;
        _unterminated = false;
        if (_recovered.TryDequeue(out var pending))
        {
            // A physical line that an unterminated quote on an earlier line had swallowed: read it as a record of its own.
            _lineReader = Sep.Reader(o => ReaderOptions(o, _delimiter, hasHeader: false)).FromText(pending.Text);
            _raw = null;
            SourceRow = pending.Line;
            if (!_lineReader.MoveNext())
            {
                return MoveNext();
            }

            RowError = ColumnCountError(_lineReader.Current.ColCount);
            return true;
        }

        while (_reader.MoveNext())
        {
            var row = _reader.Current;
            _raw = null;
            SourceRow = row.LineNumberFrom;
            if (row.Span.IsWhiteSpace())
            {
                continue;
            }

            if (row.LineNumberToExcl - row.LineNumberFrom > 1)
            {
                // No field of this format spans lines: a quote opened on this line and closed lines later, so the
                // reader took the following lines into this row. Reject this line alone and replay the others.
                var lines = row.Span.ToString().Split('\n');
                for (var i = 1; i < lines.Length; i++)
                {
                    if (!string.IsNullOrWhiteSpace(lines[i]))
                    {
                        _recovered.Enqueue((row.LineNumberFrom + i, lines[i].TrimEnd('\r')));
                    }
                }

                _raw = lines[0].TrimEnd('\r');
                _unterminated = true;
                RowError = $"unterminated quote: the line opens a quoted field that does not close on it (truncated line?); the {lines.Length - 1} line(s) after it are read on their own";
                return true;
            }

            RowError = ColumnCountError(row.ColCount);
            return true;
        }

        return false;
    }

    private string? ColumnCountError(int columns) =>
        columns > _headerCount
            ? $"the row has {columns} fields, the header {_headerCount} (stray delimiter?)"
            : columns < _headerCount
                ? $"truncated line: the row has {columns} fields, the header {_headerCount}"
                : null;

    public string MaskedRawText(IReadOnlySet<int> maskedColumns)
    {
        ArgumentNullException.ThrowIfNull(maskedColumns);
        var row = Current;
        var masked = new HashSet<int>(maskedColumns.Select(c => _map[c]));
        if (_unterminated)
        {
            // The reader's row holds the swallowed lines too: mask the rejected line itself, field by field.
            var fields = RawText.Split(_delimiter);
            for (var i = 0; i < fields.Length; i++)
            {
                if (masked.Contains(i) && !string.IsNullOrWhiteSpace(fields[i]))
                {
                    fields[i] = "***";
                }
            }

            return string.Join(_delimiter, fields);
        }

        var parts = new string[row.ColCount];
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = masked.Contains(i) && !row[i].Span.IsWhiteSpace() ? "***" : row[i].Span.ToString();
        }

        return string.Join(_delimiter, parts);
    }

    public bool TryGetField(int column, out ReadOnlySpan<char> text)
    {
        var row = Current;
        var index = _map[column];
        if (index >= row.ColCount)
        {
            text = default;
            return false;
        }

        text = row[index].Span;
        return true;
    }

    public bool TryGetChildField(int child, int column, out ReadOnlySpan<char> text) => throw new NotSupportedException("CSV rows have no children.");

    public void Dispose()
    {
        _lineReader?.Dispose();
        _reader.Dispose();
    }
}

/// <summary>Rows of a relational table read through ADO.NET (e.g. the police SQLite database), filtered in SQL by watermark and window.</summary>
internal sealed class DbRowSource : IRowSource
{
    private readonly DbDataReader _reader;
    private readonly DbCommand _command;
    private readonly string?[] _values;
    private readonly int[] _ordinals;
    private readonly DbDialect _dialect;
    private readonly PipelineSpec _spec;
    private readonly int _keyIndex;

    public DbRowSource(DbConnection connection, PipelineSpec spec, string? watermark, DateOnly? from, DateOnly? to)
        : this(connection, spec, watermark, null, from, to, null)
    {
    }

    /// <summary>
    /// Reads the rows after <paramref name="watermark"/> in (watermark column, key) order. With <paramref name="afterKey"/>, only the rows
    /// after (<paramref name="watermark"/>, <paramref name="afterKey"/>) — the keyset of the chunk before — and at most <paramref name="limit"/> rows.
    /// </summary>
    public DbRowSource(DbConnection connection, PipelineSpec spec, string? watermark, string? afterKey, DateOnly? from, DateOnly? to, int? limit, DbDialect? dialect = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(spec);
        _dialect = dialect ?? DbDialect.Sqlite;
        _spec = spec;
        SourceName = _dialect.SourceName(spec);
        _command = connection.CreateCommand();
        var keyIndex = spec.NaturalKey.Count == 1 ? spec.ColumnIndex(spec.NaturalKey[0]) : -1;
        _keyIndex = _dialect.KeyAsSourceRow && keyIndex >= 0 && spec.Columns[keyIndex].Type is ColumnType.Int or ColumnType.Long ? keyIndex : -1;
        var wmColumn = spec.Incremental.Column is { } wmc && spec.ColumnIndex(wmc) is >= 0 and var wi ? spec.Columns[wi] : null;
        var keyColumn = keyIndex >= 0 ? spec.Columns[keyIndex] : null;
        var select = string.Join(", ", spec.Columns.Select(c => Sql.Identifier(c.Name)));
        var where = new List<string>();
        var key = spec.NaturalKey.Count == 1 ? Sql.Identifier(spec.NaturalKey[0]) : null;
        if (watermark is not null && spec.Incremental.Column is { } wm)
        {
            if (afterKey is not null && key is not null)
            {
                // The next chunk of this run: strictly after the last row of the chunk before, in the read order.
                where.Add($"({Sql.Identifier(wm)} > {_dialect.Parameter(wmColumn, "@wm")} OR ({Sql.Identifier(wm)} = {_dialect.Parameter(wmColumn, "@wm")} AND {key} > {_dialect.Parameter(keyColumn, "@key")}))");
                Add("@key", afterKey);
            }
            else
            {
                // >= so rows written later with the same timestamp are not missed; already-loaded ones are duplicates.
                where.Add($"{Sql.Identifier(wm)} >= {_dialect.Parameter(wmColumn, "@wm")}");
            }

            Add("@wm", watermark);
        }

        if (spec.Incremental.WindowColumn is { } wc)
        {
            if (from is { } f)
            {
                where.Add($"{Sql.Identifier(wc)} >= {_dialect.Parameter(WindowBound, "@from")}");
                Add("@from", f.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            }

            if (to is { } t)
            {
                where.Add($"{Sql.Identifier(wc)} < {_dialect.Parameter(WindowBound, "@to")}");
                Add("@to", t.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            }
        }

        var order = spec.Incremental.Column is { } oc ? $" ORDER BY {Sql.Identifier(oc)}{(key is not null ? ", " + key : "")}" : "";
        var top = limit is { } n ? $" LIMIT {n.ToString(CultureInfo.InvariantCulture)}" : "";
        _command.CommandText = $"SELECT {select} FROM {_dialect.From(spec)}{(where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "")}{order}{top}";
        _reader = _command.ExecuteReader();
        _values = new string?[spec.Columns.Count];
        _ordinals = [.. Enumerable.Range(0, spec.Columns.Count)];

        void Add(string name, string value)
        {
            var p = _command.CreateParameter();
            p.ParameterName = name;
            p.Value = value;
            _command.Parameters.Add(p);
        }
    }

    /// <summary>
    /// Compares the table's columns with the spec (SQLite <c>PRAGMA table_info</c>): a declared column the table lacks, a column the spec does not
    /// declare, and a column whose declared SQL type disagrees with the spec's type. (A missing column must be caught here: SQLite reads a
    /// double-quoted unknown name as a string literal, so the query alone would load the column's name as every row's value.)
    /// </summary>
    public static SchemaDrift CompareSchema(DbConnection connection, PipelineSpec spec)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(spec);
        var actual = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        using (var command = connection.CreateCommand())
        {
            command.CommandText = $"PRAGMA table_info({Sql.Identifier(spec.Source.Table!)})";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                actual[reader.GetString(1)] = reader.IsDBNull(2) ? "" : reader.GetString(2);
            }
        }

        if (actual.Count == 0)
        {
            return new SchemaDrift([.. spec.Columns.Select(c => c.Name)], [], [], TableMissing: true);
        }

        var missing = spec.Columns.Where(c => !actual.ContainsKey(c.Name)).Select(c => c.Name).ToList();
        var extra = actual.Keys.Where(k => spec.ColumnIndex(k) < 0).Order(StringComparer.Ordinal).ToList();
        var retyped = new List<string>();
        foreach (var c in spec.Columns)
        {
            if (actual.TryGetValue(c.Name, out var declared) && !TypeFits(c.Type, declared))
            {
                retyped.Add($"{c.Name} is {declared}, the spec reads it as {c.Type.ToString().ToLowerInvariant()}");
            }
        }

        return new SchemaDrift(missing, extra, retyped, TableMissing: false);
    }

    // SQLite type affinity (https://www.sqlite.org/datatype3.html#determination_of_column_affinity): text columns may hold any value the
    // spec parses; a numeric or blob column cannot hold the text a date, string or code is read from.
    private static bool TypeFits(ColumnType type, string declared)
    {
        var d = declared.ToUpperInvariant();
        if (d.Length == 0)
        {
            return true;
        }

        var integer = d.Contains("INT", StringComparison.Ordinal);
        var text = d.Contains("CHAR", StringComparison.Ordinal) || d.Contains("CLOB", StringComparison.Ordinal) || d.Contains("TEXT", StringComparison.Ordinal);
        var blob = d.Contains("BLOB", StringComparison.Ordinal);
        var real = d.Contains("REAL", StringComparison.Ordinal) || d.Contains("FLOA", StringComparison.Ordinal) || d.Contains("DOUB", StringComparison.Ordinal);
        return type switch
        {
            ColumnType.Int or ColumnType.Long => integer || text || (!blob && !real),
            ColumnType.Decimal => !blob,
            ColumnType.Bool => !blob,
            _ => text || (!integer && !real && !blob) || (d.Contains("DATE", StringComparison.Ordinal) || d.Contains("TIME", StringComparison.Ordinal)),
        };
    }

    /// <summary>The window bounds are dates (<c>yyyy-MM-dd</c>).</summary>
    private static readonly ColumnSpec WindowBound = new() { Name = "window", Type = ColumnType.Date };

    public string SourceName { get; }

    public long SourceRow { get; private set; }

    public string RawText => string.Join("|", _values.Select(v => v ?? ""));

    public string MaskedRawText(IReadOnlySet<int> maskedColumns) =>
        string.Join("|", _values.Select((v, i) => maskedColumns.Contains(i) && v is not null ? "***" : v ?? ""));

    public string? RowError => null;

    public int ChildCount => 0;

    public bool MoveNext()
    {
        if (!_reader.Read())
        {
            return false;
        }

        SourceRow++;
        for (var i = 0; i < _values.Length; i++)
        {
            var o = _ordinals[i];
            _values[i] = _reader.IsDBNull(o) ? null : _dialect.Format(_reader.GetValue(o), _spec.Columns[i]);
        }

        // A database row is named by its key (table + key + column): with an integer natural key, the key is the reject's row.
        if (_keyIndex >= 0 && long.TryParse(_values[_keyIndex], NumberStyles.Integer, CultureInfo.InvariantCulture, out var key))
        {
            SourceRow = key;
        }

        return true;
    }

    public bool TryGetField(int column, out ReadOnlySpan<char> text)
    {
        text = _values[column];
        return true;
    }

    public bool TryGetChildField(int child, int column, out ReadOnlySpan<char> text) => throw new NotSupportedException("Table rows have no children.");

    public void Dispose()
    {
        _reader.Dispose();
        _command.Dispose();
    }
}

/// <summary>How one database dialect reads rows: what the FROM clause is, how a text parameter is typed for a column, how a value becomes text.</summary>
internal sealed record DbDialect(Func<PipelineSpec, string> From, Func<PipelineSpec, string> SourceName, Func<ColumnSpec?, string, string> Parameter, Func<object, ColumnSpec, string?> Format, bool KeyAsSourceRow)
{
    /// <summary>SQLite: the table quoted whole, untyped text parameters, values as invariant text, rows counted.</summary>
    public static DbDialect Sqlite { get; } = new(
        spec => Sql.Identifier(spec.Source.Table!),
        spec => spec.Source.Table!,
        (_, parameter) => parameter,
        (value, _) => Convert.ToString(value, CultureInfo.InvariantCulture),
        KeyAsSourceRow: false);
}

/// <summary>How a relational source's columns differ from its spec: declared but missing, present but undeclared, declared with another type.</summary>
internal sealed record SchemaDrift(IReadOnlyList<string> Missing, IReadOnlyList<string> Extra, IReadOnlyList<string> Retyped, bool TableMissing)
{
    /// <summary>True when nothing differs.</summary>
    public bool None => Missing.Count == 0 && Extra.Count == 0 && Retyped.Count == 0;
}

/// <summary>Rows of a JSON-lines file: one object per line, columns by dotted path, one nested array as child rows.</summary>
internal sealed partial class JsonLinesRowSource : IRowSource
{
    private readonly StreamReader _text;
    private readonly string[][] _paths;
    private readonly string[][] _childPaths;
    private readonly string[]? _childArrayPath;
    private readonly string[][] _childPiiPaths = [];
    private readonly string?[] _values;
    private readonly List<string?[]> _children = [];
    private string _line = "";

    public JsonLinesRowSource(string path, PipelineSpec spec, Encoding encoding)
    {
        ArgumentNullException.ThrowIfNull(spec);
        SourceName = Path.GetFileName(path);
        _text = new StreamReader(path, encoding, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        _paths = [.. spec.Columns.Select(c => (c.Path ?? c.Name).Split('.'))];
        _values = new string?[_paths.Length];
        if (spec.Child is { } child)
        {
            _childArrayPath = child.Path.Split('.');
            _childPaths = [.. child.Columns.Select(c => (c.Path ?? c.Name).Split('.'))];
            _childPiiPaths = [.. child.Columns.Where(c => c.Pii).Select(c => (c.Path ?? c.Name).Split('.'))];
        }
        else
        {
            _childPaths = [];
        }

        _knownKeys = [.. _paths.Select(p => p[0]).Concat(_childArrayPath is { } arrayPath ? [arrayPath[0]] : [])];
    }

    private readonly HashSet<string> _knownKeys;
    private readonly SortedSet<string> _extraKeys = new(StringComparer.Ordinal);

    /// <summary>Top-level keys seen in the file that no spec column reads (schema drift: flagged <c>schema_extra_column</c>, not loaded).</summary>
    public IReadOnlyCollection<string> ExtraKeys => _extraKeys;

    public string SourceName { get; }

    public long SourceRow { get; private set; }

    public string RawText => _line;

    public string MaskedRawText(IReadOnlySet<int> maskedColumns)
    {
        ArgumentNullException.ThrowIfNull(maskedColumns);
        try
        {
            if (System.Text.Json.Nodes.JsonNode.Parse(_line) is not System.Text.Json.Nodes.JsonObject root)
            {
                return "(not a JSON object; raw line withheld, see the quarantine file)";
            }

            foreach (var column in maskedColumns)
            {
                MaskPath(root, _paths[column]);
            }

            if (_childArrayPath is not null && Navigate(root, _childArrayPath) is System.Text.Json.Nodes.JsonArray array)
            {
                foreach (var element in array.OfType<System.Text.Json.Nodes.JsonObject>())
                {
                    foreach (var path in _childPiiPaths)
                    {
                        MaskPath(element, path);
                    }
                }
            }

            return root.ToJsonString();
        }
        catch (JsonException)
        {
            return "(invalid JSON; raw line withheld, see the quarantine file)";
        }
    }

    private static System.Text.Json.Nodes.JsonNode? Navigate(System.Text.Json.Nodes.JsonNode node, string[] path)
    {
        System.Text.Json.Nodes.JsonNode? current = node;
        foreach (var part in path)
        {
            current = current is System.Text.Json.Nodes.JsonObject o ? o[part] : null;
        }

        return current;
    }

    private static void MaskPath(System.Text.Json.Nodes.JsonObject root, string[] path)
    {
        var parent = path.Length == 1 ? root : Navigate(root, path[..^1]) as System.Text.Json.Nodes.JsonObject;
        if (parent is not null && parent[path[^1]] is not null)
        {
            parent[path[^1]] = "***";
        }
    }

    public string? RowError { get; private set; }

    public int ChildCount => _children.Count;

    public bool MoveNext()
    {
        while (_text.ReadLine() is { } line)
        {
            SourceRow++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            _line = line;
            RowError = null;
            _children.Clear();
            Array.Clear(_values);
            try
            {
                using var doc = JsonDocument.Parse(line);
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                {
                    RowError = "the line is not a JSON object";
                    return true;
                }

                for (var i = 0; i < _paths.Length; i++)
                {
                    _values[i] = Resolve(doc.RootElement, _paths[i]);
                }

                foreach (var property in doc.RootElement.EnumerateObject())
                {
                    if (!_knownKeys.Contains(property.Name) && _extraKeys.Count < MaxExtraKeys)
                    {
                        _extraKeys.Add(property.Name);
                    }
                }

                var childArray = _childArrayPath is null ? null : Find(doc.RootElement, _childArrayPath);
                if (childArray is { ValueKind: not (JsonValueKind.Array or JsonValueKind.Null) } notList)
                {
                    // e.g. "imputados": "x": the record's persons cannot be read, so the event is rejected rather than loaded with none.
                    RowError = $"'{string.Join('.', _childArrayPath!)}' is a JSON {notList.ValueKind.ToString().ToLowerInvariant()}, not a list";
                    return true;
                }

                if (childArray is { ValueKind: JsonValueKind.Array } array)
                {
                    foreach (var element in array.EnumerateArray())
                    {
                        var values = new string?[_childPaths.Length];
                        for (var i = 0; i < values.Length; i++)
                        {
                            values[i] = Resolve(element, _childPaths[i]);
                        }

                        _children.Add(values);
                    }
                }
            }
            catch (JsonException ex)
            {
                // System.Text.Json counts lines within the one line it parsed ("LineNumber: 0"): name the file's line instead.
                var message = JsonPosition().Replace(ex.Message, "").TrimEnd();
                RowError = $"invalid JSON at line {SourceRow.ToString(CultureInfo.InvariantCulture)}, character {((ex.BytePositionInLine ?? 0) + 1).ToString(CultureInfo.InvariantCulture)}: {message}";
            }

            return true;
        }

        return false;
    }

    /// <summary>At most this many unknown keys are kept per file: a feed that sends arbitrary keys is flagged, not remembered whole.</summary>
    private const int MaxExtraKeys = 20;

    private static JsonElement? Find(JsonElement element, string[] path)
    {
        foreach (var part in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(part, out element))
            {
                return null;
            }
        }

        return element;
    }

    private static string? Resolve(JsonElement element, string[] path)
    {
        if (path.Length > 1 && path[^1] == "#count")
        {
            // "items.#count": the number of elements of an array (0 when it is missing).
            return Find(element, path[..^1]) is { ValueKind: JsonValueKind.Array } items ? items.GetArrayLength().ToString(CultureInfo.InvariantCulture) : "0";
        }

        if (Find(element, path) is not { } value)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Array => string.Join(",", value.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText())),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => value.GetRawText(),
        };
    }

    public bool TryGetField(int column, out ReadOnlySpan<char> text)
    {
        text = _values[column];
        return true;
    }

    public bool TryGetChildField(int child, int column, out ReadOnlySpan<char> text)
    {
        text = _children[child][column];
        return true;
    }

    public void Dispose() => _text.Dispose();

    [System.Text.RegularExpressions.GeneratedRegex(@"\s*(Path: \S*\s*\|\s*)?LineNumber: \d+\s*\|\s*BytePositionInLine: \d+\.?")]
    private static partial System.Text.RegularExpressions.Regex JsonPosition();
}
