using System.Collections;
using DuckDB.NET.Data;

namespace TipWarehouse.Classifier;

/// <summary>Labelled calls of the warehouse in a fixed order, read page by page by call key whenever they are enumerated, so
/// a window of the time split (millions of calls at ~10M) never has all its narratives in memory at once.</summary>
/// <remarks>Each enumeration reads the warehouse again; the indexer reads the page holding the index and keeps that one page.
/// Reads go through the connection one at a time, so the list can be shared between threads, not with another user of the
/// connection.</remarks>
public sealed class WarehouseCallWindow : IReadOnlyList<CallFeatures>
{
    /// <summary>Calls read per page.</summary>
    public const int PageSize = 20_000;

    private readonly DuckDBConnection _connection;
    private readonly LabelledCallKey[] _keys;
    private readonly int _pageSize;
    private readonly Lock _gate = new();
    private int _heldPage = -1;
    private CallFeatures[] _held = [];

    /// <summary>A window of <paramref name="keys"/> (in the order they come, each with the label it carries; copied once) over
    /// <paramref name="connection"/>, which must stay open while the window is read.</summary>
    public WarehouseCallWindow(DuckDBConnection connection, IEnumerable<LabelledCallKey> keys)
        : this(connection, keys, PageSize)
    {
    }

    /// <summary>A window read in pages of <paramref name="pageSize"/> calls (tests cut a few dozen calls into many pages).</summary>
    internal WarehouseCallWindow(DuckDBConnection connection, IEnumerable<LabelledCallKey> keys, int pageSize)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pageSize);
        _connection = connection;
        _keys = [.. keys];
        _pageSize = pageSize;
    }

    /// <inheritdoc/>
    public int Count => _keys.Length;

    /// <inheritdoc/>
    public CallFeatures this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _keys.Length);
            var page = index / _pageSize;
            lock (_gate)
            {
                if (page != _heldPage)
                {
                    _held = Read(page);
                    _heldPage = page;
                }

                return _held[index - (page * _pageSize)];
            }
        }
    }

    /// <inheritdoc/>
    public IEnumerator<CallFeatures> GetEnumerator()
    {
        for (var page = 0; (long)page * _pageSize < _keys.Length; page++)
        {
            CallFeatures[] calls;
            lock (_gate)
            {
                calls = Read(page);
            }

            foreach (var call in calls)
            {
                yield return call;
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    // The calls of one page, in the window's order; the caller holds the gate.
    private CallFeatures[] Read(int page)
    {
        var keys = new ArraySegment<LabelledCallKey>(_keys, page * _pageSize, Math.Min(_pageSize, _keys.Length - (page * _pageSize)));
        var features = WarehouseCalls.ReadByKey(_connection, keys);
        var calls = new CallFeatures[keys.Count];
        for (var i = 0; i < calls.Length; i++)
        {
            calls[i] = features[keys[i].CallKey];
        }

        return calls;
    }
}
