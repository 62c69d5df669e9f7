using DuckDB.NET.Data;

namespace TipWarehouse.Linkage;

/// <summary>What one linkage run did, per link type and for cases.</summary>
public sealed record LinkageRunSummary(
    IReadOnlyList<LinkTypeSummary> LinkTypes,
    int CaseRecords,
    int MembershipsChanged,
    int Cases,
    int LifecycleRowsChanged);

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

    public LinkageEngine(LinkageOptions options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
    }

    /// <summary>Runs linkage over everything in the warehouse and writes links, case membership and the lifecycle snapshot.</summary>
    public LinkageRunSummary Run(DuckDBConnection connection, long batchId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        LinkageRunSummary result;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var trace = Environment.GetEnvironmentVariable("TIPW_LINKAGE_TRACE") == "1";
        void Mark(string what)
        {
            if (trace)
            {
                Console.Error.WriteLine($"linkage trace: {what} at {clock.Elapsed.TotalSeconds:F2} s");
            }
        }

        try
        {
            ExecuteScript(connection, LinkageSql.Records);
            Mark("records");
            MatchReportNumbers(connection);
            Mark("report numbers");
            cancellationToken.ThrowIfCancellationRequested();

            var decisions = LinkageReview.LatestDecisions(connection);
            var summaries = new List<LinkTypeSummary>();
            var allLinks = new List<LinkDecision>();
            foreach (var linkType in LinkTypes.All)
            {
                var typeOptions = _options.For(linkType);
                var fields = ComparisonFields.For(linkType, typeOptions);
                ExecuteScript(connection, linkType == LinkTypes.HotlinePolice
                    ? LinkageSql.HotlinePoliceVectors(typeOptions)
                    : LinkageSql.PoliceProsecutionVectors(typeOptions));
                var pairCount = Sql.Scalar<long>(connection, "SELECT count(*) FROM lk_vec");
                Mark($"{linkType} vectors ({pairCount} pairs)");
                var model = _options.EstimateByEm
                    ? FellegiSunterEstimator.EstimatePatterns(fields, ReadPatterns(connection, fields.Count), _options.EmIterations)
                    : FellegiSunterModel.Configured(fields);
                var trust = linkType == LinkTypes.HotlinePolice;
                var candidates = ReadCandidates(connection, linkType, model, typeOptions, decisions, trust);
                Mark($"{linkType} model and {candidates.Count} candidates");
                var links = LinkDecider.Decide(linkType, candidates, model, typeOptions, decisions, trustReferences: trust);
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
            var (caseOf, changed) = AssignCases(connection, allLinks, batchId);
            Mark("cases");
            WriteLinks(connection, allLinks, caseOf, batchId);
            Mark("links written");
            ExecuteScript(connection, LifecycleSql.Build());
            var lifecycleChanged = Sql.Scalar<long>(connection, "SELECT count(*) FROM lk_lifecycle s LEFT JOIN dw.fact_case_lifecycle t ON t.case_id = s.case_id WHERE t.case_id IS NULL OR " + string.Join(" OR ", LifecycleSql.Columns.Select(c => $"t.{c} IS DISTINCT FROM s.{c}")))
                + Sql.Scalar<long>(connection, "SELECT count(*) FROM dw.fact_case_lifecycle WHERE case_id NOT IN (SELECT case_id FROM lk_lifecycle)");
            ExecuteScript(connection, LifecycleSql.Merge(), ("batch", batchId));
            Mark("lifecycle");
            result = new LinkageRunSummary(summaries, caseOf.Count, changed, caseOf.Values.Distinct(StringComparer.Ordinal).Count(), (int)lifecycleChanged);
        }
        catch
        {
            // The transaction is aborted: the caller rolls back, and the temp tables go with the connection.
            throw;
        }

        DropTempTables(connection);
        return result;
    }

    private static void DropTempTables(DuckDBConnection connection)
    {
        foreach (var table in LinkageSql.TempTables)
        {
            Sql.Execute(connection, $"DROP TABLE IF EXISTS {table}");
        }
    }

    private static void MatchReportNumbers(DuckDBConnection connection)
    {
        var reports = Sql.Query(connection, LinkageSql.ReportNumbers, r => r.GetString(0));
        var byRaw = new HashSet<string>(reports, StringComparer.Ordinal);
        var byNormalized = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var report in reports)
        {
            var normalized = ReportNumber.Normalize(report);
            if (normalized is null)
            {
                continue;
            }

            if (!byNormalized.TryGetValue(normalized, out var list))
            {
                byNormalized[normalized] = list = [];
            }

            list.Add(report);
        }

        var rows = new Dictionary<(string Report, string Case), int>();
        void Add(string report, string caseNumber, int level)
        {
            var key = (report, caseNumber);
            rows[key] = Math.Max(level, rows.TryGetValue(key, out var existing) ? existing : 0);
        }

        foreach (var (caseNumber, cited) in Sql.Query(connection, LinkageSql.CitedNumbers, r => (r.GetString(0), r.GetString(1))))
        {
            var trimmed = cited.Trim();
            if (byRaw.Contains(trimmed))
            {
                Add(trimmed, caseNumber, 3);
            }

            var normalized = ReportNumber.Normalize(cited);
            if (normalized is null)
            {
                continue;
            }

            if (byNormalized.TryGetValue(normalized, out var equal))
            {
                foreach (var report in equal)
                {
                    Add(report, caseNumber, 2);
                }
            }

            foreach (var variant in ReportNumber.TypingErrorVariants(normalized))
            {
                if (byNormalized.TryGetValue(variant, out var near))
                {
                    foreach (var report in near)
                    {
                        Add(report, caseNumber, 1);
                    }
                }
            }
        }

        Sql.InsertRows(connection, "lk_num", ["report_number", "case_number", "level"],
            rows.OrderBy(kv => kv.Key.Report, StringComparer.Ordinal).ThenBy(kv => kv.Key.Case, StringComparer.Ordinal)
                .Select(kv => new object?[] { kv.Key.Report, kv.Key.Case, kv.Value }));
    }

    /// <summary>The distinct comparison patterns of <c>lk_vec</c> with their pair and seed counts, in a fixed order.</summary>
    private static List<ComparisonPattern> ReadPatterns(DuckDBConnection connection, int fieldCount)
    {
        var columns = string.Join(", ", Enumerable.Range(0, fieldCount).Select(i => "v" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return Sql.Query(connection, $"SELECT {columns}, count(*), count(*) FILTER (WHERE is_seed) FROM lk_vec GROUP BY ALL ORDER BY ALL", r =>
        {
            var levels = new int[fieldCount];
            for (var f = 0; f < fieldCount; f++)
            {
                levels[f] = Sql.Int(r, f);
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
                levels[f] = Sql.Int(r, 5 + f);
            }

            return new CandidatePair(r.GetString(0), r.GetString(1), levels, Sql.Int(r, 2, 0), Sql.Int(r, 3)) { IsSeed = !r.IsDBNull(4) && r.GetBoolean(4) };
        });
    }

    private (Dictionary<RecordRef, string> CaseOf, int Changed) AssignCases(DuckDBConnection connection, List<LinkDecision> links, long batchId)
    {
        var records = new List<RecordRef>();
        records.AddRange(Sql.Query(connection, "SELECT report_number FROM lk_report", r => new RecordRef(LinkTypes.RecordPoliceReport, r.GetString(0))));
        records.AddRange(Sql.Query(connection, "SELECT case_number FROM lk_pcase", r => new RecordRef(LinkTypes.RecordProsecutionCase, r.GetString(0))));
        if (_options.CallOnlyCasesForTipCalls)
        {
            records.AddRange(Sql.Query(connection, "SELECT call_id FROM lk_call WHERE is_tip", r => new RecordRef(LinkTypes.RecordHotlineCall, r.GetString(0))));
        }

        var edges = links.Where(l => l.Status == LinkTypes.StatusLinked).Select(l => (Left(l), Right(l))).ToList();
        var previous = Sql.Query(connection, "SELECT record_type, record_id, case_id FROM dw.case_membership",
            r => (Record: new RecordRef(r.GetString(0), r.GetString(1)), CaseId: r.GetString(2)))
            .ToDictionary(x => x.Record, x => x.CaseId);
        var assigned = CaseAssigner.Assign(records, edges, previous);
        var caseOf = new Dictionary<RecordRef, string>(assigned);

        Sql.Execute(connection, "CREATE OR REPLACE TEMP TABLE lk_membership (record_type VARCHAR, record_id VARCHAR, case_id VARCHAR)");
        Sql.InsertRows(connection, "lk_membership", ["record_type", "record_id", "case_id"],
            caseOf.OrderBy(kv => kv.Key).Select(kv => new object?[] { kv.Key.Type, kv.Key.Id, kv.Value }));
        var changed = caseOf.Count(kv => !previous.TryGetValue(kv.Key, out var old) || old != kv.Value);
        ExecuteScript(connection, """
            DELETE FROM dw.case_membership AS t
            WHERE NOT EXISTS (SELECT 1 FROM lk_membership s WHERE s.record_type = t.record_type AND s.record_id = t.record_id);
            UPDATE dw.case_membership AS t SET case_id = s.case_id, batch_id = $batch
            FROM lk_membership s WHERE s.record_type = t.record_type AND s.record_id = t.record_id AND s.case_id <> t.case_id;
            INSERT INTO dw.case_membership (record_type, record_id, case_id, first_batch_id, batch_id)
            SELECT s.record_type, s.record_id, s.case_id, $batch, $batch FROM lk_membership s
            WHERE NOT EXISTS (SELECT 1 FROM dw.case_membership t WHERE s.record_type = t.record_type AND s.record_id = t.record_id);
            """, ("batch", batchId));
        return (caseOf, changed);
    }

    private static void WriteLinks(DuckDBConnection connection, List<LinkDecision> links, Dictionary<RecordRef, string> caseOf, long batchId)
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
        ExecuteScript(connection, """
            DELETE FROM dw.bridge_case_link AS b
            WHERE NOT EXISTS (SELECT 1 FROM lk_links l WHERE l.link_type = b.link_type AND l.left_id = b.left_record_id AND l.right_id = b.right_record_id);
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
            var sw = System.Diagnostics.Stopwatch.StartNew();
            Sql.Execute(connection, text, used);
            if (Environment.GetEnvironmentVariable("TIPW_LINKAGE_TRACE") == "1")
            {
                Console.Error.WriteLine($"  {sw.Elapsed.TotalSeconds:F2} s {text[..Math.Min(70, text.Length)].ReplaceLineEndings(" ")}");
            }
        }
    }
}
