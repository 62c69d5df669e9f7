using TipWarehouse.Core;

namespace TipWarehouse.Classifier;

/// <summary>Reads labelled narrative CSVs (<c>relato</c> and <c>is_tip</c>, optionally <c>split</c>): the hand-written sets
/// that <c>tipw model evaluate --narratives</c> measures and <c>tipw model train</c> adds to its training data.</summary>
public static class LabelledNarratives
{
    /// <summary>The file in <c>reference/</c> that <c>tipw model train</c> adds by default: the tuning part (163 rows) of the
    /// hand-written narratives, never the held-out part.</summary>
    public const string TrainingFileName = "handwritten_training_narratives.csv";

    /// <summary>The narratives of <paramref name="file"/> as narrative-only calls (id <c>rowN</c>, N the file's line), with
    /// their labels; with <paramref name="split"/>, only the rows whose <c>split</c> column has that value.</summary>
    public static IReadOnlyList<CallFeatures> Read(string file, string? split = null)
    {
        var input = NarrativeFilePredictor.Read(file);
        int text = input.IndexOf("relato"), label = input.IndexOf("is_tip"), part = input.IndexOf("split");
        if (text < 0 || label < 0 || (split is not null && part < 0))
        {
            throw new TipwException($"{file}: expected the columns relato and is_tip{(split is null ? string.Empty : " and split")} (found: {string.Join(", ", input.Header)}).");
        }

        var calls = new List<CallFeatures>();
        for (var i = 0; i < input.Rows.Count; i++)
        {
            var row = input.Rows[i];
            if (split is not null && !string.Equals(row[part].Trim(), split, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var value = row[label].Trim();
            if (value is not ("0" or "1"))
            {
                throw new TipwException($"{file}, row {i + 2}, column is_tip: '{value}' is not 0 or 1.");
            }

            calls.Add(CallFeatures.Create($"row{i + 2}", 0, row[text], label: value == "1"));
        }

        if (calls.Count == 0)
        {
            throw new TipwException($"{file}: no rows{(split is null ? string.Empty : $" with split '{split}'")}.");
        }

        return calls;
    }
}
