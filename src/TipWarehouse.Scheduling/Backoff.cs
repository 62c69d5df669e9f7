using TipWarehouse.Core.Pipelines;

namespace TipWarehouse.Scheduling;

/// <summary>Exponential backoff with "equal jitter": half the capped exponential delay is fixed, half is random.</summary>
public static class Backoff
{
    /// <summary>
    /// The delay before attempt <paramref name="failedAttempt"/> + 1, after attempt <paramref name="failedAttempt"/> (1-based) failed:
    /// <c>min(MaxDelay, InitialDelay * 2^(failedAttempt-1))</c>, of which the upper half is scaled by <paramref name="jitterSample"/> in [0, 1).
    /// </summary>
    public static TimeSpan DelayAfter(RetryPolicy policy, int failedAttempt, double jitterSample)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentOutOfRangeException.ThrowIfLessThan(failedAttempt, 1);
        var sample = Math.Clamp(jitterSample, 0d, 1d);
        var exponent = Math.Min(failedAttempt - 1, 30);
        var uncapped = policy.InitialDelay.Ticks * Math.Pow(2, exponent);
        var capped = Math.Min(uncapped, policy.MaxDelay.Ticks);
        var half = capped / 2d;
        return TimeSpan.FromTicks((long)(half + (half * sample)));
    }
}
