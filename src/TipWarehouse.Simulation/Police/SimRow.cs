namespace TipWarehouse.Simulation.Police;

/// <summary>A later change of one column of a row (status change, reclassification, correction).</summary>
internal sealed record RowChange(DateTime At, string Column, object? Value);

/// <summary>A police row over its whole life: its values when first written and the changes that follow.</summary>
internal sealed class SimRow(string key, DateTime createdAt, Dictionary<string, object?> values)
{
    public string Key { get; } = key;

    public DateTime CreatedAt { get; } = createdAt;

    public Dictionary<string, object?> Values { get; } = values;

    public List<RowChange> Changes { get; } = [];

    /// <summary>Records a change; changes at or before creation, or after the world ends, are dropped.</summary>
    public void Change(DateTime at, string column, object? value, DateTime worldEnd)
    {
        if (at > CreatedAt && at < worldEnd)
        {
            Changes.Add(new RowChange(at, column, value));
        }
    }

    /// <summary>The row as it stood just before <paramref name="asOf"/>, with its <c>updated_at</c>; null if it did not exist yet.</summary>
    public (Dictionary<string, object?> Values, DateTime UpdatedAt)? StateAt(DateTime asOf)
    {
        if (CreatedAt >= asOf)
        {
            return null;
        }

        var state = new Dictionary<string, object?>(Values, StringComparer.Ordinal);
        var updated = CreatedAt;
        foreach (var change in Changes.OrderBy(c => c.At))
        {
            if (change.At >= asOf)
            {
                break;
            }

            state[change.Column] = change.Value;
            updated = change.At;
        }

        return (state, updated);
    }
}
