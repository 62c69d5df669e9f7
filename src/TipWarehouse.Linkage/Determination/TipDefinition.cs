using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using TipWarehouse.Core;
using TipWarehouse.Schema;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace TipWarehouse.Linkage.Determination;

/// <summary>One statute of the definition: an article, the dates its wording is valid (inclusive; null = open) and what it means.</summary>
public sealed record TipStatute(string Article, DateOnly? From, DateOnly? To, string Meaning)
{
    /// <summary>True when the wording applies on <paramref name="date"/>.</summary>
    public bool AppliesOn(DateOnly date) => (From is null || From <= date) && (To is null || date <= To);
}

/// <summary>A regular expression over folded text that yields a code (exploitation type or means of control).</summary>
public sealed record TipPattern(string Code, string Pattern);

/// <summary>
/// The versioned TIP definition (<c>reference/tip_definition.yaml</c>): confirmed and related statutes, the evidence rules, the
/// series of their own, and the exploitation-type and means-of-control keyword rules. <see cref="Version"/> is the file's
/// <c>version</c> plus the first 8 hex digits of its SHA-256, stored with every row the determination writes.
/// </summary>
public sealed record TipDefinition
{
    /// <summary>The file name under <c>reference/</c>.</summary>
    public const string FileName = "tip_definition.yaml";

    /// <summary>The declared version and the content hash, e.g. <c>2026.12-1+3fa2c1d0</c>.</summary>
    public required string Version { get; init; }

    /// <summary>The file the definition was read from.</summary>
    public required string SourcePath { get; init; }

    /// <summary>One line describing the definition.</summary>
    public string Description { get; init; } = "";

    /// <summary>Articles that are TIP by themselves on the date of the facts or event.</summary>
    public required IReadOnlyList<TipStatute> ConfirmedStatutes { get; init; }

    /// <summary>Patterns over the folded police modality that name trafficking.</summary>
    public required IReadOnlyList<string> ModalityNamesTrafficking { get; init; }

    /// <summary>Statutes that are TIP only with evidence; <see cref="TipStatute.Meaning"/> is the series they count in otherwise.</summary>
    public required IReadOnlyList<TipStatute> RelatedStatutes { get; init; }

    /// <summary>A linked TIP hotline call is evidence.</summary>
    public bool LinkedTipCall { get; init; } = true;

    /// <summary>Reports whose folded modality matches this pattern take no evidence from a linked call (null: none excluded).</summary>
    public string? LinkedCallExcludedModalities { get; init; }

    /// <summary>A linked call the classifier scored is evidence only at this probability or above, or when its operator category maps to TIP
    /// too (the model and the operator agree); null: every TIP call is evidence. Calls the classifier did not score are unaffected.</summary>
    public double? LinkedCallMinProbability { get; init; }

    /// <summary>A police report under a related statute takes a linked call whose operator category maps to TIP as evidence, whatever the
    /// classifier scored it: the hotline operator classed the call as trafficking or exploitation and the police recorded a statute TIP was
    /// investigated under, two agencies agreeing on the trafficking element.</summary>
    public bool OperatorCategoryEvidenceForRelatedStatutes { get; init; }

    /// <summary>A linked prosecution case charged under a confirmed statute is evidence for a police report.</summary>
    public bool LinkedTipCase { get; init; } = true;

    /// <summary>A linked TIP police report is evidence for a prosecution case.</summary>
    public bool LinkedTipReport { get; init; } = true;

    /// <summary>A prosecution case takes linked evidence (a TIP report, a TIP call in the same linked case) only when it is charged under a
    /// related statute: a case of fraud, theft or injuries alone is not the prosecution of a trafficking tip.</summary>
    public bool CaseEvidenceNeedsRelatedStatute { get; init; }

    /// <summary>A victim at or under this age under one of <see cref="MinorVictimArticles"/> is an indicator; null disables the rule.</summary>
    public int? MinorVictimMaxAge { get; init; }

    /// <summary>The articles the minor-victim rule applies to.</summary>
    public IReadOnlyList<string> MinorVictimArticles { get; init; } = [];

