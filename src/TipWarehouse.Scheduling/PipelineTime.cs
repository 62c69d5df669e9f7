using System.Globalization;

namespace TipWarehouse.Scheduling;

/// <summary>
/// A pipeline's times in its own time zone (America/Lima unless the spec says otherwise): what <c>tipw schedule</c> shows
/// in next_fire and last_run and what <c>tipw serve</c> logs for fires, next fires and retries, so both read the same.
/// </summary>
public static class PipelineTime
{
    /// <summary>The instant as a time in <paramref name="zone"/>, with that zone's offset.</summary>
    public static DateTimeOffset InZone(DateTimeOffset instant, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return TimeZoneInfo.ConvertTime(instant, zone);
    }

    /// <summary>The instant in <paramref name="zone"/> as ISO 8601 with the offset (<c>2026-12-01T03:00:00-05:00</c>), the form of the CLI's tables.</summary>
    public static string Format(DateTimeOffset instant, TimeZoneInfo zone) =>
        InZone(instant, zone).ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);

    /// <summary><see cref="Format(DateTimeOffset, TimeZoneInfo)"/>, or <c>never</c> when there is no such time.</summary>
    public static string Format(DateTimeOffset? instant, TimeZoneInfo zone) => instant is { } at ? Format(at, zone) : "never";

    /// <summary>The zone of a stored job by its id; UTC when this machine does not know it.</summary>
    public static TimeZoneInfo Zone(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return TimeZoneInfo.Utc;
        }
    }
}
