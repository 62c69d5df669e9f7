using System.Globalization;
using Microsoft.SqlServer.Dac.Model;

namespace TipWarehouse.Schema;

/// <summary>A T-SQL data type as the model declares it: base type name (lower case) with length, precision and scale.</summary>
public sealed record SqlTypeDefinition(string Name, int Length, int Precision, int Scale, bool IsMax)
{
    /// <inheritdoc />
    public override string ToString() => Name switch
    {
        "char" or "varchar" or "nchar" or "nvarchar" or "binary" or "varbinary" => IsMax ? $"{Name}(max)" : Length > 0 ? FormattableString.Invariant($"{Name}({Length})") : Name,
        "decimal" or "numeric" => FormattableString.Invariant($"{Name}({Precision},{Scale})"),
        "datetime2" or "datetimeoffset" or "time" => FormattableString.Invariant($"{Name}({Scale})"),
        _ => Name,
    };
}

/// <summary>One column of a table in the compiled model.</summary>
public sealed record ColumnDefinition(string Name, SqlTypeDefinition Type, bool Nullable, string? DefaultExpression, string? DefaultSequence);

/// <summary>A foreign key of a table in the compiled model.</summary>
public sealed record ForeignKeyDefinition(string Name, IReadOnlyList<string> Columns, string ReferencedTable, IReadOnlyList<string> ReferencedColumns);

