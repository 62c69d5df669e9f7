using DuckDB.NET.Data;
using TipWarehouse.Core;

namespace TipWarehouse.Schema;

/// <summary>One DDL step of a migration: what it does (for the summary) and its SQL.</summary>
public sealed record MigrationStep(string Kind, string Description, string Sql);

/// <summary>The steps that bring a DuckDB warehouse to the model; empty when it already matches.</summary>
public sealed record MigrationPlan(IReadOnlyList<MigrationStep> Steps, bool IsNewWarehouse)
{
    /// <summary>How many steps of <paramref name="kind"/> the plan has.</summary>
    public int Count(string kind) => Steps.Count(s => s.Kind == kind);
}

/// <summary>A schema change the warehouse cannot take without losing data (dropped or retyped column, dropped table, ...).</summary>
public sealed class DestructiveSchemaChangeException : TipwException
{
    public DestructiveSchemaChangeException(string message, IReadOnlyList<string> changes) : base(message) => Changes = changes;

    public DestructiveSchemaChangeException(string message) : base(message) => Changes = [];

    /// <summary>Each refused change, naming <c>schema.table.column</c> and the old and new types.</summary>
    public IReadOnlyList<string> Changes { get; }
}

/// <summary>
/// Compares the model with a DuckDB warehouse's catalog and plans additive changes (new schema, sequence, table,
/// nullable column, view); refuses destructive ones with a message naming each of them.
/// </summary>
public static class DuckDbMigrator
{
    /// <summary>Plans the migration of <paramref name="connection"/>'s database to <paramref name="schema"/>; throws <see cref="DestructiveSchemaChangeException"/>.</summary>
    public static MigrationPlan Plan(DuckDBConnection connection, WarehouseSchema schema, bool replaceViews)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(schema);
        var catalog = DuckDbCatalog.Read(connection);
        var model = schema.Description;
        var managedSchemas = new HashSet<string>(model.Schemas, StringComparer.OrdinalIgnoreCase);
        var steps = new List<MigrationStep>();
        var refused = new List<string>();

        foreach (var name in model.Schemas.Where(s => !catalog.Schemas.Contains(s)))
        {
            steps.Add(new MigrationStep("schema", $"create schema {name}", "CREATE SCHEMA " + DuckDbKeywords.Quote(name)));
        }

        foreach (var sequence in model.Sequences.Where(s => !catalog.Sequences.Contains(s.QualifiedName)))
        {
            steps.Add(new MigrationStep("sequence", $"create sequence {sequence.QualifiedName}", DuckDbDdl.CreateSequence(sequence)));
        }

        foreach (var table in model.Tables)
        {
            if (!catalog.Tables.TryGetValue(table.QualifiedName, out var existing))
            {
                steps.Add(new MigrationStep("table", $"create table {table.QualifiedName}", DuckDbDdl.CreateTable(table)));
                continue;
            }

            PlanColumns(table, existing, steps, refused);
        }

        foreach (var (name, _) in catalog.Tables.Where(t => managedSchemas.Contains(t.Key.Split('.')[0]) && model.Table(t.Key) is null))
        {
            refused.Add($"table {name} exists in the warehouse but not in sql/ (dropping a table loses its data)");
        }

        if (refused.Count > 0)
        {
            throw new DestructiveSchemaChangeException(
                "The schema in sql/ would lose data in this warehouse, so 'tipw init' changed nothing:\n  " + string.Join("\n  ", refused) +
                "\nMake the change additive (add a new nullable column or table instead), or migrate the data by hand and re-run 'tipw init'.",
                refused);
        }

        var modelViews = new HashSet<string>(model.Views.Select(v => v.QualifiedName), StringComparer.OrdinalIgnoreCase);
        foreach (var view in catalog.Views.Where(v => managedSchemas.Contains(v.Split('.')[0]) && !modelViews.Contains(v)))
        {
            var parts = view.Split('.');
            steps.Add(new MigrationStep("drop view", $"drop view {view} (no longer in sql/)", "DROP VIEW " + DuckDbDdl.Name(parts[0], parts[1])));
        }

        foreach (var view in model.Views)
        {
            var exists = catalog.Views.Contains(view.QualifiedName);
            if (!exists || replaceViews)
            {
                steps.Add(new MigrationStep("view", (exists ? "replace view " : "create view ") + view.QualifiedName, DuckDbDdl.CreateView(view, orReplace: exists)));
            }
        }

