using TipWarehouse.Simulation.Reference;

namespace TipWarehouse.Simulation;

/// <summary>A police station of the simulated world.</summary>
internal sealed record Station(string Id, string Name, string Directorate, UbigeoDistrict District, DateOnly? TrainingDate, DateTime TrainingRecordedAt);

/// <summary>The simulated geography: districts with sampling weights, police stations and the nearest station of every district.</summary>
internal sealed class Geography
{
    private static readonly Dictionary<string, double> s_tipHotSpots = new(StringComparer.Ordinal)
    {
        ["17"] = 30.0, // Madre de Dios: mining towns, bars
        ["21"] = 3.5,  // Puno: La Rinconada, Juliaca
        ["08"] = 2.5,  // Cusco
        ["16"] = 3.5,  // Loreto
        ["25"] = 2.0,  // Ucayali
        ["15"] = 1.0,  // Lima (already populous)
    };

    private readonly double[] _callCumulative;
    private readonly double[] _tipCumulative;
    private readonly Dictionary<string, Station> _nearest;

    public Geography(UbigeoCatalog catalog, long seed)
    {
        Districts = [.. catalog.Usable.OrderBy(d => d.Inei, StringComparer.Ordinal)];
        _callCumulative = Cumulative(Districts.Select(d => d.Population * (d.DepartmentCode is "15" or "07" ? 1.3 : 1.0)));
        _tipCumulative = Cumulative(Districts.Select(d => d.Population * (s_tipHotSpots.TryGetValue(d.DepartmentCode, out var w) ? w : 0.7)));
        Stations = BuildStations(Districts, seed);
        _nearest = new Dictionary<string, Station>(StringComparer.Ordinal);
        var byDistrict = Stations.ToDictionary(s => s.District.Inei, StringComparer.Ordinal);
        var byProvince = Stations.GroupBy(s => s.District.ProvinceCode).ToDictionary(g => g.Key, g => g.MaxBy(s => s.District.Population)!, StringComparer.Ordinal);
        var byDepartment = Stations.GroupBy(s => s.District.DepartmentCode).ToDictionary(g => g.Key, g => g.MaxBy(s => s.District.Population)!, StringComparer.Ordinal);
        foreach (var d in Districts)
        {
            _nearest[d.Inei] = byDistrict.GetValueOrDefault(d.Inei) ?? byProvince.GetValueOrDefault(d.ProvinceCode) ?? byDepartment[d.DepartmentCode];
        }

        DepartmentCapitals = Districts.GroupBy(d => d.DepartmentCode).ToDictionary(g => g.Key, g => g.FirstOrDefault(x => x.Inei == g.Key + "0101") ?? g.MaxBy(x => x.Population)!, StringComparer.Ordinal);
        StationsByDirectorate = Stations.GroupBy(s => s.Directorate).ToDictionary(g => g.Key, g => (IReadOnlyList<Station>)[.. g], StringComparer.Ordinal);
    }

    public IReadOnlyList<UbigeoDistrict> Districts { get; }

    public IReadOnlyList<Station> Stations { get; }

    public IReadOnlyDictionary<string, UbigeoDistrict> DepartmentCapitals { get; }

    public IReadOnlyDictionary<string, IReadOnlyList<Station>> StationsByDirectorate { get; }

    /// <summary>The caller's district: weighted by population (calls), or with the TIP hot spots boosted (tips).</summary>
    public UbigeoDistrict SampleDistrict(Rng rng, bool tip)
    {
        var cumulative = tip ? _tipCumulative : _callCumulative;
        var x = rng.NextDouble() * cumulative[^1];
        var i = Array.BinarySearch(cumulative, x);
        return Districts[i < 0 ? Math.Min(~i, Districts.Count - 1) : i];
    }

    /// <summary>The station a tip from this district is passed to.</summary>
    public Station NearestStation(UbigeoDistrict district) => _nearest[district.Inei];

    /// <summary>A station drawn by population, for reports that did not come from the hotline.</summary>
    public Station SampleStation(Rng rng, bool tip) => NearestStation(SampleDistrict(rng, tip));

    private static double[] Cumulative(IEnumerable<double> weights)
    {
        var list = weights.ToArray();
        for (var i = 1; i < list.Length; i++)
        {
            list[i] += list[i - 1];
        }

        return list;
    }

    private static List<Station> BuildStations(IReadOnlyList<UbigeoDistrict> districts, long seed)
    {
        var largestOfProvince = districts.GroupBy(d => d.ProvinceCode).Select(g => g.MaxBy(d => d.Population)!.Inei).ToHashSet(StringComparer.Ordinal);
        var stations = new List<Station>();
        var rng = Rng.For(seed, "stations");
        foreach (var d in districts)
        {
            if (d.Population < 30_000 && !largestOfProvince.Contains(d.Inei))
            {
                continue;
            }

            var directorate = PnpDirectorates.ForDepartment(d.DepartmentCode);
            var early = PnpDirectorates.TrainedByApril2007.Contains(directorate);
            DateOnly? training;
            if (directorate == "VII DIRTEPOL LIMA")
            {
                training = rng.Chance(0.92) ? Day(rng, new DateOnly(2006, 11, 6), new DateOnly(2007, 2, 28)) : Day(rng, new DateOnly(2007, 9, 1), new DateOnly(2008, 6, 30));
            }
            else if (early)
            {
                training = rng.Chance(0.85) ? Day(rng, new DateOnly(2007, 1, 15), new DateOnly(2007, 4, 27)) : Day(rng, new DateOnly(2007, 9, 1), new DateOnly(2008, 6, 30));
            }
            else
            {
                training = rng.Chance(0.7) ? Day(rng, new DateOnly(2007, 7, 2), new DateOnly(2007, 12, 14)) : Day(rng, new DateOnly(2008, 1, 15), new DateOnly(2008, 12, 15));
            }

            var recorded = training!.Value.ToDateTime(new TimeOnly(rng.Between(8, 18), rng.Next(60), rng.Next(60))).AddDays(rng.Between(1, 25));
            var id = "CPNP-" + (stations.Count + 1).ToString("D4", System.Globalization.CultureInfo.InvariantCulture);
            stations.Add(new Station(id, "COMISARIA " + d.District, directorate, d, training, recorded));
        }

        return stations;
    }

    private static DateOnly Day(Rng rng, DateOnly from, DateOnly to) => from.AddDays(rng.Next(to.DayNumber - from.DayNumber + 1));
}
