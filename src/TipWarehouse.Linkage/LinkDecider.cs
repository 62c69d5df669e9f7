namespace TipWarehouse.Linkage;

/// <summary>
/// One candidate pair of one link type with its comparison vector (-1 = missing) and how its reference matched:
/// 0 = no reference agreement, 1 = after normalization or a known typing error, 2 = as written.
/// </summary>
public sealed record CandidatePair(string LeftId, string RightId, int[] Levels, int ReferenceMatch, int LinkDateKey)
{
    /// <summary>True for pairs taken as known matches to start the EM estimation (an exact or normalized reference).</summary>
    public bool IsSeed { get; init; }
}

/// <summary>An analyst's latest decision on a pair.</summary>
public sealed record AnalystDecision(string LinkType, string LeftId, string RightId, bool Accept, string DecidedBy);

/// <summary>A decided pair, as written to <c>dw.bridge_case_link</c> (without its case id).</summary>
public sealed record LinkDecision(string LinkType, string LeftId, string RightId, string Method, double? Score, string Status, string? DecidedBy, int LinkDateKey);

/// <summary>
/// Turns scored candidates into links: analyst decisions first, then a greedy one-to-one assignment by descending
/// weight (a call leads to one report, a report to one prosecution case), then the link and review thresholds.
/// </summary>
public static class LinkDecider
{
    /// <summary>Decides the pairs of one link type; with <paramref name="trustReferences"/> a reference cited as written links whatever its score.</summary>
    public static IReadOnlyList<LinkDecision> Decide(
        string linkType,
        IReadOnlyList<CandidatePair> candidates,
        FellegiSunterModel model,
        LinkTypeOptions options,
        IReadOnlyList<AnalystDecision> decisions,
        bool trustReferences = false)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(decisions);
        var byPair = new Dictionary<(string, string), CandidatePair>();
        foreach (var candidate in candidates)
        {
            byPair.TryAdd((candidate.LeftId, candidate.RightId), candidate);
        }

        var verdicts = decisions.Where(d => d.LinkType == linkType).ToDictionary(d => (d.LeftId, d.RightId));
        var usedLeft = new HashSet<string>(StringComparer.Ordinal);
        var usedRight = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<LinkDecision>();

        foreach (var decision in verdicts.Values.OrderBy(d => d.LeftId, StringComparer.Ordinal).ThenBy(d => d.RightId, StringComparer.Ordinal))
        {
            byPair.TryGetValue((decision.LeftId, decision.RightId), out var candidate);
            var score = candidate is null ? (double?)null : Math.Round(model.Weight(candidate.Levels), 4);
            var dateKey = candidate?.LinkDateKey ?? -1;
            if (decision.Accept)
            {
                usedLeft.Add(decision.LeftId);
                usedRight.Add(decision.RightId);
                result.Add(new LinkDecision(linkType, decision.LeftId, decision.RightId, LinkTypes.MethodAnalyst, score, LinkTypes.StatusLinked, decision.DecidedBy, dateKey));
            }
            else
            {
                var method = candidate is null ? LinkTypes.MethodAnalyst : MethodOf(candidate);
                result.Add(new LinkDecision(linkType, decision.LeftId, decision.RightId, method, score, LinkTypes.StatusRejected, decision.DecidedBy, dateKey));
            }
        }

        var scored = candidates
            .Where(c => !verdicts.ContainsKey((c.LeftId, c.RightId)))
            .Select(c => (Candidate: c, Score: Math.Round(model.Weight(c.Levels), 4), Trusted: trustReferences && c.ReferenceMatch == 2))
            .Where(x => x.Trusted || x.Score >= options.ReviewThreshold)
            .OrderByDescending(x => x.Trusted)
            .ThenByDescending(x => x.Score)
            .ThenByDescending(x => x.Candidate.ReferenceMatch)
            .ThenBy(x => x.Candidate.LeftId, StringComparer.Ordinal)
            .ThenBy(x => x.Candidate.RightId, StringComparer.Ordinal);
        foreach (var (candidate, score, trusted) in scored)
        {
            if (usedLeft.Contains(candidate.LeftId) || usedRight.Contains(candidate.RightId))
            {
                continue;
            }

            usedLeft.Add(candidate.LeftId);
            usedRight.Add(candidate.RightId);
            var status = trusted || score >= options.LinkThreshold ? LinkTypes.StatusLinked : LinkTypes.StatusReview;
            result.Add(new LinkDecision(linkType, candidate.LeftId, candidate.RightId, MethodOf(candidate), score, status, null, candidate.LinkDateKey));
        }

        return result;
    }

    private static string MethodOf(CandidatePair candidate) => candidate.ReferenceMatch switch
    {
        2 => LinkTypes.MethodExact,
        1 => LinkTypes.MethodExactNormalized,
        _ => LinkTypes.MethodProbabilistic,
    };
}
