namespace TipWarehouse.Simulation;

/// <summary>A small deterministic pseudo-random generator (SplitMix64) whose sequence never depends on the .NET version.</summary>
internal sealed class Rng
{
    private ulong _state;

    /// <summary>Creates a generator from a 64-bit seed.</summary>
    public Rng(ulong seed) => _state = seed;

    /// <summary>A generator for one named stream of the world, so days, months and entities draw independently of each other.</summary>
    public static Rng For(long seed, string stream, long index = 0)
    {
        ulong h = 1469598103934665603UL;
        foreach (var c in stream)
        {
            h = (h ^ c) * 1099511628211UL;
        }

        return new Rng(Mix((ulong)seed ^ Mix(h) ^ Mix((ulong)index + 0x9E3779B97F4A7C15UL)));
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>A uniform double in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform integer in [0, maxExclusive).</summary>
    public int Next(int maxExclusive) => maxExclusive <= 1 ? 0 : (int)(NextDouble() * maxExclusive);

    /// <summary>A uniform integer in [min, maxInclusive].</summary>
    public int Between(int min, int maxInclusive) => min + Next(maxInclusive - min + 1);

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Chance(double p) => p > 0 && NextDouble() < p;

    /// <summary>One element chosen uniformly.</summary>
    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    /// <summary>An index chosen with the given (not necessarily normalised) weights.</summary>
    public int PickWeighted(IReadOnlyList<double> weights)
    {
        double total = 0;
        for (var i = 0; i < weights.Count; i++)
        {
            total += weights[i];
        }

        var x = NextDouble() * total;
        for (var i = 0; i < weights.Count; i++)
        {
            x -= weights[i];
            if (x < 0)
            {
                return i;
            }
        }

        return weights.Count - 1;
    }

    /// <summary>A standard normal draw (Box-Muller).</summary>
    public double Normal()
    {
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>A Poisson draw; a normal approximation above 60 keeps large scales cheap.</summary>
    public int Poisson(double lambda)
    {
        if (lambda <= 0)
        {
            return 0;
        }

        if (lambda > 60)
        {
            return Math.Max(0, (int)Math.Round(lambda + (Math.Sqrt(lambda) * Normal())));
        }

        var l = Math.Exp(-lambda);
        var k = 0;
        var p = 1.0;
        do
        {
            k++;
            p *= NextDouble();
        }
        while (p > l);
        return k - 1;
    }
}
