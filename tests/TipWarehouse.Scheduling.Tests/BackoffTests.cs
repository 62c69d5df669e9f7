using TipWarehouse.Core.Pipelines;

namespace TipWarehouse.Scheduling.Tests;

public sealed class BackoffTests
{
    private static readonly RetryPolicy s_policy = new(5, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2));

    [Theory]
    [InlineData(1, 0.0, 15)]
    [InlineData(1, 1.0, 30)]
    [InlineData(2, 0.0, 30)]
    [InlineData(2, 0.5, 45)]
    [InlineData(3, 1.0, 120)]
    [InlineData(4, 0.0, 60)]
    [InlineData(4, 1.0, 120)]
    public void Delay_doubles_per_attempt_is_capped_and_jittered_in_its_upper_half(int failedAttempt, double jitter, int expectedSeconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), Backoff.DelayAfter(s_policy, failedAttempt, jitter));
    }

    [Fact]
    public void Jitter_spreads_delays_between_half_and_the_full_backoff()
    {
        var random = new Random(42);
        var delays = Enumerable.Range(0, 200).Select(_ => Backoff.DelayAfter(s_policy, 2, random.NextDouble())).ToList();

        Assert.All(delays, d => Assert.InRange(d, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60)));
        Assert.True(delays.Distinct().Count() > 100);
    }

    [Fact]
    public void Attempt_numbers_start_at_one()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Backoff.DelayAfter(s_policy, 0, 0.5));
    }
}
