using System.Buffers.Binary;
using System.Data.Common;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using DuckDB.NET.Data;
using TipWarehouse.Core;

namespace TipWarehouse.Classifier;

/// <summary>Labelled calls read from the warehouse, with how many had no label.</summary>
public sealed record LabelledCalls(IReadOnlyList<CallFeatures> Calls, int Unlabelled, int PositiveByOperator, int PositiveByLinkOnly)
{
    /// <summary>The calls whose label is a supervisor's decision, each with the warehouse label it replaced (null: the call had none).</summary>
    public IReadOnlyDictionary<string, bool?> SupervisorDecided { get; init; } = new Dictionary<string, bool?>();

    /// <summary>How many supervisor decisions differ from the warehouse label (or label a call that had none).</summary>
    public int SupervisorChanged { get; init; }
}

/// <summary>A labelled call without its narrative and fields: what the split and the fit sample of <c>tipw model train</c> are decided on.</summary>
public readonly record struct LabelledCallKey(long CallKey, string CallId, int CallDateKey, bool Label, UInt128? NarrativeHash);

/// <summary>The split <see cref="WarehouseCalls.ReadSplit"/> read (null when the warehouse has no labelled call), what its fit
/// sample was drawn from, the label counts, and how many labelled calls (and TIP-related ones) the warehouse has.</summary>
public sealed record WarehouseSplit(TimeSplit? Split, FitSampleSummary Summary, LabelledCalls Labels, int LabelledCount, int PositiveCount);

/// <summary>Reads hotline calls from <c>dw.fact_hotline_call</c> as model rows (features plus the warehouse label).</summary>
public static class WarehouseCalls
{
    // The call's fields the model uses, joined to the caller type code and the department name.
    private const string SelectCalls = """
        SELECT c.call_key, c.call_id, c.call_date_key, c.narrative, ct.caller_type_code, c.victim_sex, g.department_name,
               c.call_hour, c.victim_age, c.is_minor, c.duration_sec, c.operator_category
        FROM dw.fact_hotline_call c
        LEFT JOIN dw.dim_caller_type ct ON ct.caller_type_key = c.caller_type_key
        LEFT JOIN dw.dim_geography g ON g.geography_key = c.geography_key
        """;

    // Calls confirmed as TIP-related by linkage: a 'linked' hotline_police link to a police report flagged TIP-related
    // (either side of the link may hold the call id).
    private const string TipLinkedCalls = """
        SELECT l.left_record_id AS call_id FROM dw.bridge_case_link l
        JOIN dw.fact_police_report r ON r.report_number = l.right_record_id
        WHERE l.link_type = 'hotline_police' AND l.status = 'linked' AND CAST(r.is_tip_related AS INTEGER) = 1
        UNION
        SELECT l.right_record_id AS call_id FROM dw.bridge_case_link l
        JOIN dw.fact_police_report r ON r.report_number = l.left_record_id
        WHERE l.link_type = 'hotline_police' AND l.status = 'linked' AND CAST(r.is_tip_related AS INTEGER) = 1
        """;

    /// <summary>Every call with a warehouse label (see <see cref="TipLabels"/>), in date order; with
    /// <paramref name="decisions"/>, a supervisor's decision replaces the warehouse label and labels calls that had none.</summary>
    public static LabelledCalls ReadLabelled(DuckDBConnection connection, IReadOnlyDictionary<string, SupervisorDecision>? decisions = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var calls = new List<CallFeatures>();
        var categories = new Dictionary<string, string>(StringComparer.Ordinal);
        var counts = ReadLabels(connection, decisions, (reader, callId, label) => calls.Add(Pooled(ToFeatures(reader, callId, label), categories)));
        calls.Sort(static (a, b) => a.CallDateKey != b.CallDateKey ? a.CallDateKey.CompareTo(b.CallDateKey) : string.CompareOrdinal(a.CallId, b.CallId));
        return new LabelledCalls(calls, counts.Unlabelled, counts.PositiveByOperator, counts.PositiveByLinkOnly) { SupervisorDecided = counts.SupervisorDecided, SupervisorChanged = counts.SupervisorChanged };
    }

