namespace TipWarehouse.Schema.Tests;

public sealed class ViewTests(InitializedWarehouseFixture fixture) : IClassFixture<InitializedWarehouseFixture>
{
    public static TheoryData<string> Views() => [.. WarehouseSchema.Load().Description.Views.Select(v => v.QualifiedName)];

    [Theory]
    [MemberData(nameof(Views))]
    public void Every_view_runs_on_duckdb(string view)
    {
        using var command = fixture.Connection.CreateCommand();
        command.CommandText = "SELECT * FROM " + view;
        using var reader = command.ExecuteReader();
        Assert.True(reader.FieldCount > 0);
        while (reader.Read())
        {
        }
    }

    [Fact]
    public void Monthly_national_view_has_one_row_per_month_of_the_date_dimension()
    {
        Assert.Equal(36 * 12, Db.Scalar(fixture.Connection, "SELECT count(*) FROM rpt.v_monthly_national"));
        Assert.Equal(0, Db.Scalar(fixture.Connection, "SELECT coalesce(sum(hotline_calls), 0) FROM rpt.v_monthly_national"));
    }

    [Fact]
    public void Case_funnel_view_lists_the_stages_in_order()
    {
        Assert.Equal(
            ["HOTLINE_CALL", "POLICE_REPORT", "PROSECUTION", "FORMALIZATION", "TRIAL", "CONVICTION", "PRISON"],
            Db.Column(fixture.Connection, "SELECT stage_code FROM rpt.v_case_funnel ORDER BY stage_order"));
    }

    [Fact]
    public void Every_table_of_the_model_exists_in_duckdb_with_its_columns_in_order()
    {
        foreach (var table in fixture.Schema.Description.Tables)
        {
            var columns = Db.Column(fixture.Connection, $"SELECT column_name FROM duckdb_columns() WHERE schema_name = '{table.Schema}' AND table_name = '{table.Name}' ORDER BY column_index");
            Assert.Equal(table.Columns.Select(c => c.Name), columns);
        }
    }
}
