namespace TipWarehouse.Web;

/// <summary>The roles of the web app and its API, and which roles each kind of endpoint admits (checked server-side on every request).</summary>
public static class WebRoles
{
    public const string Public = "public";
    public const string MscAnalyst = "msc_analyst";
    public const string IomEvaluator = "iom_evaluator";
    public const string Reviewer = "reviewer";
    public const string DataEngineer = "data_engineer";
    public const string Admin = "admin";

    /// <summary>Every role a user can be given, least to most privileged.</summary>
    public static readonly IReadOnlyList<string> All = [Public, MscAnalyst, IomEvaluator, Reviewer, DataEngineer, Admin];

    /// <summary>Reports without disclosure control (anyone, signed in or not, may read the published ones).</summary>
    public static readonly string[] Reports = [MscAnalyst, IomEvaluator, Admin];

    /// <summary>Run history and the schedule, trigger, pause and resume.</summary>
    public static readonly string[] Operations = [DataEngineer, Admin];

    /// <summary>The review queues and their decisions: linkage pairs (accept/reject) and model-flagged calls (confirm/reject).</summary>
    public static readonly string[] Review = [Reviewer, Admin];

    /// <summary>Exports of warehouse tables and views.</summary>
    public static readonly string[] Export = [MscAnalyst, IomEvaluator, DataEngineer, Admin];

    /// <summary>Ad-hoc read-only SQL.</summary>
    public static readonly string[] Query = [MscAnalyst, DataEngineer, Admin];

    /// <summary>The audit log.</summary>
    public static readonly string[] Audit = [Admin];

    /// <summary>The claim type marking the local owner token of <c>serve.json</c> (the CLI's own commands forwarded to the server).</summary>
    public const string LocalOwnerClaim = "tipw:local-owner";

    /// <summary>Throws a usage error unless <paramref name="role"/> is one of <see cref="All"/>.</summary>
    public static string Validate(string role)
    {
        ArgumentNullException.ThrowIfNull(role);
        var normalized = role.Trim().ToLowerInvariant();
        return All.Contains(normalized)
            ? normalized
            : throw new Core.UsageException($"Unknown role '{role}'. Use one of: {string.Join(", ", All)}.");
    }
}
