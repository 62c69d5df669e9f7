using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using TipWarehouse.Core;

namespace TipWarehouse.Schema;

/// <summary>What loading one reference table did: rows inserted or updated, and the rows it holds afterwards.</summary>
public sealed record ReferenceLoadResult(string Table, long RowsChanged, long RowCount);

/// <summary>
/// Loads the reference dimensions: the CSV seeds listed in <c>reference/seeds.yaml</c> (<see cref="ReferenceSeeds"/>), <c>dim_geography</c>
/// from the UBIGEO lists and <c>dim_date</c> from a generated calendar, with one MERGE per table: new members are inserted, changed attributes updated, so a re-run changes nothing.
/// </summary>
public static class ReferenceData
{
    /// <summary>First and last day of <c>dw.dim_date</c>.</summary>
    public static readonly DateOnly FirstDate = new(2000, 1, 1);

    /// <summary>Last day of <c>dw.dim_date</c>.</summary>
    public static readonly DateOnly LastDate = new(2035, 12, 31);

    /// <summary>Loads every reference dimension; returns one result per table.</summary>
    public static IReadOnlyList<ReferenceLoadResult> Load(DuckDBConnection connection, SchemaDescription schema, string referenceDirectory, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(referenceDirectory);
        if (!Directory.Exists(referenceDirectory))
        {
            throw new TipwException($"The reference data folder {referenceDirectory} does not exist (set {SchemaSources.ReferenceDirectoryVariable} to the repository's reference/ folder).");
        }

        var results = new List<ReferenceLoadResult>();
        progress?.Invoke("reference: dw.dim_date");
        results.Add(LoadDates(connection, schema));
        progress?.Invoke("reference: dw.dim_geography");
        results.Add(LoadGeography(connection, schema, referenceDirectory));
        // The CSV seeds are those the manifest lists (reference/seeds.yaml): checked whole before any is loaded, so a broken entry loads nothing.
        var problems = ReferenceSeeds.Check(referenceDirectory, schema);
        if (problems.Count > 0)
        {
            throw new TipwException($"The reference seeds cannot be loaded ({problems.Count} problem(s); 'tipw check' lists them):{Environment.NewLine}{string.Join(Environment.NewLine, problems.Select(p => "  " + p))}");
        }

        foreach (var seed in ReferenceSeeds.Read(referenceDirectory).Seeds)
        {
            progress?.Invoke("reference: " + seed.Table);
            results.Add(LoadCsv(connection, schema, seed.Table, Path.Combine(referenceDirectory, seed.File), seed.Key));
        }

        return results;
    }

    /// <summary>Loads one CSV file whose header names columns of <paramref name="table"/>.</summary>
    public static ReferenceLoadResult LoadCsv(DuckDBConnection connection, SchemaDescription schema, string table, string csvPath, IReadOnlyList<string> naturalKey)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(naturalKey);
        var definition = schema.Table(table) ?? throw new SchemaException($"Reference table {table} is not in the schema.");
        var header = ReadHeader(csvPath);
        foreach (var column in header.Where(c => definition.Column(c) is null))
        {
            throw new TipwException($"{csvPath}: column '{column}' is not a column of {table}.");
        }

