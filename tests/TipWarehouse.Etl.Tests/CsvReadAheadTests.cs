using System.Text;
using TipWarehouse.Core;
using TipWarehouse.Etl.Engine;
using TipWarehouse.Etl.Extraction;
using TipWarehouse.Etl.Loading;
using TipWarehouse.Etl.Privacy;
using TipWarehouse.Etl.Specs;

namespace TipWarehouse.Etl.Tests;

public sealed class CsvReadAheadTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tipw-readahead-").FullName;
    private readonly DuckDB.NET.Data.DuckDBConnection _connection = Warehouse.OpenPath(":memory:");

    static CsvReadAheadTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public CsvReadAheadTests()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "CREATE SCHEMA stg; CREATE TABLE stg.hotline_call (call_id VARCHAR, call_ts_lima TIMESTAMP, narrative VARCHAR, batch_id BIGINT, source_file VARCHAR, source_row BIGINT)";
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _connection.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static readonly PipelineSpec s_spec = CsvExtractionTests.Spec(batchSize: 2);

    private PendingCsvFile File(string name, params string[] lines)
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, string.Join("\n", ["id_llamada;fecha_hora;nombre_victima;relato", .. lines]) + "\n", Encoding.Latin1);
        return Pending(path);
    }

    private static PendingCsvFile Pending(string path) =>
        new(path, Path.GetFileName(path), new FileFingerprint(0, "", Encoding.Latin1, null), default, null);

    private CsvReadAhead ReadAhead(params PendingCsvFile[] files) =>
        new(s_spec, new StagingWriter(_connection, s_spec, new Pseudonymizer(new byte[32])), files, rowBudget: 2, CancellationToken.None);

    private static string Row(int i, string name = "Rosa Quispe") => $"L{i};01/05/2006 10:00:00;{name};llamó {name} desde Puno";

    [Fact]
    public void Files_come_in_order_as_prepared_batches_then_their_end_with_names_scrubbed()
    {
        var first = File("a.csv", Row(1), Row(2), Row(3));
        var second = File("b.csv", Row(4));
        using var readAhead = ReadAhead(first, second);
        var items = new List<(string File, int Rows, bool End)>();
        var narratives = new List<string?>();
        foreach (var file in new[] { first, second })
        {
            CsvReadAhead.Item item;
            while (!(item = readAhead.Next(file.Name, CancellationToken.None)).EndOfFile)
            {
                items.Add((item.FileName, item.Batch!.Batch.Rows.Length, false));
                narratives.AddRange(item.Batch.Derived["narrative"]);
            }

            items.Add((item.FileName, 0, true));
            Assert.Null(item.Problem);
        }

        Assert.Equal([("a.csv", 2, false), ("a.csv", 1, false), ("a.csv", 0, true), ("b.csv", 1, false), ("b.csv", 0, true)], items);
        Assert.All(narratives, n => Assert.Equal("llamó [NOMBRE] [NOMBRE] desde Puno", n));
    }

    [Fact]
    public void File_rejected_whole_ends_with_its_problem_and_its_data_line_count()
    {
        var path = Path.Combine(_dir, "bad.csv");
        System.IO.File.WriteAllText(path, "id_llamada,fecha_hora,nombre_victima,relato\nL1,01/05/2006 10:00:00,x,y\nL2,01/05/2006 10:00:00,x,y\n", Encoding.Latin1);
        var good = File("good.csv", Row(5));
        using var readAhead = ReadAhead(Pending(path), good);
        var end = readAhead.Next("bad.csv", CancellationToken.None);
        Assert.True(end.EndOfFile);
        Assert.NotNull(end.Problem);
        Assert.Equal(2, end.RowsRead);
        Assert.False(readAhead.Next("good.csv", CancellationToken.None).EndOfFile);
    }

    [Fact]
    public void Reader_failure_is_rethrown_on_the_loading_thread_at_the_file_it_stopped_on()
    {
        var first = File("a.csv", Row(1));
        var missing = Pending(Path.Combine(_dir, "gone.csv"));
        using var readAhead = ReadAhead(first, missing);
        Assert.False(readAhead.Next("a.csv", CancellationToken.None).EndOfFile);
        Assert.True(readAhead.Next("a.csv", CancellationToken.None).EndOfFile);
        var error = Assert.Throws<FileNotFoundException>(() => readAhead.Next("gone.csv", CancellationToken.None));
        Assert.Contains("gone.csv", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Disposing_before_the_end_stops_the_reader_held_at_its_budget()
    {
        var file = File("many.csv", [.. Enumerable.Range(1, 50).Select(i => Row(i))]);
        var readAhead = ReadAhead(file);
        Assert.False(readAhead.Next("many.csv", CancellationToken.None).EndOfFile);
        readAhead.Dispose(); // the reader waits at its two-row budget; disposing must not hang
    }

    [Fact]
    public void Files_are_batched_by_count_and_closed_before_the_size_limit()
    {
        static PendingCsvFile Sized(string name, long size) => new(name, name, new FileFingerprint(size, "", Encoding.Latin1, null), default, null);
        var files = new[] { Sized("a", 40), Sized("b", 40), Sized("c", 40), Sized("d", 200), Sized("e", 10), Sized("f", 10), Sized("g", 10) };
        string Shape(int maxFiles, long? maxBytes) => string.Join("|", TipWarehouse.Etl.Sources.CsvSourceKind.FileBatches(files, maxFiles, maxBytes).Select(b => string.Concat(b.Select(f => f.Name))));
        Assert.Equal("abc|def|g", Shape(3, null));
        Assert.Equal("ab|c|d|efg", Shape(3, 100)); // d alone passes the limit: a batch of its own
        Assert.Equal("a|b|c|d|e|f|g", Shape(1, 100));
    }
}
