using System.Globalization;
using System.Reflection;
using System.Text;

namespace TipWarehouse.Simulation.Reference;

/// <summary>One district of Peru with both of its UBIGEO codes and an estimated population.</summary>
public sealed record UbigeoDistrict(string Inei, string Reniec, string Department, string Province, string District, double Population)
{
    /// <summary>The two-digit INEI department code.</summary>
    public string DepartmentCode => Inei[..2];

    /// <summary>The four-digit INEI province code.</summary>
    public string ProvinceCode => Inei[..4];
}

/// <summary>The real district list (<c>reference/ubigeo/ubigeo_distrito.csv</c>, embedded in this assembly).</summary>
public sealed class UbigeoCatalog
{
    private const string ResourceName = "TipWarehouse.Simulation.ubigeo_distrito.csv";
    private static readonly Lazy<UbigeoCatalog> s_default = new(() => Parse(ReadEmbedded()));

    private UbigeoCatalog(IReadOnlyList<UbigeoDistrict> all, IReadOnlyList<UbigeoDistrict> usable)
    {
        All = all;
        Usable = usable;
    }

    /// <summary>Every district in the file (1,893), including those with a missing code.</summary>
    public IReadOnlyList<UbigeoDistrict> All { get; }

    /// <summary>Districts with both codes and a population estimate; the ones the simulation draws from.</summary>
    public IReadOnlyList<UbigeoDistrict> Usable { get; }

    /// <summary>The catalog read from the embedded reference file.</summary>
    public static UbigeoCatalog Default => s_default.Value;

    /// <summary>The text of the embedded <c>ubigeo_distrito.csv</c>.</summary>
    public static string ReadEmbedded()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from the simulation assembly.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>Parses the CSV text of <c>ubigeo_distrito.csv</c> (RFC 4180, quoted fields may hold line breaks, <c>NA</c> = missing).</summary>
    public static UbigeoCatalog Parse(string csv)
    {
        ArgumentNullException.ThrowIfNull(csv);
        var rows = ReadCsv(csv);
        var header = rows[0];
        int Col(string name) => Array.IndexOf(header, name) is var i and >= 0 ? i : throw new InvalidOperationException($"ubigeo_distrito.csv has no column '{name}'.");
        int inei = Col("inei"), reniec = Col("reniec"), dep = Col("departamento"), prov = Col("provincia"), dist = Col("distrito"), area = Col("superficie"), density = Col("pob_densidad_2020");
        var all = new List<UbigeoDistrict>();
        var usable = new List<UbigeoDistrict>();
        foreach (var row in rows.Skip(1))
        {
            if (row.Length < header.Length)
            {
                continue;
            }

            var population = double.TryParse(row[area], NumberStyles.Float, CultureInfo.InvariantCulture, out var a)
                && double.TryParse(row[density], NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? a * d : 0;
            var district = new UbigeoDistrict(Clean(row[inei]), Clean(row[reniec]), row[dep], row[prov], row[dist], population);
            all.Add(district);
            if (district.Inei.Length == 6 && district.Reniec.Length == 6 && population > 0)
            {
                usable.Add(district);
            }
        }

        return new UbigeoCatalog(all, usable);

        static string Clean(string value) => value == "NA" ? "" : value;
    }

    private static List<string[]> ReadCsv(string text)
    {
        var rows = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n' || c == '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                fields.Add(field.ToString());
                field.Clear();
                rows.Add([.. fields]);
                fields.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            rows.Add([.. fields]);
        }

        return rows;
    }
}
