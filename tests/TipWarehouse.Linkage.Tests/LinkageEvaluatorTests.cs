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

        static (int, int, int, int) Counts(LinkQuality q) => (q.TruePositives, q.Predicted, q.TruthPairs, q.TruthPairsLoaded);
        Assert.Equal((1, 2, 3, 2), Counts(byType[LinkTypes.HotlinePolice]));
        // Both hotline links are references (exact): one true of two; no probabilistic pair, so no score bands.
        Assert.Equal([("exact", 1, 2)], byType[LinkTypes.HotlinePolice].ByMethod);
        Assert.Empty(byType[LinkTypes.HotlinePolice].ByScore);
        Assert.Equal(0.5, byType[LinkTypes.HotlinePolice].Precision);
        Assert.Equal(0.5, byType[LinkTypes.HotlinePolice].Recall);
        Assert.Equal((1, 1, 2, 1), Counts(byType[LinkTypes.PoliceProsecution]));
        var table = LinkageEvaluator.ToTable([.. byType.Values]);
        Assert.Contains(table.Notes, n => n.StartsWith("hotline_police: 1 true of 2 linked;", StringComparison.Ordinal) && n.EndsWith("By method: exact 1 true of 2.", StringComparison.Ordinal));
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