    /// <summary>The time-based split and the fit sample of <c>tipw model train</c>, read in two passes so only the calls it
    /// uses are ever held: the first keeps, per labelled call, its key, id, date, label and a hash of its distinctive narrative
    /// (what <see cref="TimeSplit.Plan"/> and <see cref="CallClassifierTrainer.EvenStride"/> decide on); the second reads the
    /// features of the fit sample. The validation and test months are <see cref="WarehouseCallWindow"/>s over this
    /// connection, read page by page whenever they are enumerated (the connection must stay open while the split is used).
    /// The sets, their order and their labels are those <see cref="ReadLabelled"/> and <see cref="CallClassifierTrainer.Train(IReadOnlyList{CallFeatures}, TrainingOptions, IReadOnlyDictionary{string, bool?}?, CancellationToken)"/>
    /// give (narratives are compared by a 128-bit hash of the folded text instead of the text).</summary>
    public static WarehouseSplit ReadSplit(DuckDBConnection connection, IReadOnlyDictionary<string, SupervisorDecision>? decisions, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        // Sized to the calls up front: doubling a list of ~10M keys held the old and the new array at once (1.5 GB of them).
        var keys = new List<LabelledCallKey>((int)Sql.Scalar<long>(connection, "SELECT COUNT(*) FROM dw.fact_hotline_call"));
        var counts = ReadLabels(connection, decisions, (reader, callId, label) => keys.Add(new LabelledCallKey(
            Convert.ToInt64(reader.GetValue(0)),
            callId,
            Convert.ToInt32(reader.GetValue(2)),
            label,
            NarrativeHash(reader.IsDBNull(3) ? string.Empty : reader.GetString(3)))));
        // ReadLabelled's order (date, then call id); the call key only orders the rows that order leaves tied.
        keys.Sort(static (a, b) => a.CallDateKey != b.CallDateKey ? a.CallDateKey.CompareTo(b.CallDateKey)
            : string.CompareOrdinal(a.CallId, b.CallId) is var byId and not 0 ? byId : a.CallKey.CompareTo(b.CallKey));
        var labelled = new LabelledCalls([], counts.Unlabelled, counts.PositiveByOperator, counts.PositiveByLinkOnly) { SupervisorDecided = counts.SupervisorDecided, SupervisorChanged = counts.SupervisorChanged };
        if (keys.Count == 0)
        {
            return new WarehouseSplit(null, new FitSampleSummary(0, 0, 0, 0), labelled, 0, 0);
        }

        var plan = TimeSplit.Plan(keys, static k => k.CallDateKey, static k => k.CallId, static k => k.NarrativeHash, options.TestMonths, options.ValidationMonths);
        var (supervisorLabels, supervisorChanged) = CallClassifierTrainer.CountSupervisorLabels(plan.Fit.Concat(plan.Validation).Select(i => (keys[i].CallId, keys[i].Label)), counts.SupervisorDecided);
        var fit = plan.Fit;
        if (options.MaxFitCalls > 0 && fit.Count > options.MaxFitCalls)
        {
            fit = CallClassifierTrainer.EvenStride(fit, options.MaxFitCalls, i => keys[i].CallDateKey, i => keys[i].CallId);
        }

        // The fit sample is held (the learner reads it several times); the validation and test months, millions of calls at
        // ~10M, are windows read page by page when scored, with the warehouse label back on the test calls a supervisor decided.
        var features = ReadByKey(connection, fit.Select(i => keys[i]));
        var (test, heldOut) = CallClassifierTrainer.WithWarehouseLabels(plan.Test.Select(i => keys[i]), static k => k.CallId, static (k, label) => k with { Label = label }, counts.SupervisorDecided);
        var split = new TimeSplit(
            [.. fit.Select(i => features[keys[i].CallKey])],
            new WarehouseCallWindow(connection, plan.Validation.Select(i => keys[i])),
            new WarehouseCallWindow(connection, test),
            plan.TrainFrom, plan.TrainTo, plan.ValidationFrom, plan.TestFrom, plan.TestTo, plan.DuplicatesRemoved);
        return new WarehouseSplit(split, new FitSampleSummary(plan.Fit.Count, supervisorLabels, supervisorChanged, heldOut), labelled, keys.Count, keys.Count(k => k.Label));
    }

