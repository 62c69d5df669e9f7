using System.Globalization;
using System.Text;

namespace TipWarehouse.Simulation.Tests;

[Collection(DefaultWorldGroup.Name)]
public sealed class NarrativeTests(DefaultWorldFixture world)
{
    private List<(string Relato, string Category, bool Tip)> Calls()
    {
        var labels = world.Labels.ToDictionary(l => l[0], l => l[1] == "1");
        return [.. world.Calls.Where(c => c.Fields.Length == 13).GroupBy(c => c.Fields[0]).Select(g => (g.First().Fields[9], g.First().Fields[10], labels[g.Key]))];
    }

    private static HashSet<string> Words(string text)
    {
        var normalized = new StringBuilder();
        foreach (var c in text.ToLowerInvariant().Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                normalized.Append(char.IsLetter(c) ? c : ' ');
            }
        }

        return [.. normalized.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => w.Length >= 3)];
    }

    [Fact]
    public void No_single_word_gives_the_tip_label_away()
    {
        var calls = Calls();
        var tipCount = calls.Count(c => c.Tip);
        var documents = calls.Select(c => (Words: Words(c.Relato), c.Tip)).ToList();
        var stats = new Dictionary<string, (int Tip, int Other)>();
        foreach (var (words, tip) in documents)
        {
            foreach (var w in words)
            {
                var s = stats.GetValueOrDefault(w);
                stats[w] = tip ? (s.Tip + 1, s.Other) : (s.Tip, s.Other + 1);
            }
        }

        foreach (var (word, (tip, other)) in stats)
        {
            var recall = tip / (double)tipCount;
            var precision = tip / (double)(tip + other);
            Assert.False(recall > 0.4 && precision > 0.95, $"'{word}' alone separates TIP calls (recall {recall:F2}, precision {precision:F2})");
        }
    }

    [Fact]
    public void Hard_negatives_share_the_vocabulary_of_tip_calls()
    {
        var negatives = Calls().Where(c => !c.Tip).Select(c => Words(c.Relato)).ToList();
        foreach (var word in new[] { "trata", "deuda", "dni", "bar", "trabajo", "mina", "amenaza", "encerrada", "agencia", "documentos" })
        {
            Assert.True(negatives.Count(w => w.Contains(word)) >= 10, $"'{word}' should also occur in calls that are not TIP");
        }
    }

    [Fact]
    public void Narratives_vary_in_wording_length_and_case()
    {
        var tips = Calls().Where(c => c.Tip).Select(c => c.Relato).ToList();
        Assert.True(tips.Distinct().Count() > 0.97 * tips.Count);
        var lengths = tips.Select(t => t.Length).Order().ToList();
        Assert.True(lengths[lengths.Count / 10] < 120 && lengths[lengths.Count * 9 / 10] > 350, "short and long narratives");
        Assert.Contains(tips, t => t.Length > 20 && string.Equals(t, t.ToUpperInvariant(), StringComparison.Ordinal));
        Assert.Contains(tips, t => t.Length > 20 && !string.Equals(t, t.ToUpperInvariant(), StringComparison.Ordinal));
        var all = Calls();
        Assert.Contains(all, c => c.Relato.Length == 0);
    }

    [Fact]
    public void Operator_categories_are_noisy_but_informative()
    {
        var calls = Calls();
        var tips = calls.Where(c => c.Tip).ToList();
        var others = calls.Where(c => !c.Tip).ToList();
        var missing = tips.Count(c => c.Category.Length == 0) / (double)tips.Count;
        Assert.InRange(missing, 0.02, 0.15);
        var tipCategories = tips.Count(c => c.Category is "TRATA" or "EXPLOTACION LABORAL") / (double)tips.Count;
        Assert.InRange(tipCategories, 0.6, 0.95);
        Assert.Contains(others, c => c.Category == "TRATA");
        Assert.True(others.Count(c => c.Category is "TRATA" or "EXPLOTACION LABORAL") / (double)others.Count < 0.15);
    }
}
