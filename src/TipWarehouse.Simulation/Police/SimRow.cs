namespace TipWarehouse.Simulation.Police;

/// <summary>A later change of one column of a row (status change, reclassification, correction).</summary>
internal readonly record struct RowChange(DateTime At, int Column, object? Value);

/// <summary>A police row over its whole life: its values when first written (one per column, in table order) and the changes that follow.</summary>
internal sealed class SimRow(string key, DateTime createdAt, object?[] values)
{
    public string Key { get; } = key;

    public DateTime CreatedAt { get; } = createdAt;

    public object?[] Values { get; } = values;

    /// <summary>Later changes in time order; null while there are none (most rows), which keeps large worlds small.</summary>
    public List<RowChange>? Changes { get; private set; }

    /// <summary>Records a change; changes at or before creation, or after the world ends, are dropped.</summary>
    public void Change(DateTime at, int column, object? value, DateTime worldEnd)
    {
        if (at > CreatedAt && at < worldEnd)
        {
            Changes ??= [];
            var i = Changes.Count;
            while (i > 0 && Changes[i - 1].At > at)
            {
                i--;
            }

            Changes.Insert(i, new RowChange(at, column, value));
        }
    }

    /// <summary>True when a change of <paramref name="column"/> took effect before <paramref name="asOf"/>.</summary>
    public bool ChangedBefore(int column, DateTime asOf) => Changes is not null && Changes.Exists(c => c.Column == column && c.At < asOf);

    /// <summary>The row as it stood just before <paramref name="asOf"/>, with its <c>updated_at</c>; null if it did not exist yet.</summary>
    public (object?[] Values, DateTime UpdatedAt)? StateAt(DateTime asOf)
    {
        if (CreatedAt >= asOf)
        {
            return null;
        }

        if (Changes is null || Changes[0].At >= asOf)
        {
            return (Values, CreatedAt);
        }

        var state = (object?[])Values.Clone();
        var updated = CreatedAt;
        foreach (var change in Changes)
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
