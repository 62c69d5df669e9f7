using System.Text;
using TipWarehouse.Etl.Extraction;
using TipWarehouse.Etl.Specs;

namespace TipWarehouse.Etl.Tests;

public sealed class CsvExtractionTests : IDisposable
{
    private const string Header = "id_llamada;fecha_hora;nombre_victima;relato";
    private readonly string _dir = Directory.CreateTempSubdirectory("tipw-csv-").FullName;

    static CsvExtractionTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A hotline-like spec over four columns: a PII name, and a narrative scrubbed of it.</summary>
    internal static PipelineSpec Spec(int batchSize = 1000) => new()
    {
        Name = "calls",
        Kind = SourceKinds.Csv,
        SpecPath = "calls.yaml",
        Source = new SourceSpec { Path = ".", Encoding = "windows-1252", Delimiter = ';' },
        Target = "stg.hotline_call",
        BatchSize = batchSize,
        Columns =
        [
            new ColumnSpec { Name = "id_llamada", Target = "call_id", Required = true },
            new ColumnSpec { Name = "fecha_hora", Type = ColumnType.DateTime, Formats = ["dd/MM/yyyy HH:mm:ss"], Target = "call_ts_lima", Required = true },
            new ColumnSpec { Name = "nombre_victima", Pii = true },
            new ColumnSpec { Name = "relato", Target = "narrative" },
        ],
        Scrub = [new ScrubSpec { Column = "relato", NamesFrom = ["nombre_victima"] }],
    };

