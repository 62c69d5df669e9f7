using System.Text;
using TipWarehouse.Core;

namespace TipWarehouse.Schema;

/// <summary>One generated DuckDB statement for one schema object.</summary>
public sealed record DuckDbStatement(string Kind, string Name, string Sql);

/// <summary>The DuckDB DDL generated from the compiled model: schemas, sequences, tables, views, then the post-deployment statements.</summary>
public sealed record DuckDbScript(
    SchemaDescription Schema,
    IReadOnlyList<DuckDbStatement> Schemas,
    IReadOnlyList<DuckDbStatement> Sequences,
    IReadOnlyList<DuckDbStatement> Tables,
    IReadOnlyList<DuckDbStatement> Views,
    IReadOnlyList<string> PostDeployment)
{
    /// <summary>The whole create script (the golden file's content): every object in creation order, views last.</summary>
    public string ToCreateScript()
    {
        var text = new StringBuilder();
        text.Append("-- DuckDB DDL generated from the DacFx model of sql/ by TipWarehouse.Schema. Do not edit: change sql/ instead.\n");
        foreach (var group in new[] { Schemas, Sequences, Tables, Views })
        {
            text.Append('\n');
            foreach (var statement in group)
            {
                text.Append(statement.Sql).Append(";\n");
            }
        }

        return text.ToString();
    }
}

/// <summary>Generates DuckDB DDL from a <see cref="SchemaDescription"/>; the type mapping is <see cref="DuckDbTypes"/>.</summary>
/// <remarks>
/// PRIMARY KEY and UNIQUE constraints are emitted; FOREIGN KEYs are not, because DuckDB checks them eagerly and runs an
/// UPDATE as delete+insert, which breaks SCD and MERGE loads. Referential integrity on DuckDB is checked by a query
/// (<see cref="ReferentialIntegrity"/>) instead. Sequence defaults become <c>DEFAULT nextval('schema.seq')</c>.
/// </remarks>
public static class DuckDbDdl
{
    // Besides the fact tables: see EnforcesKeys.
    private static readonly HashSet<string> s_unenforcedKeyTables = new(StringComparer.OrdinalIgnoreCase) { "dw.dim_person", "dw.case_membership", "dw.bridge_case_link", "meta.data_quality_flag" };

