using System.Security.Cryptography;
using System.Text;

namespace TipWarehouse.Linkage;

/// <summary>A record of one agency as a node of the case graph.</summary>
public readonly record struct RecordRef(string Type, string Id) : IComparable<RecordRef>
{
    /// <summary>Orders records by agency in funnel order (hotline, police, prosecution), then by id (ordinal).</summary>
    public int CompareTo(RecordRef other)
    {
        var byType = TypeOrder(Type).CompareTo(TypeOrder(other.Type));
        return byType != 0 ? byType : string.CompareOrdinal(Id, other.Id);
    }

    /// <summary>The record written as <c>type:id</c>, the input of the case id hash.</summary>
    public override string ToString() => Type + ":" + Id;

    private static int TypeOrder(string type) => type switch
    {
        LinkTypes.RecordHotlineCall => 0,
        LinkTypes.RecordPoliceReport => 1,
        LinkTypes.RecordProsecutionCase => 2,
        _ => 3,
    };

    /// <summary>Less-than by <see cref="CompareTo"/>.</summary>
    public static bool operator <(RecordRef left, RecordRef right) => left.CompareTo(right) < 0;

    /// <summary>Greater-than by <see cref="CompareTo"/>.</summary>
    public static bool operator >(RecordRef left, RecordRef right) => left.CompareTo(right) > 0;

    /// <summary>Less-or-equal by <see cref="CompareTo"/>.</summary>
    public static bool operator <=(RecordRef left, RecordRef right) => left.CompareTo(right) <= 0;

    /// <summary>Greater-or-equal by <see cref="CompareTo"/>.</summary>
    public static bool operator >=(RecordRef left, RecordRef right) => left.CompareTo(right) >= 0;
}

/// <summary>
/// Groups linked records into cases (connected components, union–find) and gives each case a stable id.
/// Rules, applied to components in the order of their smallest record:
/// a component whose records had no case gets <c>CASE-</c> + the first 16 hex digits of SHA-256 of its smallest record;
/// a component whose records carried one or more case ids keeps the smallest of them (so a record that joins two
/// cases merges them into the case with the smaller id); when a case splits (an analyst rejected a link), the part
/// processed first keeps the id and the other parts take their next old id or a fresh one.
/// </summary>
public static class CaseAssigner
{
    /// <summary>Assigns a case id to every record in <paramref name="records"/>.</summary>
    /// <param name="records">Every record that belongs to some case (linked or standing alone).</param>
    /// <param name="links">Linked pairs; records of a link missing from <paramref name="records"/> are added.</param>
    /// <param name="previous">The case id each record had after the previous run.</param>
    /// <param name="reserved">Case ids held by cases outside <paramref name="records"/> (an incremental run), never given out.</param>
    public static IReadOnlyDictionary<RecordRef, string> Assign(
        IEnumerable<RecordRef> records,
        IEnumerable<(RecordRef Left, RecordRef Right)> links,
        IReadOnlyDictionary<RecordRef, string> previous,
        IReadOnlySet<string>? reserved = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(links);
        ArgumentNullException.ThrowIfNull(previous);
        var index = new Dictionary<RecordRef, int>();
        var nodes = new List<RecordRef>();
        int Node(RecordRef record)
        {
            if (!index.TryGetValue(record, out var i))
            {
                i = nodes.Count;
                index[record] = i;
                nodes.Add(record);
            }

            return i;
        }

        foreach (var record in records)
        {
            Node(record);
        }

        var edges = new List<(int, int)>();
        foreach (var (left, right) in links)
        {
            edges.Add((Node(left), Node(right)));
        }

        var parent = new int[nodes.Count];
        for (var i = 0; i < parent.Length; i++)
        {
            parent[i] = i;
        }

        int Find(int x)
        {
            while (parent[x] != x)
            {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }

            return x;
        }

        foreach (var (a, b) in edges)
        {
            var ra = Find(a);
            var rb = Find(b);
            if (ra != rb)
            {
                // Keep the smaller record as root so that roots are deterministic.
                if (nodes[ra] < nodes[rb])
                {
                    parent[rb] = ra;
                }
                else
                {
                    parent[ra] = rb;
                }
            }
        }

        var components = new Dictionary<int, List<RecordRef>>();
        for (var i = 0; i < nodes.Count; i++)
        {
            var root = Find(i);
            if (!components.TryGetValue(root, out var members))
            {
                components[root] = members = [];
            }

            members.Add(nodes[i]);
        }

        var ordered = components.Values.Select(m => { m.Sort(); return m; }).OrderBy(m => m[0]).ToList();
        var taken = new HashSet<string>(reserved ?? new HashSet<string>(), StringComparer.Ordinal);
        var result = new Dictionary<RecordRef, string>();
        foreach (var members in ordered)
        {
            var oldIds = members.Select(m => previous.TryGetValue(m, out var id) ? id : null)
                .OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
            var caseId = oldIds.FirstOrDefault(id => !taken.Contains(id)) ?? FreshId(members[0], taken);
            taken.Add(caseId);
            foreach (var member in members)
            {
                result[member] = caseId;
            }
        }

        return result;
    }

    /// <summary>The id a new case anchored on <paramref name="anchor"/> gets: <c>CASE-</c> + 16 hex digits of SHA-256.</summary>
    public static string HashId(RecordRef anchor)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(anchor.ToString()));
        return "CASE-" + Convert.ToHexString(hash, 0, 8);
    }

    private static string FreshId(RecordRef anchor, HashSet<string> taken)
    {
        var id = HashId(anchor);
        for (var suffix = 2; taken.Contains(id); suffix++)
        {
            id = HashId(anchor) + "-" + suffix.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return id;
    }
}
