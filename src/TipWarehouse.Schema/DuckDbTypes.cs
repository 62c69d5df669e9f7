namespace TipWarehouse.Schema;

/// <summary>The T-SQL → DuckDB type mapping used for every generated column and every CAST in views and scripts.</summary>
public static class DuckDbTypes
{
    /// <summary>The mapping, one row per T-SQL type (documented in the README).</summary>
    public static IReadOnlyList<(string TSql, string DuckDb)> Table { get; } =
    [
        ("bigint", "BIGINT"),
        ("int", "INTEGER"),
        ("smallint", "SMALLINT"),
        ("tinyint", "UTINYINT"),
        ("bit", "BOOLEAN"),
        ("decimal(p,s) / numeric(p,s)", "DECIMAL(p,s)"),
        ("money / smallmoney", "DECIMAL(19,4) / DECIMAL(10,4)"),
        ("float", "DOUBLE"),
        ("real", "FLOAT"),
        ("date", "DATE"),
        ("time(n)", "TIME"),
        ("datetime / datetime2(n) / smalldatetime", "TIMESTAMP"),
        ("datetimeoffset(n)", "TIMESTAMP WITH TIME ZONE"),
        ("char(n) / varchar(n|max) / nchar(n) / nvarchar(n|max) / text / ntext", "VARCHAR"),
        ("binary(n) / varbinary(n|max) / image", "BLOB"),
        ("uniqueidentifier", "UUID"),
    ];

    /// <summary>The DuckDB type for a T-SQL type, spelled as DuckDB's <c>duckdb_columns().data_type</c> reports it.</summary>
    public static string Map(SqlTypeDefinition type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return TryMap(type) ?? throw new SchemaException($"The T-SQL type {type} has no DuckDB mapping; add it to DuckDbTypes.Map and the README's type table.");
    }

    /// <summary>Like <see cref="Map"/>, but null for an unknown type.</summary>
    public static string? TryMap(SqlTypeDefinition type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type.Name switch
        {
            "bigint" => "BIGINT",
            "int" => "INTEGER",
            "smallint" => "SMALLINT",
            "tinyint" => "UTINYINT",
            "bit" => "BOOLEAN",
            "decimal" or "numeric" => FormattableString.Invariant($"DECIMAL({(type.Precision > 0 ? type.Precision : 18)},{type.Scale})"),
            "money" => "DECIMAL(19,4)",
            "smallmoney" => "DECIMAL(10,4)",
            "float" => "DOUBLE",
            "real" => "FLOAT",
            "date" => "DATE",
            "time" => "TIME",
            "datetime" or "datetime2" or "smalldatetime" => "TIMESTAMP",
            "datetimeoffset" => "TIMESTAMP WITH TIME ZONE",
            "char" or "varchar" or "nchar" or "nvarchar" or "text" or "ntext" or "sysname" => "VARCHAR",
            "binary" or "varbinary" or "image" => "BLOB",
            "uniqueidentifier" => "UUID",
            _ => null,
        };
    }
}