    /// <summary>Generates the DDL of every object and the post-deployment statements rewritten for DuckDB.</summary>
    public static DuckDbScript Generate(SchemaDescription schema, IEnumerable<SchemaSourceFile> postDeploymentScripts)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(postDeploymentScripts);
        var schemas = schema.Schemas.Select(s => new DuckDbStatement("schema", s, "CREATE SCHEMA " + DuckDbKeywords.Quote(s))).ToList();
        var sequences = schema.Sequences.Select(s => new DuckDbStatement("sequence", s.QualifiedName, CreateSequence(s))).ToList();
        var tables = schema.Tables.Select(t => new DuckDbStatement("table", t.QualifiedName, CreateTable(t))).ToList();
        var views = schema.Views.Select(v => new DuckDbStatement("view", v.QualifiedName, CreateView(v, orReplace: false))).ToList();
        var post = postDeploymentScripts.SelectMany(p => TSqlText.ToDuckDbStatements(p.Text, p.RelativePath)).ToList();
        return new DuckDbScript(schema, schemas, sequences, tables, views, post);
    }

    /// <summary><c>CREATE SEQUENCE</c> for one sequence.</summary>
    public static string CreateSequence(SequenceDefinition sequence)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        return FormattableString.Invariant($"CREATE SEQUENCE {Name(sequence.Schema, sequence.Name)} START WITH {sequence.Start} INCREMENT BY {sequence.Increment}");
    }

    /// <summary><c>CREATE TABLE</c> for one table: columns, PRIMARY KEY, UNIQUE (no FOREIGN KEY, see the type remarks).</summary>
    public static string CreateTable(TableDefinition table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var lines = table.Columns.Select(c => "    " + ColumnDefinitionSql(table, c)).ToList();
        if (EnforcesKeys(table))
        {
            if (table.PrimaryKey.Count > 0)
            {
                lines.Add("    PRIMARY KEY (" + string.Join(", ", table.PrimaryKey.Select(DuckDbKeywords.Quote)) + ")");
            }

            lines.AddRange(table.UniqueKeys.Select(u => "    UNIQUE (" + string.Join(", ", u.Select(DuckDbKeywords.Quote)) + ")"));
        }

        return "CREATE TABLE " + Name(table.Schema, table.Name) + "\n(\n" + string.Join(",\n", lines) + "\n)";
    }

    /// <summary>Whether DuckDB enforces the table's PRIMARY KEY and UNIQUE constraints: every table but those that grow with each source row.</summary>
    /// <remarks>
    /// A DuckDB key is an ART index held in memory, checked on every insert and written out whole at every checkpoint.
    /// On the tables that grow with each source row (facts, <c>dw.dim_person</c>, <c>meta.data_quality_flag</c>, and the
    /// linkage's <c>dw.case_membership</c> and <c>dw.bridge_case_link</c>, a row per linked record and per link) that is
    /// most of the load time, memory that grows with the table, and a checkpoint after a one-day load that costs as much
    /// as the years already loaded (one new membership row cost a 276 ms checkpoint at scale 46). As in Synapse (NOT ENFORCED) and other columnar warehouses, their keys are
    /// informational on DuckDB: the pipelines guarantee them (duplicate rule, NOT EXISTS, DISTINCT) and no load upserts
    /// into them by key; <see cref="ReferentialIntegrity.CheckKeys"/> verifies them by query.
    /// </remarks>
    public static bool EnforcesKeys(TableDefinition table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return !table.Name.StartsWith("fact_", StringComparison.Ordinal) && !s_unenforcedKeyTables.Contains(table.QualifiedName);
    }

    /// <summary>One column's definition: name, DuckDB type, NOT NULL, DEFAULT.</summary>
    public static string ColumnDefinitionSql(TableDefinition table, ColumnDefinition column)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(column);
        var text = new StringBuilder();
        text.Append(DuckDbKeywords.Quote(column.Name)).Append(' ').Append(MapColumnType(table, column));
        if (!column.Nullable)
        {
            text.Append(" NOT NULL");
        }

        var defaultSql = DefaultSql(table, column);
        if (defaultSql is not null)
        {
            text.Append(" DEFAULT ").Append(defaultSql);
        }

        return text.ToString();
    }

    /// <summary>The DuckDB type of a column (with the table and column in the error when unmapped).</summary>
    public static string MapColumnType(TableDefinition table, ColumnDefinition column)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(column);
        return DuckDbTypes.TryMap(column.Type)
            ?? throw new SchemaException($"{table.SourceName}: column {table.QualifiedName}.{column.Name} has type {column.Type}, which has no DuckDB mapping.");
    }

    /// <summary>The DuckDB default of a column, or null: <c>nextval('schema.seq')</c> for a sequence, else the rewritten literal expression.</summary>
    public static string? DefaultSql(TableDefinition table, ColumnDefinition column)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(column);
        if (column.DefaultSequence is not null)
        {
            return "nextval(" + Sql.Literal(column.DefaultSequence) + ")";
        }

        if (string.IsNullOrWhiteSpace(column.DefaultExpression))
        {
            return null;
        }

        var select = TSqlText.ToDuckDbQuery("SELECT " + column.DefaultExpression, $"{table.SourceName} (default of {column.Name})");
        return select["SELECT".Length..].Trim();
    }

    /// <summary><c>CREATE [OR REPLACE] VIEW</c> for one view, its query rewritten for DuckDB.</summary>
    public static string CreateView(ViewDefinition view, bool orReplace)
    {
        ArgumentNullException.ThrowIfNull(view);
        var query = TSqlText.ToDuckDbQuery(view.QueryText, view.SourceName);
        return (orReplace ? "CREATE OR REPLACE VIEW " : "CREATE VIEW ") + Name(view.Schema, view.Name) + " AS\n" + query;
    }

    /// <summary><c>schema.name</c>, each part quoted when DuckDB needs it.</summary>
    public static string Name(string schema, string name) => DuckDbKeywords.Quote(schema) + "." + DuckDbKeywords.Quote(name);
}
