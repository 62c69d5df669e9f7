using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;
using TipWarehouse.Etl.Engine;
using TipWarehouse.Etl.Quality;
using TipWarehouse.Etl.Specs;

namespace TipWarehouse.Etl.Tests;

/// <summary>Data tests declared in specs: each kind counts the right failing rows, a failing error-level test fails its run naming the test, a warning shows in the run history.</summary>
[Collection(SimulatedWarehouseGroup.Name)]
public sealed class DataTestTests(WarehouseFixture world) : IDisposable
{
    private readonly string _pipelines = Directory.CreateTempSubdirectory("tipw-datatests-").FullName;

    public void Dispose() => Directory.Delete(_pipelines, recursive: true);

    private static DataTestSpec T(string test, string? column = null) => new() { Name = test + ":" + column, Test = test, Table = "main.t", Column = column, Line = 1 };

    [Fact]
    public void Each_test_kind_counts_its_failing_rows()
    {
        using var connection = Warehouse.OpenPath(":memory:");
        using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                CREATE TABLE main.r (k INTEGER);
                INSERT INTO main.r VALUES (1), (2);
                CREATE TABLE main.t (id INTEGER, sex VARCHAR, k INTEGER);
                INSERT INTO main.t VALUES (1, 'F', 1), (2, 'M', 2), (2, 'X', 3), (NULL, NULL, NULL), (5, 'F', 9);
                """;
            command.ExecuteNonQuery();
        }

        var spec = new PipelineSpec
        {
            Name = "p",
            Kind = "csv",
            SpecPath = "p.yaml",
            Tests =
            [
                T(DataTestKinds.NotNull, "id"),
                T(DataTestKinds.Unique, "id"),
                T(DataTestKinds.AcceptedValues, "sex") with { Values = ["F", "M"] },
                T(DataTestKinds.Relationships, "k") with { To = "main.r" },
                T(DataTestKinds.RowCount) with { Min = 1, Max = 4 },
                T(DataTestKinds.RowCount, "x") with { Min = 5 },
                T(DataTestKinds.Sql) with { Sql = "SELECT * FROM main.t WHERE id > 1" },
                T(DataTestKinds.NotNull, "sex") with { Where = "id = 1" },
            ],
        };
        var results = DataTests.Run(connection, spec);
        Assert.Equal([1L, 2, 1, 2, 1, 0, 3, 0], results.Select(r => r.FailedRows));
        Assert.Equal([5L, 4, 5, 5, 5, 5, 3, 1], results.Select(r => r.TotalRows));
        Assert.Contains("5 rows (expected 1 to 4)", results[4].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_test_on_a_missing_column_names_the_spec_line()
    {
        using var connection = Warehouse.OpenPath(":memory:");
        var spec = new PipelineSpec { Name = "p", Kind = "csv", SpecPath = "p.yaml", Tests = [T(DataTestKinds.NotNull, "id") with { Table = "main.nowhere", Line = 42 }] };
        var ex = Assert.Throws<DataTestException>(() => DataTests.Run(connection, spec));
        Assert.StartsWith("p.yaml:42: data test not_null:id", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_error_test_fails_the_run_naming_it_and_a_warning_shows_in_the_run_history()
    {
        WarehouseFixture.CopyPipelines(_pipelines);

        var spec = Path.Combine(_pipelines, "police_stations.yaml");
        var original = File.ReadAllText(spec);
        File.WriteAllText(spec, original + """

            tests:
              - { name: at_most_one_station, test: row_count, table: dw.dim_police_unit, max: 1, severity: warning }
            """);
        var warned = world.NewHome("datatest-warning");
        var ok = await new PipelineEngine(warned, _pipelines, world.Time, options: new PipelineEngineOptions { Environment = _ => null })
            .RunAsync(new PipelineRunRequest("police_stations", world.Sources));
        Assert.True(ok.Succeeded, ok.Error);
        var history = RunHistory.Query(warned, "police_stations");
        var failedTests = history.Rows.Select(r => r[history.IndexOf("failed_tests")] as string).OfType<string>().ToList();
        Assert.Contains(failedTests, t => t.Contains("at_most_one_station (warning", StringComparison.Ordinal));
        Assert.Equal(1L, WarehouseFixture.Scalar(warned, "SELECT count(*) FROM meta.data_quality_result WHERE check_name = 'test:at_most_one_station' AND NOT passed AND severity = 'warning'"));

        File.WriteAllText(spec, original + """

            tests:
              - { name: directorate_is_none, test: accepted_values, table: dw.dim_police_unit, column: directorate, values: [NONE] }
            """);
        var failedHome = world.NewHome("datatest-error");
        var failed = await new PipelineEngine(failedHome, _pipelines, world.Time, options: new PipelineEngineOptions { Environment = _ => null })
            .RunManyAsync(["police_stations", "hotline"], world.Sources);
        Assert.Equal(PipelineRunStatus.Failed, failed[0].Status);
        Assert.Contains("data test failed", failed[0].Error, StringComparison.Ordinal);
        Assert.Contains("directorate_is_none", failed[0].Error, StringComparison.Ordinal);
        // The load is committed (dbt build: the data is there, the test says it is wrong) and downstream does not run.
        Assert.True(WarehouseFixture.Scalar(failedHome, "SELECT count(*) FROM dw.dim_police_unit") > 1);
        Assert.Contains("upstream pipeline police_stations failed", failed[1].Error, StringComparison.Ordinal);
        Assert.Equal("failed", WarehouseFixture.Rows(failedHome, "SELECT status FROM meta.pipeline_run WHERE pipeline = 'police_stations'").Single()[0]);
    }
}
