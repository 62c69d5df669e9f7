using System.Text;
using Microsoft.ML;

namespace TipWarehouse.Classifier.Tests;

[Collection(SimulatedWorldGroup.Name)]
public sealed class TrainedModelTests(SimulatedWorldFixture world)
{
    [Fact]
    public void Training_separates_tip_calls_on_the_held_out_months()
    {
        var test = world.Result.TestMetrics;
        Assert.True(test.Count > 500, $"test months have {test.Count} labelled calls");
        Assert.True(test.Auc >= 0.85, $"AUC on the test months against operator labels is {test.Auc:0.000}");
        var validation = world.Result.ValidationMetrics;
        Assert.True(
            validation.Recall >= world.Options.RecallTarget - 1e-9 || validation.Precision >= world.Options.PrecisionFloor - 1e-9,
            $"the threshold reaches the recall target on the validation slice, or was raised to keep the precision floor (recall {validation.Recall:0.000}, precision {validation.Precision:0.000})");
    }

    [Fact]
    public void Saved_model_reloads_and_scores_identically()
    {
        var path = Path.Combine(world.Directory, "roundtrip", "model.zip");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        new MLContext(1).Model.Save(world.Result.Model, world.Result.InputSchema, path);
        var sample = world.Result.Split.Test.Take(300).ToList();

        var before = world.Scorer.Score(sample);
        var after = CallScorer.Load(path, world.Result.Threshold, world.Result.Calibration).Score(sample);

        Assert.Equal(before, after);
    }

    [Fact]
    public void Model_learns_indicators_that_carry_over_to_independently_written_narratives()
    {
        var input = NarrativeFilePredictor.Read(Path.Combine(AppContext.BaseDirectory, "data", "independent_narratives.csv"));
        var label = input.IndexOf("is_tip");
        var narrative = input.IndexOf("relato");
        var calls = input.Rows.Select((row, i) => CallFeatures.Create($"I{i}", 0, row[narrative], label: row[label] == "1")).ToList();
        Assert.True(calls.Count >= 60);
        Assert.InRange(calls.Count(c => c.Label), 25, calls.Count - 25);

        var metrics = BinaryMetrics.Compute(world.Scorer.Score(calls), calls.Select(c => c.Label).ToArray(), world.Result.Threshold);

        Assert.True(metrics.Auc >= 0.85, $"AUC on independent narratives is {metrics.Auc:0.000}");
    }

    [Theory]
    [InlineData(';', "windows-1252")]
    [InlineData(',', "utf-8")]
    [InlineData(';', "utf-8")]
    [InlineData(',', "windows-1252")]
    public void Predict_reads_both_separators_and_encodings_and_adds_the_two_columns(char separator, string encoding)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var folder = Path.Combine(world.Directory, $"predict-{(separator == ';' ? "semicolon" : "comma")}-{encoding}");
        Directory.CreateDirectory(folder);
        var input = Path.Combine(folder, "calls.csv");
        var s = separator;
        var lines = new[]
        {
            $"id_llamada{s}tipo_llamante{s}relato",
            $"A1{s}FAMILIAR{s}\"Mi hija de 15 años fue llevada a un bar en Mazuco{s} le quitaron el DNI y la obligan a atender clientes, no la dejan salir\"",
            $"A2{s}VICTIMA{s}Quiero información sobre el trámite del pasaporte en migraciones",
        };
        File.WriteAllText(input, string.Join("\r\n", lines) + "\r\n", Encoding.GetEncoding(encoding == "utf-8" ? 65001 : 1252));
        var output = Path.Combine(folder, "scored.csv");

        var result = NarrativeFilePredictor.Predict(input, output, world.Scorer);

        Assert.Equal(2, result.Rows);
        Assert.Equal(separator, result.Separator);
        Assert.Equal(encoding, result.Encoding);
        var written = NarrativeFilePredictor.Read(output);
        Assert.Equal(["id_llamada", "tipo_llamante", "relato", "probabilidad_trata", "es_trata"], written.Header);
        Assert.Contains("años", written.Rows[0][2], StringComparison.Ordinal);
        Assert.Contains("Mazuco" + separator, written.Rows[0][2], StringComparison.Ordinal);
        var tip = double.Parse(written.Rows[0][3], System.Globalization.CultureInfo.InvariantCulture);
        var info = double.Parse(written.Rows[1][3], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(tip > info, $"the exploitation narrative ({tip}) scores above the information request ({info})");
        Assert.Equal(tip >= world.Result.Threshold ? "1" : "0", written.Rows[0][4]);
        Assert.Equal(info >= world.Result.Threshold ? "1" : "0", written.Rows[1][4]);
    }

    [Fact]
    public void Predict_without_a_relato_column_names_the_missing_column()
    {
        var input = Path.Combine(world.Directory, "no-relato.csv");
        File.WriteAllText(input, "id_llamada;texto\nA1;hola\n");

        var error = Assert.Throws<Core.TipwException>(() => NarrativeFilePredictor.Predict(input, Path.Combine(world.Directory, "out.csv"), world.Scorer));

        Assert.Contains("'relato'", error.Message, StringComparison.Ordinal);
        Assert.Contains("no-relato.csv", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_lists_the_explicit_indicator_words_among_its_top_five()
    {
        const string narrative = "Mi sobrina dice que es trata de personas, a las chicas las encierran en el local, les dan droga y las trajeron con engaños desde Pucallpa";
        var call = CallFeatures.Create("X1", 20070801, narrative, callerType: "FAMILIAR", victimAge: 16);

        var explanation = ModelExplainer.ExplainWords(world.Scorer, call, top: 12);

        // The narrative's indicator words: explicit term, restricted movement, substances, false promises, movement. (In the
        // small simulated world "trata" also fills the information requests, so it need not push towards TIP.)
        var top5 = explanation.Contributions.Where(c => c.Contribution > 0).Take(5).ToList();
        var words = top5.Where(c => c.Kind == "word").Select(c => c.Feature.ToLowerInvariant()).ToList();
        string[] indicators = ["trata", "encierran", "droga", "engaños", "trajeron"];
        Assert.True(indicators.Take(3).Count(words.Contains) >= 2 && indicators.Count(words.Contains) >= 3, $"contributions: {string.Join(", ", explanation.Contributions.Select(c => $"{c.Kind}:{c.Feature} {c.Contribution:0.000}"))}");
        Assert.Equal(world.Scorer.Score([call])[0], explanation.Probability, 5);

        // Each span points at its word in the narrative, in order, and the table highlights the telling words.
        Assert.All(explanation.Spans, s => Assert.Equal(s.Text, narrative.Substring(s.Start, s.Length)));
        Assert.Equal(explanation.Spans.OrderBy(s => s.Start).Select(s => s.Start), explanation.Spans.Select(s => s.Start));
        Assert.Contains("[[encierran]]", ModelExplainer.Highlight(explanation), StringComparison.Ordinal);
    }
}
