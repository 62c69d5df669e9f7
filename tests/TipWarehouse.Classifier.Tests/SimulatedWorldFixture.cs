using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using TipWarehouse.Simulation;

namespace TipWarehouse.Classifier.Tests;

/// <summary>A small simulated world (2006-2007, a fraction of the calls) read straight from its hotline CSVs, and a model
/// trained on it once for the whole test class.</summary>
public sealed class SimulatedWorldFixture : IDisposable
{
    public SimulatedWorldFixture()
    {
        Directory = Path.Combine(Path.GetTempPath(), "tipw-classifier-tests-" + Guid.NewGuid().ToString("N"));
        WorldSimulator.Run(new SimulationOptions
        {
            OutputDirectory = Directory,
            From = new DateOnly(2006, 1, 1),
            To = new DateOnly(2007, 12, 31),
            Seed = 7,
            Scale = 0.35,
        });
        Calls = ReadHotline(Path.Combine(Directory, "hotline"));
        Labelled = Calls.Where(c => c.Category is not null && TipLabels.FromOperatorCategory(c.Category) is not null).Select(c => c.Features).ToList();
        Time = new FakeTimeProvider(new DateTimeOffset(2008, 1, 15, 12, 0, 0, TimeSpan.Zero));
        Result = new CallClassifierTrainer(Time).Train(Labelled, Options);
        Tuning = [.. HandwrittenNarratives.Load().Where(r => r.Split == HandwrittenNarratives.Tuning).Select(r => r.Call)];
        OptionsWithTuning = Options with { ExtraNarratives = Tuning, ExtraNarrativesSource = "handwritten_narratives.csv (tuning)" };
        ResultWithTuning = new CallClassifierTrainer(Time).Train(Labelled, OptionsWithTuning);
    }

    /// <summary>The tuning part of the hand-written narratives (the shipped extra training narratives).</summary>
    public List<CallFeatures> Tuning { get; }

    /// <summary><see cref="Options"/> with the tuning narratives as extra training data at the default weight (as <c>tipw model train</c>).</summary>
    public TrainingOptions OptionsWithTuning { get; }

    /// <summary>The model trained with <see cref="OptionsWithTuning"/>.</summary>
    public TrainingResult ResultWithTuning { get; }

    /// <summary>A scorer for <paramref name="result"/>.</summary>
    public CallScorer ScorerOf(TrainingResult result) => new(new Microsoft.ML.MLContext(Options.Seed), result.Model, result.Threshold, result.Calibration);

    public TrainingOptions Options { get; } = new() { TestMonths = 4, ValidationMonths = 3 };

    public string Directory { get; }

    public List<(CallFeatures Features, string? Category)> Calls { get; }

    public List<CallFeatures> Labelled { get; }

    public FakeTimeProvider Time { get; }

    public TrainingResult Result { get; }

    public CallScorer Scorer => new(new Microsoft.ML.MLContext(Options.Seed), Result.Model, Result.Threshold, Result.Calibration);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    /// <summary>Parses the simulated hotline drops (operator labels only; the truth folder is not read).</summary>
    private static List<(CallFeatures, string?)> ReadHotline(string folder)
    {
        var calls = new Dictionary<string, (CallFeatures, string?)>(StringComparer.Ordinal);
        foreach (var file in System.IO.Directory.GetFiles(folder, "*.csv").Order(StringComparer.Ordinal))
        {
            var input = NarrativeFilePredictor.Read(file);
            foreach (var row in input.Rows)
            {
                string? Get(string column)
                {
                    var i = input.IndexOf(column);
                    return i < 0 || string.IsNullOrWhiteSpace(row[i]) ? null : row[i].Trim();
                }

                var id = Get("id_llamada");
                if (id is null || !DateTime.TryParseExact(Get("fecha_hora"), "dd/MM/yyyy HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var ts))
                {
                    continue;
                }

                int? Int(string column) => int.TryParse(Get(column), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;
                var category = Get("categoria_operador");
                calls[id] = (CallFeatures.Create(
                    id,
                    (ts.Year * 10000) + (ts.Month * 100) + ts.Day,
                    Get("relato"),
                    Get("tipo_llamante"),
                    Get("sexo_victima"),
                    Get("ubigeo") is { Length: >= 2 } ubigeo ? ubigeo[..2] : null,
                    ts.Hour,
                    Int("edad_victima"),
                    null,
                    Int("duracion_seg"),
                    TipLabels.FromOperatorCategory(category) == true), category);
            }
        }

        return [.. calls.Values];
    }
}

[CollectionDefinition(Name)]
public sealed class SimulatedWorldGroup : ICollectionFixture<SimulatedWorldFixture>
{
    public const string Name = "simulated world";
}
