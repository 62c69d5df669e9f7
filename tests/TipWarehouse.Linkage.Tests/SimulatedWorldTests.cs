using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using TipWarehouse.Cli;
using TipWarehouse.Cli.Commands;
using TipWarehouse.Core;
using TipWarehouse.Etl.Engine;
using TipWarehouse.Schema;
using TipWarehouse.Simulation;

namespace TipWarehouse.Linkage.Tests;

/// <summary>One small simulated world loaded by the real pipelines (specs in <c>pipelines/</c>), linked once for all tests.</summary>
public sealed class SimulatedWorldFixture : IDisposable
{
    public SimulatedWorldFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "tipw-linkage-tests", Guid.NewGuid().ToString("N"));
        Home = TipwHome.At(Root);
        Home.EnsureCreated();
        WorldSimulator.Run(new SimulationOptions
        {
            OutputDirectory = Home.DefaultSourcesDirectory,
            From = new DateOnly(2006, 3, 1),
            To = new DateOnly(2006, 9, 30),
            Scale = 0.6,
            Seed = 7,
        });
        WarehouseInitializer.InitializeHome(Home, Time, new InitOptions { Time = Time }, _ => null);
        Step = new LinkageStep();
        Engine = new PipelineEngine(Home, RepositoryPipelines(), Time, [Step, new TipWarehouse.Classifier.CallScoringStep(), new Determination.TipDeterminationStep()], new PipelineEngineOptions { Environment = _ => null });
        Results = Engine.RunManyAsync(null, Home.DefaultSourcesDirectory).GetAwaiter().GetResult();
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2007, 2, 1, 12, 0, 0, TimeSpan.Zero));

    // The repository's pipelines/ folder, found upwards from the test assembly.
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

    public string Root { get; }

    public TipwHome Home { get; }

    public LinkageStep Step { get; }

    public PipelineEngine Engine { get; }

    public IReadOnlyList<Core.Pipelines.PipelineRunResult> Results { get; }

    public string TruthDirectory => Path.Combine(Home.DefaultSourcesDirectory, "truth");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}

