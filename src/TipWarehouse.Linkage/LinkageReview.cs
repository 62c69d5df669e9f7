using DuckDB.NET.Data;
using TipWarehouse.Core;

namespace TipWarehouse.Linkage;

/// <summary>The analyst review queue: uncertain pairs in <c>dw.bridge_case_link</c>, decisions in <c>meta.linkage_decision</c>.</summary>
public static class LinkageReview
{
    /// <summary>The record rows of <see cref="Show"/> after type and id, in order.</summary>
    private static readonly string[] s_recordItems = ["date", "place", "unit", "persons", "offence", "cites"];

    /// <summary>The latest decision per pair; later linkage runs apply them before scoring.</summary>
    public static IReadOnlyList<AnalystDecision> LatestDecisions(DuckDBConnection connection) =>
        Sql.Query(connection, """
            SELECT link_type, left_record_id, right_record_id, decision, decided_by
            FROM meta.linkage_decision
            QUALIFY row_number() OVER (PARTITION BY link_type, left_record_id, right_record_id ORDER BY decided_at DESC, decision_id DESC) = 1
            ORDER BY link_type, left_record_id, right_record_id
            """,
            r => new AnalystDecision(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3) == "accept", r.GetString(4)));

    /// <summary>The pairs waiting for a decision (status <c>review</c>), best score first; with <paramref name="includeDecided"/> also the decided ones.</summary>
    public static ResultTable Queue(DuckDBConnection connection, bool includeDecided = false)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT b.link_key AS id, b.link_type, b.left_record_id, b.right_record_id, b.score, b.method, b.status, b.case_id,
                   CASE WHEN b.link_date_key > 0 THEN CAST(strptime(CAST(b.link_date_key AS VARCHAR), '%Y%m%d') AS DATE) END AS link_date,
                   b.decided_by
            FROM dw.bridge_case_link b
            WHERE b.status = 'review' {(includeDecided ? "OR b.decided_by IS NOT NULL" : string.Empty)}
            ORDER BY b.status, b.score DESC NULLS LAST, b.link_type, b.left_record_id, b.right_record_id
            """;
        using var reader = command.ExecuteReader();
        return ResultTable.FromReader(reader);
    }

    /// <summary>Records an analyst's accept or reject of the pair with link key <paramref name="linkKey"/> and applies it to the link at once.</summary>
    public static ResultTable Decide(DuckDBConnection connection, long linkKey, bool accept, string decidedBy, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(time);
        if (string.IsNullOrWhiteSpace(decidedBy))
        {
            throw new UsageException("The analyst's name is empty: pass --by NAME.");
        }

        decidedBy = decidedBy.Trim();
        if (decidedBy.Length > 40)
        {
            decidedBy = decidedBy[..40];
        }

        var pair = Sql.Query(connection, "SELECT link_type, left_record_id, right_record_id, score FROM dw.bridge_case_link WHERE link_key = $key",
            r => (LinkType: r.GetString(0), Left: r.GetString(1), Right: r.GetString(2), Score: Sql.ReadDouble(r, 3)), ("key", linkKey));
        if (pair.Count == 0)
        {
            throw new UsageException($"No candidate link with id {linkKey}. List the queue with 'tipw linkage review --home HOME'.");
        }

        var (linkType, left, right, score) = pair[0];
        using var transaction = connection.BeginTransaction();
        var decisionId = Sql.Scalar<long>(connection, "SELECT COALESCE(max(decision_id), 0) + 1 FROM meta.linkage_decision");
        Sql.Execute(connection, """
            INSERT INTO meta.linkage_decision (decision_id, link_type, left_record_id, right_record_id, decision, decided_by, decided_at, link_key, score_at_decision)
            VALUES ($id, $type, $left, $right, $decision, $by, $at, $key, $score)
            """,
            ("id", decisionId), ("type", linkType), ("left", left), ("right", right), ("decision", accept ? "accept" : "reject"),
            ("by", decidedBy), ("at", time.GetUtcNow().UtcDateTime), ("key", linkKey), ("score", score));
        Sql.Execute(connection, """
            UPDATE dw.bridge_case_link SET status = $status, decided_by = $by, method = CASE WHEN $accept THEN 'analyst' ELSE method END
            WHERE link_key = $key
            """,
            ("status", accept ? LinkTypes.StatusLinked : LinkTypes.StatusRejected), ("by", decidedBy), ("accept", accept), ("key", linkKey));
        transaction.Commit();

        using var command = connection.CreateCommand();
        command.CommandText = "SELECT link_key AS id, link_type, left_record_id, right_record_id, score, method, status, decided_by FROM dw.bridge_case_link WHERE link_key = $key";
        command.Parameters.Add(new DuckDBParameter("key", linkKey));
        using var reader = command.ExecuteReader();
        return ResultTable.FromReader(reader, ["Recorded. The next linkage run ('tipw run linkage') regroups the cases and keeps this decision."]);
    }
    /// <summary>Tolerance between the sum of the weights and the stored score, which is that sum rounded to 4 decimals.</summary>
    public const double ScoreTolerance = 5e-5;

    /// <summary>
    /// The two records of candidate link <paramref name="linkKey"/> side by side (type, id, date, place, unit,
    /// pseudonymised persons, offence, cited reference: the values linkage compares) and its score broken down by
    /// comparison: the levels stored with the candidate in <c>meta.linkage_candidate</c> weighed by the persisted model
    /// (<c>meta.linkage_model</c>, <see cref="FellegiSunterModel.FieldWeight"/>), then their sum and the stored score.
    /// Pseudonyms only (their first 12 characters), never names or DNI.
    /// </summary>
    public static ResultTable Show(DuckDBConnection connection, long linkKey)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var pair = Sql.Query(connection, """
            SELECT b.link_type, b.left_record_id, b.right_record_id, b.score, b.status, b.method, b.decided_by, c.levels
            FROM dw.bridge_case_link b
            LEFT JOIN meta.linkage_candidate c ON c.link_type = b.link_type AND c.left_record_id = b.left_record_id AND c.right_record_id = b.right_record_id
            WHERE b.link_key = $key
            """,
            r => (LinkType: r.GetString(0), Left: r.GetString(1), Right: r.GetString(2), Score: Sql.ReadDouble(r, 3), Status: r.GetString(4), Method: r.GetString(5),
                DecidedBy: Sql.ReadText(r, 6), Levels: Sql.ReadText(r, 7)), ("key", linkKey));
        if (pair.Count == 0)
        {
            throw new UsageException($"No candidate link with id {linkKey}. List the queue with 'tipw linkage review --home HOME'.");
        }

        var (linkType, left, right, score, status, method, decidedBy, levelText) = pair[0];
        var hotline = linkType == LinkTypes.HotlinePolice;
        var (leftType, rightType) = hotline
            ? (LinkTypes.RecordHotlineCall, LinkTypes.RecordPoliceReport)
            : (LinkTypes.RecordPoliceReport, LinkTypes.RecordProsecutionCase);
        var leftRecord = Record(connection, leftType, left, hotline);
        var rightRecord = Record(connection, rightType, right, hotline);
        var rows = new List<object?[]>
        {
            Row("link", "link_type", linkType, null, null, null),
            Row("link", "status", status, null, null, null),
            Row("link", "method", method, null, null, null),
            Row("link", "decided_by", decidedBy, null, null, null),
            Row("record", "record_type", leftType, rightType, null, null),
            Row("record", "record_id", left, right, null, null),
        };
        for (var i = 0; i < s_recordItems.Length; i++)
        {
            rows.Add(Row("record", s_recordItems[i], leftRecord[i], rightRecord[i], null, null));
        }

        var fields = ComparisonFields.For(linkType);
        var model = LoadModel(connection, linkType, fields);
        var levels = levelText?.Split(',').Select(x => int.Parse(x, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        double? total = null;
        string check;
        if (levels is null)
        {
            check = "No comparison levels are stored for this pair (decided by an analyst without being a candidate of the last linkage run): no breakdown.";
        }
        else if (model is null)
        {
            check = $"No persisted model for {linkType} matches the comparison fields ({string.Join(", ", fields.Select(f => f.Name))}): run 'tipw run linkage --full'.";
        }
        else if (levels.Length != fields.Count)
        {
            check = $"The pair has {levels.Length} stored levels for {fields.Count} comparison fields: run 'tipw run linkage --full'.";
        }
        else
        {
            total = model.PriorWeight;
            if (model.WeighsPrior)
            {
                rows.Add(Row("prior", "log2_prior_odds", null, null, null, model.PriorWeight));
            }

            for (var f = 0; f < fields.Count; f++)
            {
                var weight = model.FieldWeight(f, levels[f]);
                total += weight;
                rows.Add(Row("comparison", fields[f].Name, null, null, levels[f], weight));
            }

            check = score is null
                ? "The pair has no stored score."
                : Math.Abs(total.Value - score.Value) <= ScoreTolerance
                    ? "The weights sum to the stored score."
                    : FormattableString.Invariant($"The model changed after this pair was scored: today's weights sum to {total.Value:F4}, the stored score is {score.Value:F4}; the next 'tipw run linkage' re-scores it.");
        }

        rows.Add(Row("total", "weight_sum", null, null, null, total));
        rows.Add(Row("total", "score", null, null, null, score));
        rows.Add(Row("note", "check", check, null, null, null));
        var columns = new ResultColumn[]
        {
            new("part", typeof(string)), new("item", typeof(string)), new("left", typeof(string)), new("right", typeof(string)),
            new("level", typeof(int)), new("weight", typeof(double)),
        };
        return new ResultTable(columns, rows, [
            "Weight: log2(m/u) of the field's level in the persisted Fellegi-Sunter model; level -1: a value is missing on one side and adds no weight. "
                + "Hotline -> police also weighs the prior, log2(p/(1-p)) of the model's match share p: its score is the posterior log-odds of a match.",
            "The score is the weight sum rounded to 4 decimals. Persons: dni= and name= are the first 12 characters of the pseudonyms linkage compares (never a name or DNI), then age band and sex.",
        ]);
    }

    private static object?[] Row(string part, string item, string? left, string? right, int? level, double? weight) => [part, item, left, right, level, weight];

    /// <summary>The persisted model of <paramref name="linkType"/>, or null when it does not describe <paramref name="fields"/> (names and levels).</summary>
    private static FellegiSunterModel? LoadModel(DuckDBConnection connection, string linkType, IReadOnlyList<ComparisonField> fields)
    {
        var rows = Sql.Query(connection, "SELECT field_index, field_name, level, m, u, prior, estimated, iterations FROM meta.linkage_model WHERE link_type = $type ORDER BY field_index, level",
            r => (Field: Sql.ReadInt(r, 0), Name: r.GetString(1), Level: Sql.ReadInt(r, 2), M: Sql.ReadDouble(r, 3) ?? 0, U: Sql.ReadDouble(r, 4) ?? 0, Prior: Sql.ReadDouble(r, 5) ?? 0,
                Estimated: Convert.ToBoolean(r.GetValue(6), System.Globalization.CultureInfo.InvariantCulture), Iterations: Sql.ReadInt(r, 7)), ("type", linkType));
        if (rows.Count != fields.Sum(f => f.Levels)
            || rows.Any(r => r.Field < 0 || r.Field >= fields.Count || r.Name != fields[r.Field].Name || r.Level < 0 || r.Level >= fields[r.Field].Levels))
        {
            return null;
        }

        var m = fields.Select(f => new double[f.Levels]).ToArray();
        var u = fields.Select(f => new double[f.Levels]).ToArray();
        foreach (var row in rows)
        {
            m[row.Field][row.Level] = row.M;
            u[row.Field][row.Level] = row.U;
        }

        return new FellegiSunterModel(fields, m, u, rows[0].Prior, rows[0].Iterations, rows[0].Estimated) { WeighsPrior = LinkTypes.WeighsPrior(linkType) };
    }

    /// <summary>
    /// What linkage compares of one record (see <c>LinkageSql.Records</c>): date, place, unit, persons, offence and the
    /// reference it cites. Persons are the victims for hotline → police and the suspects and arrested (report) or
    /// defendants (case) for police → prosecution, each as pseudonym prefixes, age band and sex.
    /// </summary>
    private static string?[] Record(DuckDBConnection connection, string recordType, string id, bool hotline)
    {
        const string Person = "NULLIF(concat_ws(' ', 'dni=' || left(p.dni_pseudonym, 12), 'name=' || left(p.name_phonetic_pseudonym, 12), CASE WHEN p.person_key <> -1 THEN p.age_band END, {0}), '')";
        const string Place = "CASE WHEN g.geography_key <> -1 THEN g.department_name || ' / ' || g.province_name || ' / ' || g.district_name END";
        static string Date(string key) => $"CASE WHEN {key} > 0 THEN strftime(strptime(CAST({key} AS VARCHAR), '%Y%m%d'), '%Y-%m-%d') END";
        static string PersonOf(string sex) => string.Format(System.Globalization.CultureInfo.InvariantCulture, Person, sex);
        // Police → prosecution compares a report's suspects and arrested persons with a case's defendants.
        var arrested = hotline ? string.Empty : $"""
            UNION
            SELECT 'DETENIDO ' || {PersonOf("p.sex")} FROM dw.fact_arrest a JOIN dw.dim_person p ON p.person_key = a.person_key AND p.person_key <> -1
            WHERE a.report_number = r.report_number
            """;
        var sql = recordType switch
        {
            LinkTypes.RecordHotlineCall => $"""
                SELECT {Date("h.call_date_key")}, {Place}, u.station_name,
                       {PersonOf("COALESCE(h.victim_sex, CASE WHEN p.person_key <> -1 THEN p.sex END)")},
                       h.operator_category, CAST(NULL AS VARCHAR)
                FROM dw.fact_hotline_call h
                LEFT JOIN dw.dim_geography g ON g.geography_key = h.geography_key
                LEFT JOIN dw.dim_police_unit u ON u.police_unit_key = h.referred_police_unit_key AND u.police_unit_key <> -1
                LEFT JOIN dw.dim_person p ON p.person_key = h.victim_person_key
                WHERE h.call_id = $id
                """,
            LinkTypes.RecordPoliceReport => $"""
                SELECT {Date("r.report_date_key")}, {Place}, u.station_name,
                       (SELECT string_agg(x.person, '; ' ORDER BY x.person) FROM (
                            SELECT upper(bp.role) || ' ' || {PersonOf("p.sex")} AS person
                            FROM dw.bridge_report_person bp JOIN dw.dim_person p ON p.person_key = bp.person_key
                            WHERE bp.report_number = r.report_number AND {(hotline ? string.Empty : "NOT ")}upper(bp.role) LIKE 'VICTIM%'
                            {arrested}) x),
                       CASE WHEN c.crime_type_key <> -1 THEN concat_ws(' ', 'art. ' || c.penal_article, r.modality) ELSE r.modality END,
                       NULLIF(trim(r.source_call_id), '')
                FROM dw.fact_police_report r
                LEFT JOIN dw.dim_geography g ON g.geography_key = r.geography_key
                LEFT JOIN dw.dim_police_unit u ON u.police_unit_key = r.police_unit_key AND u.police_unit_key <> -1
                LEFT JOIN dw.dim_crime_type c ON c.crime_type_key = r.crime_type_key
                WHERE r.report_number = $id
                """,
            _ => $"""
                WITH e AS (SELECT * FROM dw.fact_case_event WHERE case_number = $id),
                k AS (
                    SELECT min(event_date_key) FILTER (WHERE event_date_key > 0) AS date_key,
                           arg_min(geography_key, CAST(event_date_key AS BIGINT) * 100000000 + event_sequence) FILTER (WHERE geography_key <> -1) AS geography_key,
                           arg_min(prosecutor_office_key, CAST(event_date_key AS BIGINT) * 100000000 + event_sequence) FILTER (WHERE prosecutor_office_key <> -1) AS office_key,
                           arg_max(crime_type_key, CAST(event_date_key AS BIGINT) * 100000000 + event_sequence) FILTER (WHERE crime_type_key <> -1) AS crime_type_key,
                           arg_max(charged_articles, CAST(event_date_key AS BIGINT) * 100000000 + event_sequence) AS charged_articles,
                           string_agg(DISTINCT NULLIF(trim(cited_report_number), ''), ', ') AS cited,
                           count(*) AS events
                    FROM e)
                SELECT {Date("k.date_key")}, {Place}, o.office_name,
                       (SELECT string_agg(DISTINCT {PersonOf("p.sex")}, '; ') FROM dw.bridge_case_event_defendant d JOIN e ON e.event_sequence = d.event_sequence JOIN dw.dim_person p ON p.person_key = d.person_key),
                       concat_ws(' ', 'art. ' || c.penal_article, NULLIF(k.charged_articles, c.penal_article)),
                       k.cited
                FROM k
                LEFT JOIN dw.dim_geography g ON g.geography_key = k.geography_key
                LEFT JOIN dw.dim_prosecutor_office o ON o.prosecutor_office_key = k.office_key
                LEFT JOIN dw.dim_crime_type c ON c.crime_type_key = k.crime_type_key
                WHERE k.events > 0
                """,
        };
        var found = Sql.Query(connection, sql, r => Enumerable.Range(0, s_recordItems.Length).Select(i => Sql.ReadText(r, i)).ToArray(), ("id", id));
        return found.Count > 0 ? found[0] : new string?[s_recordItems.Length];
    }
}
