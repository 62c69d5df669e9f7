using Microsoft.Extensions.Time.Testing;
using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;
using TipWarehouse.Etl.Engine;
using TipWarehouse.Etl.Quality;
using TipWarehouse.Etl.Specs;

namespace TipWarehouse.Etl.Tests;

/// <summary>Freshness: a source is stale when no batch loaded new rows within the cadence its spec declares.</summary>
[Collection(SimulatedWarehouseGroup.Name)]
public sealed class FreshnessTests(WarehouseFixture world)
{
    private static IReadOnlyList<PipelineSpec> Specs => SpecLoader.LoadDirectory(WarehouseFixture.PipelinesDirectory);

    private static Dictionary<string, string> StatusAt(TipwHome home, DateTimeOffset now)
    {
        using var connection = Warehouse.Open(home, readOnly: true);
        return Freshness.Evaluate(connection, Specs, now).ToDictionary(s => s.Pipeline, s => s.Status);
    }

    [Fact]
    public void Each_source_is_stale_once_its_declared_cadence_passes_without_new_data()
    {
        var loadedAt = world.Time.GetUtcNow();
        var soon = StatusAt(world.Loaded, loadedAt.AddMinutes(30));
        Assert.Equal(Freshness.Fresh, soon["hotline"]);
        Assert.Equal(Freshness.Fresh, soon["police_reports"]);
        Assert.False(soon.ContainsKey("linkage"), "a pipeline without a declared cadence has no freshness");

        var hoursLater = StatusAt(world.Loaded, loadedAt.AddHours(3));
        Assert.Equal(Freshness.Stale, hoursLater["police_reports"]);
        Assert.Equal(Freshness.Fresh, hoursLater["hotline"]);

        var daysLater = StatusAt(world.Loaded, loadedAt.AddDays(2));
        Assert.Equal(Freshness.Stale, daysLater["hotline"]);
        Assert.Equal(Freshness.Fresh, daysLater["prosecution"]);
    }

    [Fact]
    public async Task A_source_that_stops_producing_stays_stale_although_its_runs_succeed()
    {
        var home = world.CopyOfLoaded("freshness-stopped");
        var later = new FakeTimeProvider(world.Time.GetUtcNow().AddDays(3));
        var engine = new PipelineEngine(home, WarehouseFixture.PipelinesDirectory, later, options: new PipelineEngineOptions { Environment = _ => null });
        var rerun = await engine.RunAsync(new PipelineRunRequest("hotline", world.Sources));
        Assert.True(rerun.Succeeded, rerun.Error);
        Assert.Equal(0, rerun.RowsLoaded);
        using var connection = Warehouse.Open(home, readOnly: true);
        var hotline = Freshness.Evaluate(connection, Specs, later.GetUtcNow()).Single(s => s.Pipeline == "hotline");
        Assert.True(hotline.IsStale);
        Assert.Equal(world.Time.GetUtcNow().UtcDateTime, hotline.LastNewDataAt!.Value, TimeSpan.FromMinutes(1));
        Assert.StartsWith("hotline: stale (last new data ", hotline.Describe(), StringComparison.Ordinal);
    }
}
