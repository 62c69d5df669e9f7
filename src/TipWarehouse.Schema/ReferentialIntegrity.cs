using System.Globalization;
using DuckDB.NET.Data;

namespace TipWarehouse.Schema;

/// <summary>One foreign key of the model checked on DuckDB: how many child rows point at no parent row.</summary>
public sealed record ForeignKeyViolation(string Table, string ForeignKey, string ReferencedTable, long OrphanRows);

/// <summary>One primary or unique key of the model checked on DuckDB: how many key values occur more than once.</summary>
public sealed record KeyViolation(string Table, string Key, long DuplicateValues);

/// <summary>Checks on DuckDB, by query, the model's constraints that the DuckDB DDL does not declare: foreign keys, and the keys of fact tables.</summary>
public static class ReferentialIntegrity
{
    /// <summary>The query that counts orphan rows of one foreign key.</summary>
    public static string OrphanCountSql(TableDefinition table, ForeignKeyDefinition foreignKey)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(foreignKey);
        var parent = foreignKey.ReferencedTable.Split('.');
        var join = string.Join(" AND ", foreignKey.Columns.Select((c, i) =>
            "p." + DuckDbKeywords.Quote(foreignKey.ReferencedColumns[i]) + " = c." + DuckDbKeywords.Quote(c)));
        var notNull = string.Join(" AND ", foreignKey.Columns.Select(c => "c." + DuckDbKeywords.Quote(c) + " IS NOT NULL"));
        return $"SELECT count(*) FROM {DuckDbDdl.Name(table.Schema, table.Name)} AS c WHERE {notNull} " +
               $"AND NOT EXISTS (SELECT 1 FROM {DuckDbDdl.Name(parent[0], parent[1])} AS p WHERE {join})";
    }

    /// <summary>Every foreign key of the model with orphan rows in the warehouse (empty when all hold).</summary>
    public static IReadOnlyList<ForeignKeyViolation> Check(DuckDBConnection connection, SchemaDescription schema)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(schema);
        var violations = new List<ForeignKeyViolation>();
        foreach (var table in schema.Tables)
        {
            foreach (var foreignKey in table.ForeignKeys)
            {
                var orphans = Count(connection, OrphanCountSql(table, foreignKey));
                if (orphans > 0)
                {
                    violations.Add(new ForeignKeyViolation(table.QualifiedName, foreignKey.Name, foreignKey.ReferencedTable, orphans));
                }
            }
        }

        return violations;
    }

    /// <summary>The query that counts the key values occurring more than once (NULLs are not key values).</summary>
    public static string DuplicateKeySql(TableDefinition table, IReadOnlyList<string> key)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(key);
        var columns = string.Join(", ", key.Select(DuckDbKeywords.Quote));
        var notNull = string.Join(" AND ", key.Select(c => DuckDbKeywords.Quote(c) + " IS NOT NULL"));
        return $"SELECT count(*) FROM (SELECT 1 FROM {DuckDbDdl.Name(table.Schema, table.Name)} WHERE {notNull} GROUP BY {columns} HAVING count(*) > 1)";
    }

    /// <summary>Every primary or unique key the DuckDB DDL leaves unenforced (<see cref="DuckDbDdl.EnforcesKeys"/>) that has duplicate values (empty when all hold).</summary>
    public static IReadOnlyList<KeyViolation> CheckKeys(DuckDBConnection connection, SchemaDescription schema)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(schema);
        var violations = new List<KeyViolation>();
        foreach (var table in schema.Tables.Where(t => !DuckDbDdl.EnforcesKeys(t)))
        {
            var keys = table.PrimaryKey.Count > 0 ? table.UniqueKeys.Prepend(table.PrimaryKey) : table.UniqueKeys;
            foreach (var key in keys)
            {
                var duplicates = Count(connection, DuplicateKeySql(table, key));
                if (duplicates > 0)
                {
                    violations.Add(new KeyViolation(table.QualifiedName, string.Join(", ", key), duplicates));
                }
            }
        }

        return violations;
    }

    private static long Count(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
