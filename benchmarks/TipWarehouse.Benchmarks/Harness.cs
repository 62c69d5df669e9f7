using System.Diagnostics;
using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using Microsoft.ML;
using TipWarehouse.Analytics.Reports;
using TipWarehouse.Classifier;
using TipWarehouse.Core;
using TipWarehouse.Etl.Engine;
using TipWarehouse.Etl.Extraction;
using TipWarehouse.Etl.Privacy;
using TipWarehouse.Etl.Specs;
using TipWarehouse.Schema;
using TipWarehouse.Simulation;

namespace TipWarehouse.Benchmarks;

/// <summary>What the reports phase measured: monthly and funnel medians, every canned report once, the monthly report's rows, the calls.</summary>
public sealed record ReportLatency(double MonthlyMs, double FunnelMs, double AllReportsOnceMs, int MonthlyRows, long Calls);

/// <summary>One end-to-end harness run at one scale: the hotline ingest (child process) against DuckDB's read_csv and a SQL-only
/// pipeline, the incremental day, every stage of the chain in its own process (<see cref="StageCatalog"/>), classifier training and
/// scoring; writes Markdown and JSON and prints each figure with its target.</summary>
public sealed class Harness
{
    private static readonly byte[] s_benchmarkKey = [.. Enumerable.Range(7, 32).Select(i => (byte)i)];
    private readonly HarnessOptions _options;
    private readonly TextWriter _log;
    private readonly List<StepTiming> _steps = [];
    private readonly List<StageMeasurement> _stages = [];
    private readonly Dictionary<string, double> _details = new(StringComparer.Ordinal);
    private double _maxLoad;
    private string _work = "";

    public Harness(HarnessOptions options, TextWriter log)
    {
        _options = options;
        _log = log;
    }

