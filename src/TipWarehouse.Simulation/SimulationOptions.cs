using TipWarehouse.Core;

namespace TipWarehouse.Simulation;

/// <summary>What to simulate: the world's window, the date the sources are materialized at, the seed, the scale and the defect rates.</summary>
public sealed record SimulationOptions
{
    /// <summary>The day the hotline opened; no call exists before it.</summary>
    public static readonly DateOnly HotlineOpening = new(2006, 3, 13);

    /// <summary>The folder the sources are written to (<c>hotline/</c>, <c>police/</c>, <c>prosecution/</c>, <c>truth/</c>).</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>First day of the world (default 2005-01-01).</summary>
    public DateOnly From { get; init; } = new(2005, 1, 1);

    /// <summary>Last day of the world (default 2007-12-31).</summary>
    public DateOnly To { get; init; } = new(2007, 12, 31);

    /// <summary>Materialize the sources as they stood at the start of this day; null = the day after <see cref="To"/>.</summary>
    public DateOnly? AsOf { get; init; }

    /// <summary>The seed; same options and seed give byte-identical output.</summary>
    public long Seed { get; init; } = 42;

    /// <summary>Volume multiplier for calls, reports and cases (1 = calibrated to the 2006 figures).</summary>
    public double Scale { get; init; } = 1.0;

    /// <summary>The defects injected into the sources.</summary>
    public DefectRates Defects { get; init; } = new();

    /// <summary>The as-of date in effect.</summary>
    public DateOnly EffectiveAsOf => AsOf ?? To.AddDays(1);

    /// <summary>Throws <see cref="UsageException"/> when the options cannot describe a world.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(OutputDirectory))
        {
            throw new UsageException("--out DIR is required: the folder the simulated sources are written to.");
        }

        if (To < From)
        {
            throw new UsageException($"--to {To:yyyy-MM-dd} is before --from {From:yyyy-MM-dd}.");
        }

        if (To.DayNumber - From.DayNumber > 366 * 20)
        {
            throw new UsageException("The window from --from to --to is longer than 20 years; simulate a shorter period.");
        }

        if (!(Scale > 0 && Scale <= 10_000))
        {
            throw new UsageException($"--scale {Scale} is out of range: use a number above 0 and at most 10000 (1 = calibrated volume).");
        }

        if (EffectiveAsOf <= From)
        {
            throw new UsageException($"--as-of {EffectiveAsOf:yyyy-MM-dd} is not after --from {From:yyyy-MM-dd}: nothing would be materialized.");
        }

        Defects.Validate();
    }
}