    private string Write(string name, string text, Encoding encoding)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, encoding.GetBytes(text));
        return path;
    }

    private static List<ExtractedBatch> Read(string path, PipelineSpec spec)
    {
        var fingerprint = FileInspector.Inspect(path, spec.Source);
        using var source = new CsvRowSource(path, spec, fingerprint.Encoding);
        return [.. new BatchAssembler(spec).Read(source)];
    }

    [Fact]
    public void Windows1252_file_is_decoded_with_its_accents()
    {
        var path = Write("a.csv", $"{Header}\nL1;13/03/2006 10:00:00;María Ñañez;niña en Puno\n", Encoding.GetEncoding(1252));
        var fingerprint = FileInspector.Inspect(path, Spec().Source);
        Assert.Null(fingerprint.EncodingNote);
        var batch = Assert.Single(Read(path, Spec()));
        Assert.Equal("niña en Puno", ArrowValues.GetString(batch.Rows.Column("relato"), 0));
        Assert.Equal(new DateTime(2006, 3, 13, 10, 0, 0), ArrowValues.Get(batch.Rows.Column("fecha_hora"), 0).Time);
    }

    [Fact]
    public void Utf8_file_declared_windows1252_is_detected_and_read_as_utf8()
    {
        var path = Write("b.csv", $"{Header}\nL1;13/03/2006 10:00:00;María;niña en Puno\n", new UTF8Encoding(false));
        var fingerprint = FileInspector.Inspect(path, Spec().Source);
        Assert.Contains("UTF-8", fingerprint.EncodingNote, StringComparison.Ordinal);
        var batch = Assert.Single(Read(path, Spec()));
        Assert.Equal("niña en Puno", ArrowValues.GetString(batch.Rows.Column("relato"), 0));
    }

    [Fact]
    public void Wrong_delimiter_rejects_the_whole_file()
    {
        var path = Write("c.csv", "id_llamada,fecha_hora,nombre_victima,relato\nL1,13/03/2006 10:00:00,,x\n", Encoding.ASCII);
        var ex = Assert.Throws<FileRejectedException>(() => Read(path, Spec()));
        Assert.Equal("wrong_delimiter", ex.ReasonCode);
        Assert.Contains("','", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_columns_reject_the_whole_file_naming_them()
    {
        var path = Write("d.csv", "id_llamada;fecha_hora\nL1;13/03/2006 10:00:00\n", Encoding.ASCII);
        var ex = Assert.Throws<FileRejectedException>(() => Read(path, Spec()));
        Assert.Equal("missing_columns", ex.ReasonCode);
        Assert.Contains("nombre_victima, relato", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_line_and_malformed_date_are_rejected_with_file_row_and_column()
    {
        var text = $"{Header}\nL1;13/03/2006 10:00:00;;ok\nL2;13/03/2006\nL3;31/02/2006 10:00:00;;bad date\nL4;14/03/2006 11:00:00;;ok\n";
        var path = Write("e.csv", text, Encoding.ASCII);
        var batch = Assert.Single(Read(path, Spec()));
        Assert.Equal(4, batch.RowsRead);
        Assert.Equal(2, batch.Rows.Length);
        Assert.Equal(2, batch.Rejects.Count);
        var truncated = batch.Rejects[0];
        Assert.Equal(("e.csv", 3L, "truncated_row"), (truncated.SourceFile, truncated.SourceRow!.Value, truncated.ReasonCode));
        Assert.Equal("L2;13/03/2006", truncated.RawText);
        var date = batch.Rejects[1];
        Assert.Equal((4L, "fecha_hora", "invalid_datetime"), (date.SourceRow!.Value, date.Column, date.ReasonCode));
        Assert.Contains("dd/MM/yyyy HH:mm:ss", date.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Line_cut_inside_a_quoted_field_is_rejected_alone_and_the_lines_it_swallowed_still_load()
    {
        // L2 is cut inside its quoted narrative; a CSV reader would run on until the next quote (L4's narrative).
        var text = $"{Header}\nL1;13/03/2006 10:00:00;;ok\nL2;13/03/2006 10:05:00;Rosa Quispe;\"Indica: \"\"estoy en\nL3;13/03/2006 10:10:00;;sin comillas\nL4;13/03/2006 10:15:00;;\"dice \"\"me retienen\"\"\"\nL5;13/03/2006 10:20:00;;ok\n";
        var path = Write("q.csv", text, Encoding.ASCII);
        var batch = Assert.Single(Read(path, Spec()));
        Assert.Equal(5, batch.RowsRead);
        Assert.Equal(4, batch.Rows.Length);
        var reject = Assert.Single(batch.Rejects);
        Assert.Equal(("q.csv", 3L), (reject.SourceFile, reject.SourceRow!.Value));
        Assert.Contains("unterminated quote", reject.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("L3", reject.RawText, StringComparison.Ordinal);
        Assert.DoesNotContain("Rosa", reject.MaskedRawText, StringComparison.Ordinal);
    }

    [Fact]
    public void Reject_text_kept_in_the_warehouse_masks_pii_fields_and_dni_numbers()
    {
        var path = Write("f.csv", $"{Header}\nL2006031900001;99/99/2006 10:00:00;Rosa Quispe;DNI 41234567 dijo\n", Encoding.ASCII);
        var reject = Assert.Single(Assert.Single(Read(path, Spec())).Rejects);
        Assert.Contains("Rosa Quispe", reject.RawText, StringComparison.Ordinal);
        Assert.DoesNotContain("Rosa", reject.MaskedRawText, StringComparison.Ordinal);
        Assert.DoesNotContain("41234567", reject.MaskedRawText, StringComparison.Ordinal);
        Assert.StartsWith("L2006031900001;", reject.MaskedRawText, StringComparison.Ordinal);
    }

    [Fact]
    public void Batches_are_bounded_by_the_batch_size()
    {
        var builder = new StringBuilder(Header + "\n");
        for (var i = 0; i < 25; i++)
        {
            builder.Append($"L{i};13/03/2006 10:00:00;;r\n");
        }

        var path = Write("g.csv", builder.ToString(), Encoding.ASCII);
        var batches = Read(path, Spec(batchSize: 10));
        Assert.Equal([10, 10, 5], batches.Select(b => b.Rows.Length));
    }
}