/// <summary>One table of the compiled model, with its keys, in the order the source declares its columns.</summary>
public sealed record TableDefinition(
    string Schema,
    string Name,
    IReadOnlyList<ColumnDefinition> Columns,
    IReadOnlyList<string> PrimaryKey,
    IReadOnlyList<IReadOnlyList<string>> UniqueKeys,
    IReadOnlyList<ForeignKeyDefinition> ForeignKeys,
    string SourceName)
{
    /// <summary><c>schema.name</c>.</summary>
    public string QualifiedName => Schema + "." + Name;

    /// <summary>The column named <paramref name="name"/>, or null.</summary>
    public ColumnDefinition? Column(string name) => Columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>One sequence of the compiled model.</summary>
public sealed record SequenceDefinition(string Schema, string Name, SqlTypeDefinition Type, long Start, long Increment)
{
    /// <summary><c>schema.name</c>.</summary>
    public string QualifiedName => Schema + "." + Name;
}

/// <summary>One view of the compiled model: its T-SQL query text and the views it reads.</summary>
public sealed record ViewDefinition(string Schema, string Name, string QueryText, IReadOnlyList<string> ReferencedViews, string SourceName)
{
    /// <summary><c>schema.name</c>.</summary>
    public string QualifiedName => Schema + "." + Name;
}

/// <summary>The engine-neutral shape of the schema read from a compiled DacFx model: what every generator works from.</summary>
public sealed record SchemaDescription(
    IReadOnlyList<string> Schemas,
    IReadOnlyList<SequenceDefinition> Sequences,
    IReadOnlyList<TableDefinition> Tables,
    IReadOnlyList<ViewDefinition> Views)
{
    /// <summary>The table <c>schema.name</c>, or null.</summary>
    public TableDefinition? Table(string qualifiedName) =>
        Tables.FirstOrDefault(t => string.Equals(t.QualifiedName, qualifiedName, StringComparison.OrdinalIgnoreCase));

    /// <summary>Reads the schemas, sequences, tables and views of a compiled model (sorted by name; views in dependency order).</summary>
    public static SchemaDescription FromModel(TSqlModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var schemas = model.GetObjects(DacQueryScopes.UserDefined, Microsoft.SqlServer.Dac.Model.Schema.TypeClass)
            .Select(s => s.Name.Parts[^1])
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToList();

        var sequences = model.GetObjects(DacQueryScopes.UserDefined, Sequence.TypeClass)
            .Select(s => new SequenceDefinition(
                s.Name.Parts[0],
                s.Name.Parts[1],
                ReadType(s, Sequence.DataType, null, null, null, null),
                ToLong(s.GetProperty(Sequence.StartValue), 1),
                ToLong(s.GetProperty(Sequence.IncrementValue), 1)))
            .OrderBy(s => s.QualifiedName, StringComparer.Ordinal)
            .ToList();

        var tables = model.GetObjects(DacQueryScopes.UserDefined, Microsoft.SqlServer.Dac.Model.Table.TypeClass)
            .Select(ReadTable)
            .OrderBy(t => t.QualifiedName, StringComparer.Ordinal)
            .ToList();

        var views = model.GetObjects(DacQueryScopes.UserDefined, View.TypeClass)
            .Select(ReadView)
            .OrderBy(v => v.QualifiedName, StringComparer.Ordinal)
            .ToList();

        return new SchemaDescription(schemas, sequences, tables, OrderByDependency(views));
    }

    private static TableDefinition ReadTable(TSqlObject table)
    {
        // Default expressions are read from the table's script (DacFx exposes the expression only as an internal type).
        var defaultExpressions = table.TryGetScript(out var tableScript) ? TSqlText.DefaultExpressions(tableScript) : [];
        var defaults = table.GetReferencing(DefaultConstraint.Host)
            .Select(d => (Column: d.GetReferenced(DefaultConstraint.TargetColumn).FirstOrDefault()?.Name.Parts[^1],
                          Sequence: d.GetReferenced().FirstOrDefault(r => r.ObjectType == Sequence.TypeClass)))
            .Where(d => d.Column is not null)
            .ToDictionary(d => d.Column!, d => d.Sequence, StringComparer.OrdinalIgnoreCase);

        var columns = new List<ColumnDefinition>();
        foreach (var column in table.GetReferenced(Microsoft.SqlServer.Dac.Model.Table.Columns))
        {
            var name = column.Name.Parts[^1];
            defaults.TryGetValue(name, out var defaultSequence);
            defaultExpressions.TryGetValue(name, out var defaultExpression);
            columns.Add(new ColumnDefinition(
                name,
                ReadType(column, Column.DataType, Column.Length, Column.Precision, Column.Scale, Column.IsMax),
                column.GetProperty<bool>(Column.Nullable),
                defaultExpression,
                defaultSequence is null ? null : string.Join('.', defaultSequence.Name.Parts)));
        }

        var primaryKey = table.GetReferencing(PrimaryKeyConstraint.Host)
            .SelectMany(pk => pk.GetReferenced(PrimaryKeyConstraint.Columns))
            .Select(c => c.Name.Parts[^1])
            .ToList();

        var uniqueKeys = table.GetReferencing(UniqueConstraint.Host)
            .OrderBy(u => u.Name.Parts[^1], StringComparer.Ordinal)
            .Select(u => (IReadOnlyList<string>)[.. u.GetReferenced(UniqueConstraint.Columns).Select(c => c.Name.Parts[^1])])
            .ToList();

        var foreignKeys = table.GetReferencing(ForeignKeyConstraint.Host)
            .OrderBy(f => f.Name.Parts[^1], StringComparer.Ordinal)
            .Select(f => new ForeignKeyDefinition(
                f.Name.Parts[^1],
                [.. f.GetReferenced(ForeignKeyConstraint.Columns).Select(c => c.Name.Parts[^1])],
                string.Join('.', f.GetReferenced(ForeignKeyConstraint.ForeignTable).First().Name.Parts),
                [.. f.GetReferenced(ForeignKeyConstraint.ForeignColumns).Select(c => c.Name.Parts[^1])]))
            .ToList();

        return new TableDefinition(table.Name.Parts[0], table.Name.Parts[1], columns, primaryKey, uniqueKeys, foreignKeys, SourceOf(table));
    }

    private static ViewDefinition ReadView(TSqlObject view)
    {
        var script = view.TryGetScript(out var text) ? text : throw new SchemaException($"DacFx gave no script for view {string.Join('.', view.Name.Parts)}.");
        var query = TSqlText.ViewQuery(script) ?? throw new SchemaException($"Cannot find the query of view {string.Join('.', view.Name.Parts)} in {SourceOf(view)}.");
        var referencedViews = view.GetReferenced()
            .Where(r => r.ObjectType == View.TypeClass)
            .Select(r => string.Join('.', r.Name.Parts))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        return new ViewDefinition(view.Name.Parts[0], view.Name.Parts[1], query, referencedViews, SourceOf(view));
    }

    private static string SourceOf(TSqlObject obj) => obj.GetSourceInformation()?.SourceName ?? "(model)";

    private static SqlTypeDefinition ReadType(TSqlObject obj, ModelRelationshipClass dataType, ModelPropertyClass? length, ModelPropertyClass? precision, ModelPropertyClass? scale, ModelPropertyClass? isMax)
    {
        var type = obj.GetReferenced(dataType).FirstOrDefault();
        var name = type is null ? "bigint" : type.Name.Parts[^1].ToLowerInvariant();
        return new SqlTypeDefinition(
            name,
            length is null ? 0 : obj.GetProperty<int>(length),
            precision is null ? 0 : obj.GetProperty<int>(precision),
            scale is null ? 0 : obj.GetProperty<int>(scale),
            isMax is not null && obj.GetProperty<bool>(isMax));
    }

    private static long ToLong(object? value, long fallback) => value switch
    {
        null => fallback,
        string s when s.Length == 0 => fallback,
        string s => long.Parse(s.Trim('(', ')', ' '), CultureInfo.InvariantCulture),
        _ => Convert.ToInt64(value, CultureInfo.InvariantCulture),
    };

    private static List<ViewDefinition> OrderByDependency(List<ViewDefinition> views)
    {
        var byName = views.ToDictionary(v => v.QualifiedName, StringComparer.OrdinalIgnoreCase);
        var ordered = new List<ViewDefinition>();
        var state = new Dictionary<string, bool>(StringComparer.OrdinalIgnoreCase);
        void Visit(ViewDefinition view)
        {
            if (state.TryGetValue(view.QualifiedName, out var done))
            {
                if (!done)
                {
                    throw new SchemaException($"Views reference each other in a cycle through {view.QualifiedName}.");
                }

                return;
            }

            state[view.QualifiedName] = false;
            foreach (var dependency in view.ReferencedViews)
            {
                if (byName.TryGetValue(dependency, out var other) && !ReferenceEquals(other, view))
                {
                    Visit(other);
                }
            }

            state[view.QualifiedName] = true;
            ordered.Add(view);
        }

        foreach (var view in views)
        {
            Visit(view);
        }

        return ordered;
    }
}
