using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;
using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;
using TipWarehouse.Etl.Extraction;
using TipWarehouse.Etl.Specs;

namespace TipWarehouse.Etl.Sources;

/// <summary>
/// A PostgreSQL table or query (<c>kind: postgres</c>) read through Npgsql, in chunks after a watermark column like the sqlite kind. The connection
/// string comes from the environment variable <c>source.connection_env</c> names, never from the spec; its password appears in no message.
/// </summary>
public sealed partial class PostgresSourceKind : ISourceKind
{
    /// <inheritdoc/>
    public string Kind => SourceKinds.Postgres;

    /// <inheritdoc/>
    public IReadOnlyList<string> SourceKeys { get; } = ["kind", "connection_env", "table", "query", "culture", "schema_drift", "settings"];

    /// <inheritdoc/>
    public bool BoundedLoadMemory => false;

    /// <inheritdoc/>
    public IReadOnlyList<string> Strategies { get; } = [IncrementalStrategies.Watermark, IncrementalStrategies.None];

    /// <inheritdoc/>
    public IEnumerable<(string Key, string Message)> Validate(SourceSpec source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (string.IsNullOrWhiteSpace(source.ConnectionEnv))
        {
            yield return ("connection_env", "required: the environment variable that holds the connection string (e.g. TIPW_PNP_POSTGRES); the connection string itself never goes in a spec");
        }
        else if (!EnvironmentNameRegex().IsMatch(source.ConnectionEnv))
        {
            // The value is not echoed: it may be a connection string with its password, written where the variable's name belongs.
            yield return ("connection_env", "is not an environment variable name (letters, digits, '_'); put the connection string in that variable and its name here, never the connection string itself");
        }

        var hasTable = !string.IsNullOrWhiteSpace(source.Table);
        var hasQuery = !string.IsNullOrWhiteSpace(source.Query);
        if (hasTable == hasQuery)
        {
            yield return (hasTable ? "query" : "table", "a postgres source reads either a table (table: schema.name) or a query (query: SELECT ...), exactly one of them");
        }
        else if (hasTable && !TableRegex().IsMatch(source.Table!))
        {
            yield return ("table", $"'{source.Table}' is not a table name (name or schema.name: letters, digits, '_')");
        }
        else if (hasQuery && !source.Query!.TrimStart().StartsWith("select", StringComparison.OrdinalIgnoreCase) && !source.Query.TrimStart().StartsWith("with", StringComparison.OrdinalIgnoreCase))
        {
            yield return ("query", "must be a SELECT (or WITH ... SELECT) statement");
        }
    }

    /// <inheritdoc/>
    public void Run(SourceRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var spec = run.Spec;
        var variable = spec.Source.ConnectionEnv!;
        var connectionString = run.Environment(variable);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new TipwException($"Pipeline {spec.Name}: the environment variable {variable} (source.connection_env in {spec.SpecPath}) is not set: it must hold the PostgreSQL connection string.");
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            // Values are read in UTC, so a timestamptz watermark compares the same whatever the server's time zone.
            builder = new NpgsqlConnectionStringBuilder(connectionString) { Timezone = "UTC" };
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException)
        {
            throw new TipwException($"Pipeline {spec.Name}: the connection string in {variable} is not valid: {Redact(ex.Message, connectionString, null)}");
        }

