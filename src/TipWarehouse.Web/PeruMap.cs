using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using TipWarehouse.Core;

namespace TipWarehouse.Web;

/// <summary>A choropleth of Peru's 25 departments as server-rendered SVG, from the INEI boundaries (MPL-2.0, embedded unmodified).</summary>
public static class PeruMap
{
    /// <summary>Five sequential classes, lightest to darkest.</summary>
    public static readonly IReadOnlyList<string> Palette = ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"];

    /// <summary>The colour of departments without a value.</summary>
    public const string NoData = "#e0e0e0";

    private static readonly Lazy<List<(string Name, List<List<(double Lon, double Lat)>> Rings)>> s_departments = new(Load);

    /// <summary>The department names of the boundary file (upper case, no accents).</summary>
    public static IEnumerable<string> Departments => s_departments.Value.Select(d => d.Name);

    /// <summary>The class (0-4) of <paramref name="value"/> among <paramref name="values"/>: equal-width classes from 0 to the maximum.</summary>
    public static int ClassOf(double value, IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var max = values.DefaultIfEmpty(0).Max();
        return max <= 0 ? 0 : Math.Min(Palette.Count - 1, (int)(value / max * Palette.Count));
    }

    /// <summary>Renders the map; <paramref name="values"/> by normalized department name; <paramref name="format"/> formats a value for the hover title.</summary>
    public static string Render(IReadOnlyDictionary<string, double> values, Func<double, string> format, string label)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(format);
        const double width = 420, height = 560, minLon = -81.4, maxLon = -68.6, minLat = -18.4, maxLat = 0.1;
        var scale = Math.Min(width / (maxLon - minLon), height / (maxLat - minLat));
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"map\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{WebUtility.HtmlEncode(label)}\" xmlns=\"http://www.w3.org/2000/svg\">");
        foreach (var (name, rings) in s_departments.Value)
        {
            var has = values.TryGetValue(name, out var value);
            var fill = has ? Palette[ClassOf(value, values.Values)] : NoData;
            var path = new StringBuilder();
            foreach (var ring in rings)
            {
                for (var i = 0; i < ring.Count; i++)
                {
                    var x = (ring[i].Lon - minLon) * scale;
                    var y = (maxLat - ring[i].Lat) * scale;
                    path.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? 'M' : 'L')}{x:0.#},{y:0.#}");
                }

                path.Append('Z');
            }

            var title = $"{name}: {(has ? format(value) : "—")}";
            svg.Append(CultureInfo.InvariantCulture, $"<path class=\"department\" data-department=\"{WebUtility.HtmlEncode(name)}\" data-value=\"{(has ? value.ToString("R", CultureInfo.InvariantCulture) : string.Empty)}\" fill=\"{fill}\" stroke=\"#555\" stroke-width=\"0.6\" d=\"{path}\"><title>{WebUtility.HtmlEncode(title)}</title></path>");
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>Upper case without accents, as the boundary file spells department names.</summary>
    public static string Normalize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return TextFolding.RemoveAccents(name.Trim().ToUpperInvariant());
    }

    private static List<(string Name, List<List<(double Lon, double Lat)>> Rings)> Load()
    {
        using var stream = typeof(PeruMap).Assembly.GetManifestResourceStream("peru_departamentos.geojson")
            ?? throw new InvalidOperationException("The embedded peru_departamentos.geojson is missing.");
        using var document = JsonDocument.Parse(stream);
        var result = new List<(string, List<List<(double, double)>>)>();
        foreach (var feature in document.RootElement.GetProperty("features").EnumerateArray())
        {
            var name = Normalize(feature.GetProperty("properties").GetProperty("NOMBDEP").GetString()!);
            var geometry = feature.GetProperty("geometry");
            var polygons = geometry.GetProperty("type").GetString() == "MultiPolygon"
                ? geometry.GetProperty("coordinates").EnumerateArray().ToList()
                : [geometry.GetProperty("coordinates")];
            var rings = polygons.SelectMany(p => p.EnumerateArray())
                .Select(ring => ring.EnumerateArray().Select(pt => (pt[0].GetDouble(), pt[1].GetDouble())).ToList())
                .ToList();
            result.Add((name, rings));
        }

        return result;
    }
}
