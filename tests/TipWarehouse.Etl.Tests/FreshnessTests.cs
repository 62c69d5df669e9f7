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

/// <summary>The serve-side monitor: a newly stale source is warned about and handed to the home's alert command, once until it is fresh again.</summary>
[Collection(SimulatedWarehouseGroup.Name)]
public sealed class FreshnessMonitorTests(WarehouseFixture world)
{
    [Fact]
    public void A_source_that_turns_stale_runs_the_alert_command_once()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var home = world.CopyOfLoaded("freshness-alert");
        var alerts = Path.Combine(home.Root, "alerts.txt");
        File.WriteAllText(Path.Combine(home.Root, FreshnessMonitor.ConfigFileName), $"# alert hook\ncommand = printf '%s|%s\\n' \"$TIPW_ALERT_PIPELINE\" \"$TIPW_ALERT_STATUS\" >> '{alerts}'\n");
        var time = new FakeTimeProvider(world.Time.GetUtcNow().AddMinutes(10));
        var warnings = new List<string>();
        var monitor = new FreshnessMonitor(home, SpecLoader.LoadDirectory(WarehouseFixture.PipelinesDirectory), time, warnings.Add);

        Assert.Empty(monitor.Check());
        Assert.False(File.Exists(alerts));

        time.Advance(TimeSpan.FromHours(2));
        var stale = monitor.Check();
        Assert.Equal(["police_persons", "police_reports"], stale.Select(s => s.Pipeline).Order());
        Assert.Equal(["police_persons|stale", "police_reports|stale"], File.ReadAllLines(alerts).Order());
        Assert.All(warnings, w => Assert.StartsWith("freshness warning: police_", w, StringComparison.Ordinal));

        time.Advance(TimeSpan.FromMinutes(30));
        Assert.Empty(monitor.Check());
        Assert.Equal(2, File.ReadAllLines(alerts).Length);
    }
}