    // Reads every call once, labels it (a supervisor's decision, else the operator category or a TIP-linked police report)
    // and hands each labelled one to onLabelled with the reader on its row (the columns of SelectCalls).
    private static LabelCounts ReadLabels(DuckDBConnection connection, IReadOnlyDictionary<string, SupervisorDecision>? decisions, Action<DbDataReader, string, bool> onLabelled)
    {
        var linked = ReadTipLinkedCallIds(connection);
        var decided = new Dictionary<string, bool?>(StringComparer.Ordinal);
        int unlabelled = 0, byOperator = 0, byLinkOnly = 0, changed = 0;
        using var command = connection.CreateCommand();
        // Sorted by the caller, not by an ORDER BY: DuckDB would hold the whole sorted result, narratives and all, in its buffer
        // pool while the reader walks it (the same order: call ids are ASCII, DuckDB compares strings bytewise). Streamed: a
        // materialized result holds every narrative too (5.8 GB of RSS at ~10M calls before this).
        command.UseStreamingMode = true;
        command.CommandText = SelectCalls;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var callId = reader.GetString(1);
            var byCategory = TipLabels.FromOperatorCategory(reader.IsDBNull(11) ? null : reader.GetString(11));
            var byLink = linked.Contains(callId);
            bool? warehouseLabel = byCategory == true || byLink ? true : byCategory;
            if (decisions is not null && decisions.TryGetValue(callId, out var decision))
            {
                decided[callId] = warehouseLabel;
                changed += warehouseLabel != decision.IsTip ? 1 : 0;
                onLabelled(reader, callId, decision.IsTip);
                byOperator += byCategory == true ? 1 : 0;
                byLinkOnly += byCategory != true && byLink ? 1 : 0;
                continue;
            }

            if (warehouseLabel is null)
            {
                unlabelled++;
                continue;
            }

            if (byCategory == true)
            {
                byOperator++;
            }
            else if (byLink)
            {
                byLinkOnly++;
            }

            onLabelled(reader, callId, byCategory == true || byLink);
        }

