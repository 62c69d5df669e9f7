namespace TipWarehouse.Linkage.Tests;

public sealed class CaseAssignerTests
{
    private static RecordRef Call(string id) => new(LinkTypes.RecordHotlineCall, id);

    private static RecordRef Report(string id) => new(LinkTypes.RecordPoliceReport, id);

    private static RecordRef Prosecution(string id) => new(LinkTypes.RecordProsecutionCase, id);

    private static readonly Dictionary<RecordRef, string> s_none = [];

    [Fact]
    public void Linked_records_share_one_case_anchored_on_the_earliest_agency_record()
    {
        var cases = CaseAssigner.Assign([Report("R1"), Prosecution("K1"), Report("R2")], [(Call("H1"), Report("R1")), (Report("R1"), Prosecution("K1"))], s_none);
        Assert.Equal(CaseAssigner.HashId(Call("H1")), cases[Report("R1")]);
        Assert.Equal(cases[Call("H1")], cases[Prosecution("K1")]);
        Assert.Equal(CaseAssigner.HashId(Report("R2")), cases[Report("R2")]);
        Assert.Equal(2, cases.Values.Distinct().Count());
    }

    [Fact]
    public void Same_input_gives_same_ids_in_any_order()
    {
        var a = CaseAssigner.Assign([Report("R2"), Report("R1")], [(Report("R1"), Prosecution("K1"))], s_none);
        var b = CaseAssigner.Assign([Report("R1"), Report("R2")], [(Report("R1"), Prosecution("K1"))], s_none);
        Assert.Equal(a.OrderBy(kv => kv.Key), b.OrderBy(kv => kv.Key));
    }

    [Fact]
    public void A_new_record_attaches_to_the_existing_case_and_keeps_its_id()
    {
        var previous = new Dictionary<RecordRef, string> { [Report("R1")] = "CASE-OLD" };

        // A call arrives later that sorts before R1: the case keeps its id anyway.
        var cases = CaseAssigner.Assign([Report("R1")], [(Call("H0"), Report("R1"))], previous);

        Assert.Equal("CASE-OLD", cases[Call("H0")]);
        Assert.Equal("CASE-OLD", cases[Report("R1")]);
    }

    [Fact]
    public void A_record_joining_two_cases_merges_them_into_the_smaller_id()
    {
        var previous = new Dictionary<RecordRef, string> { [Report("R1")] = "CASE-B", [Prosecution("K9")] = "CASE-A" };
        var cases = CaseAssigner.Assign([Report("R1"), Prosecution("K9")], [(Report("R1"), Prosecution("K9"))], previous);
        Assert.Equal("CASE-A", cases[Report("R1")]);
        Assert.Equal("CASE-A", cases[Prosecution("K9")]);
    }

    [Fact]
    public void A_split_keeps_the_id_on_the_part_with_the_smallest_record()
    {
        var previous = new Dictionary<RecordRef, string> { [Report("R1")] = "CASE-X", [Prosecution("K1")] = "CASE-X" };
        var cases = CaseAssigner.Assign([Report("R1"), Prosecution("K1")], [], previous);
        Assert.Equal("CASE-X", cases[Report("R1")]);
        Assert.Equal(CaseAssigner.HashId(Prosecution("K1")), cases[Prosecution("K1")]);
    }
}
