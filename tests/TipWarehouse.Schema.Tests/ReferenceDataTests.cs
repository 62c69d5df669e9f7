namespace TipWarehouse.Schema.Tests;

public sealed class ReferenceDataTests(InitializedWarehouseFixture fixture) : IClassFixture<InitializedWarehouseFixture>
{
    private long Scalar(string sql) => Db.Scalar(fixture.Connection, sql);

    private string? Text(string sql) => Db.Text(fixture.Connection, sql);

    [Fact]
    public void Geography_has_every_district_of_the_ubigeo_files_with_both_codes()
    {
        Assert.Equal(1893, Scalar("SELECT count(*) FROM dw.dim_geography WHERE geography_key > 0"));
        Assert.Equal(1892, Scalar("SELECT count(DISTINCT ubigeo_inei) FROM dw.dim_geography WHERE geography_key > 0"));
        Assert.Equal(1892, Scalar("SELECT count(DISTINCT ubigeo_reniec) FROM dw.dim_geography WHERE geography_key > 0"));
        // The README's example: Bagua district is INEI 010201, RENIEC 010205.
        Assert.Equal("010205", Text("SELECT ubigeo_reniec FROM dw.dim_geography WHERE ubigeo_inei = '010201'"));
        Assert.Equal(1782, Scalar("SELECT count(*) FROM dw.dim_geography WHERE geography_key > 0 AND ubigeo_inei IS DISTINCT FROM ubigeo_reniec"));
    }

    [Fact]
    public void District_missing_from_one_registry_still_gets_its_inei_province_and_department()
    {
        Assert.Equal("18", Text("SELECT department_code_inei FROM dw.dim_geography WHERE ubigeo_reniec = '170107'"));
        Assert.Equal("1801", Text("SELECT province_code_inei FROM dw.dim_geography WHERE ubigeo_reniec = '170107'"));
        Assert.Null(Text("SELECT ubigeo_inei FROM dw.dim_geography WHERE ubigeo_reniec = '170107'"));
    }

    [Fact]
    public void Every_department_belongs_to_one_of_twelve_pnp_directorates()
    {
        Assert.Equal(12, Scalar("SELECT count(DISTINCT pnp_directorate) FROM dw.dim_geography WHERE geography_key > 0"));
        Assert.Equal(25, Scalar("SELECT count(DISTINCT department_code_inei) FROM dw.dim_geography WHERE geography_key > 0"));
        Assert.Equal(0, Scalar("SELECT count(*) FROM (SELECT department_code_inei FROM dw.dim_geography GROUP BY 1 HAVING count(DISTINCT pnp_directorate) > 1)"));
        Assert.Equal("VII DIRTEPOL LIMA", Text("SELECT DISTINCT pnp_directorate FROM dw.dim_geography WHERE department_name = 'CALLAO'"));
    }

    [Fact]
    public void Geography_carries_poverty_and_development_figures()
    {
        Assert.Equal(1874, Scalar("SELECT count(poverty_rate_pct) FROM dw.dim_geography WHERE geography_key > 0"));
        Assert.Equal("9.03", Text("SELECT CAST(poverty_rate_pct AS VARCHAR) FROM dw.dim_geography WHERE ubigeo_inei = '010101'"));
        Assert.Equal(0, Scalar("SELECT count(*) FROM dw.dim_geography WHERE poverty_rate_pct < 0 OR poverty_rate_pct > 100 OR human_development_index > 1"));
    }

    [Fact]
    public void Date_dimension_covers_2000_to_2035_with_spanish_names_and_iso_attributes()
    {
        Assert.Equal(13149, Scalar("SELECT count(*) FROM dw.dim_date WHERE date_key > 0"));
        Assert.Equal("20000101", Text("SELECT min(date_key) FROM dw.dim_date WHERE date_key > 0"));
        Assert.Equal("20351231", Text("SELECT max(date_key) FROM dw.dim_date"));
        Assert.Equal("Martes|Enero|Ene|2007-01|2007-Q1", Text("SELECT day_name_es || '|' || month_name_es || '|' || month_short_es || '|' || year_month || '|' || year_quarter FROM dw.dim_date WHERE date_key = 20070116"));
        // 1 January 2005 is a Saturday in ISO week 53 of 2004.
        Assert.Equal("6|53|2004|true", Text("SELECT day_of_week_iso || '|' || iso_week || '|' || iso_year || '|' || is_weekend FROM dw.dim_date WHERE date_key = 20050101"));
        Assert.Equal("2006|4|2006-12-01", Text("SELECT fiscal_year || '|' || fiscal_quarter || '|' || first_day_of_month FROM dw.dim_date WHERE date_key = 20061215"));
    }