        return new MigrationPlan(steps, catalog.Tables.Count == 0);
    }

    /// <summary>Runs the plan's steps in order on <paramref name="connection"/> (inside the caller's transaction).</summary>
    public static void Apply(DuckDBConnection connection, MigrationPlan plan, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(plan);
        foreach (var step in plan.Steps)
        {
            progress?.Invoke(step.Description);
            using var command = connection.CreateCommand();
            command.CommandText = step.Sql;
            try
            {
                command.ExecuteNonQuery();
            }
            catch (DuckDBException ex)
            {
                throw new WarehouseException($"Schema step '{step.Description}' failed on DuckDB: {ex.Message}", ex);
            }
        }
    }

    private static void PlanColumns(TableDefinition table, IReadOnlyList<DuckDbColumn> existing, List<MigrationStep> steps, List<string> refused)
    {
        var byName = existing.ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var column in existing.Where(c => table.Column(c.Name) is null))
        {
            refused.Add($"column {table.QualifiedName}.{column.Name} ({column.DataType}) was dropped from {table.SourceName}");
        }

        foreach (var column in table.Columns)
        {
            var type = DuckDbDdl.MapColumnType(table, column);
            var qualified = $"{table.QualifiedName}.{column.Name}";
            if (byName.TryGetValue(column.Name, out var current))
            {
                if (!string.Equals(current.DataType, type, StringComparison.OrdinalIgnoreCase))
                {
                    refused.Add($"column {qualified} was retyped from {current.DataType} to {type} ({column.Type} in {table.SourceName})");
                }
                else if (current.Nullable && !column.Nullable)
                {
                    refused.Add($"column {qualified} became NOT NULL in {table.SourceName} (existing rows may hold NULL)");
                }
                else if (!current.Nullable && column.Nullable)
                {
                    steps.Add(new MigrationStep("alter column", $"allow NULL in {qualified}",
                        $"ALTER TABLE {DuckDbDdl.Name(table.Schema, table.Name)} ALTER COLUMN {DuckDbKeywords.Quote(column.Name)} DROP NOT NULL"));
                }

                continue;
            }

            var defaultSql = DuckDbDdl.DefaultSql(table, column);
            if (!column.Nullable && defaultSql is null)
            {
                refused.Add($"new column {qualified} ({type}) is NOT NULL without a default in {table.SourceName}; existing rows would have no value (make it NULL or give it a DEFAULT)");
                continue;
            }

            var name = DuckDbDdl.Name(table.Schema, table.Name);
            var sql = $"ALTER TABLE {name} ADD COLUMN {DuckDbKeywords.Quote(column.Name)} {type}" + (defaultSql is null ? string.Empty : " DEFAULT " + defaultSql);
            steps.Add(new MigrationStep("add column", $"add column {qualified} {type}", sql));
            if (!column.Nullable)
            {
                // Existing rows got the default, so the constraint holds; DuckDB takes it as a separate step.
                steps.Add(new MigrationStep("alter column", $"set NOT NULL on {qualified}", $"ALTER TABLE {name} ALTER COLUMN {DuckDbKeywords.Quote(column.Name)} SET NOT NULL"));
            }
        }
    }
}

/// <summary>One column as DuckDB's catalog reports it.</summary>
internal sealed record DuckDbColumn(string Name, string DataType, bool Nullable);

/// <summary>The user objects of the current DuckDB database: schemas, sequences, tables with columns, views.</summary>
internal sealed record DuckDbCatalog(
    HashSet<string> Schemas,
    HashSet<string> Sequences,
    Dictionary<string, IReadOnlyList<DuckDbColumn>> Tables,
    HashSet<string> Views)
{
    public static DuckDbCatalog Read(DuckDBConnection connection)
    {
        var schemas = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var row in Query(connection, "SELECT schema_name FROM duckdb_schemas() WHERE database_name = current_database() AND NOT internal"))
        {
            schemas.Add(row[0]);
        }

        var sequences = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var row in Query(connection, "SELECT schema_name || '.' || sequence_name FROM duckdb_sequences() WHERE database_name = current_database()"))
        {
            sequences.Add(row[0]);
        }

        var tables = new Dictionary<string, List<DuckDbColumn>>(StringComparer.OrdinalIgnoreCase);
        foreach (var row in Query(connection, "SELECT schema_name || '.' || table_name FROM duckdb_tables() WHERE database_name = current_database() AND NOT internal"))
        {
            tables[row[0]] = [];
        }

        foreach (var row in Query(connection,
            "SELECT schema_name || '.' || table_name, column_name, data_type, CAST(is_nullable AS VARCHAR) FROM duckdb_columns() " +
            "WHERE database_name = current_database() AND NOT internal ORDER BY schema_name, table_name, column_index"))
        {
            if (tables.TryGetValue(row[0], out var columns))
            {
                columns.Add(new DuckDbColumn(row[1], row[2], string.Equals(row[3], "true", StringComparison.OrdinalIgnoreCase)));
            }
        }

        var views = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var row in Query(connection, "SELECT schema_name || '.' || view_name FROM duckdb_views() WHERE database_name = current_database() AND NOT internal"))
        {
            views.Add(row[0]);
        }

        return new DuckDbCatalog(schemas, sequences, tables.ToDictionary(t => t.Key, t => (IReadOnlyList<DuckDbColumn>)t.Value, StringComparer.OrdinalIgnoreCase), views);
    }

    private static List<string[]> Query(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string[]>();
        while (reader.Read())
        {
            var row = new string[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? string.Empty : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)!;
            }

            rows.Add(row);
        }

        return rows;
    }
}
