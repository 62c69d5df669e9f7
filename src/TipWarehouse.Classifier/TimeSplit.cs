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
        var months = calls.Select(c => c.CallDateKey / 100).Distinct().Order().ToList();
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

        var test = calls.Where(c => c.CallDateKey / 100 >= testFromMonth).OrderBy(c => c.CallDateKey).ToList();
        var testNarratives = new HashSet<string>(test.Select(c => NarrativeKey(c.Narrative)).Where(IsDistinctive), StringComparer.Ordinal);
        var testIds = new HashSet<string>(test.Select(c => c.CallId), StringComparer.Ordinal);
        var fit = new List<CallFeatures>();
        var validation = new List<CallFeatures>();
        var removed = 0;
        foreach (var call in calls.Where(c => c.CallDateKey / 100 < testFromMonth).OrderBy(c => c.CallDateKey))
        {
            if (testIds.Contains(call.CallId) || testNarratives.Contains(NarrativeKey(call.Narrative)))
            {
                removed++;
                continue;
            }

            (call.CallDateKey / 100 >= validationFromMonth ? validation : fit).Add(call);
        }

        var last = months[^1];
        var lastTestDate = test.Count == 0 ? MonthEnd(last) : DateFromKey(test[^1].CallDateKey);
        return new TimeSplit(
            fit,
            validation,
            test,
            DateFromKey(calls.Min(c => c.CallDateKey)),
            MonthStart(testFromMonth).AddDays(-1),
            MonthStart(validationFromMonth),
            MonthStart(testFromMonth),
            lastTestDate > MonthEnd(last) ? MonthEnd(last) : lastTestDate,
            removed);
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
