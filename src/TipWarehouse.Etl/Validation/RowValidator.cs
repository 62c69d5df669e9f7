using Apache.Arrow;
using TipWarehouse.Etl.Extraction;
using TipWarehouse.Etl.Specs;

namespace TipWarehouse.Etl.Validation;

/// <summary>A loaded value that failed a rule declared <c>on_invalid: null</c>: nulled and flagged instead of rejecting the row.</summary>
public sealed record QualityFlag(string NaturalKey, string Flag, string? SourceValue, string Detail);

/// <summary>The verdict on one extracted batch: rows rejected with reasons, values nulled with flags.</summary>
public sealed class BatchVerdict
{
    public BatchVerdict(int rowCount)
    {
        Rejected = new bool[rowCount];
    }

    /// <summary>True for each row that must not be staged.</summary>
    public bool[] Rejected { get; }

    /// <summary>The rejected rows with their reasons.</summary>
    public List<RejectRecord> Rejects { get; } = [];

    /// <summary>(row, column) pairs whose value is staged as null.</summary>
    public HashSet<(int Row, int Column)> Nulled { get; } = [];

    /// <summary>Data-quality flags for nulled values.</summary>
    public List<QualityFlag> Flags { get; } = [];
}

/// <summary>Checks the declared rules (lengths, ranges, code lists, digit codes, plausible dates) on an Arrow record batch.</summary>
internal sealed class RowValidator
{
    private readonly PipelineSpec _spec;
    private readonly FieldValue?[] _min;
    private readonly FieldValue?[] _max;
    private readonly HashSet<string>?[] _values;
    private readonly int[] _naturalKey;
    private readonly HashSet<int> _masked;

    public RowValidator(PipelineSpec spec)
    {
        _spec = spec;
        var n = spec.Columns.Count;
        _min = new FieldValue?[n];
        _max = new FieldValue?[n];
        _values = new HashSet<string>?[n];
        for (var i = 0; i < n; i++)
        {
            var c = spec.Columns[i];
            if (c.Min is not null && ValueParser.TryParseBound(c, c.Min, out var min))
            {
                _min[i] = min;
            }

            if (c.Max is not null && ValueParser.TryParseBound(c, c.Max, out var max))
            {
                _max[i] = max;
            }

            if (c.Values.Count > 0)
            {
                _values[i] = new HashSet<string>(c.Values, StringComparer.OrdinalIgnoreCase);
            }
        }

        _naturalKey = [.. spec.NaturalKey.Select(spec.ColumnIndex).Where(i => i >= 0)];
        _masked = [.. spec.Columns.Select((c, i) => (c, i)).Where(x => x.c.Pii || spec.Scrub.Any(s => string.Equals(s.Column, x.c.Name, StringComparison.OrdinalIgnoreCase))).Select(x => x.i)];
    }

    public BatchVerdict Validate(RecordBatch batch, string sourceFile)
    {
        var verdict = new BatchVerdict(batch.Length);
        var sourceRows = (Int64Array)batch.Column(ExtractedBatch.SourceRowField);
        var raw = (StringArray)batch.Column(ExtractedBatch.RawField);
        for (var col = 0; col < _spec.Columns.Count; col++)
        {
            var column = _spec.Columns[col];
            if (_min[col] is null && _max[col] is null && _values[col] is null && column.MaxLength is null && column.Digits is null)
            {
                continue;
            }

            var array = batch.Column(col + 2);
            for (var row = 0; row < batch.Length; row++)
            {
                if (verdict.Rejected[row] || array.IsNull(row))
                {
                    continue;
                }

                var value = ArrowValues.Get(array, row);
                var problem = Check(col, column, value);
                if (problem is null)
                {
                    continue;
                }

                var shown = _masked.Contains(col) ? "***" : Describe(column, value);
                if (column.NullOnInvalid)
                {
                    verdict.Nulled.Add((row, col));
                    verdict.Flags.Add(new QualityFlag(NaturalKey(batch, row), "invalid_" + column.Name, shown, $"{column.Name}: {problem}; loaded as null"));
                }
                else
                {
                    verdict.Rejected[row] = true;
                    verdict.Rejects.Add(new RejectRecord(sourceFile, sourceRows.GetValue(row), column.Name, "rule_" + RuleCode(problem), $"{column.Name} '{shown}': {problem}", raw.GetString(row), MaskRaw(batch, row, raw.GetString(row))));
                }
            }
        }

        return verdict;
    }

    private static string RuleCode(string problem) => problem.Split(' ', 2)[0].TrimEnd(':');

    private string? MaskRaw(RecordBatch batch, int row, string? raw)
    {
        if (raw is null)
        {
            return null;
        }

        foreach (var col in _masked)
        {
            if (ArrowValues.GetString(batch.Column(col + 2), row) is { Length: > 0 } value)
            {
                raw = raw.Replace(value, "***", StringComparison.Ordinal);
            }
        }

        return RawTextMask.Digits(raw);
    }

    private string? Check(int col, ColumnSpec column, FieldValue value)
    {
        if (column.MaxLength is { } maxLength && value.Text is { } t && t.Length > maxLength)
        {
            return $"length longer than {maxLength}";
        }

        if (column.Digits is { } digits && value.Text is { } d && (d.Length != digits || !d.All(char.IsAsciiDigit)))
        {
            return $"digits: not a code of exactly {digits} digits";
        }

        if (_values[col] is { } allowed && value.Text is { } v && !allowed.Contains(v.Trim()))
        {
            return $"values: not one of {string.Join(", ", column.Values)}";
        }

        if (_min[col] is { } min && Compare(column, value, min) < 0)
        {
            return $"range: below the minimum {column.Min}";
        }

        if (_max[col] is { } max && Compare(column, value, max) > 0)
        {
            return $"range: above the maximum {column.Max}";
        }

        return null;
    }

    private static int Compare(ColumnSpec column, FieldValue a, FieldValue b) => column.Type switch
    {
        ColumnType.Int or ColumnType.Long => a.Int.CompareTo(b.Int),
        ColumnType.Decimal => a.Real.CompareTo(b.Real),
        ColumnType.Date or ColumnType.DateTime => a.Time.CompareTo(b.Time),
        _ => 0,
    };

    private static string Describe(ColumnSpec column, FieldValue value) => column.Type switch
    {
        ColumnType.Int or ColumnType.Long or ColumnType.Bool => value.Int.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ColumnType.Decimal => value.Real.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ColumnType.Date => value.Time.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        ColumnType.DateTime => value.Time.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
        _ => ValueParser.Shorten(value.Text),
    };

    private string NaturalKey(RecordBatch batch, int row)
    {
        if (_naturalKey.Length == 0)
        {
            return ((Int64Array)batch.Column(0)).GetValue(row)!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var parts = _naturalKey.Select(i => Describe(_spec.Columns[i], ArrowValues.Get(batch.Column(i + 2), row)));
        var key = string.Join("|", parts);
        return key.Length > 60 ? key[..60] : key;
    }
}