        var columns = header.Select(c => (Column: c, Expression: DuckDbKeywords.Quote(c))).ToList();
        var source = SourceSelect(definition, columns, ReadCsv(csvPath, string.Empty) + " AS src");
        return Merge(connection, definition, source, naturalKey, csvPath);
    }

    private static ReferenceLoadResult LoadDates(DuckDBConnection connection, SchemaDescription schema)
    {
        var definition = schema.Table("dw.dim_date") ?? throw new SchemaException("dw.dim_date is not in the schema.");
        const string Months = "['Enero','Febrero','Marzo','Abril','Mayo','Junio','Julio','Agosto','Septiembre','Octubre','Noviembre','Diciembre']";
        const string MonthsShort = "['Ene','Feb','Mar','Abr','May','Jun','Jul','Ago','Sep','Oct','Nov','Dic']";
        const string Days = "['Lunes','Martes','Miércoles','Jueves','Viernes','Sábado','Domingo']";
        (string, string)[] columns =
        [
            ("date_key", "year(d) * 10000 + month(d) * 100 + day(d)"),
            ("full_date", "d"),
            ("year", "year(d)"),
            ("quarter", "quarter(d)"),
            ("month", "month(d)"),
            ("month_name_es", Months + "[month(d)]"),
            ("month_short_es", MonthsShort + "[month(d)]"),
            ("year_month", "strftime(d, '%Y-%m')"),
            ("year_quarter", "strftime(d, '%Y') || '-Q' || CAST(quarter(d) AS VARCHAR)"),
            ("day_of_month", "day(d)"),
            ("day_of_year", "dayofyear(d)"),
            ("day_of_week_iso", "isodow(d)"),
            ("day_name_es", Days + "[isodow(d)]"),
            ("is_weekend", "isodow(d) >= 6"),
            ("iso_week", "week(d)"),
            ("iso_year", "isoyear(d)"),
            // Peru's fiscal year (año fiscal of the public sector budget) is the calendar year.
            ("fiscal_year", "year(d)"),
            ("fiscal_quarter", "quarter(d)"),
            ("first_day_of_month", "CAST(date_trunc('month', d) AS DATE)"),
        ];
        var from = string.Create(CultureInfo.InvariantCulture,
            $"(SELECT CAST(ts AS DATE) AS d FROM generate_series(TIMESTAMP '{FirstDate:yyyy-MM-dd}', TIMESTAMP '{LastDate:yyyy-MM-dd}', INTERVAL 1 DAY) AS g(ts)) AS cal");
        return Merge(connection, definition, SourceSelect(definition, columns, from), ["date_key"], "the calendar");
    }

    private static ReferenceLoadResult LoadGeography(DuckDBConnection connection, SchemaDescription schema, string referenceDirectory)
    {
        var definition = schema.Table("dw.dim_geography") ?? throw new SchemaException("dw.dim_geography is not in the schema.");
        var ubigeo = Path.Combine(referenceDirectory, "ubigeo");
        var districts = Path.Combine(ubigeo, "ubigeo_distrito.csv");
        var provinces = Path.Combine(ubigeo, "ubigeo_provincia.csv");
        var departments = Path.Combine(ubigeo, "ubigeo_departamento.csv");
        var directorates = Path.Combine(referenceDirectory, "pnp_directorates.csv");
        foreach (var file in new[] { districts, provinces, departments, directorates })
        {
            if (!File.Exists(file))
            {
                throw new TipwException($"Reference file {file} is missing.");
            }
        }

        // A district missing from one registry has NA for that code; its INEI province and department codes come
        // from the province and department files by name, so every district gets them.
        var from =
            $"{ReadCsv(districts, "NA")} AS d " +
            $"JOIN {ReadCsv(departments, "NA")} AS dep ON dep.departamento = d.departamento " +
            $"LEFT JOIN {ReadCsv(provinces, "NA")} AS prov ON prov.departamento = d.departamento AND prov.provincia = d.provincia " +
            $"LEFT JOIN {ReadCsv(directorates, string.Empty)} AS dir ON dir.department_code = substr(dep.inei, 1, 2)";
        (string, string)[] columns =
        [
            ("ubigeo_inei", "d.inei"),
            ("ubigeo_reniec", "d.reniec"),
            ("district_name", "d.distrito"),
            ("province_code_inei", "coalesce(substr(d.inei, 1, 4), substr(prov.inei, 1, 4))"),
            ("province_name", "d.provincia"),
            ("department_code_inei", "substr(dep.inei, 1, 2)"),
            ("department_name", "d.departamento"),
            ("pnp_directorate", "dir.directorate"),
            ("macroregion", "d.macroregion_inei"),
            ("latitude", "CAST(d.latitude AS DOUBLE)"),
            ("longitude", "CAST(d.longitude AS DOUBLE)"),
            ("poverty_rate_pct", "CAST(d.pct_pobreza_total AS DOUBLE)"),
            ("extreme_poverty_rate_pct", "CAST(d.pct_pobreza_extrema AS DOUBLE)"),
            ("human_development_index", "CAST(d.idh_2019 AS DOUBLE)"),
        ];
        var source = SourceSelect(definition, columns, from);

        // INEI code is the natural key; the one district INEI does not list is matched by its RENIEC code.
        const string Match = "(t.ubigeo_inei = s.ubigeo_inei OR (t.ubigeo_inei IS NULL AND s.ubigeo_inei IS NULL AND t.ubigeo_reniec = s.ubigeo_reniec))";
        try
        {
            return Merge(connection, definition, source, ["ubigeo_inei", "ubigeo_reniec"], districts, Match);
        }
        catch (TipwException ex) when (ex.InnerException is DuckDBException)
        {
            // Say which mapping is incomplete rather than which NOT NULL constraint failed. The transaction is
            // aborted by the failed MERGE, so the diagnosis reads the CSV files on a fresh in-memory connection.
            var missing = MissingMappings(source);
            throw missing.Length > 0
                ? new TipwException($"{directorates} or {provinces}: no PNP directorate or INEI province for department(s) {missing}.", ex)
                : ex;
        }
    }

    private static string MissingMappings(string source)
    {
        using var scratch = Warehouse.OpenPath(":memory:");
        using var check = scratch.CreateCommand();
        check.CommandText = $"SELECT coalesce(string_agg(DISTINCT department_name, ', '), '') FROM ({source}) AS g WHERE pnp_directorate IS NULL OR province_code_inei IS NULL";
        return check.ExecuteScalar() as string ?? string.Empty;
    }

    private static string SourceSelect(TableDefinition table, IReadOnlyList<(string Column, string Expression)> columns, string from)
    {
        var select = new StringBuilder("SELECT ");
        for (var i = 0; i < columns.Count; i++)
        {
            var (name, expression) = columns[i];
            var column = table.Column(name) ?? throw new SchemaException($"Reference data names column {table.QualifiedName}.{name}, which is not in the schema.");
            if (i > 0)
            {
                select.Append(", ");
            }

            select.Append("CAST(").Append(expression).Append(" AS ").Append(DuckDbDdl.MapColumnType(table, column)).Append(") AS ").Append(DuckDbKeywords.Quote(name));
        }

        return select.Append(" FROM ").Append(from).ToString();
    }

    private static ReferenceLoadResult Merge(DuckDBConnection connection, TableDefinition table, string source, IReadOnlyList<string> naturalKey, string origin, string? matchCondition = null)
    {
        var sourceColumns = ColumnsOf(connection, source);
        // Key columns and columns under a UNIQUE constraint identify a member: they are inserted, never updated.
        var identifying = new HashSet<string>(naturalKey.Concat(table.PrimaryKey).Concat(table.UniqueKeys.SelectMany(u => u)), StringComparer.OrdinalIgnoreCase);
        var updatable = sourceColumns.Where(c => !identifying.Contains(c)).ToList();
        var on = matchCondition ?? string.Join(" AND ", naturalKey.Select(k => $"t.{DuckDbKeywords.Quote(k)} = s.{DuckDbKeywords.Quote(k)}"));
        var sql = new StringBuilder();
        sql.Append("MERGE INTO ").Append(DuckDbDdl.Name(table.Schema, table.Name)).Append(" AS t USING (").Append(source).Append(") AS s ON ").Append(on);
        if (updatable.Count > 0)
        {
            sql.Append(" WHEN MATCHED AND (")
               .Append(string.Join(" OR ", updatable.Select(c => $"t.{DuckDbKeywords.Quote(c)} IS DISTINCT FROM s.{DuckDbKeywords.Quote(c)}")))
               .Append(") THEN UPDATE SET ")
               .Append(string.Join(", ", updatable.Select(c => $"{DuckDbKeywords.Quote(c)} = s.{DuckDbKeywords.Quote(c)}")));
        }

        sql.Append(" WHEN NOT MATCHED THEN INSERT (")
           .Append(string.Join(", ", sourceColumns.Select(DuckDbKeywords.Quote)))
           .Append(") VALUES (")
           .Append(string.Join(", ", sourceColumns.Select(c => "s." + DuckDbKeywords.Quote(c))))
           .Append(')');

        long changed;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = sql.ToString();
            try
            {
                changed = command.ExecuteNonQuery();
            }
            catch (DuckDBException ex)
            {
                throw new TipwException($"Loading {table.QualifiedName} from {origin} failed: {ex.Message}", ex);
            }
        }

        using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM " + DuckDbDdl.Name(table.Schema, table.Name);
        return new ReferenceLoadResult(table.QualifiedName, changed, Convert.ToInt64(count.ExecuteScalar(), CultureInfo.InvariantCulture));
    }

    private static List<string> ColumnsOf(DuckDBConnection connection, string source)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM (" + source + ") AS s LIMIT 0";
        using var reader = command.ExecuteReader();
        return [.. Enumerable.Range(0, reader.FieldCount).Select(reader.GetName)];
    }

    private static string ReadCsv(string path, string nullString) =>
        $"read_csv({Sql.Literal(path)}, header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"', nullstr = '{nullString}')";

    private static List<string> ReadHeader(string csvPath)
    {
        if (!File.Exists(csvPath))
        {
            throw new TipwException($"Reference file {csvPath} is missing.");
        }

        var header = ReferenceSeeds.ReadHeader(csvPath);
        return header.Count > 0 ? [.. header] : throw new TipwException($"{csvPath} is empty: it needs a header row naming the columns.");
    }
}
