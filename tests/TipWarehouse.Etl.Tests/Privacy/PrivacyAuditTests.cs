using TipWarehouse.Core;
using TipWarehouse.Simulation;
using Xunit;
using Xunit.Abstractions;

namespace TipWarehouse.Etl.Tests.Privacy;

/// <summary>
/// The narrative privacy audit on loaded worlds: no warehouse narrative holds a given name of a person in the sources,
/// except the words the README lists (names that are also places or common nouns). TIPW_PRIVACY_AUDIT_HOME=DIR also
/// audits a home built by <c>tipw demo --home DIR</c> (its warehouse against DIR/sources), to measure the demo world.
/// </summary>
[Collection(SimulatedWarehouseGroup.Name)]
public sealed class PrivacyAuditTests(WarehouseFixture world, ITestOutputHelper output)
{
    [Fact]
    public void No_narrative_of_the_loaded_world_holds_a_source_given_name()
    {
        AssertClean(world.Loaded.WarehousePath, world.Sources, "seed 42, 2006-03..2006-06");
    }

    [Fact]
    public async Task No_narrative_of_another_seed_holds_a_source_given_name()
    {
        var root = Directory.CreateTempSubdirectory("tipw-privacy-audit-").FullName;
        try
        {
            var sources = Path.Combine(root, "sources");
            WorldSimulator.Run(new SimulationOptions { OutputDirectory = sources, From = new DateOnly(2006, 9, 1), To = new DateOnly(2006, 12, 31), Seed = 7 });
            var home = world.NewHome(Path.GetFileName(root) + "-seed7");
            var results = await world.Engine(home).RunManyAsync(["police_stations", "hotline"], sources);
            Assert.All(results, r => Assert.True(r.Succeeded, r.Error));
            AssertClean(home.WarehousePath, sources, "seed 7, 2006-09..2006-12");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void A_demo_home_named_by_the_environment_is_audited_too()
    {
        var dir = Environment.GetEnvironmentVariable("TIPW_PRIVACY_AUDIT_HOME");
        if (string.IsNullOrEmpty(dir))
        {
            output.WriteLine("TIPW_PRIVACY_AUDIT_HOME is not set: nothing more to audit.");
            return;
        }

        var home = new TipwHome(dir);
        AssertClean(home.WarehousePath, home.DefaultSourcesDirectory, dir);
    }

    private void AssertClean(string warehouse, string sources, string label)
    {
        var names = NarrativePrivacyAudit.SourceGivenNames(sources);
        Assert.True(names.Count > 50, $"{names.Count} source given names");
        var raw = NarrativePrivacyAudit.Audit(warehouse, names, _ => false);
        var audited = NarrativePrivacyAudit.Audit(warehouse, names, NarrativePrivacyAudit.IsListedException);
        output.WriteLine($"{label}: {names.Count} given names in the sources; {raw.Narratives} narratives; {raw.WithName} with any source given name as a word, {audited.WithName} once the listed exceptions are set aside");
        output.WriteLine("listed exceptions found: " + string.Join(", ", raw.Names.OrderByDescending(kv => kv.Value).Take(25).Select(kv => $"{kv.Key} {kv.Value}")));
        foreach (var example in audited.Examples)
        {
            output.WriteLine("  " + example);
        }

        Assert.True(raw.Narratives > 100, $"{raw.Narratives} narratives");
        Assert.True(audited.WithName == 0, $"{audited.WithName} narratives hold a source given name: " + string.Join(", ", audited.Names.Select(kv => $"{kv.Key} {kv.Value}")));
    }
}