        var password = builder.Password;
        var where = $"PostgreSQL {builder.Host}:{builder.Port.ToString(CultureInfo.InvariantCulture)}/{builder.Database} as {builder.Username} ({variable})";
        var backfill = run.Backfill;
        try
        {
            using var source = new NpgsqlConnection(builder.ConnectionString);
            source.Open();
            var drift = CheckSchema(source, spec, where);
            RelationalWatermark.Run(run, s_dialect.SourceName(spec), drift,
                (cursor, cursorKey, limit) => new DbRowSource(source, spec, cursor, cursorKey, backfill ? run.Request.From : null, backfill ? run.Request.To : null, limit, s_dialect), cancellationToken);
        }
        catch (NpgsqlException ex) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException($"Pipeline {spec.Name}: cancelled while reading {where}", ex, cancellationToken);
        }
        catch (NpgsqlException ex) when (ex.IsTransient)
        {
            var message = $"Pipeline {spec.Name}: {where} is not reachable: {Redact(ex.Message, connectionString, password)}";
            throw Secret(ex, connectionString, password) ? new TransientSourceException(message) : new TransientSourceException(message, ex);
        }
        catch (NpgsqlException ex)
        {
            var state = ex is PostgresException pg ? $" (SQLSTATE {pg.SqlState})" : "";
            var message = $"Pipeline {spec.Name}: cannot read {where}: {Redact(ex.Message, connectionString, password)}{state}";
            throw Secret(ex, connectionString, password) ? new TipwException(message) : new TipwException(message, ex);
        }
    }

    /// <summary>The SQL the postgres kind runs: schema-qualified tables quoted part by part, a query as a subquery, parameters cast to the column's type, values as the text the spec's parsers read.</summary>
    private static readonly DbDialect s_dialect = new(
        spec => spec.Source.Query is { } query ? $"({query.Trim().TrimEnd(';')}) AS source_query" : string.Join('.', spec.Source.Table!.Split('.').Select(Sql.Identifier)),
        spec => spec.Source.Table ?? "query",
        (column, parameter) => $"CAST({parameter} AS {SqlType(column?.Type ?? ColumnType.String)})",
        FormatValue,
        KeyAsSourceRow: true);

    private static string SqlType(ColumnType type) => type switch
    {
        ColumnType.Int or ColumnType.Long => "bigint",
        ColumnType.Decimal => "numeric",
        ColumnType.Date => "date",
        ColumnType.DateTime => "timestamp",
        ColumnType.Bool => "boolean",
        _ => "text",
    };

    // Timestamps as fixed-width ISO text (microseconds, UTC for timestamptz) so the watermark compares as text in the order the server sorts them.
    private static string? FormatValue(object value, ColumnSpec column) => value switch
    {
        DateTime t when column.Type == ColumnType.Date => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    /// <summary>Compares the columns the table or query returns with the spec (a missing declared column fails the run unless <c>schema_drift: flag</c>).</summary>
    private static SchemaDrift CheckSchema(NpgsqlConnection source, PipelineSpec spec, string where)
    {
        var actual = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        try
        {
            using var command = source.CreateCommand();
            command.CommandText = $"SELECT * FROM {s_dialect.From(spec)} LIMIT 0";
            using var reader = command.ExecuteReader();
            for (var i = 0; i < reader.FieldCount; i++)
            {
                actual[reader.GetName(i)] = reader.GetDataTypeName(i);
            }
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable && spec.Source.Table is not null)
        {
            throw new TipwException($"Pipeline {spec.Name}: {where} has no table {spec.Source.Table} (schema drift).", ex);
        }

        var missing = spec.Columns.Where(c => !actual.ContainsKey(c.Name)).Select(c => c.Name).ToList();
        var extra = actual.Keys.Where(k => spec.ColumnIndex(k) < 0).Order(StringComparer.Ordinal).ToList();
        var retyped = spec.Columns.Where(c => actual.TryGetValue(c.Name, out var t) && !TypeFits(c.Type, t))
            .Select(c => $"{c.Name} is {actual[c.Name]}, the spec reads it as {c.Type.ToString().ToLowerInvariant()}").ToList();
        if (missing.Count > 0 && spec.Source.SchemaDrift == "fail")
        {
            throw new TipwException($"Pipeline {spec.Name}: schema drift in {where}, {s_dialect.SourceName(spec)}: the spec's column(s) {string.Join(", ", missing)} are missing (set source.schema_drift: flag in {spec.SpecPath} to load them as null).");
        }

        return new SchemaDrift(missing, extra, retyped, TableMissing: false);
    }

    // A text column may hold anything the spec parses (bad values are rejected row by row); a typed column must be able to hold the spec's type.
    private static bool TypeFits(ColumnType type, string declared)
    {
        var d = declared.ToLowerInvariant();
        if (d is "text" or "unknown" || d.StartsWith("character", StringComparison.Ordinal) || d.StartsWith("varchar", StringComparison.Ordinal))
        {
            return true;
        }

        var integer = d is "smallint" or "integer" or "bigint";
        var numeric = integer || d.StartsWith("numeric", StringComparison.Ordinal) || d is "real" or "double precision";
        return type switch
        {
            ColumnType.Int or ColumnType.Long => integer || d.StartsWith("numeric", StringComparison.Ordinal),
            ColumnType.Decimal => numeric,
            ColumnType.Date or ColumnType.DateTime => d == "date" || d.StartsWith("timestamp", StringComparison.Ordinal),
            ColumnType.Bool => d == "boolean",
            _ => true,
        };
    }

    /// <summary>Removes the connection string and its password from a message (Npgsql does not put them there; this makes sure).</summary>
    internal static string Redact(string message, string connectionString, string? password)
    {
        var text = message.Replace(connectionString, "(connection string)", StringComparison.Ordinal);
        return string.IsNullOrEmpty(password) ? text : text.Replace(password, "***", StringComparison.Ordinal);
    }

    // The driver's exception is kept as the cause only when its text carries no secret.
    private static bool Secret(Exception ex, string connectionString, string? password) =>
        Redact(ex.ToString(), connectionString, password) != ex.ToString();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvironmentNameRegex();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")]
    private static partial Regex TableRegex();
}
