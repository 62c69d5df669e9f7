using System.Globalization;
using System.Net;
using System.Text;

namespace TipWarehouse.Web;

/// <summary>One line of a chart: its key, label, colour and a value per period (null: no value).</summary>
public sealed record ChartSeries(string Key, string Label, string Colour, IReadOnlyList<double?> Values);

/// <summary>Server-rendered SVG charts (printable, no script needed to read them; hover titles on every point, legend toggles).</summary>
public static class SvgCharts
{
    /// <summary>A line chart over <paramref name="periods"/> (YYYY-MM) with vertical markers at the given periods.</summary>
    public static string Lines(string id, IReadOnlyList<string> periods, IReadOnlyList<ChartSeries> series, IReadOnlyList<(string Period, string Label)> markers, PageText text)
    {
        ArgumentNullException.ThrowIfNull(periods);
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(markers);
        ArgumentNullException.ThrowIfNull(text);
        const double width = 760, height = 260, left = 56, right = 12, top = 12, bottom = 40;
        var max = series.SelectMany(s => s.Values).Where(v => v is not null).Select(v => v!.Value).DefaultIfEmpty(1).Max();
        max = max <= 0 ? 1 : NiceCeiling(max);
        double X(int i) => left + (periods.Count <= 1 ? 0 : i * (width - left - right) / (periods.Count - 1));
        double Y(double v) => top + (height - top - bottom) * (1 - v / max);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg id=\"{id}\" class=\"chart\" viewBox=\"0 0 {width} {height}\" xmlns=\"http://www.w3.org/2000/svg\">");
        for (var g = 0; g <= 4; g++)
        {
            var v = max * g / 4;
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" x2=\"{width - right}\" y1=\"{Y(v):0.#}\" y2=\"{Y(v):0.#}\" stroke=\"#ddd\"/><text x=\"{left - 4}\" y=\"{Y(v) + 4:0.#}\" text-anchor=\"end\" font-size=\"10\">{text.Whole(v)}</text>");
        }

        for (var i = 0; i < periods.Count; i += Math.Max(1, periods.Count / 8))
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"axis-period\" x=\"{X(i):0.#}\" y=\"{height - bottom + 16}\" text-anchor=\"middle\" font-size=\"10\">{WebUtility.HtmlEncode(PeriodLabel(periods[i], text))}</text>");
        }

        foreach (var (period, label) in markers)
        {
            var index = IndexOfPeriod(periods, period);
            if (index >= 0)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<g class=\"marker\"><line x1=\"{X(index):0.#}\" x2=\"{X(index):0.#}\" y1=\"{top}\" y2=\"{height - bottom}\" stroke=\"#333\" stroke-dasharray=\"4 3\"/><text x=\"{X(index) + 3:0.#}\" y=\"{top + 10}\" font-size=\"10\">{WebUtility.HtmlEncode(label)}</text></g>");
            }
        }

        foreach (var s in series)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"series\" data-series=\"{s.Key}\"><polyline fill=\"none\" stroke=\"{s.Colour}\" stroke-width=\"1.8\" points=\"");
            for (var i = 0; i < periods.Count; i++)
            {
                if (s.Values[i] is { } v)
                {
                    svg.Append(CultureInfo.InvariantCulture, $"{X(i):0.#},{Y(v):0.#} ");
                }
            }

            svg.Append("\"/>");
            for (var i = 0; i < periods.Count; i++)
            {
                if (s.Values[i] is { } v)
                {
                    svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{X(i):0.#}\" cy=\"{Y(v):0.#}\" r=\"2.2\" fill=\"{s.Colour}\" data-period=\"{periods[i]}\" data-value=\"{v.ToString("R", CultureInfo.InvariantCulture)}\"><title>{WebUtility.HtmlEncode($"{s.Label}, {PeriodLabel(periods[i], text)}: {text.Number(v)}")}</title></circle>");
                }
            }

            svg.Append("</g>");
        }

        svg.Append("</svg><div class=\"legend\">");
        foreach (var s in series)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<button type=\"button\" class=\"legend-item\" data-chart=\"{id}\" data-series=\"{s.Key}\" aria-pressed=\"true\"><span style=\"background:{s.Colour}\"></span>{WebUtility.HtmlEncode(s.Label)}</button>");
        }

        svg.Append("</div>");
        return svg.ToString();
    }

    /// <summary>Horizontal bars, one per key (shown by its label), with the value written beside each.</summary>
    public static string Bars(string id, IReadOnlyList<(string Key, string Label, double? Value)> bars, PageText text)
    {
        ArgumentNullException.ThrowIfNull(bars);
        ArgumentNullException.ThrowIfNull(text);
        const double width = 760, row = 26, labelWidth = 140;
        var max = bars.Where(b => b.Value is not null).Select(b => b.Value!.Value).DefaultIfEmpty(1).Max();
        max = max <= 0 ? 1 : max;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg id=\"{id}\" class=\"chart\" viewBox=\"0 0 {width} {bars.Count * row + 8}\" xmlns=\"http://www.w3.org/2000/svg\">");
        for (var i = 0; i < bars.Count; i++)
        {
            var (key, label, value) = bars[i];
            var w = (value ?? 0) / max * (width - labelWidth - 80);
            var shown = value is { } v ? text.Whole(v) : "x";
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth - 6}\" y=\"{i * row + 18}\" text-anchor=\"end\" font-size=\"12\">{WebUtility.HtmlEncode(label)}</text><rect class=\"bar\" data-label=\"{WebUtility.HtmlEncode(key)}\" data-value=\"{value?.ToString("R", CultureInfo.InvariantCulture)}\" x=\"{labelWidth}\" y=\"{i * row + 5}\" width=\"{w:0.#}\" height=\"{row - 8}\" fill=\"#2b6cb0\"><title>{WebUtility.HtmlEncode($"{label}: {shown}")}</title></rect><text class=\"bar-value\" x=\"{labelWidth + w + 6:0.#}\" y=\"{i * row + 18}\" font-size=\"12\">{shown}</text>");
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>Estimates with their 95% intervals, one row each (a forest plot around a zero line); a missing estimate is written, not drawn.</summary>
    public static string Intervals(string id, IReadOnlyList<(string Label, double? Estimate, double? Low, double? High)> rows, PageText text)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(text);
        const double width = 760, row = 28, labelWidth = 230, right = 150;
        var values = rows.SelectMany(r => new[] { r.Estimate, r.Low, r.High }).Where(v => v is not null).Select(v => v!.Value).Append(0).ToList();
        var (min, max) = (values.Min(), values.Max());
        if (max - min <= 0)
        {
            (min, max) = (min - 1, max + 1);
        }

        var pad = (max - min) * 0.05;
        (min, max) = (min - pad, max + pad);
        double X(double v) => labelWidth + ((v - min) / (max - min) * (width - labelWidth - right));
        var height = (rows.Count * row) + 24;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg id=\"{id}\" class=\"chart\" viewBox=\"0 0 {width} {height}\" xmlns=\"http://www.w3.org/2000/svg\">");
        svg.Append(CultureInfo.InvariantCulture, $"<line class=\"zero\" x1=\"{X(0):0.#}\" x2=\"{X(0):0.#}\" y1=\"0\" y2=\"{height - 18}\" stroke=\"#888\" stroke-dasharray=\"4 3\"/><text x=\"{X(0):0.#}\" y=\"{height - 4}\" text-anchor=\"middle\" font-size=\"10\">0</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(min):0.#}\" y=\"{height - 4}\" font-size=\"10\">{text.Number(min)}</text><text x=\"{X(max):0.#}\" y=\"{height - 4}\" text-anchor=\"end\" font-size=\"10\">{text.Number(max)}</text>");
        for (var i = 0; i < rows.Count; i++)
        {
            var (label, estimate, low, high) = rows[i];
            var y = (i * row) + 16;
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"estimate\" data-label=\"{WebUtility.HtmlEncode(label)}\" data-value=\"{estimate?.ToString("R", CultureInfo.InvariantCulture)}\" data-low=\"{low?.ToString("R", CultureInfo.InvariantCulture)}\" data-high=\"{high?.ToString("R", CultureInfo.InvariantCulture)}\">");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth - 6}\" y=\"{y + 4}\" text-anchor=\"end\" font-size=\"12\">{WebUtility.HtmlEncode(label)}</text>");
            if (low is { } l && high is { } h)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{X(l):0.#}\" x2=\"{X(h):0.#}\" y1=\"{y}\" y2=\"{y}\" stroke=\"#2b6cb0\" stroke-width=\"2\"/><line x1=\"{X(l):0.#}\" x2=\"{X(l):0.#}\" y1=\"{y - 5}\" y2=\"{y + 5}\" stroke=\"#2b6cb0\"/><line x1=\"{X(h):0.#}\" x2=\"{X(h):0.#}\" y1=\"{y - 5}\" y2=\"{y + 5}\" stroke=\"#2b6cb0\"/>");
            }

            var shown = estimate is { } e
                ? text.Number(e, 4) + (low is { } lo && high is { } hi ? $" [{text.Number(lo, 4)}; {text.Number(hi, 4)}]" : $" ({text["no_interval"]})")
                : "—";
            if (estimate is { } est)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{X(est):0.#}\" cy=\"{y}\" r=\"4\" fill=\"#c53030\"><title>{WebUtility.HtmlEncode($"{label}: {shown}")}</title></circle>");
            }

            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"estimate-value\" x=\"{width - right + 6}\" y=\"{y + 4}\" font-size=\"11\">{WebUtility.HtmlEncode(shown)}</text></g>");
        }

        return svg.Append("</svg>").ToString();
    }

    /// <summary>A month label in the page's culture (e.g. <c>ene. 2007</c>, <c>Jan 2007</c>).</summary>
    public static string PeriodLabel(string period, PageText text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return DateTime.TryParseExact(period, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month)
            ? month.ToString("MMM yyyy", text.Culture)
            : period;
    }

    private static int IndexOfPeriod(IReadOnlyList<string> periods, string period)
    {
        for (var i = 0; i < periods.Count; i++)
        {
            if (string.CompareOrdinal(periods[i], period) >= 0)
            {
                return string.CompareOrdinal(periods[0], period) <= 0 ? i : -1;
            }
        }

        return -1;
    }

    private static double NiceCeiling(double value)
    {
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        return new[] { 1, 2, 2.5, 5, 10 }.Select(f => f * magnitude).First(c => c >= value);
    }
}
