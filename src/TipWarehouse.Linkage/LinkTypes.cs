namespace TipWarehouse.Linkage;

/// <summary>The link types, methods, statuses and record types written to <c>dw.bridge_case_link</c> and <c>dw.case_membership</c>.</summary>
public static class LinkTypes
{
    /// <summary>A hotline call (left, <c>call_id</c>) and the police report it led to (right, <c>report_number</c>).</summary>
    public const string HotlinePolice = "hotline_police";

    /// <summary>A police report (left, <c>report_number</c>) and the prosecution case it led to (right, <c>case_number</c>).</summary>
    public const string PoliceProsecution = "police_prosecution";

    /// <summary>
    /// True for the link types whose score is the posterior log-odds of a match (the prior log2(λ/(1-λ)) plus the field
    /// weights): hotline → police, where the candidate calls per report, and so the prior odds of one pair, fall with
    /// the volume. Police → prosecution pairs share a person or a cited number, and its score stays the likelihood ratio.
    /// </summary>
    public static bool WeighsPrior(string linkType) => linkType == HotlinePolice;

    /// <summary>Both link types, in funnel order.</summary>
    public static IReadOnlyList<string> All { get; } = [HotlinePolice, PoliceProsecution];

    /// <summary>Methods: the reference matched as written.</summary>
    public const string MethodExact = "exact";

    /// <summary>Methods: the reference matched after normalization (case, separators, known typing errors).</summary>
    public const string MethodExactNormalized = "exact_normalized";

    /// <summary>Methods: a Fellegi–Sunter score above the link threshold.</summary>
    public const string MethodProbabilistic = "probabilistic";

    /// <summary>Methods: an analyst accepted the pair.</summary>
    public const string MethodAnalyst = "analyst";

    /// <summary>Status of a link that forms part of a case.</summary>
    public const string StatusLinked = "linked";

    /// <summary>Status of an uncertain pair waiting for an analyst.</summary>
    public const string StatusReview = "review";

    /// <summary>Status of a pair an analyst rejected.</summary>
    public const string StatusRejected = "rejected";

    /// <summary>Record types of <c>dw.case_membership</c>.</summary>
    public const string RecordHotlineCall = "hotline_call";

    /// <summary>Record type of a police report.</summary>
    public const string RecordPoliceReport = "police_report";

    /// <summary>Record type of a prosecution case (all events sharing one <c>case_number</c>).</summary>
    public const string RecordProsecutionCase = "prosecution_case";
}
