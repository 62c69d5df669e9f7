using TipWarehouse.Analytics.Reports;
using TipWarehouse.Core;

namespace TipWarehouse.Analytics.Charts;

/// <summary>PNG charts of the monthly, funnel and regions reports (ScottPlot, rendered headless with SkiaSharp).</summary>
public static class ReportCharts
{
    /// <summary>Chart width in pixels.</summary>
    public const int Width = 1200;

    /// <summary>Chart height in pixels.</summary>
    public const int Height = 700;

    /// <summary>Renders the chart of report <paramref name="name"/> from its table to a PNG file; a published table (<paramref name="k"/> set) marks its suppressed cells and states k in a footer.</summary>
    public static void Render(string name, ResultTable table, string path, int? k = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        var plot = name switch
        {
            "monthly" => Monthly(table),
            "funnel" => Funnel(table),
            "regions" => Regions(table),
            _ => throw new UsageException($"Report '{name}' has no chart. Charts exist for: {string.Join(", ", ReportCatalog.Charted)}."),
        };
        using (plot)
        {
            MarkSuppressed(plot, name, table, k);
            var full = Path.GetFullPath(path);
            var directory = Path.GetDirectoryName(full);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            plot.SavePng(full, Width, Height);
        }
    }

    private static ScottPlot.Plot Monthly(ResultTable table)
    {
        var period = table.IndexOf("period");
        var calls = table.IndexOf("hotline_calls");
        var share = table.IndexOf("tip_share_operator");
        var labels = table.Rows.Select(r => (string)r[period]!).ToArray();
        var positions = Enumerable.Range(0, labels.Length).Select(i => (double)i).ToArray();
        var plot = new ScottPlot.Plot();
        var bars = plot.Add.Bars(positions, table.Rows.Select(r => Value(r[calls])).ToArray());
        bars.LegendText = "Hotline calls";
        bars.Color = ScottPlot.Colors.SteelBlue;

        var shareXs = new List<double>();
        var shareYs = new List<double>();
        for (var i = 0; i < labels.Length; i++)
        {
            if (table.Rows[i][share] is not null)
            {
                shareXs.Add(i);
                shareYs.Add(100 * Value(table.Rows[i][share]));
            }
        }

        if (shareXs.Count > 0)
        {
            var line = plot.Add.Scatter(shareXs.ToArray(), shareYs.ToArray());
            line.LegendText = "TIP-related share of calls (operators), %";
            line.Color = ScottPlot.Colors.OrangeRed;
            line.LineWidth = 2;
            line.Axes.YAxis = plot.Axes.Right;
            plot.Axes.Right.Label.Text = "TIP-related share (%)";
        }

        MarkEvent(plot, labels, "2006-03", "Hotline opens (2006-03-13)", ScottPlot.Colors.ForestGreen);
        MarkEvent(plot, labels, "2007-01", "Law 28950 (2007-01)", ScottPlot.Colors.Purple);
        Categories(plot, labels);
        plot.Title("Hotline calls and TIP-related share, nationwide");
        plot.XLabel("Period");
        plot.YLabel("Hotline calls");
        plot.ShowLegend(ScottPlot.Alignment.UpperLeft);
        plot.Axes.Margins(bottom: 0, top: 0.15);
        plot.Axes.AutoScale();
        if (shareYs.Count > 0)
        {
            // Shares start at zero so their level is not exaggerated; the legend needs room above the tallest point.
            plot.Axes.SetLimitsY(0, Math.Max(1, shareYs.Max() * 1.3), plot.Axes.Right);
        }

        return plot;
    }

    private static ScottPlot.Plot Funnel(ResultTable table)
    {
        var stage = table.IndexOf("stage");
        var cases = table.IndexOf("cases");
        var conversion = table.IndexOf("conversion_from_previous");
        var plot = new ScottPlot.Plot();
        var labels = table.Rows.Select(r => (string)r[stage]!).ToArray();
        var values = table.Rows.Select(r => Value(r[cases])).ToArray();
        var bars = new List<ScottPlot.Bar>();
        for (var i = 0; i < labels.Length; i++)
        {
            var converted = table.Rows[i][conversion] is null ? string.Empty : $" ({100 * Value(table.Rows[i][conversion]):0.#}% of previous)";
            bars.Add(new ScottPlot.Bar
            {
                Position = labels.Length - 1 - i,
                Value = values[i],
                FillColor = ScottPlot.Colors.SteelBlue,
                Label = $"{values[i]:0}{converted}",
            });
        }

        var series = plot.Add.Bars(bars);
        series.Horizontal = true;
        series.ValueLabelStyle.FontSize = 14;
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (var i = 0; i < labels.Length; i++)
        {
            ticks.AddMajor(labels.Length - 1 - i, labels[i]);
        }

        plot.Axes.Left.TickGenerator = ticks;
        plot.Title("Case funnel: cases reaching each stage");
        plot.XLabel("Cases");
        plot.YLabel("Stage");
        plot.Axes.Margins(left: 0, right: 0.25);
        return plot;
    }

