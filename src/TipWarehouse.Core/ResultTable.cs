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

    /// <summary>Reads a whole ADO.NET result into a table.</summary>
    public static ResultTable FromReader(System.Data.Common.DbDataReader reader, IReadOnlyList<string>? notes = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var columns = new ResultColumn[reader.FieldCount];
        for (var i = 0; i < columns.Length; i++)
        {
            columns[i] = new ResultColumn(reader.GetName(i), reader.GetFieldType(i));
        }

        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[columns.Length];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return new ResultTable(columns, rows, notes);
    }
}
