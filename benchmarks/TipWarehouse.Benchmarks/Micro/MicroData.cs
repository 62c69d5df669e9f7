using System.Text;
using nietras.SeparatedValues;
using TipWarehouse.Etl.Engine;
using TipWarehouse.Etl.Extraction;
using TipWarehouse.Etl.Specs;
using TipWarehouse.Simulation;

namespace TipWarehouse.Benchmarks.Micro;

/// <summary>The sample the micro-benchmarks share: <see cref="Rows"/> simulated hotline rows in one Windows-1252 file, and their fields.</summary>
public static class MicroData
{
    /// <summary>Rows in the sample (the micro-benchmarks report per row with <c>OperationsPerInvoke</c>).</summary>
    public const int Rows = 8192;

    private static readonly Lock s_gate = new();
    private static Sample? s_sample;

    /// <summary>The sample, simulated on first use (a two-month world at scale 8, about 13k calls).</summary>
    public static Sample Get()
    {
        lock (s_gate)
        {
            return s_sample ??= Create();
        }
    }

    private static string? Text(SepReader.Row row, int column) =>
        column < row.ColCount && row[column].Span.Length > 0 ? row[column].ToString() : null;

    private static Sample Create()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var folder = Directory.CreateTempSubdirectory("tipw-micro-").FullName;
        var sources = Path.Combine(folder, "sources");
        WorldSimulator.Run(new SimulationOptions { OutputDirectory = sources, From = new DateOnly(2006, 3, 1), To = new DateOnly(2006, 4, 30), Scale = 8 });
        var spec = SpecLoader.LoadDirectory(PipelineEngine.LocatePipelinesDirectory()).First(s => s.Name == "hotline");

        // Each day file decoded with the encoding the pipeline would detect, then one Windows-1252 file of exactly Rows rows.
        string? header = null;
        var lines = new List<string>(Rows);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(sources, "hotline"), "llamadas_*.csv").Order(StringComparer.Ordinal))
        {
            var encoding = FileInspector.Inspect(file, spec.Source).Encoding;
            var fileLines = File.ReadAllLines(file, encoding);
            header ??= fileLines[0];
            lines.AddRange(fileLines.Skip(1).Where(l => l.Length > 0).Take(Rows - lines.Count));
            if (lines.Count == Rows)
            {
                break;
            }
        }

        if (lines.Count < Rows || header is null)
        {
            throw new InvalidOperationException($"The micro-benchmark world has only {lines.Count} calls; {Rows} are needed.");
        }

        var path = Path.Combine(folder, "llamadas_sample.csv");
        File.WriteAllText(path, header + "\r\n" + string.Join("\r\n", lines) + "\r\n", Encoding.GetEncoding(1252));

        var names = new string?[Rows];
        var dnis = new string?[Rows];
        var narratives = new string?[Rows];
        var ubigeos = new string?[Rows];
        var index = 0;
        using (var reader = Sep.Reader(o => o with { Sep = new Sep(';'), Unescape = true, DisableColCountCheck = true }).FromText(header + "\n" + string.Join("\n", lines)))
        {
            var name = reader.Header.IndexOf("nombre_victima");
            var dni = reader.Header.IndexOf("dni_victima");
            var narrative = reader.Header.IndexOf("relato");
            var ubigeo = reader.Header.IndexOf("ubigeo");
            foreach (var row in reader)
            {
                names[index] = Text(row, name);
                dnis[index] = Text(row, dni);
                narratives[index] = Text(row, narrative);
                ubigeos[index] = Text(row, ubigeo);
                index++;
            }
        }

        return new Sample(folder, path, spec, names, dnis, narratives, ubigeos);
    }
}

/// <summary>The micro-benchmark sample: the Windows-1252 file, the hotline spec and the PII, narrative and UBIGEO fields of each row.</summary>
public sealed record Sample(string Folder, string CsvPath, PipelineSpec Spec, string?[] Names, string?[] Dnis, string?[] Narratives, string?[] Ubigeos);
