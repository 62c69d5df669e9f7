namespace TipWarehouse.Schema.Tests;

public sealed class SchemaModelTests(CompiledSchemaFixture fixture) : IClassFixture<CompiledSchemaFixture>
{
    private SchemaDescription Model => fixture.Schema.Description;

    [Fact]
    public void Schema_compiles_and_validates_without_errors()
    {
        Assert.True(fixture.Compilation.IsValid, string.Join('\n', fixture.Compilation.Errors));
        Assert.Empty(fixture.Compilation.Errors);
    }

    [Fact]
    public void Every_table_file_in_sql_is_a_table_of_the_model()
    {
        var files = fixture.Compilation.ModelSources.Where(s => s.RelativePath.Contains("/Tables/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var schema = file.RelativePath.Split('/')[0];
            var name = Path.GetFileNameWithoutExtension(file.RelativePath);
            Assert.NotNull(Model.Table(schema + "." + name));
        }

        Assert.Equal(files.Count, Model.Tables.Count);
    }

    [Fact]
    public void Every_fact_has_a_date_key_that_references_dim_date()
    {
        // The facts of DESIGN.md: every fact_* table and bridge_case_link. The person bridges (bridge_report_person,
        // bridge_case_event_defendant) are factless many-to-many bridges dated through the fact they hang from.
        var facts = Model.Tables.Where(t => t.Schema == "dw" && (t.Name.StartsWith("fact_", StringComparison.Ordinal) || t.Name == "bridge_case_link")).ToList();
        Assert.True(facts.Count >= 7, "expected the seven facts of DESIGN.md");
        foreach (var fact in facts)
        {
            var dateKeys = fact.Columns.Where(c => c.Name.EndsWith("_date_key", StringComparison.Ordinal)).ToList();
            Assert.True(dateKeys.Count > 0, $"{fact.QualifiedName} has no *_date_key column");
            foreach (var dateKey in dateKeys)
            {
                Assert.False(dateKey.Nullable, $"{fact.QualifiedName}.{dateKey.Name} must be NOT NULL (use -1, the unknown date)");
                Assert.Contains(fact.ForeignKeys, fk => fk.Columns.SequenceEqual([dateKey.Name]) && fk.ReferencedTable == "dw.dim_date");
            }
        }
    }

    [Fact]
    public void Every_dimension_has_an_integer_surrogate_primary_key()
    {
        var dimensions = Model.Tables.Where(t => t.Schema == "dw" && t.Name.StartsWith("dim_", StringComparison.Ordinal)).ToList();
        Assert.True(dimensions.Count >= 11);
        foreach (var dimension in dimensions)
        {
            var key = Assert.Single(dimension.PrimaryKey);
            Assert.EndsWith("_key", key, StringComparison.Ordinal);
            Assert.Contains(dimension.Column(key)!.Type.Name, new[] { "int", "bigint" });
            Assert.True(dimension.UniqueKeys.Count > 0, $"{dimension.QualifiedName} needs a natural key (UNIQUE) besides its surrogate key");
        }
    }

    [Fact]
    public void Every_dimension_has_an_unknown_member_in_the_post_deployment_script()
    {
        var script = string.Join('\n', fixture.Compilation.PostDeploymentScripts.Select(s => s.Text));
        foreach (var dimension in Model.Tables.Where(t => t.Schema == "dw" && t.Name.StartsWith("dim_", StringComparison.Ordinal)))
        {
            Assert.Contains($"INSERT INTO dw.{dimension.Name} ({dimension.PrimaryKey[0]},", script, StringComparison.Ordinal);
            Assert.Contains($"WHERE NOT EXISTS (SELECT 1 FROM dw.{dimension.Name} WHERE {dimension.PrimaryKey[0]} = -1)", script, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Surrogate_keys_default_to_their_sequence()
    {
        foreach (var sequence in Model.Sequences)
        {
            Assert.Contains(Model.Tables.SelectMany(t => t.Columns), c => c.DefaultSequence == sequence.QualifiedName);
        }
    }

    [Fact]
    public void Every_foreign_key_points_at_a_primary_key_of_the_model()
    {
        foreach (var table in Model.Tables)
        {
            foreach (var foreignKey in table.ForeignKeys)
            {
                var parent = Model.Table(foreignKey.ReferencedTable);
                Assert.NotNull(parent);
                Assert.Equal(parent!.PrimaryKey, foreignKey.ReferencedColumns);
            }
        }
    }

    [Fact]
    public void Views_are_ordered_after_the_views_they_read()
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var view in Model.Views)
        {
            Assert.All(view.ReferencedViews, v => Assert.Contains(v, seen));
            seen.Add(view.QualifiedName);
        }

        Assert.Contains("rpt.v_monthly_national", seen);
        Assert.Contains("rpt.v_case_funnel", seen);
    }
}
