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
    public void Monthly_national_view_counts_facts_with_bit_flags_compared_to_1()
    {
        using var connection = TipWarehouse.Core.Warehouse.OpenPath(":memory:");
        WarehouseInitializer.Initialize(connection);
        foreach (var sql in new[]
        {
            "INSERT INTO dw.fact_hotline_call (call_id, call_date_key, call_hour, call_ts_lima, geography_key, caller_type_key, victim_person_key, referred_police_unit_key, referral_date_key, is_tip_by_operator, ubigeo_source_coding, call_count, batch_id) VALUES " +
            "('C1', 20060315, 10, TIMESTAMP '2006-03-15 10:00:00', -1, -1, -1, -1, -1, true, 'reniec', 1, 1), ('C2', 20060316, 11, TIMESTAMP '2006-03-16 11:00:00', -1, -1, -1, -1, -1, false, 'reniec', 1, 1)",
            "INSERT INTO dw.fact_police_report (report_number, report_date_key, incident_date_key, police_unit_key, geography_key, crime_type_key, exploitation_type_key, status, is_tip_related, victim_count, suspect_count, report_count, source_updated_at, batch_id) VALUES " +
            "('R1', 20060320, -1, -1, -1, -1, -1, 'open', true, 1, 1, 1, TIMESTAMP '2006-03-20 00:00:00', 1)",
            "INSERT INTO dw.fact_case_event (event_sequence, case_number, event_date_key, reported_date_key, case_stage_key, prosecutor_office_key, geography_key, crime_type_key, is_tip_related, defendant_count, sentence_outcome, event_count, batch_id) " +
            "SELECT 1, 'K1', 20060325, 20060325, case_stage_key, -1, -1, -1, true, 1, 'CONDENA', 1, 1 FROM dw.dim_case_stage WHERE stage_code = 'SENTENCE'",
        })
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }

        Assert.Equal("2|1|1|1|1|Marzo", Db.Text(connection, "SELECT hotline_calls || '|' || calls_tip_by_operator || '|' || tip_police_reports || '|' || sentences || '|' || convictions || '|' || month_name_es FROM rpt.v_monthly_national WHERE year_month = '2006-03'"));
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