    /// <summary>Recruitment + exploitation + means of control in a call narrative indicate TIP.</summary>
    public bool NarrativeIndicators { get; init; } = true;

    /// <summary>The active classifier decides the calls it scored.</summary>
    public bool ClassifierEnabled { get; init; }

    /// <summary>The probability at or above which a scored call is TIP.</summary>
    public double ClassifierMinProbability { get; init; } = 0.5;

    /// <summary>The operator category file under <c>reference/</c> (loaded into <c>dw.ref_operator_category</c> by <c>tipw init</c>).</summary>
    public string OperatorCategories { get; init; } = "operator_categories.csv";

    /// <summary>Articles of the pimping series (persons charged with pimping).</summary>
    public required IReadOnlyList<string> PimpingArticles { get; init; }

    /// <summary>Modality patterns that give the exploitation type, in order.</summary>
    public required IReadOnlyList<TipPattern> ModalitySuffix { get; init; }

    /// <summary>Narrative keyword patterns per exploitation type, in priority order.</summary>
    public required IReadOnlyList<TipPattern> ExploitationKeywords { get; init; }

    /// <summary>Text of a call narrative that is removed before <see cref="ExploitationKeywords"/> are matched: the job offered as a lure
    /// ("le ofrecieron trabajo de mesera") is not the exploitation; null: nothing removed.</summary>
    public string? LurePattern { get; init; }

    /// <summary>Where a hotline call's exploitation type comes from, first that gives one wins (<see cref="CallExploitationSourceNames"/>).</summary>
    public IReadOnlyList<string> CallExploitationSources { get; init; } = ["narrative", "operator_category"];

    /// <summary>The sources <see cref="CallExploitationSources"/> may name: the call's narrative keywords, the modality of a linked
    /// police report that names trafficking, the article default of a linked police report, the operator category's type.</summary>
    public static readonly IReadOnlyList<string> CallExploitationSourceNames = ["narrative", "linked_trafficking_report", "linked_report_article", "operator_category"];

    /// <summary>A call whose sources name no exploitation takes the most frequent type of the TIP calls whose type was named and that share
    /// these victim fields (<see cref="ImputationFieldNames"/>); empty: such a call stays of unknown type.</summary>
    public IReadOnlyList<string> ImputeUnknownCallsBy { get; init; } = [];

    /// <summary>The fields <see cref="ImputeUnknownCallsBy"/> may name: the victim's sex, the victim child (17 or under) or adult.</summary>
    public static readonly IReadOnlyList<string> ImputationFieldNames = ["victim_sex", "victim_age_group"];

    /// <summary>The exploitation type an article implies when nothing else tells.</summary>
    public required IReadOnlyDictionary<string, string> ArticleDefault { get; init; }

    /// <summary>The act element (recruitment, transport, harbouring) in a narrative.</summary>
    public required string RecruitmentPattern { get; init; }

    /// <summary>CTDC means of control and their phrases.</summary>
    public required IReadOnlyList<TipPattern> MeansOfControl { get; init; }

    /// <summary>The definition shipped in the reference folder (<c>TIPW_REFERENCE_DIR</c> or beside the assemblies).</summary>
    public static string DefaultPath => Path.Combine(SchemaSources.ReferenceDirectory, FileName);