public sealed class SimulatedWorldTests(SimulatedWorldFixture world) : IClassFixture<SimulatedWorldFixture>
{
    private async Task<(int ExitCode, string Out, string Error)> Tipw(Func<CliContext, System.CommandLine.Command> create, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var context = new CliContext(stdout, stderr, world.Time, name => name == "USER" ? "ana" : null);
        var root = new System.CommandLine.RootCommand("test") { create(context) };
        var parsed = root.Parse(args);
        Assert.Empty(parsed.Errors);
        int exit;
        try
        {
            exit = await parsed.InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (TipwException ex)
        {
            exit = ex.ExitCode;
            await stderr.WriteLineAsync(ex.Message);
        }

        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Every_pipeline_including_linkage_succeeds()
    {
        Assert.All(world.Results, r => Assert.True(r.Succeeded, $"{r.Pipeline}: {r.Error}"));
        Assert.Contains(world.Results, r => r.Pipeline == "linkage" && r.RowsLoaded > 0);
    }

    [Fact]
    public async Task Evaluate_linkage_prints_csv_and_meets_the_targets_on_a_simulated_world()
    {
        var (exit, stdout, stderr) = await Tipw(EvaluateLinkageCommand.Create, "linkage", "--home", world.Root, "--truth", world.TruthDirectory, "--format", "csv");

        Assert.True(exit == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("link_type,precision,recall,f1", lines[0]);
        var metrics = lines.Skip(1).Select(l => l.Split(',')).ToDictionary(f => f[0], f => (P: double.Parse(f[1], CultureInfo.InvariantCulture), R: double.Parse(f[2], CultureInfo.InvariantCulture)));
        Assert.Equal([LinkTypes.HotlinePolice, LinkTypes.PoliceProsecution], metrics.Keys);
        Assert.True(metrics[LinkTypes.PoliceProsecution].P >= 0.98 && metrics[LinkTypes.PoliceProsecution].R >= 0.95, stdout);
        Assert.True(metrics[LinkTypes.HotlinePolice].P >= 0.95 && metrics[LinkTypes.HotlinePolice].R >= 0.90, stdout);
    }

    [Fact]
    public async Task Linkage_rerun_changes_nothing_and_review_decisions_are_kept()
    {
        // Runs in sequence with the evaluation above only through the shared fixture's data, which it does not make worse:
        // it accepts nothing and rejects one uncertain pair that is not linked anyway.
        var (exit, stdout, _) = await Tipw(LinkageCommand.Create, "linkage", "review", "--home", world.Root, "--format", "csv");
        Assert.Equal(0, exit);
        Assert.StartsWith("id,link_type,left_record_id,right_record_id,score,method,status", stdout, StringComparison.Ordinal);
        var first = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).FirstOrDefault();
        if (first is not null)
        {
            var id = first.Split(',')[0];
            (exit, _, _) = await Tipw(LinkageCommand.Create, "linkage", "review", "--home", world.Root, "--reject", id);
            Assert.Equal(0, exit);
        }

        var rerun = await world.Engine.RunAsync(new Core.Pipelines.PipelineRunRequest("linkage", world.Home.DefaultSourcesDirectory));
        Assert.True(rerun.Succeeded, rerun.Error);
        Assert.Equal(0, rerun.RowsLoaded);
        Assert.Equal(rerun.RowsRead, rerun.RowsDuplicate);

        using var connection = Warehouse.Open(world.Home, readOnly: true);
        if (first is not null)
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT status || '/' || decided_by FROM dw.bridge_case_link WHERE link_key = {long.Parse(first.Split(',')[0], CultureInfo.InvariantCulture)}";
            Assert.Equal("rejected/ana", command.ExecuteScalar());
        }
    }

    [Fact]
    public void Every_queued_pair_shows_weights_summing_to_its_stored_score_and_pseudonyms_only()
    {
        using var connection = Warehouse.Open(world.Home, readOnly: true);
        var queue = LinkageReview.Queue(connection);
        Assert.NotEmpty(queue.Rows);
        // The clear names and DNI of the hotline source files: none may appear in what a reviewer sees.
        // Name and DNI are the 6th and 7th fields, before any free text that could hold a semicolon.
        var clear = Directory.GetFiles(Path.Combine(world.Home.DefaultSourcesDirectory, "hotline"), "*.csv")
            .SelectMany(f => File.ReadLines(f).Skip(1).Select(l => l.Split(';')).Where(c => c.Length > 6).SelectMany(c => new[] { c[5], c[6] }))
            .Select(v => v.Trim().Trim('"')).Where(v => v.Length >= 4).ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(clear);
        var person = new System.Text.RegularExpressions.Regex(@"^([A-Z]+ )?(dni=\S{12} )?(name=\S{12} )?([0-9+<>-]+|unknown)? ?[FM]?$");
        foreach (var queued in queue.Rows)
        {
            var id = Convert.ToInt64(queued[queue.IndexOf("id")], CultureInfo.InvariantCulture);
            var shown = LinkageReview.Show(connection, id);
            var rows = shown.Rows.ToDictionary(r => ((string)r[0]!, (string)r[1]!));
            Assert.Equal((queued[queue.IndexOf("left_record_id")], queued[queue.IndexOf("right_record_id")]), (rows[("record", "record_id")][2], rows[("record", "record_id")][3]));
            var comparisons = shown.Rows.Where(r => (string)r[0]! == "comparison").ToList();
            Assert.Equal(ComparisonFields.For((string)queued[queue.IndexOf("link_type")]!).Count, comparisons.Count);
            var sum = (double)rows[("total", "weight_sum")][5]!;
            Assert.Equal(comparisons.Concat(shown.Rows.Where(r => (string)r[0]! == "prior")).Sum(r => (double)r[5]!), sum, 12);
            Assert.True(Math.Abs(sum - (double)queued[queue.IndexOf("score")]!) <= LinkageReview.ScoreTolerance, $"pair {id}: weights sum to {sum}, score {queued[queue.IndexOf("score")]}");
            Assert.Equal("The weights sum to the stored score.", rows[("note", "check")][2]);
            foreach (var side in new[] { 2, 3 })
            {
                foreach (var one in ((string?)rows[("record", "persons")][side] ?? string.Empty).Split("; ", StringSplitOptions.RemoveEmptyEntries))
                {
                    Assert.Matches(person, one);
                }
            }

            // No name or DNI among the persons; no full name anywhere (a call id can hold eight digits in a row, a place a first name).
            var text = string.Join('|', shown.Rows.SelectMany(r => r).Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)));
            var persons = $"{rows[("record", "persons")][2]}|{rows[("record", "persons")][3]}";
            Assert.DoesNotContain(clear, c => persons.Contains(c, StringComparison.Ordinal) || (c.Contains(' ', StringComparison.Ordinal) && text.Contains(c, StringComparison.OrdinalIgnoreCase)));
        }
    }

    [Fact]
    public void Every_case_has_one_lifecycle_row_and_every_police_report_is_in_a_case()
    {
        using var connection = Warehouse.Open(world.Home, readOnly: true);
        long Scalar(string sql)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        Assert.Equal(Scalar("SELECT count(DISTINCT case_id) FROM dw.case_membership"), Scalar("SELECT count(*) FROM dw.fact_case_lifecycle"));
        Assert.Equal(0, Scalar("SELECT count(*) FROM dw.fact_police_report r WHERE NOT EXISTS (SELECT 1 FROM dw.case_membership m WHERE m.record_type = 'police_report' AND m.record_id = r.report_number)"));
        Assert.True(Scalar("SELECT count(*) FROM dw.fact_case_lifecycle WHERE first_call_date_key > 0 AND police_report_date_key > 0 AND prosecution_opened_date_key > 0") > 0);
        Assert.Equal(0, Scalar("SELECT count(*) FROM dw.fact_case_lifecycle WHERE days_report_to_prosecution < -30"));
    }
}