    [Theory]
    [InlineData("153", "2007-01-15", "related")]
    [InlineData("153", "2007-01-16", "core")]
    [InlineData("182", "2007-01-15", "core")]
    [InlineData("181", "2006-06-01", "related")]
    [InlineData("188", "2006-06-01", "none")]
    public void Crime_type_of_an_article_depends_on_the_date_around_law_28950(string article, string date, string relevance)
    {
        var sql = $"SELECT tip_relevance FROM dw.dim_crime_type WHERE penal_article = '{article}' AND DATE '{date}' >= valid_from AND (valid_to IS NULL OR DATE '{date}' <= valid_to)";
        Assert.Equal(1, Scalar($"SELECT count(*) FROM ({sql})"));
        Assert.Equal(relevance, Text(sql));
    }

    [Fact]
    public void Article_182_has_no_wording_after_law_28950()
    {
        Assert.Equal(0, Scalar("SELECT count(*) FROM dw.dim_crime_type WHERE penal_article = '182' AND (valid_to IS NULL OR valid_to >= DATE '2007-01-16')"));
    }

    [Fact]
    public void Validity_ranges_of_an_article_never_overlap()
    {
        Assert.Equal(0, Scalar(
            "SELECT count(*) FROM dw.dim_crime_type a JOIN dw.dim_crime_type b ON a.penal_article = b.penal_article AND a.crime_type_key < b.crime_type_key " +
            "WHERE a.valid_from <= coalesce(b.valid_to, DATE '9999-12-31') AND b.valid_from <= coalesce(a.valid_to, DATE '9999-12-31')"));
        Assert.Equal(0, Scalar("SELECT count(*) FROM dw.dim_crime_type WHERE crime_type_key > 0 AND (is_tip_related <> (tip_relevance = 'core') OR tip_relevance NOT IN ('core', 'related', 'none'))"));
    }

    [Fact]
    public void Small_dimensions_hold_their_codes()
    {
        Assert.Equal(
            ["ANONIMO", "FAMILIAR", "INSTITUCION", "OTRO", "TESTIGO", "VICTIMA"],
            Db.Column(fixture.Connection, "SELECT caller_type_code FROM dw.dim_caller_type WHERE caller_type_key > 0 ORDER BY 1"));
        Assert.Equal(
            ["HOTLINE_CALL", "POLICE_REPORT", "COMPLAINT_RECEIVED", "PRELIMINARY_INVESTIGATION", "FORMALIZATION", "ACCUSATION", "TRIAL", "SENTENCE", "PRISON_ENTRY", "RELEASE", "ARCHIVED"],
            Db.Column(fixture.Connection, "SELECT stage_code FROM dw.dim_case_stage WHERE case_stage_key > 0 ORDER BY stage_order"));
        Assert.Equal(7, Scalar("SELECT count(*) FROM dw.dim_exploitation_type WHERE exploitation_type_key > 0"));
        Assert.Equal(13, Scalar("SELECT count(*) FROM dw.dim_means_of_control WHERE means_of_control_key > 0"));
        Assert.Equal(1, Scalar("SELECT count(*) FROM dw.dim_means_of_control WHERE control_code = 'THREAT_OF_LAW_ENFORCEMENT'"));
    }

    [Fact]
    public void Every_dimension_has_its_unknown_member()
    {
        foreach (var dimension in fixture.Schema.Description.Tables.Where(t => t.Name.StartsWith("dim_", StringComparison.Ordinal)))
        {
            Assert.Equal(1, Scalar($"SELECT count(*) FROM dw.{dimension.Name} WHERE {dimension.PrimaryKey[0]} = -1"));
        }
    }

    [Fact]
    public void Reference_data_satisfies_every_foreign_key_of_the_model()
    {
        Assert.Empty(ReferentialIntegrity.Check(fixture.Connection, fixture.Schema.Description));
    }

    [Fact]
    public void Key_check_finds_a_duplicate_call_id_that_the_fact_table_no_longer_refuses()
    {
        Assert.Empty(ReferentialIntegrity.CheckKeys(fixture.Connection, fixture.Schema.Description));
        using var transaction = fixture.Connection.BeginTransaction();
        for (var i = 0; i < 2; i++)
        {
            // The same call twice: DuckDB accepts it, since the fact table's keys are informational there.
            Db.Scalar(fixture.Connection, "INSERT INTO dw.fact_hotline_call (call_id, call_date_key, call_hour, call_ts_lima, geography_key, caller_type_key, victim_person_key, " +
                "referred_police_unit_key, referral_date_key, ubigeo_source_coding, call_count, batch_id) " +
                "VALUES ('L1', -1, 0, TIMESTAMP '2006-04-01 10:00:00', -1, -1, -1, -1, -1, 'MISSING', 1, 1)");
        }

        var violation = Assert.Single(ReferentialIntegrity.CheckKeys(fixture.Connection, fixture.Schema.Description));
        Assert.Equal(new KeyViolation("dw.fact_hotline_call", "call_id", 1), violation);
        transaction.Rollback();
    }

    [Fact]
    public void Surrogate_keys_of_loaded_members_come_from_the_sequences()
    {
        Assert.Equal(1, Scalar("SELECT min(caller_type_key) FROM dw.dim_caller_type WHERE caller_type_key > 0"));
        Assert.Equal(1893, Scalar("SELECT max(geography_key) FROM dw.dim_geography"));
    }
}
