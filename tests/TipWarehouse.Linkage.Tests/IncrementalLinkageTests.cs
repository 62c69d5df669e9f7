using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;
using TipWarehouse.Etl.Engine;
using TipWarehouse.Schema;
using TipWarehouse.Simulation;

namespace TipWarehouse.Linkage.Tests;

/// <summary>
/// A simulated world loaded in two steps (sources as of mid-June, then as of the end), linked after each: the second
/// run is incremental, and a full re-link of the result must change nothing.
/// </summary>
public sealed class IncrementalLinkageTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "tipw-incremental-linkage-tests", Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2006, 9, 1, 12, 0, 0, TimeSpan.Zero));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    [Theory]
    [InlineData("configured")]
    [InlineData("em")]
    public async Task An_incremental_run_gives_the_links_cases_and_snapshot_of_a_full_run(string estimate)
    {
        var home = TipwHome.At(_root);
        home.EnsureCreated();
        var pipelines = Pipelines(estimate);
        WarehouseInitializer.InitializeHome(home, _time, new InitOptions { Time = _time }, _ => null);
        var incrementalStep = new LinkageStep();
        var engine = new PipelineEngine(home, pipelines, _time, [incrementalStep], new PipelineEngineOptions { Environment = _ => null });

        Simulate(home, new DateOnly(2006, 6, 15));
        Assert.All(await engine.RunManyAsync(["police_stations", "hotline", "police_reports", "police_persons", "police_arrests", "prosecution", "linkage"], home.DefaultSourcesDirectory), r => Assert.True(r.Succeeded, r.Error));
        Assert.False(incrementalStep.LastSummary!.Incremental);
        var firstLinks = Count(home, "SELECT count(*) FROM dw.bridge_case_link WHERE status = 'linked'");

        _time.Advance(TimeSpan.FromDays(1));
        Simulate(home, null);
        Assert.All(await engine.RunManyAsync(["police_stations", "hotline", "police_reports", "police_persons", "police_arrests", "prosecution", "linkage"], home.DefaultSourcesDirectory), r => Assert.True(r.Succeeded, r.Error));
        Assert.True(incrementalStep.LastSummary!.Incremental);
        Assert.True(Count(home, "SELECT count(*) FROM dw.bridge_case_link WHERE status = 'linked'") > firstLinks);
        var incremental = Snapshot(home);

        // The full re-link starts from the incremental result; with the same model it must find nothing to change.
        if (estimate == "em")
        {
            // EM would refit on the grown world; score with the persisted model of the first run instead, as the incremental run did.
            ReuseModelAsConfigured(home, pipelines);
        }

        var rerun = await AssertAFullRelinkGives(incremental, home, pipelines);
        Assert.Equal(0, rerun.RowsLoaded);
    }

    [Fact]
    public async Task A_victim_who_becomes_a_suspect_is_re_linked_as_a_full_run_would()
    {
        var (home, pipelines, incrementalStep, engine) = await LinkedWorld();
        var before = Snapshot(home);

        // The victims of a month's reports recorded again as suspects by a later batch: persons loaded before the last
        // linkage run, so their reports' hotline pairs must be re-scored although no victim row is left to say so.
        Execute(home, """
            UPDATE dw.bridge_report_person SET role = 'DENUNCIADO', batch_id = (SELECT max(batch_id) + 1 FROM meta.batch)
            WHERE upper(role) LIKE 'VICTIM%'
              AND report_number IN (SELECT report_number FROM dw.fact_police_report WHERE report_date_key BETWEEN 20060501 AND 20060531)
            """);
        _time.Advance(TimeSpan.FromDays(1));
        var rerun = await engine.RunAsync(new PipelineRunRequest("linkage", home.DefaultSourcesDirectory));
        Assert.True(rerun.Succeeded, rerun.Error);
        Assert.True(incrementalStep.LastSummary!.Incremental);
        var incremental = Snapshot(home);
        Assert.NotEqual(before, incremental);

        // The links, the case membership (a call whose only link was to such a report leaves its case) and the snapshot.
        await AssertAFullRelinkGives(incremental, home, pipelines);
    }

    [Fact]
    public async Task A_report_rewritten_without_a_compared_change_is_not_re_scored_and_a_moved_one_is_re_linked_as_a_full_run_would()
    {
        var (home, pipelines, incrementalStep, engine) = await LinkedWorld();
        var before = Snapshot(home);

        // A month's reports rewritten by a later batch with a new status only, and their person rows written again as they
        // were (what a daily police load does to old reports): nothing hotline -> police compares changed, so none of its
        // pairs is re-scored (police -> prosecution re-scores the reports whose persons were written) and nothing moves.
        const string month = "report_date_key BETWEEN 20060501 AND 20060531";
        Execute(home, $"UPDATE dw.fact_police_report SET status = 'ARCHIVADO', batch_id = (SELECT max(batch_id) + 1 FROM meta.batch) WHERE {month}");
        Execute(home, $"UPDATE dw.bridge_report_person SET batch_id = (SELECT max(batch_id) + 1 FROM meta.batch) WHERE report_number IN (SELECT report_number FROM dw.fact_police_report WHERE {month})");
        _time.Advance(TimeSpan.FromDays(1));
        var statusOnly = await engine.RunAsync(new PipelineRunRequest("linkage", home.DefaultSourcesDirectory));
        Assert.True(statusOnly.Succeeded, statusOnly.Error);
        Assert.True(incrementalStep.LastSummary!.Incremental);
        Assert.Equal(0, incrementalStep.LastSummary.LinkTypes.Single(t => t.LinkType == LinkTypes.HotlinePolice).CandidatePairs);
        Assert.Equal(before, Snapshot(home));

        // The same reports moved to another district: their pairs are re-scored, as a full re-link would score them.
        Execute(home, $"""
            UPDATE dw.fact_police_report SET geography_key = (SELECT min(geography_key) FROM dw.dim_geography WHERE geography_key > 0),
                batch_id = (SELECT max(batch_id) + 1 FROM meta.batch)
            WHERE {month}
            """);
        var untouched = TablesNotDeclared(home, incrementalStep);
        _time.Advance(TimeSpan.FromDays(1));
        var moved = await engine.RunAsync(new PipelineRunRequest("linkage", home.DefaultSourcesDirectory));
        Assert.True(moved.Succeeded, moved.Error);
        Assert.True(incrementalStep.LastSummary!.Incremental);
        Assert.All(incrementalStep.LastSummary.LinkTypes, t => Assert.True(t.CandidatePairs > 0, t.LinkType));
        var incremental = Snapshot(home);
        Assert.NotEqual(before, incremental);
        await AssertAFullRelinkGives(incremental, home, pipelines);

        // Linkage writes no dw table it does not declare (incremental or full), so the monthly summary rows it kept are
        // still those the views give (ReportSummary keeps them after a batch that writes none of their inputs).
        Assert.Equal(untouched, TablesNotDeclared(home, incrementalStep));
        using (var connection = Warehouse.Open(home, readOnly: true))
        {
            Assert.True(ReportSummary.IsFresh(connection));
            Assert.Equal(0L, Sql.Scalar<long>(connection, $"""
                SELECT COUNT(*) FROM ((SELECT * EXCLUDE (source_stamp) FROM {ReportSummary.MonthlyTable} EXCEPT ALL ({ReportSummary.MonthlyLiveSql}))
                    UNION ALL (({ReportSummary.MonthlyLiveSql}) EXCEPT ALL SELECT * EXCLUDE (source_stamp) FROM {ReportSummary.MonthlyTable}))
                """));
        }

        // A warehouse upgraded from before the compared features were kept re-links in full once, and keeps them.
        Execute(home, "DELETE FROM meta.linkage_report_features");
        _time.Advance(TimeSpan.FromDays(1));
        var upgraded = await engine.RunAsync(new PipelineRunRequest("linkage", home.DefaultSourcesDirectory));
        Assert.True(upgraded.Succeeded, upgraded.Error);
        Assert.False(incrementalStep.LastSummary!.Incremental);
        Assert.Equal(Count(home, "SELECT count(*) FROM dw.fact_police_report"), Count(home, "SELECT count(*) FROM meta.linkage_report_features"));
    }

    /// <summary>The whole simulated world loaded and linked in full (configured weights), with the engine and step that ran it.</summary>
    private async Task<(TipwHome Home, string Pipelines, LinkageStep Step, PipelineEngine Engine)> LinkedWorld()
    {
        var home = TipwHome.At(_root);
        home.EnsureCreated();
        var pipelines = Pipelines("configured");
        WarehouseInitializer.InitializeHome(home, _time, new InitOptions { Time = _time }, _ => null);
        var incrementalStep = new LinkageStep();
        var engine = new PipelineEngine(home, pipelines, _time, [incrementalStep], new PipelineEngineOptions { Environment = _ => null });
        Simulate(home, null);
        Assert.All(await engine.RunManyAsync(["police_stations", "hotline", "police_reports", "police_persons", "police_arrests", "prosecution", "linkage"], home.DefaultSourcesDirectory), r => Assert.True(r.Succeeded, r.Error));
        return (home, pipelines, incrementalStep, engine);
    }

    /// <summary>Runs a full re-link (a rebuild, as <c>tipw rebuild linkage</c>) and asserts that it leaves <paramref name="snapshot"/> as it was.</summary>
    private async Task<PipelineRunResult> AssertAFullRelinkGives(string snapshot, TipwHome home, string pipelines)
    {
        var fullStep = new LinkageStep();
        var full = new PipelineEngine(home, pipelines, _time, [fullStep], new PipelineEngineOptions { Environment = _ => null });
        var rerun = await full.RunAsync(new PipelineRunRequest("linkage", home.DefaultSourcesDirectory, PipelineStepContext.RebuildTrigger));
        Assert.True(rerun.Succeeded, rerun.Error);
        Assert.False(fullStep.LastSummary!.Incremental);
        Assert.Equal(snapshot, Snapshot(home));
        return rerun;
    }

    private static void Simulate(TipwHome home, DateOnly? asOf) => WorldSimulator.Run(new SimulationOptions
    {
        OutputDirectory = home.DefaultSourcesDirectory,
        From = new DateOnly(2006, 3, 1),
        To = new DateOnly(2006, 8, 31),
        AsOf = asOf,
        Scale = 0.5,
        Seed = 11,
    });

    // A copy of the repository's pipelines/ with the linkage estimate set.
    private string Pipelines(string estimate)
    {
        var source = RepositoryPipelines();
        var target = Path.Combine(_root, "pipelines");
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var path = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.Copy(file, path);
        }

        var linkage = Path.Combine(target, "linkage.yaml");
        File.WriteAllText(linkage, File.ReadAllText(linkage).Replace("estimate: em", "estimate: " + estimate, StringComparison.Ordinal));
        return target;
    }

    // Writes the persisted m, u and prior into linkage.yaml as configured probabilities and estimate: configured, so that a full
    // run scores with exactly the weights the incremental run used.
    private static void ReuseModelAsConfigured(TipwHome home, string pipelines)
    {
        var settings = new List<string>();
        using (var connection = Warehouse.Open(home, readOnly: true))
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT link_type, field_name, string_agg(CAST(m AS VARCHAR), ',' ORDER BY level), string_agg(CAST(u AS VARCHAR), ',' ORDER BY level) FROM meta.linkage_model GROUP BY ALL ORDER BY ALL";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                settings.Add($"  {reader.GetString(0)}.m.{reader.GetString(1)}: \"{reader.GetString(2)}\"");
                settings.Add($"  {reader.GetString(0)}.u.{reader.GetString(1)}: \"{reader.GetString(3)}\"");
            }
        }

        using (var connection = Warehouse.Open(home, readOnly: true))
        using (var command = connection.CreateCommand())
        {
            // The hotline score weighs the model's prior too.
            command.CommandText = "SELECT DISTINCT link_type, CAST(prior AS VARCHAR) FROM meta.linkage_model ORDER BY ALL";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                settings.Add($"  {reader.GetString(0)}.prior: \"{reader.GetString(1)}\"");
            }
        }

        Assert.NotEmpty(settings);
        var linkage = Path.Combine(pipelines, "linkage.yaml");
        File.WriteAllText(linkage, File.ReadAllText(linkage).Replace("estimate: em", "estimate: configured", StringComparison.Ordinal).TrimEnd() + "\n" + string.Join('\n', settings) + "\n");
    }

    private static string RepositoryPipelines()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "pipelines");
            if (File.Exists(Path.Combine(candidate, "linkage.yaml")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("pipelines/linkage.yaml not found above " + AppContext.BaseDirectory);
    }

    private static void Execute(TipwHome home, string sql)
    {
        using var connection = Warehouse.Open(home);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        Assert.True(command.ExecuteNonQuery() > 0);
    }

    private static long Count(TipwHome home, string sql)
    {
        using var connection = Warehouse.Open(home, readOnly: true);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    // Every dw table but those the step declares it writes, each as its row count and a hash of its rows.
    private static string TablesNotDeclared(TipwHome home, LinkageStep step)
    {
        using var connection = Warehouse.Open(home, readOnly: true);
        var tables = Sql.Query(connection, "SELECT schema_name || '.' || table_name FROM duckdb_tables() WHERE schema_name = 'dw' ORDER BY 1", r => r.GetString(0))
            .Where(t => !step.Writes.Contains(t, StringComparer.OrdinalIgnoreCase)).ToList();
        Assert.Contains("dw.fact_police_report", tables);
        return string.Join('\n', tables.Select(t => t + " " + Sql.Scalar<string>(connection, $"SELECT count(*) || ':' || COALESCE(sum(hash(x)), 0) FROM {t} AS x")));
    }

    // Everything the TIP step and the reports read, without the batch ids that say when a row was written.
    private static string Snapshot(TipwHome home)
    {
        using var connection = Warehouse.Open(home, readOnly: true);
        var parts = new List<string>();
        foreach (var sql in new[]
        {
            "SELECT link_key, case_id, link_type, left_record_id, right_record_id, method, score, status, decided_by, link_date_key FROM dw.bridge_case_link",
            "SELECT record_type, record_id, case_id FROM dw.case_membership",
            "SELECT * EXCLUDE (last_updated_batch_id) FROM dw.fact_case_lifecycle",
        })
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT count(*) || ':' || COALESCE(sum(hash(x)), 0) FROM ({sql}) AS x";
            parts.Add(Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture)!);
        }

        return string.Join('\n', parts);
    }
}
