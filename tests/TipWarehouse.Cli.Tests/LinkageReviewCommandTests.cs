using System.Globalization;
using System.Text.Json;

namespace TipWarehouse.Cli.Tests;

/// <summary><c>tipw linkage review --show ID</c> on a small simulated world run through every pipeline.</summary>
public sealed class LinkageReviewCommandTests(RunCommandWorld world) : IClassFixture<RunCommandWorld>
{
    private static List<JsonElement> Json(string text) => [.. JsonDocument.Parse(text).RootElement.EnumerateArray().Select(e => e.Clone())];

    private async Task<(CliHarness Harness, string Home, JsonElement Pair)> QueuedPairAsync(string name)
    {
        var harness = new CliHarness();
        var home = await world.NewHomeAsync(harness, name);
        var run = await harness.RunAsync("run", "--all", "--home", home, "--sources", world.Sources, "--format", "csv");
        Assert.True(run.ExitCode == 0, run.Error);
        var queue = await harness.RunAsync("linkage", "review", "--home", home, "--format", "json");
        Assert.True(queue.ExitCode == 0, queue.Error);
        var pairs = Json(queue.Out);
        Assert.NotEmpty(pairs);
        return (harness, home, pairs[0]);
    }

    [Fact]
    public async Task Show_prints_the_pair_side_by_side_with_exact_weights_in_json_and_the_same_rows_as_a_table_and_csv()
    {
        var (harness, home, pair) = await QueuedPairAsync("show");
        var id = pair.GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture);
        var linkType = pair.GetProperty("link_type").GetString()!;

        var json = await harness.RunAsync("linkage", "review", "--home", home, "--show", id, "--format", "json");
        Assert.True(json.ExitCode == 0, json.Error);
        var rows = Json(json.Out);
        Assert.All(rows, r => Assert.Equal(["part", "item", "left", "right", "level", "weight"], r.EnumerateObject().Select(p => p.Name)));
        JsonElement Row(string part, string item) => rows.Single(r => r.GetProperty("part").GetString() == part && r.GetProperty("item").GetString() == item);
        Assert.Equal(pair.GetProperty("left_record_id").GetString(), Row("record", "record_id").GetProperty("left").GetString());
        Assert.Equal(pair.GetProperty("right_record_id").GetString(), Row("record", "record_id").GetProperty("right").GetString());
        Assert.Equal("review", Row("link", "status").GetProperty("left").GetString());

        // Each weight is exactly log2(m/u) of the persisted model (as the engine floors m and u), read here with 'tipw query'.
        var model = await harness.RunAsync("query", "--home", home, "--format", "json",
            $"SELECT field_name, level, m, u FROM meta.linkage_model WHERE link_type = '{linkType}' ORDER BY field_index, level");
        var weights = Json(model.Out).ToDictionary(
            r => (r.GetProperty("field_name").GetString()!, r.GetProperty("level").GetInt32()),
            r => Math.Log2(Math.Max(r.GetProperty("m").GetDouble(), 1e-3) / Math.Max(r.GetProperty("u").GetDouble(), 1e-4)));
        var comparisons = rows.Where(r => r.GetProperty("part").GetString() == "comparison").ToList();
        Assert.NotEmpty(comparisons);
        // Hotline -> police scores start from the prior odds log2(p/(1-p)) of the persisted match share p.
        var priors = rows.Where(r => r.GetProperty("part").GetString() == "prior").ToList();
        var sum = 0.0;
        if (linkType == "hotline_police")
        {
            var prior = Json((await harness.RunAsync("query", "--home", home, "--format", "json",
                "SELECT DISTINCT prior FROM meta.linkage_model WHERE link_type = 'hotline_police'")).Out).Single().GetProperty("prior").GetDouble();
            sum = Assert.Single(priors).GetProperty("weight").GetDouble();
            Assert.Equal(Math.Log2(prior / (1 - prior)), sum, 12);
        }
        else
        {
            Assert.Empty(priors);
        }

        foreach (var comparison in comparisons)
        {
            var level = comparison.GetProperty("level").GetInt32();
            var weight = comparison.GetProperty("weight").GetDouble();
            Assert.Equal(level < 0 ? 0 : weights[(comparison.GetProperty("item").GetString()!, level)], weight);
            sum += weight;
        }

        Assert.Equal(sum, Row("total", "weight_sum").GetProperty("weight").GetDouble());
        Assert.Equal(pair.GetProperty("score").GetDouble(), Row("total", "score").GetProperty("weight").GetDouble());
        Assert.Equal(Math.Round(sum, 4), pair.GetProperty("score").GetDouble());
        Assert.Equal("The weights sum to the stored score.", Row("note", "check").GetProperty("left").GetString());

        var csv = await harness.RunAsync("linkage", "review", "--home", home, "--show", id, "--format", "csv");
        var lines = csv.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("part,item,left,right,level,weight", lines[0]);
        Assert.Equal(rows.Count, lines.Length - 1);

        var table = await harness.RunAsync("linkage", "review", "--home", home, "--show", id);
        Assert.True(table.ExitCode == 0, table.Error);
        Assert.Contains($"│ record_id ", table.Out, StringComparison.Ordinal);
        Assert.Contains(pair.GetProperty("left_record_id").GetString()!, table.Out, StringComparison.Ordinal);
        Assert.Contains("log2(m/u)", table.Out, StringComparison.Ordinal);
        Assert.Contains("log2(m/u)", json.Error, StringComparison.Ordinal);

        // Pseudonyms only: no victim name or DNI of the hotline source files (6th and 7th fields, before any free text) appears.
        var clear = Directory.GetFiles(Path.Combine(world.Sources, "hotline"), "*.csv")
            .SelectMany(f => File.ReadLines(f).Skip(1).Select(l => l.Split(';')).Where(c => c.Length > 6).SelectMany(c => new[] { c[5], c[6] }))
            .Select(v => v.Trim().Trim('"')).Where(v => v.Length >= 4).ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(clear);
        var persons = string.Join('|', rows.Where(r => r.GetProperty("item").GetString() == "persons").SelectMany(r => new[] { r.GetProperty("left"), r.GetProperty("right") }).Select(v => v.ToString()));
        // No name or DNI among the persons; no full name anywhere (a call id can hold eight digits in a row, a place a first name).
        Assert.DoesNotContain(clear, c => persons.Contains(c, StringComparison.Ordinal) || (c.Contains(' ', StringComparison.Ordinal) && json.Out.Contains(c, StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public async Task Show_of_an_unknown_id_or_with_a_decision_is_a_usage_error_with_exit_code_2()
    {
        var (harness, home, pair) = await QueuedPairAsync("show-errors");

        var unknown = await harness.RunAsync("linkage", "review", "--home", home, "--show", "999999", "--format", "json");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("No candidate link with id 999999. List the queue with 'tipw linkage review --home HOME'.", unknown.Error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, unknown.Out);

        var id = pair.GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture);
        var both = await harness.RunAsync("linkage", "review", "--home", home, "--show", id, "--accept", id);
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("Give one of --accept ID, --reject ID or --show ID.", both.Error, StringComparison.Ordinal);
        var still = Json((await harness.RunAsync("linkage", "review", "--home", home, "--format", "json")).Out);
        Assert.Contains(still, r => r.GetProperty("id").GetInt64() == pair.GetProperty("id").GetInt64());
    }
}
