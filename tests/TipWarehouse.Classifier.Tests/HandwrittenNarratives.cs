namespace TipWarehouse.Classifier.Tests;

/// <summary>One hand-written narrative: its id, split (tuning or heldout), kind and the call built from it.</summary>
public sealed record HandwrittenNarrative(string Id, string Split, string Kind, CallFeatures Call);

/// <summary>Reads <c>data/handwritten_narratives.csv</c> (id;split;is_tip;kind;relato).</summary>
public static class HandwrittenNarratives
{
    public const string Tuning = "tuning";
    public const string HeldOut = "heldout";

    public static string FilePath => Path.Combine(AppContext.BaseDirectory, "data", "handwritten_narratives.csv");

    public static List<HandwrittenNarrative> Load()
    {
        var input = NarrativeFilePredictor.Read(FilePath);
        int id = input.IndexOf("id"), split = input.IndexOf("split"), label = input.IndexOf("is_tip"), kind = input.IndexOf("kind"), text = input.IndexOf("relato");
        return input.Rows.Select(r => new HandwrittenNarrative(r[id], r[split], r[kind], CallFeatures.Create(r[id], 0, r[text], label: r[label] == "1"))).ToList();
    }
}
