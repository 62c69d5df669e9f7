using System.Globalization;

namespace TipWarehouse.Etl.Engine;

/// <summary>
/// What a sequence feed has taken: the highest sequence number loaded or definitively rejected, and the ranges below it that no event has
/// filled yet (gaps). An event is read when it is above the watermark or inside a gap, so a late event that fills a gap is not lost and a
/// rejected event with a huge number does not hide the events below it.
/// </summary>
internal sealed class SequenceState
{
    private readonly List<(long From, long To)> _gaps;

    public SequenceState(long? watermark, IEnumerable<(long From, long To)> gaps)
    {
        Watermark = watermark;
        _gaps = [.. gaps.OrderBy(g => g.From)];
    }

    /// <summary>The highest sequence taken, or null before the first.</summary>
    public long? Watermark { get; }

    /// <summary>The unfilled ranges below <see cref="Watermark"/>, in order.</summary>
    public IReadOnlyList<(long From, long To)> Gaps => _gaps;

    /// <summary>The watermark as stored in <c>meta.watermark</c>.</summary>
    public string? WatermarkText => Watermark?.ToString(CultureInfo.InvariantCulture);

    /// <summary>True when <paramref name="sequence"/> has not been taken yet: above the watermark or in a gap.</summary>
    public bool ShouldRead(long sequence) => Watermark is not { } w || sequence > w || InGap(sequence);

    private bool InGap(long sequence)
    {
        int lo = 0, hi = _gaps.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sequence < _gaps[mid].From)
            {
                hi = mid - 1;
            }
            else if (sequence > _gaps[mid].To)
            {
                lo = mid + 1;
            }
            else
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The state after <paramref name="taken"/> (loaded or rejected with a valid number) were committed: the watermark moves to the highest, every number skipped on the way becomes a gap, and taken numbers leave their gaps.</summary>
    public SequenceState Advance(IEnumerable<long> taken)
    {
        var seen = taken.Where(ShouldRead).Distinct().Order().ToArray();
        if (seen.Length == 0)
        {
            return this;
        }

        var top = Math.Max(Watermark ?? long.MinValue, seen[^1]);
        var ranges = new List<(long From, long To)>(_gaps);
        if (Watermark is { } w && w < top)
        {
            ranges.Add((w + 1, top));
        }
        else if (Watermark is null)
        {
            ranges.Add((seen[0], top));
        }

        var gaps = new List<(long From, long To)>();
        foreach (var (from, to) in ranges.OrderBy(r => r.From))
        {
            var start = from;
            var i = Array.BinarySearch(seen, from);
            i = i < 0 ? ~i : i;
            for (; i < seen.Length && seen[i] <= to; i++)
            {
                if (seen[i] > start)
                {
                    gaps.Add((start, seen[i] - 1));
                }

                start = seen[i] + 1;
            }

            if (start <= to)
            {
                gaps.Add((start, to));
            }
        }

        return new SequenceState(top, gaps);
    }
}
