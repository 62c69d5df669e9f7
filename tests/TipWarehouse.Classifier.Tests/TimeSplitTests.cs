namespace TipWarehouse.Classifier.Tests;

public sealed class TimeSplitTests
{
    private static List<CallFeatures> MonthlyCalls(int months, int perMonth)
    {
        var calls = new List<CallFeatures>();
        for (var m = 0; m < months; m++)
        {
            var date = new DateOnly(2006, 3, 1).AddMonths(m);
            for (var i = 0; i < perMonth; i++)
            {
                var key = (date.Year * 10000) + (date.Month * 100) + 1 + (i % 28);
                calls.Add(CallFeatures.Create($"L{key}{i:D4}", key, $"relato numero {m} {i} de una llamada distinta a todas las demas", label: i % 5 == 0));
            }
        }

        return calls;
    }

    [Fact]
    public void Test_months_are_the_latest_and_no_test_call_is_in_training()
    {
        var calls = MonthlyCalls(months: 18, perMonth: 20);

        var split = TimeSplit.Create(calls, testMonths: 6, validationMonths: 3);

        Assert.Equal(new DateOnly(2007, 3, 1), split.TestFrom);
        Assert.All(split.Test, c => Assert.True(c.CallDateKey >= 20070301));
        Assert.All(split.Train, c => Assert.True(c.CallDateKey < 20070301));
        Assert.Equal(new DateOnly(2006, 12, 1), split.ValidationFrom);
        Assert.All(split.Fit, c => Assert.True(c.CallDateKey < 20061201));
        Assert.Empty(split.Train.Select(c => c.CallId).Intersect(split.Test.Select(c => c.CallId)));
        Assert.Equal(calls.Count, split.Train.Count + split.Test.Count);
    }

    [Fact]
    public void Training_calls_that_repeat_a_test_narrative_are_dropped()
    {
        var calls = MonthlyCalls(months: 12, perMonth: 10);
        // An early call whose narrative reappears (re-cased, re-accented, re-spaced) in the last month.
        const string narrative = "Mi hermana trabaja en un bar de Mazuco y no la dejan salir, le quitaron su DNI";
        calls.Add(CallFeatures.Create("EARLY", 20060310, narrative, label: true));
        calls.Add(CallFeatures.Create("LATE", 20070215, "MI HERMANA  trabaja en un bár de Mazuco y no la dejan salir, le quitaron su DNI", label: true));

        var split = TimeSplit.Create(calls, testMonths: 3, validationMonths: 2);

        Assert.DoesNotContain(split.Train, c => c.CallId == "EARLY");
        Assert.Contains(split.Test, c => c.CallId == "LATE");
        Assert.Equal(1, split.DuplicatesRemoved);
        var testKeys = split.Test.Select(c => TimeSplit.NarrativeKey(c.Narrative)).Where(TimeSplit.IsDistinctive).ToHashSet();
        Assert.DoesNotContain(split.Train, c => testKeys.Contains(TimeSplit.NarrativeKey(c.Narrative)));
    }

    [Fact]
    public void Short_boilerplate_narratives_are_not_counted_as_leaks()
    {
        var calls = MonthlyCalls(months: 12, perMonth: 10);
        calls.Add(CallFeatures.Create("SILENT1", 20060310, "Silencio.", label: false));
        calls.Add(CallFeatures.Create("SILENT2", 20070215, "silencio", label: false));

        var split = TimeSplit.Create(calls, testMonths: 3, validationMonths: 2);

        Assert.Contains(split.Train, c => c.CallId == "SILENT1");
        Assert.Equal(0, split.DuplicatesRemoved);
    }

    [Fact]
    public void Windows_shrink_so_that_two_thirds_of_the_months_stay_for_training()
    {
        var split = TimeSplit.Create(MonthlyCalls(months: 6, perMonth: 10), testMonths: 6, validationMonths: 3);

        Assert.Equal(new DateOnly(2006, 7, 1), split.TestFrom);
        Assert.Equal(new DateOnly(2006, 6, 1), split.ValidationFrom);
    }

    [Fact]
    public void Fewer_than_three_months_is_a_clear_error()
    {
        var error = Assert.Throws<Core.TipwException>(() => TimeSplit.Create(MonthlyCalls(months: 2, perMonth: 10), 6, 3));

        Assert.Contains("at least 3", error.Message, StringComparison.Ordinal);
    }
}
