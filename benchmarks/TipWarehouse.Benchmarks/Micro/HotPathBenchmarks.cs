using System.Reflection;
using System.Text;
using BenchmarkDotNet.Attributes;
using DuckDB.NET.Data;
using TipWarehouse.Core;
using TipWarehouse.Etl.Engine;
using TipWarehouse.Etl.Extraction;
using TipWarehouse.Etl.Privacy;
using TipWarehouse.Etl.Validation;
using TipWarehouse.Schema;

namespace TipWarehouse.Benchmarks.Micro;

// BenchmarkDotNet derives from benchmark classes, so they are public and not sealed.

/// <summary>Per-row cost of extraction: CSV parse and typing (the engine's CsvRowSource and BatchAssembler) plus RowValidator.</summary>
[MemoryDiagnoser]
public class ParseAndValidateBenchmarks
{
    // The extraction types are internal to TipWarehouse.Etl; they are bound once here by reflection and each
    // invocation covers all MicroData.Rows rows, so the reflective call itself is noise (three calls per 8,192 rows).
    private static readonly Assembly s_etl = typeof(PipelineEngine).Assembly;
    private Sample _sample = null!;
    private object _assembler = null!;
    private object _validator = null!;
    private ConstructorInfo _newSource = null!;
    private MethodInfo _read = null!;
    private MethodInfo _validate = null!;
    private Encoding _encoding = null!;

    [GlobalSetup]
    public void Setup()
    {
        _sample = MicroData.Get();
        _encoding = Encoding.GetEncoding(1252);
        var sourceType = s_etl.GetType("TipWarehouse.Etl.Extraction.CsvRowSource", throwOnError: true)!;
        var assemblerType = s_etl.GetType("TipWarehouse.Etl.Extraction.BatchAssembler", throwOnError: true)!;
        var validatorType = s_etl.GetType("TipWarehouse.Etl.Validation.RowValidator", throwOnError: true)!;
        _newSource = sourceType.GetConstructors().Single();
        _assembler = Activator.CreateInstance(assemblerType, _sample.Spec)!;
        _validator = Activator.CreateInstance(validatorType, _sample.Spec)!;
        _read = assemblerType.GetMethod("Read")!;
        _validate = validatorType.GetMethod("Validate")!;
    }

    /// <summary>Reads, types and validates the sample file (decode, split, parse dates and numbers, Arrow columns, rules).</summary>
    [Benchmark(OperationsPerInvoke = MicroData.Rows)]
    public long ParseAndValidate()
    {
        long rows = 0;
        using var source = (IDisposable)_newSource.Invoke([_sample.CsvPath, _sample.Spec, _encoding]);
        foreach (var batch in (IEnumerable<ExtractedBatch>)_read.Invoke(_assembler, [source, null])!)
        {
            var verdict = (BatchVerdict)_validate.Invoke(_validator, [batch.Rows, "llamadas_sample.csv"])!;
            rows += batch.Rows.Length + verdict.Rejects.Count;
            batch.Rows.Dispose();
        }

        return rows;
    }
}

/// <summary>Per-row cost of the privacy step: keyed pseudonyms of the DNI, the name and its phonetic key, and the narrative scrub.</summary>
[MemoryDiagnoser]
public class PseudonymizeBenchmarks
{
    private Sample _sample = null!;
    private Pseudonymizer _pseudonymizer = null!;

    [GlobalSetup]
    public void Setup()
    {
        _sample = MicroData.Get();
        _pseudonymizer = new Pseudonymizer([.. Enumerable.Range(1, 32).Select(i => (byte)i)]);
    }

    /// <summary>DNI, name and phonetic-name pseudonyms of each row (what the hotline spec's <c>pii</c> block does).</summary>
    [Benchmark(OperationsPerInvoke = MicroData.Rows)]
    public int Pseudonymize()
    {
        var count = 0;
        for (var i = 0; i < MicroData.Rows; i++)
        {
            count += _pseudonymizer.Dni(_sample.Dnis[i]) is null ? 0 : 1;
            count += _pseudonymizer.Name(_sample.Names[i]) is null ? 0 : 1;
            count += _pseudonymizer.PhoneticName(_sample.Names[i]) is null ? 0 : 1;
        }

        return count;
    }

    /// <summary>The narrative scrub of each row (victim name and DNI-like numbers replaced).</summary>
    [Benchmark(OperationsPerInvoke = MicroData.Rows)]
    public int ScrubNarrative()
    {
        var length = 0;
        for (var i = 0; i < MicroData.Rows; i++)
        {
            length += NarrativeScrubber.Scrub(_sample.Narratives[i], [_sample.Names[i]])?.Length ?? 0;
        }

        return length;
    }
}

/// <summary>Per-row cost of UBIGEO conformance: the RENIEC-else-INEI lookups of the hotline transform, set-based in DuckDB.</summary>
public class UbigeoConformanceBenchmarks
{
    /// <summary>Rows conformed per invocation (the sample's codes, repeated).</summary>
    public const int Rows = MicroData.Rows * 16;

    private const string ConformSql = """
        SELECT COUNT(*) FILTER (WHERE coding = 'RENIEC'), COUNT(*) FILTER (WHERE coding = 'INEI'), COUNT(*) FILTER (WHERE coding IN ('MISSING', 'INVALID'))
        FROM (
            SELECT CASE WHEN gr.geography_key IS NOT NULL THEN 'RENIEC' WHEN gi.geography_key IS NOT NULL THEN 'INEI'
                        WHEN s.ubigeo IS NULL THEN 'MISSING' ELSE 'INVALID' END AS coding,
                   COALESCE(gr.geography_key, gi.geography_key, -1) AS geography_key
            FROM bench_ubigeo AS s
            LEFT JOIN dw.dim_geography AS gr ON gr.ubigeo_reniec = s.ubigeo AND gr.geography_key <> -1
            LEFT JOIN dw.dim_geography AS gi ON gi.ubigeo_inei = s.ubigeo AND gi.geography_key <> -1
        )
        """;

    private DuckDBConnection _connection = null!;
    private string _folder = null!;

    [GlobalSetup]
    public void Setup()
    {
        var sample = MicroData.Get();
        _folder = Directory.CreateTempSubdirectory("tipw-micro-ubigeo-").FullName;
        _connection = Warehouse.OpenPath(Path.Combine(_folder, "warehouse.duckdb"));
        WarehouseInitializer.Initialize(_connection, new InitOptions { Time = TimeProvider.System });
        Execute("CREATE TABLE bench_ubigeo (ubigeo VARCHAR)");
        using (var appender = _connection.CreateAppender("bench_ubigeo"))
        {
            for (var copy = 0; copy < Rows / MicroData.Rows; copy++)
            {
                foreach (var code in sample.Ubigeos)
                {
                    appender.CreateRow().AppendValue(code).EndRow();
                }
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _connection.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>Conforms every staged code against <c>dw.dim_geography</c> in both codings and classifies it.</summary>
    [Benchmark(OperationsPerInvoke = Rows)]
    public long ConformUbigeo()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = ConformSql;
        using var reader = command.ExecuteReader();
        reader.Read();
        return reader.GetInt64(0) + reader.GetInt64(1) + reader.GetInt64(2);
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
