namespace TipWarehouse.Linkage.Tests;

public sealed class LinkDeciderTests
{
    private static readonly ComparisonField[] s_fields = [new("dni", 2, [0.05, 0.95], [0.95, 0.05])];
    private static readonly FellegiSunterModel s_model = FellegiSunterModel.Configured(s_fields);
    private static readonly LinkTypeOptions s_options = new() { LinkThreshold = 4, ReviewThreshold = 0, WindowBeforeDays = 0, WindowAfterDays = 0 };

    private static CandidatePair Pair(string left, string right, int level, int reference = 0) => new(left, right, [level], reference, 20060101);

    [Fact]
    public void Each_record_is_linked_at_most_once_best_score_first()
    {
        // H1 agrees with R1 and R2 (same weight), H2 agrees only with R2: the tie is broken by id, and H2 then loses R2.
        var links = LinkDecider.Decide(LinkTypes.HotlinePolice, [Pair("H1", "R1", 1), Pair("H1", "R2", 1), Pair("H2", "R2", 1)], s_model, s_options, []);
        var linked = links.Where(l => l.Status == LinkTypes.StatusLinked).Select(l => (l.LeftId, l.RightId)).ToList();
        Assert.Equal([("H1", "R1"), ("H2", "R2")], linked);
    }

    [Fact]
    public void Scores_between_thresholds_go_to_review_and_below_are_dropped()
    {
        var options = s_options with { LinkThreshold = 10, ReviewThreshold = 3 };
        var links = LinkDecider.Decide(LinkTypes.HotlinePolice, [Pair("H1", "R1", 1), Pair("H2", "R2", 0)], s_model, options, []);
        var only = Assert.Single(links);
        Assert.Equal(LinkTypes.StatusReview, only.Status);
        Assert.Equal(LinkTypes.MethodProbabilistic, only.Method);
    }

    [Fact]
    public void Analyst_decisions_override_scores_and_free_the_records_for_others()
    {
        var decisions = new[]
        {
            new AnalystDecision(LinkTypes.HotlinePolice, "H1", "R1", Accept: false, "ana"),
            new AnalystDecision(LinkTypes.HotlinePolice, "H3", "R3", Accept: true, "ana"),
        };
        var links = LinkDecider.Decide(LinkTypes.HotlinePolice, [Pair("H1", "R1", 1, reference: 2), Pair("H2", "R1", 1), Pair("H3", "R3", 0)], s_model, s_options, decisions);
        Assert.Contains(links, l => l is { LeftId: "H1", RightId: "R1", Status: LinkTypes.StatusRejected, DecidedBy: "ana", Method: LinkTypes.MethodExact });
        Assert.Contains(links, l => l is { LeftId: "H2", RightId: "R1", Status: LinkTypes.StatusLinked });
        Assert.Contains(links, l => l is { LeftId: "H3", RightId: "R3", Status: LinkTypes.StatusLinked, Method: LinkTypes.MethodAnalyst });
    }

    [Fact]
    public void Method_says_how_the_reference_matched()
    {
        var links = LinkDecider.Decide(LinkTypes.PoliceProsecution, [Pair("R1", "K1", 1, 2), Pair("R2", "K2", 1, 1), Pair("R3", "K3", 1, 0)], s_model, s_options, []);
        Assert.Equal([LinkTypes.MethodExact, LinkTypes.MethodExactNormalized, LinkTypes.MethodProbabilistic], links.OrderBy(l => l.LeftId).Select(l => l.Method));
    }
}
