using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace TipWarehouse.Schema;

/// <summary>
/// Rewrites the SQL Server sources for an Azure Synapse dedicated SQL pool (DacFx platform <c>SqlDw</c>): facts
/// hash-distributed with a clustered columnstore index, dimensions replicated, staging and meta round-robin heaps;
/// constructs Synapse lacks are dropped (see <see cref="Notes"/>).
/// </summary>
public static class SynapseTransform
{
    // Facts that join to another fact are distributed on the shared key so the join stays inside a distribution.
    private static readonly Dictionary<string, string> s_distributionColumn = new(StringComparer.OrdinalIgnoreCase)
    {
        ["dw.fact_call_score"] = "call_key",
        ["dw.fact_arrest"] = "report_key",
        ["dw.fact_case_event"] = "case_number",
        ["dw.bridge_case_link"] = "case_id",
    };

    /// <summary>What the Synapse build changes, printed by <c>tipw schema build --platform synapse</c>.</summary>
    public static IReadOnlyList<string> Notes { get; } =
    [
        "facts (dw.fact_*, dw.bridge_*): DISTRIBUTION = HASH(first primary-key column, or the key shared with the fact they join: fact_call_score/call_key, fact_arrest/report_key, fact_case_event/case_number, bridge_case_link/case_id), CLUSTERED COLUMNSTORE INDEX (HEAP when a column is (n)varchar(max))",
        "dimensions (dw.dim_*): DISTRIBUTION = REPLICATE, CLUSTERED INDEX on the primary key",
        "staging (stg.*) and meta (meta.*): DISTRIBUTION = ROUND_ROBIN, HEAP",
        "PRIMARY KEY and UNIQUE become NONCLUSTERED ... NOT ENFORCED (Synapse does not enforce them; loads must keep them)",
        "FOREIGN KEY constraints dropped (not supported); referential integrity is checked by query, as on DuckDB",
        "sequences and DEFAULT (NEXT VALUE FOR ...) dropped (not supported); surrogate keys are assigned by the load (max(key) + ROW_NUMBER())",
    ];

    /// <summary>The Synapse version of one source file's text (empty when the file has no Synapse equivalent).</summary>
    public static string Transform(string relativePath, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        using var reader = new StringReader(text);
        var fragment = parser.Parse(reader, out var errors);
        if (errors.Count > 0)
        {
            // Leave it to DacFx to report the syntax error with the file name.
            return text;
        }

        var script = (TSqlScript)fragment;
        var statements = script.Batches.SelectMany(b => b.Statements).ToList();
        if (statements.Count > 0 && statements.All(s => s is CreateSequenceStatement))
        {
            return string.Empty;
        }

        if (!statements.OfType<CreateTableStatement>().Any())
        {
            return text;
        }

        foreach (var table in statements.OfType<CreateTableStatement>())
        {
            Rewrite(table, relativePath);
        }

        var generator = new Sql160ScriptGenerator(new SqlScriptGeneratorOptions { SqlVersion = SqlVersion.Sql160, IncludeSemicolons = true });
        generator.GenerateScript(script, out var result);
        return result;
    }

    private static void Rewrite(CreateTableStatement table, string relativePath)
    {
        var schema = table.SchemaObjectName.SchemaIdentifier?.Value ?? "dbo";
        var name = table.SchemaObjectName.BaseIdentifier.Value;
        var qualified = schema + "." + name;
        var definition = table.Definition;

        foreach (var column in definition.ColumnDefinitions)
        {
            if (Unwrap(column.DefaultConstraint?.Expression) is NextValueForExpression)
            {
                column.DefaultConstraint = null;
            }

            for (var i = column.Constraints.Count - 1; i >= 0; i--)
            {
                if (column.Constraints[i] is ForeignKeyConstraintDefinition)
                {
                    column.Constraints.RemoveAt(i);
                }
            }
        }

        UniqueConstraintDefinition? primaryKey = null;
        for (var i = definition.TableConstraints.Count - 1; i >= 0; i--)
        {
            switch (definition.TableConstraints[i])
            {
                case ForeignKeyConstraintDefinition:
                    definition.TableConstraints.RemoveAt(i);
                    break;
                case UniqueConstraintDefinition unique:
                    unique.Clustered = false;
                    unique.IsEnforced = false;
                    if (unique.IsPrimaryKey)
                    {
                        primaryKey = unique;
                    }

                    break;
            }
        }

        var hasMaxColumn = definition.ColumnDefinitions.Any(c => c.DataType is SqlDataTypeReference t && t.Parameters.Any(p => p is MaxLiteral));
        TableDistributionPolicy distribution;
        TableIndexType index;
        if (schema.Equals("dw", StringComparison.OrdinalIgnoreCase) && (name.StartsWith("fact_", StringComparison.OrdinalIgnoreCase) || name.StartsWith("bridge_", StringComparison.OrdinalIgnoreCase)))
        {
            var column = s_distributionColumn.TryGetValue(qualified, out var chosen)
                ? chosen
                : primaryKey?.Columns.FirstOrDefault()?.Column.MultiPartIdentifier.Identifiers[^1].Value
                  ?? throw new SchemaException($"{relativePath}: fact {qualified} has no primary key to hash-distribute on.");
            distribution = new TableHashDistributionPolicy { DistributionColumn = Identifier(column) };
            index = hasMaxColumn ? new TableNonClusteredIndexType() : new TableClusteredIndexType { ColumnStore = true };
        }
        else if (schema.Equals("dw", StringComparison.OrdinalIgnoreCase))
        {
            distribution = new TableReplicateDistributionPolicy();
            var clustered = new TableClusteredIndexType { ColumnStore = false };
            foreach (var column in primaryKey?.Columns ?? [])
            {
                clustered.Columns.Add(new ColumnWithSortOrder { Column = column.Column, SortOrder = SortOrder.NotSpecified });
            }

            index = clustered.Columns.Count > 0 ? clustered : new TableNonClusteredIndexType();
        }
        else
        {
            distribution = new TableRoundRobinDistributionPolicy();
            index = new TableNonClusteredIndexType();
        }

        table.Options.Add(new TableDistributionOption { OptionKind = TableOptionKind.Distribution, Value = distribution });
        // ScriptDom's parser leaves OptionKind at its default for the index option too; the generator ignores it.
        table.Options.Add(new TableIndexOption { Value = index });
    }

    private static ScalarExpression? Unwrap(ScalarExpression? expression)
    {
        while (expression is ParenthesisExpression parenthesis)
        {
            expression = parenthesis.Expression;
        }

        return expression;
    }

    private static Identifier Identifier(string value) => new() { Value = value, QuoteType = QuoteType.SquareBracket };
}
