namespace TipWarehouse.Core;

/// <summary>
/// The one CSV writer of the warehouse (CLI <c>--format csv</c>, the quarantine's <c>rejects.csv</c>): RFC 4180 with a
/// comma, CRLF line ends and <see cref="CsvCell"/> quoting; text cells are neutralised against spreadsheet formulas.
/// </summary>
public sealed class CsvWriter(TextWriter writer)
{
    private readonly TextWriter _writer = writer ?? throw new ArgumentNullException(nameof(writer));
    private bool _rowStarted;

    /// <summary>Writes a header row of column names.</summary>
    public void Header(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        foreach (var name in names)
        {
            Value(name);
        }

        EndRow();
    }

    /// <summary>Writes a text cell from outside (a leading <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c> gets a <c>'</c>); null is an empty cell.</summary>
    public CsvWriter Text(string? value) => Cell(CsvCell.Text(value));

    /// <summary>Writes a cell already formatted by the warehouse (a number, a date): quoted when needed, never altered.</summary>
    public CsvWriter Value(string? formatted) => Cell(formatted is null ? "" : CsvCell.Quote(formatted));

    /// <summary>Ends the row (CRLF).</summary>
    public void EndRow()
    {
        _writer.Write("\r\n");
        _rowStarted = false;
    }

    private CsvWriter Cell(string encoded)
    {
        if (_rowStarted)
        {
            _writer.Write(',');
        }

        _writer.Write(encoded);
        _rowStarted = true;
        return this;
    }
}