    /// <summary>Reads and validates a definition file; errors name the file, line and key.</summary>
    public static TipDefinition Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new TipwException($"The TIP definition {path} does not exist (reference/{FileName}; set {SchemaSources.ReferenceDirectoryVariable} or the pipeline's 'definition' setting).");
        }

        var text = File.ReadAllText(path);
        return Parse(text, path);
    }

    /// <summary>Parses definition text; <paramref name="sourceName"/> names it in errors.</summary>
    public static TipDefinition Parse(string text, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(text);
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            root = stream.Documents.Count > 0 && stream.Documents[0].RootNode is YamlMappingNode map
                ? map
                : throw new TipwException($"{sourceName}: the TIP definition must be a YAML mapping.");
        }
        catch (YamlException e)
        {
            throw new TipwException($"{sourceName}:{e.Start.Line}: invalid YAML: {e.Message}", e);
        }

        var r = new Reader(sourceName);
        var declared = r.String(root, "version") ?? throw r.Error(root, "version", "is required");
        var hash = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text.ReplaceLineEndings("\n"))))[..8];
        var evidence = r.Map(root, "evidence");
        var minor = evidence is null ? null : r.Map(evidence, "minor_victim");
        var classifier = evidence is null ? null : r.Map(evidence, "classifier");
        var exploitation = r.Map(root, "exploitation") ?? throw r.Error(root, "exploitation", "is required");
        var series = r.Map(root, "series");
        var definition = new TipDefinition
        {
            Version = declared + "+" + hash,
            SourcePath = sourceName,
            Description = r.String(root, "description") ?? "",
            ConfirmedStatutes = r.Statutes(root, "confirmed_statutes", "basis"),
            ModalityNamesTrafficking = r.Strings(root, "modality_names_trafficking"),
            RelatedStatutes = r.Statutes(root, "related_statutes", "series"),
            LinkedTipCall = evidence is null || r.Bool(evidence, "linked_tip_call", true),
            LinkedTipReport = evidence is null || r.Bool(evidence, "linked_tip_report", true),
            LinkedTipCase = evidence is null || r.Bool(evidence, "linked_tip_case", true),
            LinkedCallExcludedModalities = evidence is null || r.String(evidence, "linked_call_excluded_modalities") is not { } excluded
                ? null : r.Regex(evidence, "linked_call_excluded_modalities", excluded),
            CaseEvidenceNeedsRelatedStatute = evidence is not null && r.Bool(evidence, "case_evidence_needs_related_statute", false),
            OperatorCategoryEvidenceForRelatedStatutes = evidence is not null && r.Bool(evidence, "operator_category_for_related_statutes", false),
            LinkedCallMinProbability = evidence is null || r.String(evidence, "linked_call_min_probability") is null ? null : r.Double(evidence, "linked_call_min_probability", 0),
            MinorVictimMaxAge = minor is null ? null : r.Int(minor, "max_age"),
            MinorVictimArticles = minor is null ? [] : r.Strings(minor, "articles"),
            NarrativeIndicators = evidence is null || r.Bool(evidence, "narrative_indicators", true),
            ClassifierEnabled = classifier is not null && r.Bool(classifier, "enabled", true),
            ClassifierMinProbability = classifier is null ? 0.5 : r.Double(classifier, "min_probability", 0.5),
            OperatorCategories = r.String(root, "operator_categories") ?? "operator_categories.csv",
            PimpingArticles = series is null ? [] : r.Strings(series, "pimping_articles"),
            ModalitySuffix = r.Patterns(exploitation, "modality_suffix"),
            ExploitationKeywords = r.Patterns(exploitation, "keywords"),
            ArticleDefault = r.StringMap(exploitation, "article_default"),
            ImputeUnknownCallsBy = !exploitation.Children.ContainsKey(new YamlScalarNode("impute_unknown_calls_by"))
                ? [] : r.Names(exploitation, "impute_unknown_calls_by", ImputationFieldNames),
            LurePattern = r.String(exploitation, "lure_pattern") is { } lure ? r.Regex(exploitation, "lure_pattern", lure) : null,
            CallExploitationSources = !exploitation.Children.ContainsKey(new YamlScalarNode("call_sources"))
                ? ["narrative", "operator_category"] : r.Names(exploitation, "call_sources", CallExploitationSourceNames),
            RecruitmentPattern = r.Regex(root, "recruitment_pattern", r.String(root, "recruitment_pattern") ?? throw r.Error(root, "recruitment_pattern", "is required")),
            MeansOfControl = r.Patterns(root, "means_of_control"),
        };
        if (definition.ConfirmedStatutes.Count == 0)
        {
            throw r.Error(root, "confirmed_statutes", "needs at least one article");
        }

        return definition;
    }

    private sealed class Reader(string source)
    {
        public TipwException Error(YamlNode node, string key, string message) =>
            new($"{source}:{node.Start.Line}: {key}: {message}");

        private static YamlNode? Child(YamlMappingNode map, string key) =>
            map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

        public YamlMappingNode? Map(YamlMappingNode map, string key) => Child(map, key) switch
        {
            null => null,
            YamlMappingNode m => m,
            var other => throw Error(other, key, "must be a mapping"),
        };

        public string? String(YamlMappingNode map, string key) => Child(map, key) switch
        {
            null => null,
            YamlScalarNode s => s.Value,
            var other => throw Error(other, key, "must be a single value"),
        };

        public bool Bool(YamlMappingNode map, string key, bool missing) => String(map, key) switch
        {
            null => missing,
            "true" => true,
            "false" => false,
            var v => throw Error(Child(map, key)!, key, $"'{v}' is not true or false"),
        };

        public int? Int(YamlMappingNode map, string key) => String(map, key) is { } v
            ? int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : throw Error(Child(map, key)!, key, $"'{v}' is not a whole number")
            : null;

        public double Double(YamlMappingNode map, string key, double missing) => String(map, key) is { } v
            ? double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d is >= 0 and <= 1 ? d : throw Error(Child(map, key)!, key, $"'{v}' is not a probability between 0 and 1")
            : missing;

        public string Regex(YamlNode node, string key, string pattern)
        {
            try
            {
                _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
                return pattern;
            }
            catch (ArgumentException e)
            {
                throw Error(node, key, $"'{pattern}' is not a valid regular expression: {e.Message}");
            }
        }

        private IEnumerable<YamlNode> Items(YamlMappingNode map, string key) => Child(map, key) switch
        {
            null => [],
            YamlSequenceNode seq => seq.Children,
            var other => throw Error(other, key, "must be a list"),
        };

        public IReadOnlyList<string> Strings(YamlMappingNode map, string key) =>
            [.. Items(map, key).Select(n => n is YamlScalarNode { Value: { } v } ? v : throw Error(n, key, "items must be single values"))];

        public IReadOnlyList<string> Names(YamlMappingNode map, string key, IReadOnlyList<string> allowed)
        {
            var names = Strings(map, key);
            foreach (var name in names)
            {
                if (!allowed.Contains(name))
                {
                    throw Error(Child(map, key)!, key, $"'{name}' is not one of {string.Join(", ", allowed)}");
                }
            }

            return names.Count > 0 && names.Distinct().Count() == names.Count ? names : throw Error(Child(map, key)!, key, "needs at least one source, each once");
        }

        public Dictionary<string, string> StringMap(YamlMappingNode map, string key) => Child(map, key) switch
        {
            null => new Dictionary<string, string>(StringComparer.Ordinal),
            YamlMappingNode m => m.Children.ToDictionary(
                kv => ((YamlScalarNode)kv.Key).Value ?? "",
                kv => kv.Value is YamlScalarNode { Value: { } v } ? v : throw Error(kv.Value, key, "values must be single values"),
                StringComparer.Ordinal),
            var other => throw Error(other, key, "must be a mapping"),
        };

        public IReadOnlyList<TipPattern> Patterns(YamlMappingNode map, string key) =>
        [
            .. Items(map, key).Select(n => n is YamlMappingNode m
                ? new TipPattern(
                    String(m, "code") ?? throw Error(m, key, "each item needs a code"),
                    Regex(m, key, String(m, "pattern") ?? throw Error(m, key, "each item needs a pattern")))
                : throw Error(n, key, "items must be mappings with code and pattern")),
        ];

        public IReadOnlyList<TipStatute> Statutes(YamlMappingNode map, string key, string meaningKey) =>
        [
            .. Items(map, key).Select(n => n is YamlMappingNode m
                ? new TipStatute(
                    String(m, "article") ?? throw Error(m, key, "each statute needs an article"),
                    Date(m, key, "from"),
                    Date(m, key, "to"),
                    String(m, meaningKey) ?? "")
                : throw Error(n, key, "items must be mappings with an article")),
        ];

        private DateOnly? Date(YamlMappingNode map, string key, string field) => String(map, field) is { } v
            ? DateOnly.TryParseExact(v, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : throw Error(map, key, $"{field} '{v}' is not a yyyy-MM-dd date")
            : null;
    }
}
