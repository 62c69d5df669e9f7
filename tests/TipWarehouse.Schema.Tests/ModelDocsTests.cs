namespace TipWarehouse.Schema.Tests;

/// <summary><see cref="ModelDocs"/>: descriptions from MS_Description extended properties or comments, none invented; the relations each view reads.</summary>
public sealed class ModelDocsTests
{
    private static SchemaSourceFile Source(string name, string text) => new(name, name, text);

    [Fact]
    public void Comments_describe_the_object_and_its_columns_and_nothing_else_is_invented()
    {
        var descriptions = ModelDocs.Descriptions([Source("dw/t.sql", """
            -- Grain: one thing.
            CREATE TABLE [dw].[t]
            (
                [a] INT NOT NULL, -- the key
                -- the label, as typed
                [b] VARCHAR(10) NULL,
                [c] INT NULL,
                CONSTRAINT [pk_t] PRIMARY KEY ([a])
            );
            """)]);

        var t = descriptions["dw.t"];
        Assert.Equal("Grain: one thing.", t.Text);
        Assert.Equal("the key", t.Columns["a"]);
        Assert.Equal("the label, as typed", t.Columns["b"]);
        Assert.False(t.Columns.ContainsKey("c"));
    }

    [Fact]
    public void An_MS_Description_extended_property_is_the_description()
    {
        var descriptions = ModelDocs.Descriptions([Source("dw/u.sql", """
            CREATE TABLE [dw].[u] ([a] INT NOT NULL);
            GO
            EXEC sp_addextendedproperty @name = N'MS_Description', @value = N'Units, one per row', @level0type = N'SCHEMA', @level0name = N'dw', @level1type = N'TABLE', @level1name = N'u';
            EXEC sp_addextendedproperty @name = N'MS_Description', @value = N'The unit''s key', @level0type = N'SCHEMA', @level0name = N'dw', @level1type = N'TABLE', @level1name = N'u', @level2type = N'COLUMN', @level2name = N'a';
            """)]);

        Assert.Equal("Units, one per row", descriptions["dw.u"].Text);
        Assert.Equal("The unit's key", descriptions["dw.u"].Columns["a"]);
    }

    [Fact]
    public void Views_read_the_tables_and_views_of_the_shipped_model()
    {
        using var compilation = SchemaCompiler.Compile(SchemaSources.SqlDirectory);
        var reads = ModelDocs.ViewReads(compilation.Model);
        Assert.Contains("dw.fact_hotline_call", reads["rpt.v_monthly_national"]);
        Assert.All(reads.Keys, v => Assert.StartsWith("rpt.", v, StringComparison.Ordinal));
    }
}