        return new LabelCounts(unlabelled, byOperator, byLinkOnly, decided, changed);
    }

    /// <summary>The features of the given calls, by call key, each with the label it was given; through a temp table of their
    /// keys, streamed without an ORDER BY (the caller puts them in order), the scan limited to the keys' range.</summary>
    internal static Dictionary<long, CallFeatures> ReadByKey(DuckDBConnection connection, IEnumerable<LabelledCallKey> calls)
    {
        var labels = new Dictionary<long, bool>();
        long low = long.MaxValue, high = long.MinValue;
        foreach (var call in calls)
        {
            labels[call.CallKey] = call.Label;
            low = Math.Min(low, call.CallKey);
            high = Math.Max(high, call.CallKey);
        }

        if (labels.Count == 0)
        {
            return [];
        }

        Sql.Execute(connection, "CREATE OR REPLACE TEMP TABLE tmp_selected_calls (call_key BIGINT)");
        try
        {
            Sql.InsertRows(connection, "tmp_selected_calls", ["call_key"], labels.Keys.Select(key => new object?[] { key }));
            var features = new Dictionary<long, CallFeatures>(labels.Count);
            var categories = new Dictionary<string, string>(StringComparer.Ordinal);
            using var command = connection.CreateCommand();
            // The range lets the scan skip the row groups outside it: a window of the split is a few months of calls, whose
            // keys (assigned in load order) are close together.
            command.CommandText = SelectCalls + " JOIN tmp_selected_calls s ON s.call_key = c.call_key WHERE c.call_key BETWEEN $low AND $high";
            command.Parameters.Add(new DuckDBParameter("low", low));
            command.Parameters.Add(new DuckDBParameter("high", high));
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var callKey = Convert.ToInt64(reader.GetValue(0));
                features[callKey] = Pooled(ToFeatures(reader, reader.GetString(1), labels[callKey]), categories);
            }

            if (features.Count != labels.Count)
            {
                throw new TipwException($"{labels.Count - features.Count} of the {labels.Count} calls selected for training left the warehouse while it was read; train again.");
            }

            return features;
        }
        finally
        {
            Sql.Execute(connection, "DROP TABLE IF EXISTS tmp_selected_calls");
        }
    }

    // 128 bits of the SHA-256 of the folded narrative when it is distinctive (TimeSplit.DistinctiveNarrativeKey), else null.
    private static UInt128? NarrativeHash(string narrative)
    {
        if (TimeSplit.DistinctiveNarrativeKey(narrative) is not { } key)
        {
            return null;
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(MemoryMarshal.AsBytes(key.AsSpan()), digest);
        return BinaryPrimitives.ReadUInt128LittleEndian(digest);
    }

    private sealed record LabelCounts(int Unlabelled, int PositiveByOperator, int PositiveByLinkOnly, Dictionary<string, bool?> SupervisorDecided, int SupervisorChanged);

    /// <summary>The temp table <see cref="CollectUnscored"/> fills with the keys of the calls a model has not scored (<c>call_key</c>, in key order).</summary>
    public const string UnscoredTable = "call_unscored";

    /// <summary>Collects the keys of the calls <paramref name="modelKey"/> has not scored into the temp table <see cref="UnscoredTable"/>
    /// on <paramref name="connection"/> (one pass over the calls and the scores) and returns how many; <see cref="ReadUnscored"/> pages through it.</summary>
    public static long CollectUnscored(DuckDBConnection connection, int modelKey)
    {
        Sql.Execute(connection, $"""
            CREATE OR REPLACE TEMP TABLE {UnscoredTable} AS
            SELECT c.call_key FROM dw.fact_hotline_call c
            WHERE NOT EXISTS (SELECT 1 FROM dw.fact_call_score s WHERE s.call_key = c.call_key AND s.model_key = $model)
            ORDER BY c.call_key
            """, ("model", modelKey));
        return Sql.Scalar<long>(connection, $"SELECT count(*) FROM {UnscoredTable}");
    }

    /// <summary>Up to <paramref name="limit"/> of the calls <see cref="CollectUnscored"/> collected, with a key above
    /// <paramref name="afterCallKey"/>, in call-key order (keyset paging).</summary>
    public static List<(long CallKey, CallFeatures Features)> ReadUnscored(DuckDBConnection connection, long afterCallKey, int limit) =>
        ReadPage(connection, UnscoredTable, afterCallKey, limit);

    /// <summary>Up to <paramref name="limit"/> calls with a key above <paramref name="afterCallKey"/>, scored or not, in call-key order
    /// (keyset paging): what a rebuild re-scores.</summary>
    public static List<(long CallKey, CallFeatures Features)> ReadAll(DuckDBConnection connection, long afterCallKey, int limit) =>
        ReadPage(connection, null, afterCallKey, limit);

    // The calls after afterCallKey: every call, or those whose key is in keyTable (a table with a call_key column). A page
    // is read in two steps so that it costs what it returns, not what lies after it: its last key from keyTable's keys alone,
    // then its calls by that key range, which DuckDB reads from the range's row groups only (the calls are appended in key
    // order). In one step (ORDER BY call_key LIMIT over the calls, the scored ones left out by NOT EXISTS) every page read the
    // narrative of every later call and probed every later call against the scores: quadratic in the calls, about 17 s a page
    // of 50,000 at ~10M calls.
    private static List<(long CallKey, CallFeatures Features)> ReadPage(DuckDBConnection connection, string? keyTable, long afterCallKey, int limit)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var last = Sql.Scalar<long?>(connection, $"SELECT max(call_key) FROM (SELECT call_key FROM {keyTable ?? "dw.fact_hotline_call"} WHERE call_key > $after ORDER BY call_key LIMIT $limit)",
            ("after", afterCallKey), ("limit", limit));
        if (last is null)
        {
            return [];
        }

        var keys = keyTable is null ? "" : $" AND c.call_key IN (SELECT k.call_key FROM {keyTable} k WHERE k.call_key > $after AND k.call_key <= $last)";
        using var command = Sql.Command(connection, SelectCalls + $"""

            WHERE c.call_key > $after AND c.call_key <= $last{keys}
            ORDER BY c.call_key
            """, ("after", afterCallKey), ("last", last.Value));
        using var reader = command.ExecuteReader();
        var rows = new List<(long, CallFeatures)>(limit);
        while (reader.Read())
        {
            rows.Add((Convert.ToInt64(reader.GetValue(0)), ToFeatures(reader, reader.GetString(1), false)));
        }

        return rows;
    }

    /// <summary>One call by its hotline id, or null.</summary>
    public static CallFeatures? ReadOne(DuckDBConnection connection, string callId)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.CommandText = SelectCalls + " WHERE c.call_id = $id";
        command.Parameters.Add(new DuckDBParameter("id", callId));
        using var reader = command.ExecuteReader();
        return reader.Read() ? ToFeatures(reader, reader.GetString(1), false) : null;
    }

    /// <summary>Every call dated from <paramref name="fromDateKey"/> to <paramref name="toDateKey"/> (yyyymmdd, inclusive), with its operator category.</summary>
    public static List<(CallFeatures Call, string? OperatorCategory)> ReadWindow(DuckDBConnection connection, int fromDateKey, int toDateKey)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.CommandText = SelectCalls + " WHERE c.call_date_key BETWEEN $from AND $to ORDER BY c.call_date_key, c.call_id";
        command.Parameters.Add(new DuckDBParameter("from", fromDateKey));
        command.Parameters.Add(new DuckDBParameter("to", toDateKey));
        using var reader = command.ExecuteReader();
        var rows = new List<(CallFeatures, string?)>();
        while (reader.Read())
        {
            rows.Add((ToFeatures(reader, reader.GetString(1), false), reader.IsDBNull(11) ? null : reader.GetString(11)));
        }

        return rows;
    }

    private static HashSet<string> ReadTipLinkedCallIds(DuckDBConnection connection)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        using var command = connection.CreateCommand();
        command.CommandText = TipLinkedCalls;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    // One instance of each caller type, sex and department for the whole read: ~1M labelled calls share a few dozen values.
    private static CallFeatures Pooled(CallFeatures call, Dictionary<string, string> values)
    {
        call.CallerType = Pool(call.CallerType, values);
        call.Sex = Pool(call.Sex, values);
        call.Department = Pool(call.Department, values);
        return call;
    }

    private static string Pool(string value, Dictionary<string, string> values)
    {
        if (values.TryGetValue(value, out var pooled))
        {
            return pooled;
        }

        values[value] = value;
        return value;
    }

    private static CallFeatures ToFeatures(DbDataReader r, string callId, bool label) => CallFeatures.Create(
        callId: callId,
        callDateKey: Convert.ToInt32(r.GetValue(2)),
        narrative: r.IsDBNull(3) ? null : r.GetString(3),
        callerType: r.IsDBNull(4) ? null : r.GetString(4),
        sex: r.IsDBNull(5) ? null : r.GetString(5),
        department: r.IsDBNull(6) ? null : r.GetString(6),
        hour: r.IsDBNull(7) ? null : Convert.ToInt32(r.GetValue(7)),
        victimAge: r.IsDBNull(8) ? null : Convert.ToInt32(r.GetValue(8)),
        isMinor: r.IsDBNull(9) ? null : Convert.ToInt32(r.GetValue(9)) != 0,
        durationSec: r.IsDBNull(10) ? null : Convert.ToInt32(r.GetValue(10)),
        label: label);
}