    private static ScottPlot.Plot Regions(ResultTable table)
    {
        var region = table.Columns[1].Name;
        var nameIndex = 1;
        var tipCalls = table.IndexOf("tip_calls");
        var tipReports = table.IndexOf("tip_reports");
        var plot = new ScottPlot.Plot();
        var labels = table.Rows.Select(r => (string?)r[nameIndex] ?? "?").ToArray();
        var bars = new List<ScottPlot.Bar>();
        for (var i = 0; i < labels.Length; i++)
        {
            bars.Add(new ScottPlot.Bar { Position = (3 * i) + 0, Value = Value(table.Rows[i][tipCalls]), FillColor = ScottPlot.Colors.SteelBlue });
            bars.Add(new ScottPlot.Bar { Position = (3 * i) + 1, Value = Value(table.Rows[i][tipReports]), FillColor = ScottPlot.Colors.OrangeRed });
        }

        plot.Add.Bars(bars);
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (var i = 0; i < labels.Length; i++)
        {
            ticks.AddMajor((3 * i) + 0.5, labels[i]);
        }

        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = ScottPlot.Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 150;
        plot.Legend.ManualItems.Add(new ScottPlot.LegendItem { LabelText = "TIP calls", FillColor = ScottPlot.Colors.SteelBlue });
        plot.Legend.ManualItems.Add(new ScottPlot.LegendItem { LabelText = "TIP-related police reports", FillColor = ScottPlot.Colors.OrangeRed });
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        plot.Title($"TIP calls and police reports per {region}, ranked");
        plot.XLabel(region == "department" ? "Department" : "PNP directorate");
        plot.YLabel("Count");
        plot.Axes.Margins(bottom: 0);
        return plot;
    }

    // A suppressed cell is drawn as an "x" on the axis (not as a zero bar), and the footer says what x means and k.
    private static void MarkSuppressed(ScottPlot.Plot plot, string name, ResultTable table, int? k)
    {
        var flag = table.IndexOf(Disclosure.DisclosureControl.SuppressedColumn);
        if (flag < 0)
        {
            return;
        }

        var (columns, stride) = name switch
        {
            "monthly" => (new[] { "hotline_calls" }, 1),
            "funnel" => (new[] { "cases" }, 1),
            _ => (new[] { "tip_calls", "tip_reports" }, 3),
        };
        var any = false;
        for (var i = 0; i < table.Rows.Count; i++)
        {
            var suppressed = Disclosure.DisclosureControl.SuppressedNames(table.Rows[i][flag]).ToHashSet(StringComparer.Ordinal);
            for (var c = 0; c < columns.Length; c++)
            {
                if (!suppressed.Contains(columns[c]))
                {
                    continue;
                }

                any = true;
                var position = (stride * i) + c;
                var text = name == "funnel" ? plot.Add.Text("x suppressed", 0, position) : plot.Add.Text("x", position, 0);
                text.LabelFontColor = ScottPlot.Colors.DarkRed;
                text.LabelFontSize = 16;
                text.LabelBold = true;
            }
        }

        var policy = Disclosure.DisclosurePolicy.Default;
        var threshold = k ?? policy.PersonsK;
        var footer = (any ? "x = suppressed cell (not a zero). " : "No cell suppressed. ")
            + $"Published with disclosure control: counts of persons shown only from k = {threshold}, counts of institutional acts from k = {Math.Min(policy.InstitutionalK, threshold)}; "
            + "cells that would reveal a suppressed one are suppressed too.";
        var annotation = plot.Add.Annotation(footer, ScottPlot.Alignment.LowerRight);
        annotation.LabelFontSize = 12;
    }

    private static void MarkEvent(ScottPlot.Plot plot, string[] labels, string month, string text, ScottPlot.Color color)
    {
        // Periods are categories: find the one that contains the month (monthly, quarterly or yearly labels).
        if (!YearMonth.TryParse(month, out var ym))
        {
            return;
        }

        var index = Array.FindIndex(labels, l => l == ym.PeriodLabel(PeriodGrain.Month) || l == ym.PeriodLabel(PeriodGrain.Quarter) || l == ym.PeriodLabel(PeriodGrain.Year));
        if (index < 0)
        {
            return;
        }

        var line = plot.Add.VerticalLine(index - 0.5);
        line.Color = color;
        line.LineWidth = 2;
        line.LinePattern = ScottPlot.LinePattern.Dashed;
        line.LegendText = text;
    }

    private static void Categories(ScottPlot.Plot plot, string[] labels)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        var step = Math.Max(1, (int)Math.Ceiling(labels.Length / 24.0));
        for (var i = 0; i < labels.Length; i += step)
        {
            ticks.AddMajor(i, labels[i]);
        }

        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = ScottPlot.Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 70;
    }

    private static double Value(object? value) => value switch
    {
        null => 0,
        string => 0,
        _ => Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture),
    };
}
