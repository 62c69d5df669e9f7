using System.Globalization;
using System.Text.RegularExpressions;
using TipWarehouse.Core.Pipelines;
using TipWarehouse.Etl.Extraction;
using TipWarehouse.Etl.Sources;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace TipWarehouse.Etl.Specs;

/// <summary>Loads and validates every <c>*.yaml</c> spec of a pipelines folder; any error stops everything before a run.</summary>
public static partial class SpecLoader
{
    private static readonly string[] s_topKeys =
    [
        "name", "description", "kind", "schedule", "retry", "upstream", "source", "incremental", "batch_size", "target",
        "natural_key", "columns", "pii", "scrub", "child", "duplicates", "reconcile", "counted_flags", "rebuild", "transforms", "settings", "tests", "freshness",
    ];

    /// <summary>Loads every spec in <paramref name="directory"/>, checks cross-references and returns them upstream first; <paramref name="sourceKinds"/> are the registered source kinds (default: the built-in ones).</summary>
    public static IReadOnlyList<PipelineSpec> LoadDirectory(string directory, IEnumerable<string>? stepKinds = null, IEnumerable<ISourceKind>? sourceKinds = null)
    {
        var sources = Registry(sourceKinds);
        if (!Directory.Exists(directory))
        {
            throw new SpecException([new SpecError(directory, 0, "pipelines", "the pipelines folder does not exist")]);
        }

        var errors = new List<SpecError>();
        var specs = new List<PipelineSpec>();
        foreach (var file in Directory.EnumerateFiles(directory, "*.yaml").Concat(Directory.EnumerateFiles(directory, "*.yml")).Order(StringComparer.Ordinal))
        {
            var spec = Parse(file, File.ReadAllText(file), directory, errors, sources.Values);
            if (spec is not null)
            {
                specs.Add(spec);
            }
        }

        var kinds = new HashSet<string>(stepKinds ?? [], StringComparer.Ordinal);
        var names = specs.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var group in specs.GroupBy(s => s.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add(new SpecError(group.Last().SpecPath, 1, "name", $"pipeline name '{group.Key}' is used by more than one spec"));
        }

        foreach (var spec in specs)
        {
            foreach (var upstream in spec.Upstream.Where(u => !names.Contains(u)))
            {
                errors.Add(new SpecError(spec.SpecPath, LineOf(spec, "upstream"), "upstream", $"unknown upstream pipeline '{upstream}' (known: {string.Join(", ", names.Order())})"));
            }

            if (!sources.ContainsKey(spec.Kind) && !kinds.Contains(spec.Kind) && stepKinds is not null)
            {
                errors.Add(new SpecError(spec.SpecPath, LineOf(spec, "kind"), "kind", $"no step is registered for kind '{spec.Kind}' (source kinds: {string.Join(", ", sources.Keys)}; registered: {string.Join(", ", kinds.Order())})"));
            }
        }

        List<PipelineSpec> ordered = [];
        if (errors.Count == 0)
        {
            ordered = TopologicalOrder(specs, errors);
        }

        if (errors.Count > 0)
        {
            throw new SpecException([.. errors.OrderBy(e => e.File, StringComparer.Ordinal).ThenBy(e => e.Line)]);
        }

        return ordered;
    }

