using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using TipWarehouse.Cli.Output;
using TipWarehouse.Core;
using TipWarehouse.Simulation;

namespace TipWarehouse.Cli.Commands;

/// <summary><c>tipw simulate</c>: writes the simulated hotline, police and prosecution sources (and the ground truth) of one world as of a date.</summary>
internal static class SimulateCommand
{
    public static Command Create(CliContext context)
    {
        var home = CommonOptions.Home();
        var format = CommonOptions.Format("table", "csv", "json");
        var output = new Option<string?>("--out") { Description = "The folder the sources are written to (default: HOME/sources)" };
        var from = new Option<string>("--from") { Description = "First day of the world (yyyy-MM-dd)", DefaultValueFactory = _ => "2005-01-01" };
        var to = new Option<string>("--to") { Description = "Last day of the world (yyyy-MM-dd)", DefaultValueFactory = _ => "2007-12-31" };
        var asOf = new Option<string?>("--as-of") { Description = "Materialize the sources as they stood at the start of this day (default: the day after --to); a later date on the same folder advances the same world" };
        var seed = new Option<long>("--seed") { Description = "Random seed; same arguments and seed give byte-identical output", DefaultValueFactory = _ => 42 };
        var scale = new Option<double>("--scale") { Description = "Volume multiplier (1 = about 1,000 hotline calls a month)", DefaultValueFactory = _ => 1.0 };
        var noDefects = new Option<bool>("--no-defects") { Description = "Switch every defect off (individual --defect-* flags still apply)" };
        var defaults = new DefectRates();
        var defectOptions = new List<(Option Option, System.Reflection.PropertyInfo Property)>();
        foreach (var (flag, property) in DefectRates.Flags)
        {
            var fallback = property.GetValue(defaults)!;
            Option option = property.PropertyType == typeof(int)
                ? new Option<int?>(flag) { Description = $"Defect: {Describe(property.Name)} (default {fallback})" }
                : new Option<double?>(flag) { Description = $"Defect rate: {Describe(property.Name)} (default {Convert.ToString(fallback, CultureInfo.InvariantCulture)})" };
            defectOptions.Add((option, property));
        }

        var command = new Command("simulate", "Simulate the hotline, police and prosecution systems of 2005-2007 Peru, with defects and ground truth")
        {
            home, format, output, from, to, asOf, seed, scale, noDefects,
        };
        foreach (var (option, _) in defectOptions)
        {
            command.Options.Add(option);
        }

        command.SetAction((parseResult, cancellationToken) =>
        {
            var rates = parseResult.GetValue(noDefects) ? DefectRates.None : new DefectRates();
            foreach (var (option, property) in defectOptions)
            {
                // Box each branch on its own: a conditional would widen the int count to double.
                object? value = option is Option<int?> intOption ? (object?)parseResult.GetValue(intOption) : (object?)parseResult.GetValue((Option<double?>)option);
                if (value is not null)
                {
                    rates = With(rates, property, value);
                }
            }

            var outDirectory = parseResult.GetValue(output) ?? TipwHome.At(parseResult.GetValue(home)).DefaultSourcesDirectory;
            var options = new SimulationOptions
            {
                OutputDirectory = outDirectory,
                From = ParseDate(parseResult.GetValue(from)!, "--from"),
                To = ParseDate(parseResult.GetValue(to)!, "--to"),
                AsOf = parseResult.GetValue(asOf) is { } a ? ParseDate(a, "--as-of") : null,
                Seed = parseResult.GetValue(seed),
                Scale = parseResult.GetValue(scale),
                Defects = rates,
            };
            IProgress<SimulationProgress>? progress = context.ErrorIsTerminal ? new TerminalProgress(context.Error) : null;
            var summary = WorldSimulator.Run(options, progress, cancellationToken);
            if (progress is not null)
            {
                context.Error.WriteLine();
            }

            context.Error.WriteLine($"simulated {summary.From:yyyy-MM-dd}..{summary.To:yyyy-MM-dd} as of {summary.AsOf:yyyy-MM-dd} into {summary.OutputDirectory}");
            ResultWriter.WriteTo(ToTable(summary), parseResult.GetValue(format)!, null, context.Out);
            return Task.FromResult(CliApp.Success);
        });
        return command;
    }

    private static DateOnly ParseDate(string text, string flag) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new UsageException($"{flag} '{text}' is not a date: use yyyy-MM-dd, e.g. {flag} 2006-03-13.");

    private static DefectRates With(DefectRates rates, System.Reflection.PropertyInfo property, object value)
    {
        // Records are immutable: clone through the compiler-generated copy, then set the one init property.
        var copy = rates with { };
        property.SetValue(copy, value);
        return copy;
    }

    private static string Describe(string propertyName)
    {
        var words = new System.Text.StringBuilder();
        foreach (var c in propertyName)
        {
            if (char.IsUpper(c) && words.Length > 0)
            {
                words.Append(' ');
            }

            words.Append(char.ToLowerInvariant(c));
        }

        return words.ToString();
    }

    private static ResultTable ToTable(SimulationSummary s)
    {
        var rows = new List<object?[]>
        {
            Row("as_of", s.AsOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            Row("hotline_calls", s.HotlineCalls),
            Row("tip_calls", s.TipCalls),
            Row("tip_share", Math.Round(s.TipShare, 4)),
            Row("hotline_files_written", s.HotlineFilesWritten),
            Row("hotline_files_kept", s.HotlineFilesKept),
            Row("police_stations", s.Stations),
            Row("police_reports", s.PoliceReports),
            Row("tip_police_reports", s.TipPoliceReports),
            Row("police_rows_inserted", s.PoliceRowsInserted),
            Row("police_rows_updated", s.PoliceRowsUpdated),
            Row("prosecution_cases", s.ProsecutionCases),
            Row("tip_prosecution_cases", s.TipProsecutionCases),
            Row("prosecution_events", s.ProsecutionEvents),
            Row("prosecution_files_written", s.ProsecutionFilesWritten),
            Row("pimping_charged_2006", s.PimpingChargedIn2006),
        };
        foreach (var (period, count) in s.TipCasesPassed)
        {
            rows.Add(Row("tip_cases_passed_" + period, count));
        }

        foreach (var (year, count) in s.TipConvictions)
        {
            rows.Add(Row("tip_convictions_" + year, count));
        }

        return new ResultTable([new ResultColumn("metric", typeof(string)), new ResultColumn("value", typeof(string))], rows);

        static object?[] Row(string metric, object value) => [metric, Convert.ToString(value, CultureInfo.InvariantCulture)];
    }

    /// <summary>A one-line progress display on stderr, redrawn in place.</summary>
    private sealed class TerminalProgress(TextWriter error) : IProgress<SimulationProgress>
    {
        private string _last = "";

        public void Report(SimulationProgress value)
        {
            var percent = value.Total == 0 ? 100 : (int)(100 * value.Done / value.Total);
            var line = $"{value.Stage,-12} {value.Done,8:N0}/{value.Total:N0} ({percent,3}%)";
            if (line != _last)
            {
                error.Write("\r" + line);
                _last = line;
            }
        }
    }
}
