using System.Globalization;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using TipWarehouse.Core;
using TipWarehouse.Etl.Loading;
using TipWarehouse.Etl.Specs;
using TipWarehouse.Schema;

namespace TipWarehouse.Etl.Checking;

/// <summary>Severities of a <see cref="CheckFinding"/>: an error fails <c>tipw check</c>, a warning is shown.</summary>
public static class CheckSeverity
{
    public const string Error = "error";
    public const string Warning = "warning";
}

/// <summary>One problem <c>tipw check</c> found, located by file and line, and the check that found it (spec, layout, sql, upstream).</summary>
public sealed record CheckFinding(string File, int Line, string Severity, string Check, string Pipeline, string Message)
{
    public override string ToString() => $"{File}:{Line}: {Severity}: {Check}: {Message}";
}

/// <summary>What <c>tipw check</c> found: every finding in file and line order, the pipelines checked, and each pipeline's upstream as inferred from the tables its SQL reads.</summary>
public sealed record CheckReport(IReadOnlyList<CheckFinding> Findings, int Pipelines, int Statements, IReadOnlyDictionary<string, IReadOnlyList<string>> InferredUpstream)
{
    /// <summary>True when any finding is an error.</summary>
    public bool HasErrors => Findings.Any(f => f.Severity == CheckSeverity.Error);
}

/// <summary>The schema-qualified tables (lower case) one transform SQL file reads and writes.</summary>
public sealed record TransformTables(IReadOnlyList<string> Reads, IReadOnlyList<string> Writes);

/// <summary>
/// <c>tipw check</c> (dbt's parse/compile): validates every spec (keys, values, Quartz crons, upstream names), the shared macros and the reference seed manifest, checks each
/// staging layout against the model compiled from <c>sql/</c>, runs every transform statement and data test query on an
/// empty in-memory warehouse (batch variables set) inside a transaction that is rolled back, and infers each pipeline's upstream from the
/// tables its SQL reads. Nothing is written anywhere.
/// </summary>
public static partial class PipelineChecker
{
    /// <summary>Checks the pipelines of <paramref name="pipelinesDirectory"/> (specs, shared macros, transforms) and the seed manifest of <paramref name="referenceDirectory"/> against the schema of <paramref name="sqlDirectory"/> (defaults: the shipped ones); <paramref name="stepKinds"/> are the registered step kinds.</summary>
    public static CheckReport Check(string pipelinesDirectory, IEnumerable<string> stepKinds, TimeProvider time, string? sqlDirectory = null, IEnumerable<Sources.ISourceKind>? sourceKinds = null, string? referenceDirectory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stepKinds);
        var findings = new List<CheckFinding>();
        var sources = Sources.SourceKindRegistry.With(sourceKinds);
        var specs = LoadSpecs(pipelinesDirectory, stepKinds, sources.Values, findings);

        using var connection = Warehouse.OpenPath(":memory:");
        try
        {
            WarehouseInitializer.Initialize(connection, new InitOptions { SqlDirectory = sqlDirectory, LoadReferenceData = false, Time = time }, cancellationToken);
            new Engine.MetaStore(connection, time).EnsureSchema();
        }
        catch (TipwException ex)
        {
            findings.Add(new CheckFinding(sqlDirectory ?? SchemaSources.SqlDirectory, 0, CheckSeverity.Error, "schema", "", ex.Message));
            return Report(findings, specs, 0, new Dictionary<string, IReadOnlyList<string>>());
        }

        findings.AddRange(ReferenceSeeds.Check(referenceDirectory ?? SchemaSources.ReferenceDirectory, WarehouseSchema.Load(sqlDirectory).Description)
            .Select(p => new CheckFinding(p.File, p.Line, CheckSeverity.Error, "seed", "", p.Message)));
        var macros = LoadMacros(pipelinesDirectory, connection, findings);
        var tables = Relations(connection);
        var statements = 0;
        foreach (var spec in specs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (sources.ContainsKey(spec.Kind))
            {
                CheckLayout(connection, spec, findings);
            }

            statements += CheckSql(connection, spec, findings);
            CheckDataTests(connection, spec, findings);
            CheckRebuild(connection, spec, findings);
            CheckCountedFlags(connection, spec, findings);
        }

