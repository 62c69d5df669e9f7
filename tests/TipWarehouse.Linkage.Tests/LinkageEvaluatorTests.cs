using TipWarehouse.Core;

namespace TipWarehouse.Linkage.Tests;

public sealed class LinkageEvaluatorTests : IDisposable
{
    private readonly string _truth = Path.Combine(Path.GetTempPath(), "tipw-linkage-truth-" + Guid.NewGuid().ToString("N"));

    public LinkageEvaluatorTests() => Directory.CreateDirectory(_truth);

    public void Dispose() => Directory.Delete(_truth, recursive: true);

    [Fact]
    public void Precision_and_recall_count_linked_pairs_against_truth_over_loaded_records()
    {
        using var w = new TestWarehouse();
        var unit = w.Unit("CPNP-LIMA", TestWarehouse.Lima);
        var day = new DateOnly(2006, 6, 1);
        w.Call("L1", day, TestWarehouse.Lima, unit);
        w.Call("L2", day, TestWarehouse.Lima, unit);
        w.Report("DEN-2006-000001", day.AddDays(1), TestWarehouse.Lima, unit, "L1");
        w.Report("DEN-2006-000002", day.AddDays(1), TestWarehouse.Lima, unit, "L2");
        w.Report("DEN-2006-000003", day.AddDays(1), TestWarehouse.Lima, unit);
        w.Event(1, "FP-1", day.AddDays(9), "COMPLAINT_RECEIVED", "DEN-2006-000001");
        w.Link(1);

        // Truth: L2 led to report 3 (so the L2 -> 2 link is wrong and L2 -> 3 is missed); L9 was never loaded.
        File.WriteAllText(Path.Combine(_truth, LinkageEvaluator.TruthFileName), """
            case_id,id_llamada,police_report,case_number
            K1,L1,DEN-2006-000001,FP-1
            K2,L2,DEN-2006-000003,
            "K3",L9,DEN-2006-000002,
            K4,,DEN-2006-000004,FP-4
            """);

        var byType = LinkageEvaluator.Evaluate(w.Connection, _truth).ToDictionary(q => q.LinkType);

        Assert.Equal(new LinkQuality(LinkTypes.HotlinePolice, 1, 2, 3, 2), byType[LinkTypes.HotlinePolice]);
        Assert.Equal(0.5, byType[LinkTypes.HotlinePolice].Precision);
        Assert.Equal(0.5, byType[LinkTypes.HotlinePolice].Recall);
        Assert.Equal(new LinkQuality(LinkTypes.PoliceProsecution, 1, 1, 2, 1), byType[LinkTypes.PoliceProsecution]);
        var table = LinkageEvaluator.ToTable([.. byType.Values]);
        Assert.Equal(["link_type", "precision", "recall", "f1"], table.Columns.Select(c => c.Name));
    }

    [Fact]
    public void A_missing_truth_file_is_a_usage_error_naming_the_path()
    {
        using var w = new TestWarehouse();
        var ex = Assert.Throws<UsageException>(() => LinkageEvaluator.Evaluate(w.Connection, _truth));
        Assert.Contains(Path.Combine(_truth, "links.csv"), ex.Message);
    }

    [Fact]
    public void A_truth_file_without_the_expected_columns_names_the_column()
    {
        using var w = new TestWarehouse();
        File.WriteAllText(Path.Combine(_truth, LinkageEvaluator.TruthFileName), "case_id,call,report\nK1,L1,R1\n");
        var ex = Assert.Throws<TipwException>(() => LinkageEvaluator.Evaluate(w.Connection, _truth));
        Assert.Contains("id_llamada", ex.Message);
    }
}
