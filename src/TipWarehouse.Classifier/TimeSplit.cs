using TipWarehouse.Core;

namespace TipWarehouse.Classifier;

/// <summary>A time-based split of labelled calls: fit on the earliest months, pick the threshold on the next, test on the latest.</summary>
/// <remarks>No call of the test months, and no call whose narrative (folded, at least <see cref="MinimumDistinctiveLength"/>
/// characters) also occurs in the test months, is used for fitting or threshold selection, so resubmitted or copied narratives
/// cannot leak the answer.</remarks>
public sealed record TimeSplit(
    IReadOnlyList<CallFeatures> Fit,
    IReadOnlyList<CallFeatures> Validation,
    IReadOnlyList<CallFeatures> Test,
    DateOnly TrainFrom,
    DateOnly TrainTo,
    DateOnly ValidationFrom,
    DateOnly TestFrom,
    DateOnly TestTo,
    int DuplicatesRemoved)
{
    /// <summary>All training rows (fit + validation), in date order.</summary>
    public IReadOnlyList<CallFeatures> Train => [.. Fit, .. Validation];

    /// <summary>Splits <paramref name="calls"/> by calendar month: the last <paramref name="testMonths"/> months are the test
    /// window, the <paramref name="validationMonths"/> before them the validation slice; windows shrink when there are few months.</summary>
    public static TimeSplit Create(IReadOnlyList<CallFeatures> calls, int testMonths, int validationMonths)
    {
        ArgumentNullException.ThrowIfNull(calls);
        var plan = Plan(calls, static c => c.CallDateKey, static c => c.CallId, static c => DistinctiveNarrativeKey(c.Narrative), testMonths, validationMonths);
        return new TimeSplit(
            [.. plan.Fit.Select(i => calls[i])],
            [.. plan.Validation.Select(i => calls[i])],
            [.. plan.Test.Select(i => calls[i])],
            plan.TrainFrom,
            plan.TrainTo,
            plan.ValidationFrom,
            plan.TestFrom,
            plan.TestTo,
            plan.DuplicatesRemoved);
    }

    /// <summary>The split of <see cref="Create"/> as positions in <paramref name="calls"/> (in date order), for rows of any
    /// shape: <paramref name="narrativeKey"/> gives a call's distinctive narrative key (null when it has none), and two calls
    /// share a narrative when their keys are equal. <see cref="Create"/> and the two-pass read of the warehouse
    /// (<see cref="WarehouseCalls.ReadSplit"/>) both split through it, so they put the same calls in the same sets.</summary>
    public static TimeSplitPlan Plan<T, TKey>(IReadOnlyList<T> calls, Func<T, int> dateKey, Func<T, string> callId, Func<T, TKey?> narrativeKey, int testMonths, int validationMonths)
    {
        ArgumentNullException.ThrowIfNull(calls);
        ArgumentNullException.ThrowIfNull(dateKey);
        ArgumentNullException.ThrowIfNull(callId);
        ArgumentNullException.ThrowIfNull(narrativeKey);
        var months = calls.Select(c => dateKey(c) / 100).Distinct().Order().ToList();
        if (months.Count < 3)
        {
            throw new TipwException($"The warehouse has labelled calls in {months.Count} month(s); a time-based split needs at least 3. Load more hotline data first ('tipw run hotline').");
        }

        // Keep at least two thirds of the months for training, whatever the requested windows.
        var testCount = Math.Clamp(testMonths, 1, Math.Max(1, months.Count / 3));
        var trainMonths = months.Count - testCount;
        var validationCount = Math.Clamp(validationMonths, 1, Math.Max(1, trainMonths / 3));
        var testFromMonth = months[^testCount];
        var validationFromMonth = months[trainMonths - validationCount];

        var positions = Enumerable.Range(0, calls.Count);
        var test = positions.Where(i => dateKey(calls[i]) / 100 >= testFromMonth).OrderBy(i => dateKey(calls[i])).ToList();
        var testNarratives = new HashSet<TKey>();
        var testIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var i in test)
        {
            testIds.Add(callId(calls[i]));
            if (narrativeKey(calls[i]) is { } key)
            {
                testNarratives.Add(key);
            }
        }

        var fit = new List<int>();
        var validation = new List<int>();
        var removed = 0;
        foreach (var i in positions.Where(i => dateKey(calls[i]) / 100 < testFromMonth).OrderBy(i => dateKey(calls[i])))
        {
            if (testIds.Contains(callId(calls[i])) || (narrativeKey(calls[i]) is { } key && testNarratives.Contains(key)))
            {
                removed++;
                continue;
            }

            (dateKey(calls[i]) / 100 >= validationFromMonth ? validation : fit).Add(i);
        }

        var last = months[^1];
        var lastTestDate = test.Count == 0 ? MonthEnd(last) : DateFromKey(dateKey(calls[test[^1]]));
        return new TimeSplitPlan(
            fit,
            validation,
            test,
            DateFromKey(calls.Min(dateKey)),
            MonthStart(testFromMonth).AddDays(-1),
            MonthStart(validationFromMonth),
            MonthStart(testFromMonth),
            lastTestDate > MonthEnd(last) ? MonthEnd(last) : lastTestDate,
            removed);
    }

    /// <summary>The folded narrative when it is distinctive (<see cref="IsDistinctive"/>), else null: the key under which a
    /// training call is dropped as a duplicate of a test call.</summary>
    public static string? DistinctiveNarrativeKey(string narrative)
    {
        var key = NarrativeKey(narrative);
        return IsDistinctive(key) ? key : null;
    }

    /// <summary>Narratives shorter than this (folded) are boilerplate ("silencio", "se orienta"), shared by unrelated calls,
    /// and are not treated as duplicates.</summary>
    public const int MinimumDistinctiveLength = 30;

    /// <summary>True when a folded narrative is long enough for a repeat to mean the same call.</summary>
    public static bool IsDistinctive(string narrativeKey) => narrativeKey?.Length >= MinimumDistinctiveLength;

    /// <summary>The folded narrative used to detect duplicates across the split.</summary>
    public static string NarrativeKey(string narrative) => TipLabels.Fold(narrative ?? string.Empty);

    /// <summary>yyyymmdd to a date.</summary>
    public static DateOnly DateFromKey(int key) => new(key / 10000, key / 100 % 100, key % 100);

    private static DateOnly MonthStart(int yyyymm) => new(yyyymm / 100, yyyymm % 100, 1);

    private static DateOnly MonthEnd(int yyyymm) => MonthStart(yyyymm).AddMonths(1).AddDays(-1);
}

/// <summary>A time-based split as positions in the date-ordered list it was planned on (<see cref="TimeSplit.Plan"/>).</summary>
public sealed record TimeSplitPlan(
    IReadOnlyList<int> Fit,
    IReadOnlyList<int> Validation,
    IReadOnlyList<int> Test,
    DateOnly TrainFrom,
    DateOnly TrainTo,
    DateOnly ValidationFrom,
    DateOnly TestFrom,
    DateOnly TestTo,
    int DuplicatesRemoved);
