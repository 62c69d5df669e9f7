using DuckDB.NET.Data;
using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;

namespace TipWarehouse.Linkage;

/// <summary>What one linkage run did, per link type and for cases.</summary>
public sealed record LinkageRunSummary(
    IReadOnlyList<LinkTypeSummary> LinkTypes,
    int CaseRecords,
    int MembershipsChanged,
    int Cases,
    int LifecycleRowsChanged,
    bool Incremental = false);

/// <summary>The counts and fitted model of one link type in one run.</summary>
public sealed record LinkTypeSummary(string LinkType, int CandidatePairs, int Linked, int Review, int Rejected, FellegiSunterModel Model);

/// <summary>
/// Cross-agency record linkage: builds comparison vectors for blocked pairs in DuckDB, estimates Fellegi–Sunter
/// weights, decides links, groups records into cases with stable ids and refreshes the case-lifecycle snapshot.
/// Works on the caller's connection and transaction: it opens none.
/// </summary>
public sealed class LinkageEngine
{
    private readonly LinkageOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Creates the engine; <paramref name="time"/> dates the persisted model and decides when it is due for re-estimation.</summary>
    public LinkageEngine(LinkageOptions options, TimeProvider? time = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Receives one line per finished stage of a run with the seconds elapsed (for timing; null = silent).</summary>
    public Action<string>? Log { get; init; }

    /// <summary>
    /// Receives each finished phase with its count: <c>records</c>, then per link type <c>blocking</c> (candidate pairs),
    /// <c>EM</c> (iterations; <c>model</c> when the persisted or configured model is used), <c>candidates</c>, and
    /// <c>assign</c> (records in cases) and <c>lifecycle</c> (cases changed). No total: the phases' lengths are unknown.
    /// </summary>
    public IProgress<StepProgress>? Progress { get; init; }

    /// <summary>Runs linkage over everything in the warehouse (a full run) and writes links, case membership and the lifecycle snapshot.</summary>
    public LinkageRunSummary Run(DuckDBConnection connection, long batchId, CancellationToken cancellationToken = default) =>
        Run(connection, batchId, null, cancellationToken);

    /// <summary>
    /// Runs linkage: incremental when <paramref name="sinceBatchId"/> (the batch of the last run) is given, the options
    /// do not ask for a full run, and the persisted model was estimated with the same settings less than
    /// <see cref="LinkageOptions.ReestimateDays"/> ago; otherwise a full run that re-estimates and persists the model.
    /// </summary>
    public LinkageRunSummary Run(DuckDBConnection connection, long batchId, long? sinceBatchId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        LinkageRunSummary result;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        void Mark(string what) => Log?.Invoke($"{what} at {clock.Elapsed.TotalSeconds.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)} s");
        void Phase(string phase, long done, string unit) => Progress?.Report(new StepProgress(phase, done, null, unit));

        // A warehouse that keeps no compared report features (upgraded from before they were kept) re-links in full once.
        var models = sinceBatchId is null || _options.Full || !Sql.Scalar<bool>(connection, IncrementalSql.ReportFeaturesKept) ? null : LoadModels(connection);
        var incremental = models is not null;
        try
        {
            ExecuteScript(connection, LinkageSql.Records(incremental));
            Mark("records");
            if (!incremental)
            {
                ReportNumberMatching.Fill(connection, scoped: false);
                Mark("report numbers");
            }

            if (Progress is not null)
            {
                Phase("records", Sql.Scalar<long>(connection, "SELECT (SELECT count(*) FROM dw.fact_hotline_call) + (SELECT count(*) FROM lk_report) + (SELECT count(*) FROM lk_pcase)"), "records");
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (incremental)
            {
                ExecuteScript(connection, IncrementalSql.DirtyRecords, ("since", sinceBatchId));
                ReportNumberMatching.Fill(connection, scoped: true);
                Mark("dirty records and their report numbers");
                ExecuteScript(connection, LinkageSql.ScopedCalls);
                Mark("scoped calls");
                Sql.Execute(connection, "CREATE OR REPLACE TEMP TABLE lk_scope (link_type VARCHAR, side VARCHAR, id VARCHAR)");
            }

            var decisions = LinkageReview.LatestDecisions(connection);
            var summaries = new List<LinkTypeSummary>();
            var allLinks = new List<LinkDecision>();
            foreach (var linkType in LinkTypes.All)
            {
                var typeOptions = _options.For(linkType);
                var fields = ComparisonFields.For(linkType, typeOptions);
                var hotline = linkType == LinkTypes.HotlinePolice;
                if (hotline)
                {
                    ExecuteScript(connection, LinkageSql.HotlineBuckets(typeOptions, incremental));
                    Mark("hotline buckets");
                }

                if (incremental)
                {
                    Scope(connection, linkType, typeOptions);
                    Mark($"{linkType} scope");
                }

                ExecuteScript(connection, hotline
                    ? LinkageSql.HotlinePoliceVectors(typeOptions, incremental)
                    : LinkageSql.PoliceProsecutionVectors(typeOptions, incremental));
                var pairCount = Sql.Scalar<long>(connection, "SELECT count(*) FROM lk_vec");
                Mark($"{linkType} vectors ({pairCount} pairs)");
                Phase($"blocking {linkType}", pairCount, "pairs");
                var sampleModulus = 0L;
                if (!incremental && _options.EstimateByEm)
                {
                    // u and EM are fitted on the broad block's population: the pairs of the blocking passes plus a sample of the rest.
                    var broadPairs = Sql.Scalar<long>(connection, hotline ? LinkageSql.HotlineBroadPairCount : LinkageSql.ProsecutionBroadPairCount(typeOptions));
                    var target = hotline ? LinkageSql.HotlineSampleTargetPairs : LinkageSql.ProsecutionSampleTargetPairs;
                    sampleModulus = Math.Max(1, (broadPairs + target - 1) / target);
                    ExecuteScript(connection, hotline ? LinkageSql.HotlineSample(typeOptions, sampleModulus) : LinkageSql.ProsecutionSample(typeOptions, sampleModulus));
                    Mark($"{linkType} sample of the broad block ({broadPairs} pairs, 1 in {sampleModulus}: {Sql.Scalar<long>(connection, "SELECT count(*) FROM lk_vec_sample")} sampled)");
                }

                var model = incremental ? models![linkType]
                    : _options.EstimateByEm && LinkTypes.WeighsPrior(linkType) ? FellegiSunterEstimator.EstimateAnchored(fields, ReadPatterns(connection, fields.Count, sampleModulus), _options.EmIterations, fixedM: FixedM(connection, linkType, fields))
                    : _options.EstimateByEm ? FellegiSunterEstimator.EstimatePatterns(fields, ReadPatterns(connection, fields.Count, sampleModulus), _options.EmIterations)
                    : FellegiSunterModel.Configured(fields, typeOptions.ConfiguredPrior);
                model = model with { WeighsPrior = LinkTypes.WeighsPrior(linkType) };
                if (!incremental && _options.EstimateByEm)
                {
                    Mark($"{linkType} EM: {model.Iterations} iterations, {(model.Converged ? "converged" : model.Estimated ? "stopped at the cap" : "not identified: the configured model")}, prior {model.Prior.ToString("G4", System.Globalization.CultureInfo.InvariantCulture)}");
                    Phase($"EM {linkType}", model.Iterations, "iterations");
                }
                else
                {
                    Phase($"model {linkType}", model.Iterations, "iterations");
                }

                var candidates = ReadCandidates(connection, linkType, model, typeOptions, decisions, hotline);
                SaveCandidates(connection, linkType, candidates, incremental, batchId);
                if (incremental)
                {
                    candidates = ClosureCandidates(connection, linkType, fields.Count);
                }
                else
                {
                    SaveModel(connection, linkType, model, typeOptions, pairCount, batchId);
                }

                Mark($"{linkType} model and {candidates.Count} candidates");
                Phase($"candidates {linkType}", candidates.Count, "candidates");
                var links = LinkDecider.Decide(linkType, candidates, model, typeOptions, decisions, trustReferences: hotline);
                allLinks.AddRange(links);
                summaries.Add(new LinkTypeSummary(
                    linkType,
                    (int)pairCount,
                    links.Count(l => l.Status == LinkTypes.StatusLinked),
                    links.Count(l => l.Status == LinkTypes.StatusReview),
                    links.Count(l => l.Status == LinkTypes.StatusRejected),
                    model));
                cancellationToken.ThrowIfCancellationRequested();
            }

            Mark("decisions");
            var (caseOf, changed) = AssignCases(connection, allLinks, batchId, incremental);
            Mark("cases");
            Phase("assign", caseOf.Count, "records");
            WriteLinks(connection, allLinks, caseOf, batchId, incremental);
            Mark("links written");
            ExecuteScript(connection, LifecycleSql.Build(incremental));
            var lifecycleChanged = Sql.Scalar<long>(connection, "SELECT count(*) FROM lk_lifecycle s LEFT JOIN dw.fact_case_lifecycle t ON t.case_id = s.case_id WHERE t.case_id IS NULL OR " + string.Join(" OR ", LifecycleSql.ComparedColumns.Select(c => $"t.{c} IS DISTINCT FROM s.{c}")))
                + Sql.Scalar<long>(connection, "SELECT count(*) FROM dw.fact_case_lifecycle WHERE case_id NOT IN (SELECT case_id FROM lk_lifecycle)" + (incremental ? " AND case_id IN (SELECT case_id FROM lk_affected_case)" : string.Empty));
            ExecuteScript(connection, LifecycleSql.Merge(incremental), ("batch", batchId));
            Mark("lifecycle");
            ExecuteScript(connection, IncrementalSql.SaveReportFeatures(incremental), ("batch", batchId));
            Phase("lifecycle", lifecycleChanged, "cases changed");
            var caseRecords = Sql.Scalar<long>(connection, "SELECT count(*) FROM dw.case_membership");
            var cases = Sql.Scalar<long>(connection, "SELECT count(DISTINCT case_id) FROM dw.case_membership");
            result = new LinkageRunSummary(summaries, (int)caseRecords, changed, (int)cases, (int)lifecycleChanged, incremental);
        }
        catch
        {
            // The transaction is aborted: the caller rolls back, and the temp tables go with the connection.
            throw;
        }

        DropTempTables(connection);
        return result;
    }

    /// <summary>
    /// The records whose pairs an incremental run re-scores, <c>lk_s1l</c>/<c>lk_s1r</c>: the new or changed records and,
    /// for hotline → police whose competition comparison counts the calls competing for a report, the reports in the broad
    /// blocks of those calls and every record a reference pairs them with (<see cref="LinkageSql.HotlineScope"/>).
    /// </summary>
    private static void Scope(DuckDBConnection connection, string linkType, LinkTypeOptions options)
    {
        if (linkType == LinkTypes.HotlinePolice)
        {
            Sql.Execute(connection, IncrementalSql.Copy("lk_dirty_call", "lk_s0l"));
            Sql.Execute(connection, IncrementalSql.Copy("lk_dirty_hp_report", "lk_s0r"));
            ExecuteScript(connection, LinkageSql.HotlineScope(options, "lk_s0l", "lk_s0r", "lk_s1l", "lk_s1r"));
            ExecuteScript(connection, LinkageSql.HotlineScopedCounts(options));
        }
        else
        {
            Sql.Execute(connection, IncrementalSql.Copy("lk_dirty_report", "lk_s1l"));
            Sql.Execute(connection, IncrementalSql.Copy("lk_dirty_pcase", "lk_s1r"));
        }
    }

    /// <summary>
    /// m of the comparisons EM is not asked to fit, by field index: hotline → police competition, whose m is the spread of
    /// the free reports over its levels (a report has at most one source call). EM would otherwise fit it on the pairs,
    /// where the crowded levels dominate at any volume, and drive the quiet levels' m to the floor.
    /// </summary>
    private static Dictionary<int, double[]> FixedM(DuckDBConnection connection, string linkType, IReadOnlyList<ComparisonField> fields)
    {
        var result = new Dictionary<int, double[]>();
        var competition = linkType == LinkTypes.HotlinePolice ? fields.ToList().FindIndex(f => f.Name == "competition") : -1;
        if (competition < 0)
        {
            return result;
        }

        var m = new double[fields[competition].Levels];
        foreach (var (level, reports) in Sql.Query(connection, LinkageSql.CompetitionReportLevels, r => (Sql.ReadInt(r, 0), Convert.ToDouble(r.GetValue(1), System.Globalization.CultureInfo.InvariantCulture))))
        {
            m[level] += reports;
        }

        if (m.Sum() > 0)
        {
            result[competition] = m;
        }

        return result;
    }

    /// <summary>The persisted models of both link types, or null when one is missing, was fitted with other settings or is due for re-estimation.</summary>
    private Dictionary<string, FellegiSunterModel>? LoadModels(DuckDBConnection connection)
    {
        var rows = Sql.Query(connection, "SELECT link_type, field_index, level, m, u, prior, estimated, iterations, settings, estimated_at FROM meta.linkage_model ORDER BY link_type, field_index, level", r => (
            Type: r.GetString(0), Field: Sql.ReadInt(r, 1), Level: Sql.ReadInt(r, 2), M: Sql.ReadDouble(r, 3) ?? 0, U: Sql.ReadDouble(r, 4) ?? 0, Prior: Sql.ReadDouble(r, 5) ?? 0,
            Estimated: Convert.ToBoolean(r.GetValue(6), System.Globalization.CultureInfo.InvariantCulture), Iterations: Sql.ReadInt(r, 7), Settings: r.GetString(8),
            At: new DateTimeOffset(DateTime.SpecifyKind(r.GetDateTime(9), DateTimeKind.Utc))));
        var models = new Dictionary<string, FellegiSunterModel>(StringComparer.Ordinal);
        foreach (var linkType in LinkTypes.All)
        {
            var typeOptions = _options.For(linkType);
            var fields = ComparisonFields.For(linkType, typeOptions);
            var own = rows.Where(r => r.Type == linkType).ToList();
            if (own.Count != fields.Sum(f => f.Levels) || own.Any(r => r.Settings != Fingerprint(typeOptions))
                || own.Min(r => r.At).AddDays(_options.ReestimateDays) <= _time.GetUtcNow())
            {
                return null;
            }

            var m = fields.Select(f => new double[f.Levels]).ToArray();
            var u = fields.Select(f => new double[f.Levels]).ToArray();
            foreach (var row in own)
            {
                if (row.Field >= fields.Count || row.Level >= fields[row.Field].Levels)
                {
                    return null;
                }

                m[row.Field][row.Level] = row.M;
                u[row.Field][row.Level] = row.U;
            }

            models[linkType] = new FellegiSunterModel(fields, m, u, own[0].Prior, own[0].Iterations, own[0].Estimated) { WeighsPrior = LinkTypes.WeighsPrior(linkType) };
        }

        return models;
    }

    /// <summary>The settings a persisted model and its candidates depend on; a change forces a full run.</summary>
    private string Fingerprint(LinkTypeOptions options) => string.Join(';',
        _options.EstimateByEm ? "em" : "configured",
        _options.EmIterations.ToString(System.Globalization.CultureInfo.InvariantCulture),
        options.LinkThreshold.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        options.ReviewThreshold.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        options.WindowBeforeDays.ToString(System.Globalization.CultureInfo.InvariantCulture),
        options.WindowAfterDays.ToString(System.Globalization.CultureInfo.InvariantCulture),
        options.ConfiguredPrior.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        string.Join(',', options.Probabilities.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv =>
            kv.Key + "=" + string.Join('/', kv.Value.M.Concat(kv.Value.U).Select(x => x.ToString("R", System.Globalization.CultureInfo.InvariantCulture))))));

    private void SaveModel(DuckDBConnection connection, string linkType, FellegiSunterModel model, LinkTypeOptions options, long pairCount, long batchId)
    {
        Sql.Execute(connection, "DELETE FROM meta.linkage_model WHERE link_type = $type", ("type", linkType));
        var now = _time.GetUtcNow().UtcDateTime;
        for (var f = 0; f < model.Fields.Count; f++)
        {
            for (var level = 0; level < model.Fields[f].Levels; level++)
            {
                Sql.Execute(connection, """
                    INSERT INTO meta.linkage_model (link_type, field_index, field_name, level, m, u, prior, estimated, iterations, pair_count, settings, estimated_at, batch_id)
                    VALUES ($type, $field, $name, $level, $m, $u, $prior, $estimated, $iterations, $pairs, $settings, $at, $batch)
                    """,
                    ("type", linkType), ("field", f), ("name", model.Fields[f].Name), ("level", level), ("m", model.M[f][level]), ("u", model.U[f][level]),
                    ("prior", model.Prior), ("estimated", model.Estimated), ("iterations", model.Iterations), ("pairs", pairCount),
                    ("settings", Fingerprint(options)), ("at", now), ("batch", batchId));
            }
        }
    }

    /// <summary>
    /// Replaces the persisted candidates: all of the link type in a full run; in an incremental run those touching the
    /// re-scored records (<c>lk_s1l</c>/<c>lk_s1r</c>), whose pairs <c>lk_vec</c> holds in full.
    /// </summary>
    private static void SaveCandidates(DuckDBConnection connection, string linkType, List<CandidatePair> candidates, bool incremental, long batchId)
    {
        Sql.Execute(connection, "CREATE OR REPLACE TEMP TABLE lk_new_candidate (left_id VARCHAR, right_id VARCHAR, levels VARCHAR, reference_match INTEGER, link_date_key INTEGER)");
        Sql.InsertRows(connection, "lk_new_candidate", ["left_id", "right_id", "levels", "reference_match", "link_date_key"],
            candidates.Select(c => new object?[] { c.LeftId, c.RightId, string.Join(',', c.Levels), c.ReferenceMatch, c.LinkDateKey }));
        Sql.Execute(connection, "DELETE FROM meta.linkage_candidate WHERE link_type = $type"
            + (incremental ? " AND (left_record_id IN (SELECT id FROM lk_s1l) OR right_record_id IN (SELECT id FROM lk_s1r))" : string.Empty), ("type", linkType));
        Sql.Execute(connection, """
            INSERT INTO meta.linkage_candidate (link_type, left_record_id, right_record_id, levels, reference_match, link_date_key, batch_id)
            SELECT $type, left_id, right_id, levels, reference_match, link_date_key, $batch FROM lk_new_candidate ORDER BY left_id, right_id
            """, ("type", linkType), ("batch", batchId));
        if (!incremental)
        {
            return;
        }

        // The connected groups of candidates the re-scored records touch, then the scope whose links are re-decided.
        Sql.Execute(connection, "CREATE OR REPLACE TEMP TABLE lk_cl AS SELECT DISTINCT id FROM lk_s1l");
        Sql.Execute(connection, "CREATE OR REPLACE TEMP TABLE lk_cr AS SELECT DISTINCT id FROM lk_s1r");
        while (true)
        {
            var added = IncrementalSql.CandidateClosureStep.Sum(step => Sql.Execute(connection, step, ("type", linkType)));
            if (added == 0)
            {
                break;
            }
        }

        Sql.Execute(connection, "INSERT INTO lk_scope SELECT $type, 'L', id FROM lk_cl UNION ALL SELECT $type, 'R', id FROM lk_cr", ("type", linkType));
    }

    private static List<CandidatePair> ClosureCandidates(DuckDBConnection connection, string linkType, int fieldCount) =>
        Sql.Query(connection, IncrementalSql.ClosureCandidates, r =>
        {
            var levels = r.GetString(4).Split(',').Select(x => int.Parse(x, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            if (levels.Length != fieldCount)
            {
                throw new InvalidOperationException($"meta.linkage_candidate: a {linkType} pair has {levels.Length} levels for {fieldCount} fields; run a full linkage.");
            }

            return new CandidatePair(r.GetString(0), r.GetString(1), levels, Sql.ReadInt(r, 2, 0), Sql.ReadInt(r, 3));
        }, ("type", linkType));


    private static void DropTempTables(DuckDBConnection connection)
    {
        foreach (var table in LinkageSql.TempTables.Concat(IncrementalSql.TempTables))
        {
            Sql.Execute(connection, $"DROP TABLE IF EXISTS {table}");
        }
    }

    /// <summary>
    /// The distinct comparison patterns of <c>lk_vec</c> with their pair and seed counts, in a fixed order; with a
    /// <paramref name="sampleModulus"/> above 0, the pairs of <c>lk_vec_sample</c> (a 1-in-that sample) count that many times each.
    /// </summary>
    private static List<ComparisonPattern> ReadPatterns(DuckDBConnection connection, int fieldCount, long sampleModulus = 0)
    {
        var columns = string.Join(", ", Enumerable.Range(0, fieldCount).Select(i => "v" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var source = sampleModulus > 0
            ? $"(SELECT {columns}, is_seed, 1 AS n FROM lk_vec UNION ALL SELECT {columns}, is_seed, {sampleModulus.ToString(System.Globalization.CultureInfo.InvariantCulture)} AS n FROM lk_vec_sample)"
            : "(SELECT *, 1 AS n FROM lk_vec)";
        return Sql.Query(connection, $"SELECT {columns}, CAST(sum(n) AS BIGINT), CAST(COALESCE(sum(n) FILTER (WHERE is_seed), 0) AS BIGINT) FROM {source} GROUP BY ALL ORDER BY ALL", r =>
        {
            var levels = new int[fieldCount];
            for (var f = 0; f < fieldCount; f++)
            {
                levels[f] = Sql.ReadInt(r, f);
            }

            return new ComparisonPattern(levels, Convert.ToInt64(r.GetValue(fieldCount), System.Globalization.CultureInfo.InvariantCulture), Convert.ToInt64(r.GetValue(fieldCount + 1), System.Globalization.CultureInfo.InvariantCulture));
        });
    }

    /// <summary>
    /// Reads the pairs the decider can use: scored in SQL with the model's weights, only those at or above the review
    /// threshold (less a rounding margin), trusted references and analyst-decided pairs leave DuckDB; the decider
    /// drops every other pair anyway, so the result is the same as reading them all.
    /// </summary>
    private static List<CandidatePair> ReadCandidates(DuckDBConnection connection, string linkType, FellegiSunterModel model, LinkTypeOptions options, IReadOnlyList<AnalystDecision> decisions, bool trustReferences)
    {
        var fieldCount = model.Fields.Count;
        Sql.Execute(connection, "CREATE OR REPLACE TEMP TABLE lk_decided (left_id VARCHAR, right_id VARCHAR)");
        Sql.InsertRows(connection, "lk_decided", ["left_id", "right_id"],
            decisions.Where(d => d.LinkType == linkType).Select(d => new object?[] { d.LeftId, d.RightId }));
        var filter = $"({LinkageSql.WeightExpression(model)}) >= {(options.ReviewThreshold - 1e-6).ToString("R", System.Globalization.CultureInfo.InvariantCulture)}"
            + (trustReferences ? " OR reference_match = 2" : string.Empty)
            + " OR (left_id, right_id) IN (SELECT (left_id, right_id) FROM lk_decided)";
        return Sql.Query(connection, LinkageSql.ReadVectors(fieldCount, filter), r =>
        {
            var levels = new int[fieldCount];
            for (var f = 0; f < fieldCount; f++)
            {
                levels[f] = Sql.ReadInt(r, 5 + f);
            }

            return new CandidatePair(r.GetString(0), r.GetString(1), levels, Sql.ReadInt(r, 2, 0), Sql.ReadInt(r, 3)) { IsSeed = !r.IsDBNull(4) && r.GetBoolean(4) };
        });
    }

    private (Dictionary<RecordRef, string> CaseOf, int Changed) AssignCases(DuckDBConnection connection, List<LinkDecision> links, long batchId, bool incremental)
    {
        var edges = links.Where(l => l.Status == LinkTypes.StatusLinked).Select(l => (Left(l), Right(l))).ToList();
        if (incremental)
        {
            CaseScope(connection, edges);
        }

        string InScope(string type, string id) => incremental ? $" AND {id} IN (SELECT record_id FROM lk_case_scope WHERE record_type = '{type}')" : string.Empty;
        var records = new List<RecordRef>();
        records.AddRange(Sql.Query(connection, "SELECT report_number FROM lk_report WHERE true" + InScope(LinkTypes.RecordPoliceReport, "report_number"), r => new RecordRef(LinkTypes.RecordPoliceReport, r.GetString(0))));
        records.AddRange(Sql.Query(connection, "SELECT case_number FROM lk_pcase WHERE true" + InScope(LinkTypes.RecordProsecutionCase, "case_number"), r => new RecordRef(LinkTypes.RecordProsecutionCase, r.GetString(0))));
        if (_options.CallOnlyCasesForTipCalls)
        {
            records.AddRange(Sql.Query(connection, $"SELECT call_id FROM dw.fact_hotline_call c WHERE {LinkageSql.IsTip}" + InScope(LinkTypes.RecordHotlineCall, "call_id"), r => new RecordRef(LinkTypes.RecordHotlineCall, r.GetString(0))));
        }

        var previous = Sql.Query(connection, incremental
                ? "SELECT m.record_type, m.record_id, m.case_id FROM dw.case_membership m JOIN lk_case_scope s ON s.record_type = m.record_type AND s.record_id = m.record_id"
                : "SELECT record_type, record_id, case_id FROM dw.case_membership",
            r => (Record: new RecordRef(r.GetString(0), r.GetString(1)), CaseId: r.GetString(2)))
            .ToDictionary(x => x.Record, x => x.CaseId);
        if (incremental)
        {
            edges = Sql.Query(connection, "SELECT left_type, left_id, right_type, right_id FROM lk_edges WHERE (left_type, left_id) IN (SELECT (record_type, record_id) FROM lk_case_scope)",
                r => (new RecordRef(r.GetString(0), r.GetString(1)), new RecordRef(r.GetString(2), r.GetString(3))));
        }

        var assigned = CaseAssigner.Assign(records, edges, previous, incremental ? Reserved(connection) : null);
        var caseOf = new Dictionary<RecordRef, string>(assigned);

        Sql.Execute(connection, "CREATE OR REPLACE TEMP TABLE lk_membership (record_type VARCHAR, record_id VARCHAR, case_id VARCHAR)");
        Sql.InsertRows(connection, "lk_membership", ["record_type", "record_id", "case_id"],
            caseOf.OrderBy(kv => kv.Key).Select(kv => new object?[] { kv.Key.Type, kv.Key.Id, kv.Value }));
        var changed = caseOf.Count(kv => !previous.TryGetValue(kv.Key, out var old) || old != kv.Value);
        if (incremental)
        {
            // The cases whose snapshot row may change: those the scope's records are in now and those they were in.
            Sql.Execute(connection, "CREATE OR REPLACE TEMP TABLE lk_affected_case (case_id VARCHAR)");
            Sql.InsertRows(connection, "lk_affected_case", ["case_id"],
                previous.Values.Concat(caseOf.Values).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(id => new object?[] { id }));
        }

        ExecuteScript(connection, $"""
            DELETE FROM dw.case_membership AS t
            WHERE NOT EXISTS (SELECT 1 FROM lk_membership s WHERE s.record_type = t.record_type AND s.record_id = t.record_id){(incremental ? "\n              AND (t.record_type, t.record_id) IN (SELECT (record_type, record_id) FROM lk_case_scope)" : string.Empty)};
            UPDATE dw.case_membership AS t SET case_id = s.case_id, batch_id = $batch
            FROM lk_membership s WHERE s.record_type = t.record_type AND s.record_id = t.record_id AND s.case_id <> t.case_id;
            INSERT INTO dw.case_membership (record_type, record_id, case_id, first_batch_id, batch_id)
            SELECT s.record_type, s.record_id, s.case_id, $batch, $batch FROM lk_membership s
            WHERE NOT EXISTS (SELECT 1 FROM dw.case_membership t WHERE s.record_type = t.record_type AND s.record_id = t.record_id);
            """, ("batch", batchId));
        return (caseOf, changed);
    }

    /// <summary>
    /// Builds <c>lk_case_scope</c>, the records whose case may change: the records of the re-decided link scope, both records
    /// of every pair it re-decides that the last run linked (a dropped link can leave a record of no case), and the new
    /// or changed records, closed over the case graph (<c>lk_edges</c>: this run's linked pairs in scope and the kept ones);
    /// </summary>
    private static void CaseScope(DuckDBConnection connection, List<(RecordRef Left, RecordRef Right)> edges)
    {
        Sql.Execute(connection, "CREATE OR REPLACE TEMP TABLE lk_edges (left_type VARCHAR, left_id VARCHAR, right_type VARCHAR, right_id VARCHAR)");
        Sql.InsertRows(connection, "lk_edges", ["left_type", "left_id", "right_type", "right_id"], edges.Select(e => new object?[] { e.Left.Type, e.Left.Id, e.Right.Type, e.Right.Id }));
        Sql.Execute(connection, IncrementalSql.KeptEdges);
        Sql.Execute(connection, $"""
            CREATE OR REPLACE TEMP TABLE lk_case_scope AS
            SELECT CASE WHEN link_type = '{LinkTypes.HotlinePolice}' AND side = 'L' THEN '{LinkTypes.RecordHotlineCall}'
                        WHEN link_type = '{LinkTypes.PoliceProsecution}' AND side = 'R' THEN '{LinkTypes.RecordProsecutionCase}'
                        ELSE '{LinkTypes.RecordPoliceReport}' END AS record_type, id AS record_id FROM lk_scope
            UNION SELECT '{LinkTypes.RecordHotlineCall}', id FROM lk_dirty_call
            UNION SELECT '{LinkTypes.RecordPoliceReport}', id FROM lk_dirty_report
            UNION SELECT '{LinkTypes.RecordProsecutionCase}', id FROM lk_dirty_pcase
            UNION SELECT '{LinkTypes.RecordProsecutionCase}', id FROM lk_touched_pcase
            UNION {IncrementalSql.RedecidedLinkEnds}
            """);
        while (Sql.Execute(connection, IncrementalSql.CaseClosureStep) > 0)
        {
            // Each step adds the records one linked pair away; a case is a connected component.
        }
    }

    /// <summary>The case ids outside <c>lk_case_scope</c> that a fresh id of a record in it could collide with.</summary>
    private static HashSet<string> Reserved(DuckDBConnection connection)
    {
        var anchors = Sql.Query(connection, "SELECT record_type, record_id FROM lk_case_scope", r => CaseAssigner.HashId(new RecordRef(r.GetString(0), r.GetString(1))));
        Sql.Execute(connection, "CREATE OR REPLACE TEMP TABLE lk_anchor (case_id VARCHAR)");
        Sql.InsertRows(connection, "lk_anchor", ["case_id"], anchors.Distinct(StringComparer.Ordinal).Select(a => new object?[] { a }));
        return [.. Sql.Query(connection, """
            SELECT DISTINCT m.case_id FROM dw.case_membership m
            JOIN lk_anchor a ON a.case_id = split_part(m.case_id, '-', 1) || '-' || split_part(m.case_id, '-', 2)
            WHERE (m.record_type, m.record_id) NOT IN (SELECT (record_type, record_id) FROM lk_case_scope)
            """, r => r.GetString(0))];
    }

    private static void WriteLinks(DuckDBConnection connection, List<LinkDecision> links, Dictionary<RecordRef, string> caseOf, long batchId, bool incremental)
    {
        Sql.Execute(connection, """
            CREATE OR REPLACE TEMP TABLE lk_links (link_type VARCHAR, left_id VARCHAR, right_id VARCHAR, case_id VARCHAR, method VARCHAR,
                score DOUBLE, status VARCHAR, decided_by VARCHAR, link_date_key INTEGER)
            """);
        Sql.InsertRows(connection, "lk_links", ["link_type", "left_id", "right_id", "case_id", "method", "score", "status", "decided_by", "link_date_key"],
            links.Select(l => new object?[]
            {
                l.LinkType, l.LeftId, l.RightId,
                caseOf.TryGetValue(Left(l), out var c1) ? c1 : caseOf.TryGetValue(Right(l), out var c2) ? c2 : string.Empty,
                l.Method, l.Score, l.Status, l.DecidedBy, l.LinkDateKey,
            }));
        ExecuteScript(connection, $"""
            DELETE FROM dw.bridge_case_link AS b
            WHERE NOT EXISTS (SELECT 1 FROM lk_links l WHERE l.link_type = b.link_type AND l.left_id = b.left_record_id AND l.right_id = b.right_record_id){(incremental ? "\n              AND " + IncrementalSql.InScope("b") : string.Empty)};
            UPDATE dw.bridge_case_link AS b
            SET case_id = l.case_id, method = l.method, score = l.score, status = l.status, decided_by = l.decided_by, link_date_key = l.link_date_key, batch_id = $batch
            FROM lk_links l
            WHERE l.link_type = b.link_type AND l.left_id = b.left_record_id AND l.right_id = b.right_record_id
              AND (b.case_id IS DISTINCT FROM l.case_id OR b.method IS DISTINCT FROM l.method OR b.score IS DISTINCT FROM l.score
                   OR b.status IS DISTINCT FROM l.status OR b.decided_by IS DISTINCT FROM l.decided_by OR b.link_date_key IS DISTINCT FROM l.link_date_key);
            INSERT INTO dw.bridge_case_link (link_key, case_id, link_type, left_record_id, right_record_id, method, score, status, decided_by, link_date_key, batch_id)
            SELECT nextval('dw.seq_link_key'), l.case_id, l.link_type, l.left_id, l.right_id, l.method, l.score, l.status, l.decided_by, l.link_date_key, $batch
            FROM (SELECT * FROM lk_links ORDER BY link_type, left_id, right_id) l
            WHERE NOT EXISTS (SELECT 1 FROM dw.bridge_case_link b WHERE l.link_type = b.link_type AND l.left_id = b.left_record_id AND l.right_id = b.right_record_id);
            """, ("batch", batchId));
        if (incremental)
        {
            // Links kept from the last run whose records changed case (a merge or split reached them) follow their records,
            // with the rule of the full run: the case of the left record, else of the right one. Only a record of
            // lk_case_scope changed case, so only the links with one (lk_scope_link) are looked at.
            ExecuteScript(connection, $"""
                CREATE OR REPLACE TEMP TABLE lk_scope_link AS
                SELECT link_key, left_type, left_record_id, right_type, right_record_id FROM (
                    SELECT k.link_key, k.left_record_id, k.right_record_id,
                           {IncrementalSql.LeftRecordType("k")} AS left_type, {IncrementalSql.RightRecordType("k")} AS right_type
                    FROM dw.bridge_case_link k) k
                WHERE (left_type, left_record_id) IN (SELECT (record_type, record_id) FROM lk_case_scope)
                   OR (right_type, right_record_id) IN (SELECT (record_type, record_id) FROM lk_case_scope);
                UPDATE dw.bridge_case_link AS b SET case_id = x.case_id, batch_id = $batch
                FROM (SELECT k.link_key, COALESCE(ml.case_id, mr.case_id, '') AS case_id
                      FROM lk_scope_link k
                      LEFT JOIN dw.case_membership ml ON ml.record_type = k.left_type AND ml.record_id = k.left_record_id
                      LEFT JOIN dw.case_membership mr ON mr.record_type = k.right_type AND mr.record_id = k.right_record_id) x
                WHERE b.link_key = x.link_key AND b.case_id IS DISTINCT FROM x.case_id;
                """, ("batch", batchId));
        }
    }

    private static RecordRef Left(LinkDecision link) => new(
        link.LinkType == LinkTypes.HotlinePolice ? LinkTypes.RecordHotlineCall : LinkTypes.RecordPoliceReport, link.LeftId);

    private static RecordRef Right(LinkDecision link) => new(
        link.LinkType == LinkTypes.HotlinePolice ? LinkTypes.RecordPoliceReport : LinkTypes.RecordProsecutionCase, link.RightId);

    /// <summary>Runs a script statement by statement (statements end with a semicolon at the end of a line).</summary>
    internal static void ExecuteScript(DuckDBConnection connection, string script, params (string Name, object? Value)[] parameters)
    {
        foreach (var statement in script.Split(";\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var text = statement.TrimEnd(';').Trim();
            if (text.Length == 0 || text.StartsWith("--", StringComparison.Ordinal) && !text.Contains('\n', StringComparison.Ordinal))
            {
                continue;
            }

            var used = parameters.Where(p => text.Contains("$" + p.Name, StringComparison.Ordinal)).ToArray();
            Sql.Execute(connection, text, used);
        }
    }
}
