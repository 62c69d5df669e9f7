using System.Globalization;
using System.Text;
using System.Text.Json;
using TipWarehouse.Simulation.Hotline;
using TipWarehouse.Simulation.Police;
using TipWarehouse.Simulation.Prosecution;
using TipWarehouse.Simulation.Reference;

namespace TipWarehouse.Simulation;

/// <summary>
/// Simulates the three agency systems of one world (hotline, police, prosecution) and writes them as they stood on the
/// as-of date, with the ground truth beside them. The world depends only on the seed, the window and the scale; the
/// as-of date only decides how much of it is materialized, so a later as-of on the same folder advances the same world.
/// </summary>
public static class WorldSimulator
{
    /// <summary>Runs the simulation into <see cref="SimulationOptions.OutputDirectory"/>.</summary>
    public static SimulationSummary Run(SimulationOptions options, IProgress<SimulationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var root = Path.GetFullPath(options.OutputDirectory);
        var asOf = options.EffectiveAsOf;
        var asOfTime = asOf.ToDateTime(TimeOnly.MinValue);
        var truthDirectory = Path.Combine(root, "truth");
        Directory.CreateDirectory(truthDirectory);

        var geography = new Geography(UbigeoCatalog.Default, options.Seed);

        // 1. Hotline, 2. police reports, 3. prosecution cases, then the police rows' life (which depends on what was prosecuted).
        var hotlineStats = new HotlineStats();
        var reports = RunHotlineAndFileReports(options, geography, root, truthDirectory, hotlineStats, progress, cancellationToken);
        var cases = ProsecutionWorld.Build(options, geography, reports);
        var rows = new PoliceRows(options, geography, reports, asOfTime);
        progress?.Report(new SimulationProgress("police", 0, reports.Count));
        var police = PoliceDatabase.Materialize(Path.Combine(root, "police", "pnp_trata.sqlite"), rows, asOfTime, cancellationToken);
        progress?.Report(new SimulationProgress("police", reports.Count, reports.Count));
        foreach (var report in reports)
        {
            // The people are in the police file and the cases now; dropping them keeps large scales smaller.
            report.ReleasePersons();
        }

        var events = ProsecutionFeed.Prepare(options, cases);
        var feed = ProsecutionFeed.Write(Path.Combine(root, "prosecution"), events, asOf, cancellationToken);
        progress?.Report(new SimulationProgress("prosecution", feed.EventsMaterialized, events.Count));

        // 4. Truth, for evaluation only.
        var materializedCases = feed.Materialized.Select(e => e.Case).ToHashSet();
        WriteLinks(Path.Combine(truthDirectory, "links.csv"), reports, asOfTime, cases, materializedCases);
        WritePoliceTruth(Path.Combine(truthDirectory, "police_reports.csv"), reports, asOfTime);
        WriteCaseTruth(Path.Combine(truthDirectory, "prosecution_cases.csv"), cases.Where(materializedCases.Contains));
        int materializedReports = 0, tipReports = 0, hotlineReports = 0;
        foreach (var report in reports)
        {
            if (report.FiledAt < asOfTime)
            {
                materializedReports++;
                tipReports += report.IsTip ? 1 : 0;
                hotlineReports += report.TrueCallId is not null ? 1 : 0;
            }
        }

        var summary = new SimulationSummary
        {
            OutputDirectory = root,
            From = options.From,
            To = options.To,
            AsOf = asOf,
            Seed = options.Seed,
            Scale = options.Scale,
            HotlineCalls = hotlineStats.Calls,
            TipCalls = hotlineStats.TipCalls,
            CallsByMonth = hotlineStats.CallsByMonth,
            HotlineFilesWritten = hotlineStats.FilesWritten,
            HotlineFilesKept = hotlineStats.FilesKept,
            Stations = geography.Stations.Count,
            PoliceReports = materializedReports,
            TipPoliceReports = tipReports,
            HotlinePoliceReports = hotlineReports,
            Persons = police.RowsAtAsOf["personas"],
            Arrests = police.RowsAtAsOf["detenciones"],
            PoliceRowsInserted = police.Inserted,
            PoliceRowsUpdated = police.Updated,
            ProsecutionCases = materializedCases.Count,
            TipProsecutionCases = materializedCases.Count(c => c.IsTip),
            ProsecutionEvents = feed.EventsMaterialized,
            ProsecutionFilesWritten = feed.FilesWritten,
            ProsecutionFilesKept = feed.FilesKept,
            TipCasesPassed = TipCasesPassed(feed.Materialized),
            PimpingChargedIn2006 = feed.Materialized.Where(e => e.Type == "FORMALIZACION" && e.Date.Year == 2006 && e.Articles.Contains("181")).Sum(e => e.Case.Defendants.Count),
            TipConvictions = feed.Materialized.Where(e => e.Type == "SENTENCIA" && e.Outcome == "CONDENA" && e.Case.IsTip)
                .GroupBy(e => e.Date.Year.ToString(CultureInfo.InvariantCulture)).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            Defects = new DefectCounts
            {
                DuplicateCallLines = hotlineStats.DuplicateLines,
                MissingUbigeo = hotlineStats.MissingUbigeo,
                InvalidUbigeo = hotlineStats.InvalidUbigeo,
                IneiUbigeo = hotlineStats.IneiUbigeo,
                MalformedDates = hotlineStats.MalformedDates,
                TruncatedLines = hotlineStats.TruncatedLines,
                Utf8Files = hotlineStats.Utf8FileNames,
                MistypedReportNumbers = feed.MistypedReports,
                MissingReportNumbers = feed.MissingReports,
                LateEvents = feed.LateEvents,
                PoliceLateCorrections = rows.LateCorrections,
            },
        };
        AtomicFile.WriteAllText(Path.Combine(truthDirectory, "summary.json"), JsonSerializer.Serialize(summary, s_summaryJson) + "\n");
        return summary;
    }