    /// <summary>Parses one spec file; problems are added to <paramref name="errors"/>; null only when the YAML itself cannot be read.</summary>
    public static PipelineSpec? Parse(string file, string yaml, string pipelinesDirectory, List<SpecError> errors, IEnumerable<ISourceKind>? sourceKinds = null)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var sources = Registry(sourceKinds);
        var before = errors.Count;
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode mapping)
            {
                errors.Add(new SpecError(file, 1, "(document)", "a spec must be a YAML mapping (key: value lines)"));
                return null;
            }

            root = mapping;
        }
        catch (YamlException ex)
        {
            errors.Add(new SpecError(file, (int)ex.Start.Line, "(syntax)", ex.Message));
            return null;
        }

        var r = new MapReader(file, root, "", errors);
        r.CheckKeys(s_topKeys);
        var fileName = Path.GetFileNameWithoutExtension(file);
        var name = r.String("name") ?? fileName;
        if (!NameRegex().IsMatch(name))
        {
            errors.Add(new SpecError(file, r.LineOf("name"), "name", $"'{name}' is not a valid pipeline name (lower case letters, digits, '_')"));
        }
        else if (name != fileName)
        {
            errors.Add(new SpecError(file, r.LineOf("name"), "name", $"the name '{name}' must match the file name '{fileName}'"));
        }

        var sourceMap = r.Map("source");
        var kind = r.String("kind") ?? sourceMap?.String("kind");
        if (kind is null)
        {
            errors.Add(new SpecError(file, 1, "kind", $"required: a source kind ({string.Join(", ", sources.Keys)}) or a registered step kind (linkage, scoring, ...)"));
            kind = "?";
        }

        var sourceKind = sources.GetValueOrDefault(kind);
        var builtIn = sourceKind is not null;
        var schedule = r.Map("schedule");
        schedule?.CheckKeys(["cron", "time_zone"]);
        var cron = schedule?.String("cron") ?? "0 0 6 * * ?";
        if (!IsValidCron(cron, out var cronProblem))
        {
            errors.Add(new SpecError(file, schedule?.LineOf("cron") ?? 1, "schedule.cron", $"'{cron}' is not a Quartz cron expression: {cronProblem}"));
        }

        var timeZone = schedule?.String("time_zone") ?? "America/Lima";
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _))
        {
            errors.Add(new SpecError(file, schedule?.LineOf("time_zone") ?? 1, "schedule.time_zone", $"unknown time zone '{timeZone}' (use an IANA id such as America/Lima)"));
        }

        var retryMap = r.Map("retry");
        retryMap?.CheckKeys(["max_attempts", "initial_delay", "max_delay"]);
        var retry = new RetryPolicy(
            retryMap?.Int("max_attempts", 1, 100) ?? RetryPolicy.Default.MaxAttempts,
            retryMap?.Duration("initial_delay") ?? RetryPolicy.Default.InitialDelay,
            retryMap?.Duration("max_delay") ?? RetryPolicy.Default.MaxDelay);

        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var m in new[] { r.Map("settings"), sourceMap?.Map("settings") })
        {
            if (m is not null)
            {
                foreach (var (k, v) in m.Scalars())
                {
                    settings[k] = v;
                }
            }
        }

        SourceSpec source = new() { Settings = settings };
        if (sourceMap is not null)
        {
            sourceMap.CheckKeys(sourceKind is not null ? [.. sourceKind.SourceKeys] : null);
            var delimiter = sourceMap.String("delimiter") ?? ",";
            var delimiterChar = delimiter switch { "\\t" or "tab" => '\t', _ when delimiter.Length == 1 => delimiter[0], _ => '\0' };
            if (delimiterChar == '\0')
            {
                errors.Add(new SpecError(file, sourceMap.LineOf("delimiter"), "source.delimiter", $"'{delimiter}' must be one character (or 'tab')"));
            }

            source = new SourceSpec
            {
                Path = sourceMap.String("path"),
                Pattern = sourceMap.String("pattern"),
                FileDateRegex = sourceMap.String("file_date_regex"),
                FileDateFormat = sourceMap.String("file_date_format"),
                Encoding = sourceMap.String("encoding") ?? "utf-8",
                DetectEncoding = sourceMap.Bool("detect_encoding") ?? true,
                Delimiter = delimiterChar,
                Culture = sourceMap.String("culture") ?? "invariant",
                Table = sourceMap.String("table"),
                Query = sourceMap.String("query"),
                ConnectionEnv = sourceMap.String("connection_env"),
                FilesPerBatch = sourceMap.Int("files_per_batch", 1, 100_000) ?? 1,
                MaxMegabytesPerBatch = sourceMap.Int("max_mb_per_batch", 1, 1_000_000),
                StableFor = sourceMap.Duration("stable_for"),
                CompletionMarker = sourceMap.String("completion_marker"),
                SchemaDrift = sourceMap.String("schema_drift") ?? "fail",
                Settings = settings,
            };
            if (source.SchemaDrift is not ("fail" or "flag"))
            {
                errors.Add(new SpecError(file, sourceMap.LineOf("schema_drift"), "source.schema_drift", $"'{source.SchemaDrift}' is not one of fail, flag"));
            }

            if (source.CompletionMarker is { } marker && !marker.Contains("{file}", StringComparison.Ordinal))
            {
                errors.Add(new SpecError(file, sourceMap.LineOf("completion_marker"), "source.completion_marker", $"'{marker}' must contain {{file}} (e.g. '{{file}}.done')"));
            }
            CheckSource(file, sourceKind, source, sourceMap, errors);
        }
        else if (builtIn)
        {
            errors.Add(new SpecError(file, 1, "source", $"required for a {kind} pipeline (path, format)"));
        }

        var incMap = r.Map("incremental");
        incMap?.CheckKeys(["strategy", "column", "window_column", "chunk_rows", "future_tolerance", "full_compare_every"]);
        var incremental = new IncrementalSpec
        {
            Strategy = incMap?.String("strategy") ?? IncrementalStrategies.None,
            Column = incMap?.String("column"),
            WindowColumn = incMap?.String("window_column"),
            ChunkRows = incMap?.Int("chunk_rows", 1, 100_000_000) ?? 100_000,
            FutureTolerance = incMap?.Duration("future_tolerance") ?? TimeSpan.FromDays(1),
            FullCompareEvery = incMap?.Duration("full_compare_every"),
        };
        if (incremental.Strategy is not (IncrementalStrategies.FileManifest or IncrementalStrategies.Watermark or IncrementalStrategies.Sequence or IncrementalStrategies.None))
        {
            errors.Add(new SpecError(file, incMap!.LineOf("strategy"), "incremental.strategy", $"'{incremental.Strategy}' is not one of file_manifest, watermark, sequence, none"));
        }
        else if (sourceKind is not null && !sourceKind.Strategies.Contains(incremental.Strategy))
        {
            errors.Add(new SpecError(file, incMap?.LineOf("strategy") ?? 1, "incremental.strategy", $"'{incremental.Strategy}' is not supported by a {kind} source (supported: {string.Join(", ", sourceKind.Strategies)})"));
        }

        var columns = ReadColumns(r, "columns", file, errors);
        var pii = ReadPii(r, "pii", errors);
        var scrub = ReadScrub(r, errors);
        ChildSpec? child = null;
        var childMap = r.Map("child");
        if (childMap is not null)
        {
            childMap.CheckKeys(["path", "target", "index_column", "parent_columns", "columns", "pii"]);
            var parentColumns = new Dictionary<string, string>(StringComparer.Ordinal);
            var pc = childMap.Map("parent_columns");
            if (pc is not null)
            {
                foreach (var (k, v) in pc.Scalars())
                {
                    parentColumns[k] = v;
                }
            }

            child = new ChildSpec
            {
                Path = childMap.RequiredString("path") ?? "",
                Target = childMap.RequiredString("target") ?? "",
                IndexColumn = childMap.String("index_column"),
                ParentColumns = parentColumns,
                Columns = ReadColumns(childMap, "columns", file, errors),
                Pii = ReadPii(childMap, "pii", errors),
            };
        }

        DuplicateSpec? duplicates = null;
        var dupMap = r.Map("duplicates");
        if (dupMap is not null)
        {
            dupMap.CheckKeys(["key", "version", "already_loaded"]);
            duplicates = new DuplicateSpec
            {
                Key = dupMap.StringList("key"),
                Version = dupMap.String("version"),
                AlreadyLoaded = dupMap.String("already_loaded"),
            };
            if (duplicates.Key.Count == 0)
            {
                errors.Add(new SpecError(file, dupMap.LineOf("key"), "duplicates.key", "required: the staging columns that identify a row"));
            }
        }

        ReconcileSpec? reconcile = null;
        var reconcileMap = r.Map("reconcile");
        if (reconcileMap is not null)
        {
            reconcileMap.CheckKeys(["table", "key", "table_key", "reason"]);
            var table = reconcileMap.String("table");
            var key = reconcileMap.String("key");
            if (table is null || key is null || !IdentifierRegex().IsMatch(key) || !TableNameRegex().IsMatch(table) || (reconcileMap.String("table_key") is { } tk && !IdentifierRegex().IsMatch(tk)))
            {
                errors.Add(new SpecError(file, r.LineOf("reconcile"), "reconcile", "needs table (schema.table) and key (a staging column), optional table_key and reason"));
            }
            else
            {
                reconcile = new ReconcileSpec { Table = table, Key = key, TableKey = reconcileMap.String("table_key"), Reason = reconcileMap.String("reason") ?? "the transforms did not load the row" };
            }
        }

        var transforms = new List<string>();
        var transformLines = r.ListLines("transforms");
        var transformNames = r.StringList("transforms");
        for (var i = 0; i < transformNames.Count; i++)
        {
            var full = Path.GetFullPath(Path.Combine(pipelinesDirectory, transformNames[i]));
            if (!File.Exists(full))
            {
                errors.Add(new SpecError(file, transformLines.ElementAtOrDefault(i), $"transforms[{i}]", $"transform file '{transformNames[i]}' does not exist (looked in {full})"));
            }

            transforms.Add(full);
        }

        var target = r.String("target");
        if (builtIn)
        {
            if (target is null || !TableNameRegex().IsMatch(target))
            {
                errors.Add(new SpecError(file, r.LineOf("target"), "target", "required: the staging table, schema-qualified (stg.name)"));
            }

            if (columns.Count == 0)
            {
                errors.Add(new SpecError(file, r.LineOf("columns"), "columns", "required: at least one source column"));
            }

            CheckReferences(file, r, columns, pii, scrub, incremental, incMap, errors);
        }

        var spec = new PipelineSpec
        {
            Name = name,
            Kind = kind,
            Description = r.String("description"),
            SpecPath = Path.GetFullPath(file),
            Cron = cron,
            TimeZone = timeZone,
            Retry = retry,
            Upstream = r.StringList("upstream"),
            Source = source,
            Incremental = incremental,
            BatchSize = r.Int("batch_size", 1, 10_000_000) ?? 65_536,
            Target = target,
            NaturalKey = r.StringList("natural_key"),
            Columns = columns,
            Pii = pii,
            Scrub = scrub,
            Child = child,
            Duplicates = duplicates,
            Reconcile = reconcile,
            CountedFlags = ReadCountedFlags(r, file, errors),
            Rebuild = ReadRebuild(r, file, errors),
            Transforms = transforms,
            Tests = ReadTests(r, file, errors),
            Freshness = r.Duration("freshness"),
        };
        s_lines.AddOrUpdate(spec.SpecPath, r.KeyLines, (_, _) => r.KeyLines);

        // Returned even when it has errors, so cross-spec checks (upstream names) still report in the same pass.
        _ = before;
        return spec;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Dictionary<string, int>> s_lines = new(StringComparer.Ordinal);

    internal static int LineOf(PipelineSpec spec, string key) =>
        s_lines.TryGetValue(spec.SpecPath, out var lines) && lines.TryGetValue(key, out var line) ? line : 1;

    private static IReadOnlyDictionary<string, ISourceKind> Registry(IEnumerable<ISourceKind>? sourceKinds) =>
        sourceKinds is null ? s_builtIn : sourceKinds.ToDictionary(k => k.Kind, StringComparer.Ordinal);

    private static readonly IReadOnlyDictionary<string, ISourceKind> s_builtIn = SourceKindRegistry.With(null);

    private static void CheckSource(string file, ISourceKind? kind, SourceSpec source, MapReader map, List<SpecError> errors)
    {
        if (kind is null)
        {
            return;
        }

        foreach (var (key, message) in kind.Validate(source))
        {
            errors.Add(new SpecError(file, map.LineOf(key), "source." + key, message));
        }

        if (source.Culture != "invariant")
        {
            try
            {
                _ = CultureInfo.GetCultureInfo(source.Culture);
            }
            catch (CultureNotFoundException)
            {
                errors.Add(new SpecError(file, map.LineOf("culture"), "source.culture", $"unknown culture '{source.Culture}'"));
            }
        }

        if (source.FileDateRegex is not null)
        {
            try
            {
                var regex = new Regex(source.FileDateRegex, RegexOptions.None, TimeSpan.FromSeconds(1));
                if (regex.GetGroupNumbers().Length < 2)
                {
                    errors.Add(new SpecError(file, map.LineOf("file_date_regex"), "source.file_date_regex", "needs one capture group around the date"));
                }
            }
            catch (ArgumentException ex)
            {
                errors.Add(new SpecError(file, map.LineOf("file_date_regex"), "source.file_date_regex", ex.Message));
            }
        }
    }

    private static void CheckReferences(string file, MapReader r, IReadOnlyList<ColumnSpec> columns, IReadOnlyList<PiiSpec> pii, IReadOnlyList<ScrubSpec> scrub, IncrementalSpec incremental, MapReader? incMap, List<SpecError> errors)
    {
        var names = columns.Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var group in columns.GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            errors.Add(new SpecError(file, group.Last().Line, "columns", $"column '{group.Key}' is declared twice"));
        }

        foreach (var column in columns.Where(c => c.Pii && c.Target is not null))
        {
            errors.Add(new SpecError(file, column.Line, $"columns.{column.Name}.target", "a PII column cannot be staged in clear text; declare it under pii: to stage its pseudonym"));
        }

        foreach (var p in pii)
        {
            foreach (var c in p.Columns.Where(c => !names.Contains(c)))
            {
                errors.Add(new SpecError(file, p.Line, "pii.columns", $"unknown column '{c}'"));
            }

            foreach (var c in p.Columns.Where(names.Contains).Where(c => !columns.First(x => string.Equals(x.Name, c, StringComparison.OrdinalIgnoreCase)).Pii))
            {
                errors.Add(new SpecError(file, p.Line, "pii.columns", $"column '{c}' must be declared with pii: true"));
            }
        }

        foreach (var s in scrub)
        {
            if (!names.Contains(s.Column))
            {
                errors.Add(new SpecError(file, s.Line, "scrub.column", $"unknown column '{s.Column}'"));
            }

            foreach (var c in s.NamesFrom.Where(c => !names.Contains(c)))
            {
                errors.Add(new SpecError(file, s.Line, "scrub.names_from", $"unknown column '{c}'"));
            }
        }

        foreach (var (key, value) in new[] { ("column", incremental.Column), ("window_column", incremental.WindowColumn) })
        {
            if (value is not null && !names.Contains(value))
            {
                errors.Add(new SpecError(file, incMap?.LineOf(key) ?? r.Line, $"incremental.{key}", $"unknown column '{value}'"));
            }
        }

        if (incremental.Strategy is IncrementalStrategies.Watermark or IncrementalStrategies.Sequence && incremental.Column is null)
        {
            errors.Add(new SpecError(file, incMap?.LineOf("strategy") ?? r.Line, "incremental.column", $"required for strategy {incremental.Strategy}"));
        }
    }

    private static List<ColumnSpec> ReadColumns(MapReader r, string key, string file, List<SpecError> errors)
    {
        var result = new List<ColumnSpec>();
        foreach (var c in r.MapList(key))
        {
            c.CheckKeys(["name", "type", "target", "path", "format", "formats", "required", "pii", "max_length", "min", "max", "values", "digits", "on_invalid"]);
            var name = c.RequiredString("name");
            if (name is null)
            {
                continue;
            }

            var typeText = c.String("type") ?? "string";
            ColumnType type;
            switch (typeText)
            {
                case "string": type = ColumnType.String; break;
                case "int": type = ColumnType.Int; break;
                case "long": type = ColumnType.Long; break;
                case "decimal": type = ColumnType.Decimal; break;
                case "date": type = ColumnType.Date; break;
                case "datetime": type = ColumnType.DateTime; break;
                case "bool": type = ColumnType.Bool; break;
                default:
                    errors.Add(new SpecError(file, c.LineOf("type"), $"{c.Path}.type", $"unknown type '{typeText}' (string, int, long, decimal, date, datetime, bool)"));
                    type = ColumnType.String;
                    break;
            }

            var formats = c.StringList("formats").ToList();
            if (c.String("format") is { } f)
            {
                formats.Insert(0, f);
            }

            var onInvalid = c.String("on_invalid") ?? "reject";
            if (onInvalid is not ("reject" or "null"))
            {
                errors.Add(new SpecError(file, c.LineOf("on_invalid"), $"{c.Path}.on_invalid", $"'{onInvalid}' must be reject or null"));
            }

            var column = new ColumnSpec
            {
                Name = name,
                Type = type,
                Target = c.String("target"),
                Path = c.String("path"),
                Formats = formats,
                Required = c.Bool("required") ?? false,
                Pii = c.Bool("pii") ?? false,
                MaxLength = c.Int("max_length", 1, 1_000_000),
                Min = c.String("min"),
                Max = c.String("max"),
                Values = c.StringList("values"),
                Digits = c.Int("digits", 1, 40),
                NullOnInvalid = onInvalid == "null",
                Line = c.Line,
            };
            foreach (var (boundKey, bound) in new[] { ("min", column.Min), ("max", column.Max) })
            {
                if (bound is not null && !ValueParser.TryParseBound(column, bound, out _))
                {
                    errors.Add(new SpecError(file, c.LineOf(boundKey), $"{c.Path}.{boundKey}", $"'{bound}' is not a valid {typeText} bound"));
                }
            }

            result.Add(column);
        }

        return result;
    }

    private static List<PiiSpec> ReadPii(MapReader r, string key, List<SpecError> errors)
    {
        var result = new List<PiiSpec>();
        foreach (var p in r.MapList(key))
        {
            p.CheckKeys(["kind", "columns", "target", "phonetic_target"]);
            var kind = p.RequiredString("kind") ?? "name";
            if (kind is not ("name" or "dni"))
            {
                errors.Add(new SpecError(p.File, p.LineOf("kind"), $"{p.Path}.kind", $"'{kind}' must be name or dni"));
            }

            var columns = p.StringList("columns");
            if (columns.Count == 0)
            {
                errors.Add(new SpecError(p.File, p.Line, $"{p.Path}.columns", "required: the clear-text source columns"));
            }

            result.Add(new PiiSpec { Kind = kind, Columns = columns, Target = p.RequiredString("target") ?? "", PhoneticTarget = p.String("phonetic_target"), Line = p.Line });
        }

        return result;
    }

    private static List<CountedFlagSpec> ReadCountedFlags(MapReader r, string file, List<SpecError> errors)
    {
        var result = new List<CountedFlagSpec>();
        foreach (var f in r.MapList("counted_flags"))
        {
            f.CheckKeys(["flag", "table", "column", "detail"]);
            var flag = f.RequiredString("flag");
            var table = f.RequiredString("table");
            var column = f.RequiredString("column");
            var detail = f.RequiredString("detail");
            if (flag is null || table is null || column is null || detail is null)
            {
                continue;
            }

            if (!TableNameRegex().IsMatch(table))
            {
                errors.Add(new SpecError(file, f.LineOf("table"), $"{f.Path}.table", $"'{table}' must be schema-qualified (dw.name)"));
            }
            else if (!IdentifierRegex().IsMatch(column) || !IdentifierRegex().IsMatch(flag))
            {
                errors.Add(new SpecError(file, f.Line, f.Path, "flag and column must be identifiers (letters, digits, _)"));
            }
            else
            {
                result.Add(new CountedFlagSpec { Flag = flag, Table = table, Column = column, Detail = detail, Line = f.Line });
            }
        }

        return result;
    }

    private static List<RebuildTableSpec> ReadRebuild(MapReader r, string file, List<SpecError> errors)
    {
        var result = new List<RebuildTableSpec>();
        foreach (var t in r.MapList("rebuild"))
        {
            t.CheckKeys(["table", "key", "surrogate", "where", "referenced_by", "downstream"]);
            var table = t.RequiredString("table") ?? "?";
            var key = t.StringList("key");
            var surrogate = t.String("surrogate");
            var referencedBy = t.StringList("referenced_by");
            var downstream = t.StringList("downstream");
            if (downstream.Any(c => !IdentifierRegex().IsMatch(c)))
            {
                errors.Add(new SpecError(file, t.LineOf("downstream"), $"{t.Path}.downstream", "must list column names"));
            }

            if (!TableNameRegex().IsMatch(table))
            {
                errors.Add(new SpecError(file, t.LineOf("table"), $"{t.Path}.table", $"'{table}' must be schema-qualified (dw.name)"));
            }

            if (key.Count == 0 || key.Any(k => !IdentifierRegex().IsMatch(k)))
            {
                errors.Add(new SpecError(file, t.LineOf("key"), $"{t.Path}.key", "required: the columns that identify a row of the table (its natural key)"));
            }

            if (surrogate is not null && !IdentifierRegex().IsMatch(surrogate))
            {
                errors.Add(new SpecError(file, t.LineOf("surrogate"), $"{t.Path}.surrogate", $"'{surrogate}' is not a column name"));
            }

            foreach (var reference in referencedBy.Where(x => x.Split('.') is not [var schema, var name, var column] || !TableNameRegex().IsMatch(schema + "." + name) || !IdentifierRegex().IsMatch(column)))
            {
                errors.Add(new SpecError(file, t.LineOf("referenced_by"), $"{t.Path}.referenced_by", $"'{reference}' must be schema.table.column"));
            }

            if (referencedBy.Count > 0 && surrogate is null)
            {
                errors.Add(new SpecError(file, t.LineOf("referenced_by"), $"{t.Path}.referenced_by", "needs surrogate: the key column the references hold"));
            }

            result.Add(new RebuildTableSpec { Table = table, Key = key, Surrogate = surrogate, Where = t.String("where"), ReferencedBy = referencedBy, Downstream = downstream, Line = t.Line });
        }

        return result;
    }

    private static List<DataTestSpec> ReadTests(MapReader r, string file, List<SpecError> errors)
    {
        var result = new List<DataTestSpec>();
        foreach (var t in r.MapList("tests"))
        {
            t.CheckKeys(["name", "test", "table", "column", "severity", "where", "values", "to", "field", "min", "max", "sql"]);
            var test = t.RequiredString("test") ?? "?";
            var table = t.RequiredString("table") ?? "?";
            var column = t.String("column");
            if (!DataTestKinds.All.Contains(test))
            {
                errors.Add(new SpecError(file, t.LineOf("test"), $"{t.Path}.test", $"'{test}' is not a data test (one of {string.Join(", ", DataTestKinds.All)})"));
            }
            else if ((test is DataTestKinds.NotNull or DataTestKinds.Unique or DataTestKinds.Relationships or DataTestKinds.AcceptedValues) && column is null)
            {
                errors.Add(new SpecError(file, t.Line, $"{t.Path}.column", $"required for a {test} test"));
            }

            if (table != "?" && !TableNameRegex().IsMatch(table))
            {
                errors.Add(new SpecError(file, t.LineOf("table"), $"{t.Path}.table", $"'{table}' must be schema-qualified (dw.name)"));
            }

            var severity = t.String("severity") ?? "error";
            if (severity is not ("error" or "warning"))
            {
                errors.Add(new SpecError(file, t.LineOf("severity"), $"{t.Path}.severity", $"'{severity}' must be error or warning"));
            }

            var spec = new DataTestSpec
            {
                Name = t.String("name") ?? (column is null ? $"{test}:{table}" : $"{test}:{table}.{column}"),
                Test = test,
                Table = table,
                Column = column,
                Severity = severity,
                Where = t.String("where"),
                Values = t.StringList("values"),
                To = t.String("to"),
                Field = t.String("field"),
                Min = LongOrNull(t, "min", file, errors),
                Max = LongOrNull(t, "max", file, errors),
                Sql = t.String("sql"),
                Line = t.Line,
            };
            string? missing = test switch
            {
                DataTestKinds.AcceptedValues when spec.Values.Count == 0 => "values",
                DataTestKinds.Relationships when spec.To is null => "to",
                DataTestKinds.RowCount when spec.Min is null && spec.Max is null => "min",
                DataTestKinds.Sql when spec.Sql is null => "sql",
                _ => null,
            };
            if (missing is not null)
            {
                errors.Add(new SpecError(file, t.Line, $"{t.Path}.{missing}", $"required for a {test} test"));
            }

            if (result.Any(x => x.Name == spec.Name))
            {
                errors.Add(new SpecError(file, t.Line, $"{t.Path}.name", $"the test name '{spec.Name}' is used twice in this spec (set name:)"));
            }

            result.Add(spec);
        }

        return result;
    }

    private static long? LongOrNull(MapReader r, string key, string file, List<SpecError> errors)
    {
        var text = r.String(key);
        if (text is null)
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0)
        {
            return value;
        }

        errors.Add(new SpecError(file, r.LineOf(key), $"{r.Path}.{key}", $"'{text}' must be a whole number, 0 or more"));
        return null;
    }

    private static List<ScrubSpec> ReadScrub(MapReader r, List<SpecError> errors)
    {
        _ = errors;
        var result = new List<ScrubSpec>();
        foreach (var s in r.MapList("scrub"))
        {
            s.CheckKeys(["column", "names_from"]);
            result.Add(new ScrubSpec { Column = s.RequiredString("column") ?? "", NamesFrom = s.StringList("names_from"), Line = s.Line });
        }

        return result;
    }

    private static List<PipelineSpec> TopologicalOrder(List<PipelineSpec> specs, List<SpecError> errors)
    {
        var byName = specs.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var ordered = new List<PipelineSpec>();
        foreach (var spec in specs.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            Visit(spec, []);
        }

        return ordered;

        void Visit(PipelineSpec spec, List<string> path)
        {
            if (state.TryGetValue(spec.Name, out var s))
            {
                if (s == 1)
                {
                    errors.Add(new SpecError(spec.SpecPath, LineOf(spec, "upstream"), "upstream", $"cycle: {string.Join(" -> ", path)} -> {spec.Name}"));
                }

                return;
            }

            state[spec.Name] = 1;
            path.Add(spec.Name);
            foreach (var u in spec.Upstream)
            {
                Visit(byName[u], path);
            }

            path.RemoveAt(path.Count - 1);
            state[spec.Name] = 2;
            ordered.Add(spec);
        }
    }

    /// <summary>A Quartz cron expression: 6 or 7 fields (seconds first), checked by Quartz's own <c>CronExpression</c> parser.</summary>
    public static bool IsValidCron(string cron, out string problem)
    {
        ArgumentNullException.ThrowIfNull(cron);
        var fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length is not (6 or 7))
        {
            problem = $"it has {fields.Length} fields; Quartz needs 6 or 7 (sec min hour day-of-month month day-of-week [year])";
            return false;
        }

        try
        {
            // The same parser the scheduler uses, so a cron that passes here cannot fail in 'tipw serve'.
            _ = new Quartz.CronExpression(cron);
        }
        catch (FormatException ex)
        {
            problem = ex.Message;
            return false;
        }

        if ((fields[3] == "?") == (fields[5] == "?"))
        {
            // Quartz documents this rule but its parser does not enforce it; a cron with both fires on either day.
            problem = "exactly one of day-of-month and day-of-week must be '?'";
            return false;
        }

        // Quartz 4 accepts out-of-range seconds and minutes ('99 * * * * ?' fires every second): refuse them here.
        string[] names = ["seconds", "minutes", "hours", "day-of-month", "month", "day-of-week"];
        (int Min, int Max)[] ranges = [(0, 59), (0, 59), (0, 23), (1, 31), (1, 12), (1, 7)];
        for (var i = 0; i < names.Length; i++)
        {
            foreach (var item in fields[i].Split(','))
            {
                foreach (var piece in item.Split('/')[0].Split('-'))
                {
                    var digits = piece.AsSpan()[..(piece.Length - piece.AsSpan().TrimStart("0123456789").Length)];
                    if (digits.Length > 0 && (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < ranges[i].Min || value > ranges[i].Max))
                    {
                        problem = $"the {names[i]} field '{fields[i]}' has {digits}, outside {ranges[i].Min}-{ranges[i].Max}";
                        return false;
                    }
                }
            }
        }

        problem = "";
        return true;
    }

    [GeneratedRegex("^[a-z][a-z0-9_]{0,59}$")]
    private static partial Regex NameRegex();

    [GeneratedRegex(@"^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$")]
    private static partial Regex TableNameRegex();

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex IdentifierRegex();

    /// <summary>Reads a YAML mapping while remembering lines and reporting unknown keys and bad values.</summary>
    private sealed class MapReader(string file, YamlMappingNode node, string path, List<SpecError> errors)
    {
        public string File => file;

        public string Path => path;

        public int Line => (int)node.Start.Line;

        public Dictionary<string, int> KeyLines { get; } = node.Children.ToDictionary(
            kv => ((YamlScalarNode)kv.Key).Value ?? "", kv => (int)kv.Key.Start.Line, StringComparer.Ordinal);

        public int LineOf(string key) => KeyLines.TryGetValue(key, out var line) ? line : Line;

        private string Field(string key) => path.Length == 0 ? key : path + "." + key;

        public void CheckKeys(IReadOnlyCollection<string>? allowed)
        {
            if (allowed is null)
            {
                return;
            }

            foreach (var (key, _) in node.Children)
            {
                var name = ((YamlScalarNode)key).Value ?? "";
                if (!allowed.Contains(name))
                {
                    errors.Add(new SpecError(file, (int)key.Start.Line, Field(name), $"unknown key (allowed: {string.Join(", ", allowed)})"));
                }
            }
        }

        private YamlNode? Get(string key) =>
            node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

        public string? String(string key)
        {
            var value = Get(key);
            switch (value)
            {
                case null:
                    return null;
                case YamlScalarNode scalar:
                    return scalar.Value;
                default:
                    errors.Add(new SpecError(file, (int)value.Start.Line, Field(key), "expected a single value"));
                    return null;
            }
        }

        public string? RequiredString(string key)
        {
            var value = String(key);
            if (string.IsNullOrWhiteSpace(value))
            {
                errors.Add(new SpecError(file, Line, Field(key), "required"));
                return null;
            }

            return value;
        }

        public bool? Bool(string key)
        {
            var text = String(key);
            if (text is null)
            {
                return null;
            }

            if (bool.TryParse(text, out var b))
            {
                return b;
            }

            errors.Add(new SpecError(file, LineOf(key), Field(key), $"'{text}' must be true or false"));
            return null;
        }

        public int? Int(string key, int min, int max)
        {
            var text = String(key);
            if (text is null)
            {
                return null;
            }

            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) && i >= min && i <= max)
            {
                return i;
            }

            errors.Add(new SpecError(file, LineOf(key), Field(key), $"'{text}' must be a whole number from {min} to {max}"));
            return null;
        }

        public TimeSpan? Duration(string key)
        {
            var text = String(key);
            if (text is null)
            {
                return null;
            }

            if (DurationParser.TryParse(text, out var span))
            {
                return span;
            }

            errors.Add(new SpecError(file, LineOf(key), Field(key), $"'{text}' is not a duration (e.g. 30s, 5m, 1h, 00:00:30)"));
            return null;
        }

        public MapReader? Map(string key)
        {
            var value = Get(key);
            switch (value)
            {
                case null:
                    return null;
                case YamlMappingNode map:
                    return new MapReader(file, map, Field(key), errors);
                default:
                    errors.Add(new SpecError(file, (int)value.Start.Line, Field(key), "expected a mapping (key: value lines)"));
                    return null;
            }
        }

        public IEnumerable<(string Key, string Value)> Scalars()
        {
            foreach (var (k, v) in node.Children)
            {
                var key = ((YamlScalarNode)k).Value ?? "";
                if (v is YamlScalarNode s)
                {
                    yield return (key, s.Value ?? "");
                }
                else
                {
                    errors.Add(new SpecError(file, (int)v.Start.Line, Field(key), "expected a single value"));
                }
            }
        }

        public List<string> StringList(string key)
        {
            var value = Get(key);
            switch (value)
            {
                case null:
                    return [];
                case YamlScalarNode s:
                    return s.Value is null ? [] : [s.Value];
                case YamlSequenceNode seq:
                    var list = new List<string>();
                    foreach (var item in seq)
                    {
                        if (item is YamlScalarNode itemScalar && itemScalar.Value is not null)
                        {
                            list.Add(itemScalar.Value);
                        }
                        else
                        {
                            errors.Add(new SpecError(file, (int)item.Start.Line, Field(key), "expected a list of values"));
                        }
                    }

                    return list;
                default:
                    errors.Add(new SpecError(file, (int)value.Start.Line, Field(key), "expected a list of values"));
                    return [];
            }
        }

        public IReadOnlyList<int> ListLines(string key) =>
            Get(key) is YamlSequenceNode seq ? [.. seq.Select(i => (int)i.Start.Line)] : [];

        public IEnumerable<MapReader> MapList(string key)
        {
            var value = Get(key);
            if (value is null)
            {
                yield break;
            }

            if (value is not YamlSequenceNode seq)
            {
                errors.Add(new SpecError(file, (int)value.Start.Line, Field(key), "expected a list of mappings (- name: ...)"));
                yield break;
            }

            var i = 0;
            foreach (var item in seq)
            {
                if (item is YamlMappingNode map)
                {
                    var label = map.Children.TryGetValue(new YamlScalarNode("name"), out var n) && n is YamlScalarNode ns ? ns.Value : i.ToString(CultureInfo.InvariantCulture);
                    yield return new MapReader(file, map, $"{Field(key)}.{label}", errors);
                }
                else
                {
                    errors.Add(new SpecError(file, (int)item.Start.Line, $"{Field(key)}[{i}]", "expected a mapping (name: ..., type: ...)"));
                }

                i++;
            }
        }
    }
}

/// <summary>Parses durations written as <c>30s</c>, <c>5m</c>, <c>1h</c>, <c>500ms</c> or <c>hh:mm:ss</c>.</summary>
public static class DurationParser
{
    /// <summary>Parses <paramref name="text"/>; false when it is not a non-negative duration.</summary>
    public static bool TryParse(string text, out TimeSpan value)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        (string Suffix, double Ms)[] units = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)];
        foreach (var (suffix, ms) in units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal) && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0)
            {
                value = TimeSpan.FromMilliseconds(n * ms);
                return true;
            }
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;
    }
}