    /// <summary>Runs every measurement and returns the path of the Markdown results.</summary>
    public async Task<string> RunAsync(string commandLine, CancellationToken cancellationToken = default)
    {
        var started = TimeProvider.System.GetUtcNow();
        var loadAtStart = MachineInfo.LoadAverage();
        _maxLoad = MachineInfo.LoadAverage1();
        var work = _options.WorkDirectory is { } w ? Directory.CreateDirectory(w).FullName : Directory.CreateTempSubdirectory("tipw-bench-").FullName;
        _work = work;
        var resultsFolder = Path.Combine(_options.ResultsRoot ?? LocateResultsRoot(), _options.Machine);
        _log.WriteLine($"harness: scale {_options.Scale}, work {work}, pipelines {PipelinesFolder()}, tipw {Tipw()}, results {resultsFolder}, load {loadAtStart}");
        try
        {
            // The world without its last day: every stage below loads it; the last day comes later (incremental figures).
            var sources = Path.Combine(work, "sources");
            var pipelines = PipelinesFolder();
            await TipwStageAsync("simulate_held_back", ["simulate", "--out", sources, .. WorldArguments(), "--as-of", LastDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "--format", "json"], SimulatedCalls);
            var heldBackFiles = HotlineFiles(sources);

            var template = Path.Combine(work, "template.duckdb");
            var duckDbVersion = Step("init warehouse template", () =>
            {
                using var connection = Warehouse.OpenPath(template);
                WarehouseInitializer.Initialize(connection, new InitOptions { Time = TimeProvider.System }, cancellationToken);
                return Scalar<string>(connection, "SELECT version()");
            }, v => "DuckDB " + v);
            var machine = MachineInfo.Read(_options.Machine, duckDbVersion);

            // 1 and 5: the pipeline's ingest in a child process (peak RSS of that process alone).
            var full = NewHome(work, template, "full");
            var ingest = await StepAsync("ingest hotline (child process)", () => IngestPhase.RunInChildAsync(sources, full, pipelines, cancellationToken), i => $"{i.RowsRead:N0} rows read, {i.RowsLoaded:N0} loaded, {i.RowsRejected:N0} rejected, {i.RowsDuplicate:N0} duplicate, {i.Batches} batches, peak RSS {i.PeakRssBytes / 1048576.0:N0} MiB, status {i.Status}{(i.Error is null ? "" : ": " + i.Error)}");
            var pipelineRate = ingest.RowsRead / ingest.HotlineSeconds;
            _details["ingest.police_stations_seconds"] = ingest.StationsSeconds;
            _details["ingest.hotline_seconds"] = ingest.HotlineSeconds;
            _details["ingest.rows_read"] = ingest.RowsRead;
            _details["ingest.rows_per_second"] = pipelineRate;
            _details["ingest.peak_rss_mib"] = ingest.PeakRssBytes / 1048576.0;
            foreach (var (phase, seconds) in ingest.HotlinePhaseSeconds ?? new Dictionary<string, double>())
            {
                _details["ingest.phase_seconds." + phase] = seconds;
            }

            // 1: DuckDB's own read_csv of the same files into a plain table, in a fresh database file.
            var baseline = await TryStepAsync("duckdb read_csv baseline", () => Task.FromResult(DuckDbBaseline(Path.Combine(work, "baseline.duckdb"), Path.Combine(sources, "hotline"), pipelines)), b => $"{b.Rows:N0} rows");
            double? baselineRate = null;
            if (baseline.Error is null)
            {
                baselineRate = baseline.Value.Rows / baseline.Value.Seconds;
                _details["baseline.rows"] = baseline.Value.Rows;
                _details["baseline.seconds"] = baseline.Value.Seconds;
                _details["baseline.rows_per_second"] = baselineRate.Value;
            }

            // 1: the SQL-only DuckDB pipeline a data engineer would write (same pseudonyms and transform SQL, see SqlOnlyPipeline), in this process.
            var sqlOnly = await TryStepAsync("sql-only DuckDB pipeline", () => SqlOnlyAsync(NewHome(work, template, "sql-only"), sources, pipelines, cancellationToken), m => $"{m.RowsRead:N0} rows read, {m.RowsLoaded:N0} loaded");
            double? sqlOnlyRate = null;
            if (sqlOnly.Value is { } m)
            {
                sqlOnlyRate = m.RowsRead / m.Seconds;
                _details["sql_only.rows"] = m.RowsRead;
                _details["sql_only.rows_loaded"] = m.RowsLoaded;
                _details["sql_only.seconds"] = m.Seconds;
                _details["sql_only.rows_per_second"] = sqlOnlyRate.Value;
                foreach (var (phase, seconds) in m.PhaseSeconds)
                {
                    _details["sql_only.phase_seconds." + phase] = Math.Round(seconds, 3);
                }
            }

            // 6: every stage of the chain, each a `tipw` (or harness phase) child, on one warehouse holding the world without its last day.
            var stages = NewHome(work, template, "stages");
            string[] In(TipwHome home) => ["--home", home.Root, "--sources", sources, "--pipelines", pipelines, "--format", "json"];
            foreach (var pipeline in StageCatalog.LoadPipelines)
            {
                await TipwStageAsync(pipeline, ["run", pipeline, .. In(stages)], RunRows);
            }

            await TipwStageAsync("model_train", ["model", "train", "--home", stages.Root, "--activate", "--format", "json"], TrainedRows);
            await TipwStageAsync("call_scoring", ["run", "call_scoring", .. In(stages)], RunRows);
            await TipwStageAsync("linkage_full", ["run", "linkage", .. In(stages)], RunRows);
            await TipwStageAsync("tip_determination", ["run", "tip_determination", .. In(stages)], RunRows);
            var reports = await StageAsync("reports", "harness --phase reports", SelfProgram(), [.. SelfArguments(), "--phase", "reports", stages.Root, "--repetitions", _options.QueryRepetitions.ToString(CultureInfo.InvariantCulture)], ReportRows);

            // The last day: the same world advanced (simulate again on the same folder; files already there are kept).
            var summary = await TipwStageAsync("simulate", ["simulate", "--out", sources, .. WorldArguments(), "--format", "json"], SimulatedCalls)
                ?? throw new TipwException("The simulate stage cannot be skipped.");
            var newHotlineFiles = HotlineFiles(sources).Except(heldBackFiles, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            _details["incremental.new_hotline_files"] = newHotlineFiles.Count;

            // 2: the new day into the loaded warehouse vs into an empty one (a throwaway empty load first warms the JIT).
            var incremental = await IncrementalAsync(work, template, full, sources, newHotlineFiles, pipelines, cancellationToken);

            // The incremental linkage day: load the last day into the staged warehouse, then link again.
            var lastDayPipelines = StageCatalog.LoadPipelines.Where(p => !_options.Skip.Contains(p)).ToList();
            if (lastDayPipelines.Count > 0)
            {
                await TipwStageAsync("load_last_day", ["run", .. lastDayPipelines, .. In(stages)], RunRows);
            }

            await TipwStageAsync("linkage_incremental", ["run", "linkage", .. In(stages)], RunRows);

            // The whole chain as a user runs it: `tipw run --all` of the whole world into a fresh warehouse.
            await TipwStageAsync("run_all", ["run", "--all", .. In(NewHome(work, template, "run-all"))], RunRows);

            // 4: classifier training on ~100k labelled calls and batch scoring throughput.
            var (trainSeconds, trained, scoreRate, scored) = Step("classifier train and score", () => Classifier(full, cancellationToken), m => $"trained on {m.Trained:N0}, scored {m.Scored:N0}");

            var monthlyMs = reports is { Succeeded: true } ? _details.GetValueOrDefault("report.monthly_ms", double.NaN) : double.NaN;
            var funnelMs = reports is { Succeeded: true } ? _details.GetValueOrDefault("report.funnel_ms", double.NaN) : double.NaN;
            var callsInWarehouse = reports?.Rows ?? ingest.RowsLoaded;
            var figures = Figures(ingest, pipelineRate, (baselineRate, baseline.Error), (sqlOnlyRate, sqlOnly.Error), incremental, monthlyMs, funnelMs, callsInWarehouse, trainSeconds, trained, scoreRate, resultsFolder);
            var loadAtEnd = MachineInfo.LoadAverage();
            var report = new HarnessReport(
                started.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
                _options.Scale,
                _options.Seed,
                summary.Rows ?? 0,
                machine,
                loadAtStart,
                loadAtEnd,
                _maxLoad > machine.Cores,
                _options.Note,
                figures,
                _steps,
                ingest,
                _details,
                commandLine,
                _stages);
            var markdown = ResultsWriter.Write(resultsFolder, report);
            Console.Out.WriteLine();
            Console.Out.WriteLine($"TipWarehouse performance, scale {_options.Scale.ToString(CultureInfo.InvariantCulture)} ({summary.Rows:N0} calls) on {machine.Machine}, load average {loadAtStart} → {loadAtEnd}{(report.MachineLoaded ? " (MEASURED UNDER LOAD)" : "")}");
            Console.Out.Write(ResultsWriter.Table(figures));
            Console.Out.WriteLine($"results: {markdown}");
            return markdown;
        }
        finally
        {
            if (!_options.Keep && _options.WorkDirectory is null)
            {
                TryDelete(work);
            }
        }
    }

    private IReadOnlyList<Figure> Figures(IngestMeasurement ingest, double pipelineRate, (double? Rate, string? Error) readCsv, (double? Rate, string? Error) sqlOnly, (double Loaded, double Empty) incremental,
        double monthlyMs, double funnelMs, long calls, double trainSeconds, int trained, double scoreRate, string resultsFolder)
    {
        var scaleNote = $"at {calls:N0} calls";
        var incrementalRatio = incremental.Loaded / incremental.Empty;
        var rssMiB = ingest.PeakRssBytes / 1048576.0;
        var (memoryRatio, memoryNote) = MemoryRatio(resultsFolder, rssMiB);
        double? Measured(double value) => double.IsNaN(value) ? null : value;
        var reportsNote = _stages.Any(s => s.Stage == "reports") ? "" : " (not measured: the reports stage was skipped or failed)";
        return
        [
            BaselineFigures.IngestRatio(pipelineRate, readCsv.Rate, readCsv.Error, scaleNote),
            new("ingest_rows_per_second", "Hotline pipeline throughput", pipelineRate, "rows/s", "(for the ratio)", null, scaleNote),
            BaselineFigures.SqlOnlyRatio(pipelineRate, sqlOnly.Rate, sqlOnly.Error, scaleNote),
            new("incremental_ratio", "Incremental cost (one day into loaded ÷ into empty)", incrementalRatio, "", "≤ 2", incrementalRatio <= 2,
                $"{incremental.Loaded:0.00} s vs {incremental.Empty:0.00} s; single runs"),
            new("monthly_report_ms", "Monthly report latency (median)", Measured(monthlyMs), "ms", "< 250 ms at 10M calls", Measured(monthlyMs) is { } m ? m < 250 : null, $"{scaleNote}, median of {_options.QueryRepetitions}, in the reports stage's process{reportsNote}"),
            new("funnel_report_ms", "Funnel report latency (median)", Measured(funnelMs), "ms", "(reported)", null, $"{scaleNote}, median of {_options.QueryRepetitions}, after linkage and the TIP determination{reportsNote}"),
            new("training_seconds", "Classifier training time", trainSeconds, "s", "(reported)", null, $"{trained:N0} labelled calls (target set: ~100k)"),
            new("scoring_calls_per_second", "Classifier scoring throughput", scoreRate, "calls/s", "≥ 100,000 calls/s on 2 cores", scoreRate >= 100_000, $"{Environment.ProcessorCount} cores"),
            new("ingest_peak_rss_mib", "Ingest peak RSS (child process)", rssMiB, "MiB", "(for the ratio)", null, scaleNote),
            new("memory_ratio", "Peak RSS at ~10M ÷ at ~1M", memoryRatio, "", "≤ 1.5", memoryRatio is { } r ? r <= 1.5 : null, memoryNote),
            .. StageFigures.Compute(_stages, _options.Scale, scale => ResultsWriter.TryRead(Path.Combine(resultsFolder, ResultsWriter.Stem(scale) + ".json"))?.Stages),
        ];
    }

    /// <summary>Peak RSS of the ~10M run over the ~1M run, from this run and the results already in the folder.</summary>
    private (double? Ratio, string Note) MemoryRatio(string resultsFolder, double rssMiB)
    {
        double? Rss(double scale) => scale == _options.Scale
            ? rssMiB
            : ResultsWriter.TryRead(Path.Combine(resultsFolder, ResultsWriter.Stem(scale) + ".json"))?.Ingest?.PeakRssBytes / 1048576.0;
        var small = Rss(46);
        var large = Rss(460);
        return small is { } s && large is { } l
            ? (l / s, $"{l:N0} MiB at scale 460 vs {s:N0} MiB at scale 46")
            : (null, $"needs runs at --scale 46 and --scale 460 on this machine (have 46: {(small is null ? "no" : "yes")}, 460: {(large is null ? "no" : "yes")})");
    }

    private async Task<(double Loaded, double Empty)> IncrementalAsync(string work, string template, TipwHome full, string sources, IReadOnlyList<string> newHotlineFiles, string pipelines, CancellationToken cancellationToken)
    {
        // The new day's files alone, for the loads into an empty warehouse.
        var newDay = Path.Combine(work, "newday");
        Directory.CreateDirectory(Path.Combine(newDay, "hotline"));
        foreach (var file in newHotlineFiles)
        {
            File.Copy(Path.Combine(sources, "hotline", file), Path.Combine(newDay, "hotline", file), overwrite: true);
        }

        async Task<double> EmptyLoad(string name)
        {
            var home = NewHome(work, template, name);
            var engine = IngestPhase.NewEngine(home, pipelines);
            var stations = await engine.RunAsync(new Core.Pipelines.PipelineRunRequest("police_stations", sources, "benchmark"), cancellationToken);
            Require(stations, "police_stations");
            var (result, seconds) = await IngestPhase.TimeAsync(engine, "hotline", newDay, cancellationToken);
            Require(result, "hotline (empty warehouse)");
            _details[$"incremental.{name}.rows"] = result.RowsRead;
            return seconds;
        }

        await StepAsync("incremental: warm-up load into an empty warehouse", () => EmptyLoad("warmup"), s => $"{s:0.00} s (discarded)");
        var empty = await StepAsync("incremental: new day into an empty warehouse", () => EmptyLoad("empty"), s => $"{s:0.00} s");
        var loaded = await StepAsync("incremental: new day into the loaded warehouse", async () =>
        {
            var (result, seconds) = await IngestPhase.TimeAsync(IngestPhase.NewEngine(full, pipelines), "hotline", sources, cancellationToken);
            Require(result, "hotline (loaded warehouse)");
            _details["incremental.loaded.rows"] = result.RowsRead;
            return seconds;
        }, s => $"{s:0.00} s");
        _details["incremental.empty_seconds"] = empty;
        _details["incremental.loaded_seconds"] = loaded;
        return (loaded, empty);
    }

    /// <summary>The world's last day: the stages first load the world as of it (without it), then the world advanced by it.</summary>
    private static readonly DateOnly LastDay = new(2007, 12, 31);

    private string[] WorldArguments() =>
        ["--seed", _options.Seed.ToString(CultureInfo.InvariantCulture), "--scale", _options.Scale.ToString(CultureInfo.InvariantCulture)];

    private static string PipelinesFolder() => PipelineEngine.LocatePipelinesDirectory();

    private static HashSet<string> HotlineFiles(string sources) =>
        [.. Directory.EnumerateFiles(Path.Combine(sources, "hotline"), "llamadas_*.csv").Select(f => Path.GetFileName(f)!)];

    /// <summary>The <c>tipw</c> the stages run: <c>--tipw</c>, else the repository's build in the harness's own configuration (apphost, else <c>tipw.dll</c>).</summary>
    private string Tipw()
    {
        if (_options.Tipw is { } given)
        {
            return File.Exists(given) ? Path.GetFullPath(given) : throw new UsageException($"--tipw {given}: no such file.");
        }

        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent?.Name ?? "Release";
        var folder = Path.Combine(Path.GetDirectoryName(LocateResultsRoot())!, "..", "src", "TipWarehouse.Cli", "bin", configuration, "net10.0");
        var apphost = Path.Combine(folder, OperatingSystem.IsWindows() ? "tipw.exe" : "tipw");
        var dll = Path.Combine(folder, "tipw.dll");
        return File.Exists(apphost) ? Path.GetFullPath(apphost)
            : File.Exists(dll) ? Path.GetFullPath(dll)
            : throw new UsageException($"No tipw build in {Path.GetFullPath(folder)}: build the solution first (dotnet build TipWarehouse.sln -c {configuration}) or pass --tipw PATH.");
    }

    private static string SelfProgram() => IngestPhase.SelfStartInfo().FileName;

    private static IReadOnlyList<string> SelfArguments() => [.. IngestPhase.SelfStartInfo().ArgumentList];

    /// <summary>Runs one <c>tipw</c> command as the stage <paramref name="key"/>; null when the stage is skipped.</summary>
    private Task<StageMeasurement?> TipwStageAsync(string key, IReadOnlyList<string> arguments, Func<ChildUsage, (long? Rows, string Detail)> interpret)
    {
        var tipw = Tipw();
        return tipw.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
            ? StageAsync(key, "tipw " + StagePhase.Describe(arguments), Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", [tipw, .. arguments], interpret)
            : StageAsync(key, "tipw " + StagePhase.Describe(arguments), tipw, arguments, interpret);
    }

    /// <summary>Runs <paramref name="program"/> as the stage <paramref name="key"/> under the measuring child; null when skipped.
    /// A failed stage is recorded with its exit code (its figures then MISS); a failed simulation stops the run.</summary>
    private async Task<StageMeasurement?> StageAsync(string key, string command, string program, IReadOnlyList<string> arguments, Func<ChildUsage, (long? Rows, string Detail)> interpret)
    {
        if (_options.Skip.Contains(key))
        {
            _log.WriteLine($"harness: stage {key}: skipped (--skip)");
            return null;
        }

        command = command.Replace(_work, "$WORK", StringComparison.Ordinal);
        var probe = HostProbe.Milliseconds();
        _log.WriteLine($"harness: stage {key}: {command} … (host probe {probe:0} ms)");
        var (usage, loadMax) = await StagePhase.RunMeasuredAsync(program, arguments);
        var (rows, detail) = usage.ExitCode == 0 ? interpret(usage) : (null, $"failed with exit code {usage.ExitCode} (see its stderr above)");
        var stage = new StageMeasurement(key, command, usage.Seconds, usage.CpuSeconds, usage.PeakRssBytes, rows, usage.ExitCode, loadMax, MachineInfo.LoadAverage(), detail, probe);
        _stages.Add(stage);
        _maxLoad = Math.Max(_maxLoad, loadMax);
        _log.WriteLine($"harness: stage {key}: {StagePhase.Summary(stage)}; {detail}");
        if (!stage.Succeeded && StageCatalog.Required.Contains(key))
        {
            throw new TipwException($"Stage {key} ({command}) failed with exit code {usage.ExitCode}; every other stage reads its sources.");
        }

        return stage;
    }

    /// <summary>Rows of a <c>tipw simulate --format json</c> stage: the hotline calls simulated.</summary>
    private static (long? Rows, string Detail) SimulatedCalls(ChildUsage usage)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (StagePhase.JsonOutput(usage.StandardOutput) is { ValueKind: System.Text.Json.JsonValueKind.Array } array)
        {
            foreach (var row in array.EnumerateArray())
            {
                var cells = row.EnumerateObject().Select(p => p.Value.ToString()).ToList();
                if (cells.Count >= 2)
                {
                    values[cells[0]] = cells[1];
                }
            }
        }

        long? Count(string key) => values.TryGetValue(key, out var text) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
        return (Count("hotline_calls"), $"as of {values.GetValueOrDefault("as_of", "?")}: {Count("hotline_calls"):N0} calls, {Count("police_reports"):N0} police reports, {Count("prosecution_events"):N0} prosecution events");
    }

    /// <summary>Rows of a <c>tipw run … --format json</c> stage: the rows read by its pipelines, summed.</summary>
    private (long? Rows, string Detail) RunRows(ChildUsage usage)
    {
        if (StagePhase.JsonOutput(usage.StandardOutput) is not { ValueKind: System.Text.Json.JsonValueKind.Array } array)
        {
            return (null, "no run summary on stdout");
        }

        long total = 0;
        var parts = new List<string>();
        foreach (var run in array.EnumerateArray())
        {
            var pipeline = run.GetProperty("pipeline").GetString();
            var read = run.GetProperty("rows_read").GetInt64();
            total += read;
            parts.Add($"{pipeline} {run.GetProperty("status").GetString()} {read:N0} read, {run.GetProperty("rows_loaded").GetInt64():N0} loaded");
        }

        return (total, string.Join("; ", parts));
    }

    /// <summary>Rows of the <c>tipw model train --format json</c> stage: the labelled calls it fitted on and tested on.</summary>
    private static (long? Rows, string Detail) TrainedRows(ChildUsage usage)
    {
        if (StagePhase.JsonOutput(usage.StandardOutput) is not { ValueKind: System.Text.Json.JsonValueKind.Array } array || array.GetArrayLength() == 0)
        {
            return (null, "no training summary on stdout");
        }

        var model = array[0];
        var train = model.GetProperty("train_rows").GetInt64();
        var test = model.GetProperty("test_rows").GetInt64();
        return (train + test, $"{model.GetProperty("trainer").GetString()} on {train:N0} calls, tested on {test:N0} (precision {model.GetProperty("precision")}, recall {model.GetProperty("recall")}), activated");
    }

    /// <summary>Rows of the reports stage: the calls in the warehouse; its latencies go to the details.</summary>
    private (long? Rows, string Detail) ReportRows(ChildUsage usage)
    {
        var values = StagePhase.KeyValues(usage.StandardOutput, "REPORTS-RESULT ");
        foreach (var (key, detail) in new[] { ("monthly_ms", "report.monthly_ms"), ("funnel_ms", "report.funnel_ms"), ("all_ms", "report.all_reports_once_ms"), ("monthly_rows", "report.monthly_rows") })
        {
            if (StagePhase.Number(values, key) is { } v)
            {
                _details[detail] = v;
            }
        }

        var calls = StagePhase.Number(values, "calls") is { } c ? (long)c : (long?)null;
        return (calls, $"monthly {values.GetValueOrDefault("monthly_ms", "?")} ms and funnel {values.GetValueOrDefault("funnel_ms", "?")} ms (medians), every canned report once {values.GetValueOrDefault("all_ms", "?")} ms, on {calls:N0} calls");
    }

    /// <summary>The SQL-only pipeline (<see cref="SqlOnlyPipeline"/>) on <c>--sources DIR --home HOME --pipelines DIR</c>, after an untimed load of the police stations: rows read, rows loaded, seconds.</summary>
    public static async Task<SqlOnlyMeasurement> SqlOnlyBaselineAsync(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? sources = null, home = null, pipelines = null;
        for (var i = 2; i + 1 < args.Count; i += 2)
        {
            switch (args[i])
            {
                case "--sources": sources = args[i + 1]; break;
                case "--home": home = args[i + 1]; break;
                case "--pipelines": pipelines = args[i + 1]; break;
                default: throw new UsageException($"Unknown sql-only phase option '{args[i]}'.");
            }
        }

        if (sources is null || home is null || pipelines is null)
        {
            throw new UsageException("--phase sql-only needs --sources DIR --home DIR --pipelines DIR.");
        }

        return await SqlOnlyAsync(TipwHome.At(home), sources, pipelines);
    }

    private static async Task<SqlOnlyMeasurement> SqlOnlyAsync(TipwHome home, string sources, string pipelines, CancellationToken cancellationToken = default)
    {
        Require((await IngestPhase.TimeAsync(IngestPhase.NewEngine(home, pipelines), "police_stations", sources, cancellationToken)).Result, "police_stations");
        return SqlOnlyPipeline.Run(home, Path.Combine(sources, "hotline"), pipelines);
    }

    /// <summary>DuckDB's own <c>read_csv</c> of the hotline files into a plain table in a fresh database: rows and seconds.</summary>
    public static (long Rows, double Seconds) DuckDbBaseline(string databasePath, string hotlineFolder, string pipelines)
    {
        // Each file is read in the encoding the pipeline detects (outside the timing): DuckDB's latin-1 stands in for
        // Windows-1252 (they differ only in 0x80-0x9F, which the Windows-1252 files do not use), and the one UTF-8 day file
        // is read as UTF-8 (DuckDB refuses it as latin-1 because its multi-byte sequences contain 0x80-0x9F bytes).
        var spec = SpecLoader.LoadDirectory(pipelines).First(s => s.Name == "hotline");
        var byEncoding = Directory.EnumerateFiles(hotlineFolder, "*.csv").Order(StringComparer.Ordinal)
            .GroupBy(f => FileInspector.Inspect(f, spec.Source).Encoding.CodePage == Encoding.UTF8.CodePage ? "utf-8" : "latin-1")
            .OrderBy(g => g.Key == "latin-1" ? 0 : 1)
            .ToList();
        using var connection = Warehouse.OpenPath(databasePath);
        var started = Stopwatch.GetTimestamp();
        var first = true;
        foreach (var group in byEncoding)
        {
            var files = string.Join(", ", group.Select(f => "'" + f.Replace("'", "''", StringComparison.Ordinal) + "'"));
            var read = $"SELECT * FROM read_csv([{files}], delim = ';', header = true, encoding = '{group.Key}', all_varchar = true, null_padding = true, ignore_errors = true)";
            using var command = connection.CreateCommand();
            command.CommandText = first ? "CREATE TABLE raw AS " + read : "INSERT INTO raw " + read;
            command.ExecuteNonQuery();
            first = false;
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return (Scalar<long>(connection, "SELECT COUNT(*) FROM raw"), seconds);
    }

    /// <summary>Median latency of the monthly and funnel reports on <paramref name="home"/>'s warehouse (after a warm-up), the time
    /// of every canned report built once after those, the monthly report's rows and the warehouse's call count.</summary>
    public ReportLatency QueryLatency(TipwHome home)
    {
        using var connection = Warehouse.Open(home, readOnly: true);
        var calls = Scalar<long>(connection, "SELECT COUNT(*) FROM dw.fact_hotline_call");
        var request = new ReportRequest();
        double Median(Action run)
        {
            run(); // warm-up: first execution plans and pages in
            var times = new double[_options.QueryRepetitions];
            for (var i = 0; i < times.Length; i++)
            {
                var started = Stopwatch.GetTimestamp();
                run();
                times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }

            Array.Sort(times);
            return times.Length % 2 == 1 ? times[times.Length / 2] : (times[(times.Length / 2) - 1] + times[times.Length / 2]) / 2;
        }

        var monthly = Median(() => MonthlyReport.Build(connection, request));
        var funnel = Median(() => FunnelReport.Build(connection, request));
        var everyReport = Stopwatch.GetTimestamp();
        foreach (var name in ReportCatalog.Names)
        {
            _ = ReportCatalog.Run(connection, name, request);
        }

        var allMs = Stopwatch.GetElapsedTime(everyReport).TotalMilliseconds;
        return new ReportLatency(monthly, funnel, allMs, MonthlyReport.Build(connection, request).Rows.Count, calls);
    }

    private (double TrainSeconds, int Trained, double ScoreRate, int Scored) Classifier(TipwHome home, CancellationToken cancellationToken)
    {
        IReadOnlyList<CallFeatures> labelled;
        using (var connection = Warehouse.Open(home, readOnly: true))
        {
            labelled = WarehouseCalls.ReadLabelled(connection).Calls;
        }

        // An even stride keeps every month represented, which the time-based split needs.
        var stride = Math.Max(1, labelled.Count / _options.TrainingCalls);
        var sample = labelled.Where((_, i) => i % stride == 0).Take(_options.TrainingCalls).ToList();
        _details["ml.labelled_available"] = labelled.Count;
        var started = Stopwatch.GetTimestamp();
        var result = new CallClassifierTrainer(TimeProvider.System).Train(sample, new TrainingOptions(), cancellationToken);
        var trainSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        _details["ml.test_precision"] = result.TestMetrics.Precision;
        _details["ml.test_recall"] = result.TestMetrics.Recall;

        // Scoring: the batch path the scoring step uses (featurize + model transform + read probabilities), warm.
        var ml = new MLContext(20060313);
        var toScore = labelled.Count >= 200_000 ? labelled.Take(200_000).ToList() : labelled;
        _ = CallScorer.Probabilities(ml, result.Model, toScore.Take(1000).ToList());
        var scoreStarted = Stopwatch.GetTimestamp();
        var scores = CallScorer.Probabilities(ml, result.Model, toScore);
        var scoreSeconds = Stopwatch.GetElapsedTime(scoreStarted).TotalSeconds;
        _details["ml.scoring_seconds"] = scoreSeconds;
        return (trainSeconds, sample.Count, scores.Length / scoreSeconds, scores.Length);
    }

    private T Step<T>(string name, Func<T> action, Func<T, string> describe)
    {
        _log.WriteLine($"harness: {name} …");
        var started = Stopwatch.GetTimestamp();
        var result = action();
        Record(name, Stopwatch.GetElapsedTime(started).TotalSeconds, describe(result));
        return result;
    }

    private async Task<T> StepAsync<T>(string name, Func<Task<T>> action, Func<T, string> describe)
    {
        _log.WriteLine($"harness: {name} …");
        var started = Stopwatch.GetTimestamp();
        var result = await action();
        Record(name, Stopwatch.GetElapsedTime(started).TotalSeconds, describe(result));
        return result;
    }

    /// <summary>
    /// A step whose failure (a baseline in this process running out of memory at a large scale) is recorded as a failed
    /// step with its error, not thrown, so that the run goes on and reports what it measured; cancellation still stops it.
    /// </summary>
    private async Task<(T? Value, string? Error)> TryStepAsync<T>(string name, Func<Task<T>> action, Func<T, string> describe)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return (await StepAsync(name, action, describe), null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var error = ex.Message.Split('\n', 2)[0].Trim();
            Record(name, Stopwatch.GetElapsedTime(started).TotalSeconds, "failed: " + error);
            return (default, error);
        }
    }

    private void Record(string name, double seconds, string detail)
    {
        var load = MachineInfo.LoadAverage();
        _maxLoad = Math.Max(_maxLoad, MachineInfo.LoadAverage1());
        _steps.Add(new StepTiming(name, seconds, load, detail));
        _log.WriteLine($"harness: {name}: {seconds:0.00} s, load {load}; {detail}");
    }

    private static TipwHome NewHome(string work, string template, string name)
    {
        var home = new TipwHome(Path.Combine(work, "home-" + name));
        home.EnsureCreated();
        File.Copy(template, home.WarehousePath, overwrite: true);
        var key = PseudonymKey.FilePath(home);
        File.WriteAllBytes(key, s_benchmarkKey);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return home;
    }

    private static void Require(Core.Pipelines.PipelineRunResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new TipwException($"Benchmark load of {what} failed: {result.Error}");
        }
    }

    private static T Scalar<T>(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)Convert.ChangeType(command.ExecuteScalar()!, typeof(T), CultureInfo.InvariantCulture);
    }

    /// <summary><c>benchmarks/results</c> of the repository that holds the working directory (else of the current folder).</summary>
    public static string LocateResultsRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TipWarehouse.sln")))
            {
                return Path.Combine(dir.FullName, "benchmarks", "results");
            }
        }

        return Path.Combine(Directory.GetCurrentDirectory(), "benchmarks", "results");
    }

    private void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException ex)
        {
            _log.WriteLine($"harness: could not delete {folder}: {ex.Message}");
        }
    }
}