        var inferred = CheckUpstream(specs, tables, macros, findings);
        return Report(findings, specs, statements, inferred);
    }

    private static CheckReport Report(List<CheckFinding> findings, List<PipelineSpec> specs, int statements, IReadOnlyDictionary<string, IReadOnlyList<string>> inferred) =>
        new([.. findings.OrderBy(f => f.File, StringComparer.Ordinal).ThenBy(f => f.Line).ThenBy(f => f.Message, StringComparer.Ordinal)], specs.Count, statements, inferred);

    /// <summary>The specs that have no error of their own (only those are checked further); every spec error becomes a finding.</summary>
    private static List<PipelineSpec> LoadSpecs(string directory, IEnumerable<string> stepKinds, IEnumerable<Sources.ISourceKind> sourceKinds, List<CheckFinding> findings)
    {
        try
        {
            return [.. SpecLoader.LoadDirectory(directory, stepKinds, sourceKinds)];
        }
        catch (SpecException ex)
        {
            findings.AddRange(ex.Errors.Select(e => new CheckFinding(e.File, e.Line, CheckSeverity.Error, "spec", Path.GetFileNameWithoutExtension(e.File), $"{e.Field}: {e.Message}")));
            if (!Directory.Exists(directory))
            {
                return [];
            }

            var bad = ex.Errors.Select(e => Path.GetFullPath(e.File)).ToHashSet(StringComparer.Ordinal);
            var specs = new List<PipelineSpec>();
            foreach (var file in Directory.EnumerateFiles(directory, "*.yaml").Concat(Directory.EnumerateFiles(directory, "*.yml")).Order(StringComparer.Ordinal))
            {
                if (!bad.Contains(Path.GetFullPath(file)) && SpecLoader.Parse(file, File.ReadAllText(file), directory, [], sourceKinds) is { } spec)
                {
                    specs.Add(spec);
                }
            }

            return specs;
        }
    }

    /// <summary>Reads <c>macros.sql</c> and creates each macro on the empty warehouse (so the transforms that call them run as in the engine); each problem is a finding at its line.</summary>
    private static SharedMacros LoadMacros(string pipelinesDirectory, DuckDBConnection connection, List<CheckFinding> findings)
    {
        SharedMacros macros;
        try
        {
            macros = Directory.Exists(pipelinesDirectory) ? SharedMacros.Load(pipelinesDirectory) : SharedMacros.None;
        }
        catch (SpecException ex)
        {
            findings.AddRange(ex.Errors.Select(e => new CheckFinding(e.File, e.Line, CheckSeverity.Error, "macro", "", e.Message)));
            return SharedMacros.None;
        }

        foreach (var macro in macros.Macros)
        {
            try
            {
                Sql.Execute(connection, macro.Sql);
            }
            catch (DuckDBException ex)
            {
                var line = LineRegex().Match(ex.Message) is { Success: true } m
                    ? macro.TextLine + int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) - 1
                    : macro.Line;
                findings.Add(new CheckFinding(macros.Path!, line, CheckSeverity.Error, "macro", "", $"macro {macro.Name}: {FirstLine(ex.Message)}"));
            }
        }

        return macros;
    }

    private static HashSet<string> Relations(DuckDBConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT lower(table_schema || '.' || table_name) FROM information_schema.tables WHERE table_catalog = current_database()";
        using var reader = command.ExecuteReader();
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            set.Add(reader.GetString(0));
        }

        return set;
    }

    private static void CheckLayout(DuckDBConnection connection, PipelineSpec spec, List<CheckFinding> findings)
    {
        foreach (var problem in StagingWriter.CheckLayout(connection, spec))
        {
            var columns = problem.Child ? spec.Child!.Columns : spec.Columns;
            var pii = problem.Child ? spec.Child!.Pii : spec.Pii;
            var line = problem.TargetColumn is { } target
                ? columns.FirstOrDefault(c => string.Equals(c.Target, target, StringComparison.OrdinalIgnoreCase))?.Line
                  ?? pii.FirstOrDefault(p => string.Equals(p.Target, target, StringComparison.OrdinalIgnoreCase) || string.Equals(p.PhoneticTarget, target, StringComparison.OrdinalIgnoreCase))?.Line
                : null;
            line ??= SpecLoader.LineOf(spec, problem.Child ? "child" : "target");
            findings.Add(new CheckFinding(spec.SpecPath, line.Value, CheckSeverity.Error, "layout", spec.Name, problem.Message));
        }
    }

    /// <summary>Runs the duplicates predicate and every transform statement of <paramref name="spec"/> on the empty warehouse, then rolls back; the first failure is reported (later statements may depend on it).</summary>
    private static int CheckSql(DuckDBConnection connection, PipelineSpec spec, List<CheckFinding> findings)
    {
        var executed = 0;
        using var transaction = connection.BeginTransaction();
        try
        {
            Sql.Execute(connection, $"SET VARIABLE batch_id = 1; SET VARIABLE pipeline = '{spec.Name}';");
            if (spec.Duplicates?.AlreadyLoaded is { } predicate && spec.Target is { } target)
            {
                try
                {
                    Sql.Execute(connection, $"SELECT count(*) FROM {target} AS s WHERE {predicate}");
                }
                catch (DuckDBException ex)
                {
                    findings.Add(new CheckFinding(spec.SpecPath, SpecLoader.LineOf(spec, "duplicates"), CheckSeverity.Error, "sql", spec.Name, $"duplicates.already_loaded: {FirstLine(ex.Message)}"));
                    return executed;
                }
            }

            foreach (var file in spec.Transforms.Where(File.Exists))
            {
                foreach (var statement in TransformSql.Split(File.ReadAllText(file)))
                {
                    try
                    {
                        Sql.Execute(connection, statement.Text);
                        executed++;
                    }
                    catch (DuckDBException ex)
                    {
                        var line = LineRegex().Match(ex.Message) is { Success: true } m
                            ? statement.Line + int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) - 1
                            : statement.CodeLine;
                        findings.Add(new CheckFinding(file, line, CheckSeverity.Error, "sql", spec.Name, FirstLine(ex.Message)));
                        return executed;
                    }
                }
            }

            return executed;
        }
        finally
        {
            transaction.Rollback();
        }
    }

    /// <summary>Runs each data test's query on the empty warehouse, so a wrong table, column or SQL fails here rather than after a load.</summary>
    private static void CheckDataTests(DuckDBConnection connection, PipelineSpec spec, List<CheckFinding> findings)
    {
        foreach (var test in spec.Tests)
        {
            try
            {
                Sql.Execute(connection, Quality.DataTests.Sql(test));
            }
            catch (DuckDBException ex)
            {
                findings.Add(new CheckFinding(spec.SpecPath, test.Line, CheckSeverity.Error, "test", spec.Name, $"data test {test.Name}: {FirstLine(ex.Message)}"));
            }
        }
    }

    /// <summary>Runs a query over each <c>rebuild:</c> table's key, surrogate, downstream and <c>where</c> columns and over each <c>referenced_by</c> column on the empty warehouse, so a wrong name fails here rather than in a rebuild.</summary>
    private static void CheckRebuild(DuckDBConnection connection, PipelineSpec spec, List<CheckFinding> findings)
    {
        foreach (var table in spec.Rebuild)
        {
            var columns = table.Key.Concat(table.Downstream).Append(table.Surrogate).OfType<string>();
            var probes = table.ReferencedBy.Select(r => (Label: $"referenced_by {r}", Sql: $"SELECT {r[(r.LastIndexOf('.') + 1)..]} FROM {r[..r.LastIndexOf('.')]} LIMIT 0"))
                .Prepend(($"table {table.Table}", $"SELECT {string.Join(", ", columns)} FROM {table.Table}{(table.Where is { } w ? $" WHERE {w}" : "")} LIMIT 0"));
            foreach (var (label, sql) in probes)
            {
                try
                {
                    Sql.Execute(connection, sql);
                }
                catch (DuckDBException ex)
                {
                    findings.Add(new CheckFinding(spec.SpecPath, table.Line, CheckSeverity.Error, "rebuild", spec.Name, $"rebuild {label}: {FirstLine(ex.Message)}"));
                }
            }
        }
    }

    /// <summary>Queries each <c>counted_flags</c> entry's column and the <c>batch_id</c> it is counted by on the empty warehouse, so a wrong table or column fails here rather than at the end of a load.</summary>
    private static void CheckCountedFlags(DuckDBConnection connection, PipelineSpec spec, List<CheckFinding> findings)
    {
        foreach (var flag in spec.CountedFlags)
        {
            try
            {
                Sql.Execute(connection, $"SELECT count(*) FILTER (WHERE {flag.Column}) FROM {flag.Table} GROUP BY batch_id LIMIT 0");
            }
            catch (DuckDBException ex)
            {
                findings.Add(new CheckFinding(spec.SpecPath, flag.Line, CheckSeverity.Error, "counted_flags", spec.Name, $"counted_flags {flag.Flag}: {FirstLine(ex.Message)}"));
            }
        }
    }

    /// <summary>Infers each pipeline's upstream (the pipelines that write a table its SQL reads) and warns where the declared upstream, followed transitively, misses one.</summary>
    private static Dictionary<string, IReadOnlyList<string>> CheckUpstream(List<PipelineSpec> specs, HashSet<string> tables, SharedMacros macros, List<CheckFinding> findings)
    {
        bool IsTable(string name) => tables.Contains(name);
        var writes = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var reads = new Dictionary<string, List<(string File, TableReference Reference)>>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            var written = new HashSet<string>(StringComparer.Ordinal);
            foreach (var staged in new[] { spec.Target, spec.Child?.Target }.OfType<string>())
            {
                written.Add(staged.ToLowerInvariant());
            }

            var read = new List<(string, TableReference)>();
            foreach (var file in spec.Transforms.Where(File.Exists))
            {
                var sql = File.ReadAllText(file);
                written.UnionWith(TransformSql.Writes(sql, IsTable).Select(w => w.Table));
                read.AddRange(TransformSql.Reads(sql, IsTable, macros).Select(r => (file, r)));
            }

            writes[spec.Name] = written;
            reads[spec.Name] = read;
        }

        var byName = specs.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var inferred = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            var declared = Closure(spec, byName);
            var needed = new SortedSet<string>(StringComparer.Ordinal);
            var warned = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (file, reference) in reads[spec.Name])
            {
                // A table the pipeline writes itself (a shared dimension such as dim_person) needs no upstream.
                if (writes[spec.Name].Contains(reference.Table))
                {
                    continue;
                }

                var producers = specs.Where(p => p.Name != spec.Name && writes[p.Name].Contains(reference.Table)).Select(p => p.Name).ToList();
                needed.UnionWith(producers);
                // With several writers (each merges its own rows into a shared table) one of them upstream is enough.
                if (producers.Count == 0 || producers.Any(declared.Contains) || !warned.Add(reference.Table))
                {
                    continue;
                }

                var declaredText = spec.Upstream.Count == 0 ? "none" : string.Join(", ", spec.Upstream);
                var where = $"{Path.GetFileName(spec.SpecPath)}:{SpecLoader.LineOf(spec, "upstream")}";
                var downstream = producers.Where(p => Closure(byName[p], byName).Contains(spec.Name)).ToList();
                var message = downstream.Count > 0
                    ? $"pipeline {spec.Name} reads {reference.Table}, which {string.Join(", ", downstream)} writes, but {string.Join(", ", downstream)} runs after {spec.Name} (it is downstream of it): this reads what its previous run left"
                    : $"pipeline {spec.Name} reads {reference.Table}, which {string.Join(", ", producers)} writes, but its upstream ({declaredText}, {where}) includes none of them";
                findings.Add(new CheckFinding(file, reference.Line, CheckSeverity.Warning, "upstream", spec.Name, message));
            }

            inferred[spec.Name] = [.. needed];
        }

        return inferred;
    }

    /// <summary>The distinct tables one transform SQL file reads (itself or through the shared <paramref name="macros"/> it calls) and writes (the same lexical reading <c>tipw check</c> infers upstream from), sorted; <paramref name="isTable"/> says which names are relations of the model.</summary>
    public static TransformTables TablesOf(string sql, Func<string, bool> isTable, SharedMacros? macros = null) =>
        new([.. TransformSql.Reads(sql, isTable, macros ?? SharedMacros.None).Select(r => r.Table).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            [.. TransformSql.Writes(sql, isTable).Select(w => w.Table).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]);

    private static HashSet<string> Closure(PipelineSpec spec, Dictionary<string, PipelineSpec> byName)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(spec.Upstream);
        while (stack.TryPop(out var name))
        {
            if (seen.Add(name) && byName.TryGetValue(name, out var upstream))
            {
                foreach (var u in upstream.Upstream)
                {
                    stack.Push(u);
                }
            }
        }

        return seen;
    }

    private static string FirstLine(string message)
    {
        var index = message.IndexOf('\n', StringComparison.Ordinal);
        return (index < 0 ? message : message[..index]).Trim();
    }

    [GeneratedRegex(@"LINE (\d+):")]
    private static partial Regex LineRegex();
}
