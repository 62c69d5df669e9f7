using System.Globalization;
using TipWarehouse.Core;

namespace TipWarehouse.Analytics.Disclosure;

/// <summary>What a published measure counts, which decides its threshold.</summary>
public enum MeasureClass
{
    /// <summary>People (victims, suspects, the arrested, charged or convicted): the person threshold k (default 10).</summary>
    Persons,

    /// <summary>Institutional acts (calls, reports, cases, court decisions): the policy's lower threshold.</summary>
    Institutional,
}

/// <summary>
/// The reviewed per-measure disclosure policy (<c>reference/disclosure_policy.yaml</c>, embedded): the class of every
/// published count, the institutional threshold, and the shares computed from two counts. A measure the policy does
/// not list is treated as a count of persons (the strict threshold), never published unsuppressed.
/// </summary>
public sealed class DisclosurePolicy
{
    private static readonly Lazy<DisclosurePolicy> s_default = new(() => Parse(ReadEmbedded(), "reference/disclosure_policy.yaml"));

    private readonly Dictionary<string, MeasureClass> _classes;

    private DisclosurePolicy(Dictionary<string, MeasureClass> classes, int personsK, int institutionalK, Dictionary<string, string[]> shares)
    {
        _classes = classes;
        PersonsK = personsK;
        InstitutionalK = institutionalK;
        Shares = shares;
    }

    /// <summary>The policy shipped in this assembly.</summary>
    public static DisclosurePolicy Default => s_default.Value;

    /// <summary>The default threshold of counts of persons (the command line's <c>--k</c> overrides it).</summary>
    public int PersonsK { get; }

    /// <summary>The threshold of counts of institutional acts.</summary>
    public int InstitutionalK { get; }

    /// <summary>Share measures and the two counts (numerator, denominator) each is computed from.</summary>
    public IReadOnlyDictionary<string, string[]> Shares { get; }

    /// <summary>The class of a measure; a measure the policy does not list counts as persons.</summary>
    public MeasureClass ClassOf(string measure) => _classes.TryGetValue(measure, out var c) ? c : MeasureClass.Persons;

    /// <summary>True when the policy lists the measure.</summary>
    public bool Lists(string measure) => _classes.ContainsKey(measure) || Shares.ContainsKey(measure);

    /// <summary>The threshold of a measure: <paramref name="personsK"/> for persons and unlisted measures, the institutional one (never above <paramref name="personsK"/>) otherwise.</summary>
    public int ThresholdOf(string measure, int personsK) =>
        ClassOf(measure) == MeasureClass.Institutional ? Math.Min(InstitutionalK, personsK) : personsK;

    /// <summary>Parses the policy text; errors name the file and line.</summary>
    public static DisclosurePolicy Parse(string text, string file)
    {
        ArgumentNullException.ThrowIfNull(text);
        var classes = new Dictionary<string, MeasureClass>(StringComparer.Ordinal);
        var shares = new Dictionary<string, string[]>(StringComparer.Ordinal);
        int persons = 10, institutional = 3;
        string? section = null;
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.Split('#')[0].TrimEnd();
            if (line.Trim().Length == 0)
            {
                continue;
            }

            if (!char.IsWhiteSpace(line[0]))
            {
                section = line.TrimEnd(':').Trim();
                if (section is not ("thresholds" or "measures" or "shares"))
                {
                    throw new TipwException($"{file}:{lineNumber}: unknown section '{section}' (expected thresholds, measures or shares).");
                }

                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0 || section is null)
            {
                throw new TipwException($"{file}:{lineNumber}: expected 'name: value' inside a section.");
            }

            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            switch (section)
            {
                case "thresholds":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var k) || k < 2)
                    {
                        throw new TipwException($"{file}:{lineNumber}: threshold '{key}' must be a whole number of at least 2, not '{value}'.");
                    }

                    if (key == "persons")
                    {
                        persons = k;
                    }
                    else if (key == "institutional")
                    {
                        institutional = k;
                    }
                    else
                    {
                        throw new TipwException($"{file}:{lineNumber}: unknown threshold '{key}' (persons or institutional).");
                    }

                    break;
                case "measures":
                    classes[key] = value switch
                    {
                        "persons" => MeasureClass.Persons,
                        "institutional" => MeasureClass.Institutional,
                        _ => throw new TipwException($"{file}:{lineNumber}: measure '{key}' has class '{value}'; use persons or institutional."),
                    };
                    break;
                default:
                    var parts = value.Trim('[', ']').Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                    if (!value.StartsWith('[') || parts.Length != 2)
                    {
                        throw new TipwException($"{file}:{lineNumber}: share '{key}' needs [numerator, denominator].");
                    }

                    shares[key] = parts;
                    break;
            }
        }

        return new DisclosurePolicy(classes, persons, institutional, shares);
    }

    private static string ReadEmbedded()
    {
        var assembly = typeof(DisclosurePolicy).Assembly;
        using var stream = assembly.GetManifestResourceStream("TipWarehouse.Analytics.disclosure_policy.yaml")
            ?? throw new InvalidOperationException($"The embedded disclosure policy is missing from {assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