    /// <summary>
    /// Streams the hotline day by day and returns the police reports: the calls passed to stations and the walk-ins. Only
    /// the leads are kept from the hotline, and only in this frame, so they are gone once the reports are made.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static List<PoliceReport> RunHotlineAndFileReports(SimulationOptions options, Geography geography, string root, string truthDirectory, HotlineStats stats, IProgress<SimulationProgress>? progress, CancellationToken cancellationToken)
    {
        List<HotlineLead> leads;
        var labelsPath = Path.Combine(truthDirectory, "hotline_labels.csv");
        using (var labels = new StreamWriter(labelsPath + ".tmp", append: false, new UTF8Encoding(false), 1 << 16))
        {
            labels.Write("id_llamada,is_tip,exploitation_type\n");
            leads = new HotlineGenerator(options, geography).Run(Path.Combine(root, "hotline"), labels, stats, progress, cancellationToken);
        }

        File.Move(labelsPath + ".tmp", labelsPath, overwrite: true);
        return PoliceWorld.Build(options, geography, leads);
    }

    private static readonly JsonSerializerOptions s_summaryJson = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static SortedDictionary<string, int> TipCasesPassed(IEnumerable<CaseEvent> events)
    {
        var result = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var e in events.Where(e => e.Type == "DENUNCIA_RECIBIDA" && e.Case.IsTip))
        {
            var key = e.Date.Year switch
            {
                2006 => e.Date.Month <= 7 ? "2006-01..07" : "2006-08..12",
                var y => y.ToString(CultureInfo.InvariantCulture),
            };
            result[key] = result.GetValueOrDefault(key) + 1;
        }

        return result;
    }

    private static void WriteLinks(string path, List<PoliceReport> reports, DateTime asOf, List<ProsecutionCase> cases, HashSet<ProsecutionCase> materializedCases)
    {
        var byReport = cases.ToDictionary(c => c.Report);
        WriteAtomically(path, "case_id,id_llamada,police_report,case_number\n", writer =>
        {
            foreach (var report in reports)
            {
                if (report.FiledAt >= asOf)
                {
                    continue;
                }

                var c = byReport.GetValueOrDefault(report);
                writer.Write('K');
                writer.Write(report.Number.AsSpan(4));
                writer.Write(',');
                writer.Write(report.TrueCallId);
                writer.Write(',');
                writer.Write(report.Number);
                writer.Write(',');
                writer.Write(c is not null && materializedCases.Contains(c) ? c.Number : "");
                writer.Write('\n');
            }
        });
    }

    private static void WritePoliceTruth(string path, List<PoliceReport> reports, DateTime asOf)
    {
        WriteAtomically(path, "nro_denuncia,is_tip,exploitation_type\n", writer =>
        {
            foreach (var report in reports)
            {
                if (report.FiledAt < asOf)
                {
                    writer.Write(report.Number);
                    writer.Write(report.IsTip ? ",1," : ",0,");
                    writer.Write(report.TipKind is { } k ? Text.CallKinds.ExploitationType(k) : "");
                    writer.Write('\n');
                }
            }
        });
    }

    private static void WriteCaseTruth(string path, IEnumerable<ProsecutionCase> cases)
    {
        WriteAtomically(path, "nro_caso,is_tip,nro_denuncia\n", writer =>
        {
            foreach (var c in cases.OrderBy(c => c.Number, StringComparer.Ordinal))
            {
                writer.Write(c.Number);
                writer.Write(c.IsTip ? ",1," : ",0,");
                writer.Write(c.Report.Number);
                writer.Write('\n');
            }
        });
    }

    /// <summary>Streams a truth file under a temporary name and renames it when complete, like <see cref="AtomicFile"/>.</summary>
    private static void WriteAtomically(string path, string header, Action<StreamWriter> write)
    {
        var temp = path + ".tmp";
        using (var writer = new StreamWriter(temp, append: false, new UTF8Encoding(false), 1 << 16))
        {
            writer.Write(header);
            write(writer);
        }

        File.Move(temp, path, overwrite: true);
    }
}
