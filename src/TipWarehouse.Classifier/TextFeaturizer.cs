using System.Buffers;
using TipWarehouse.Core;

namespace TipWarehouse.Classifier;

/// <summary>Turns a call into a sparse feature vector: hashed Spanish word 1-2 grams and character 3-5 grams of the folded
/// narrative, plus the call's fields; allocation-light so scoring runs at hundreds of thousands of calls a second.</summary>
/// <remarks>
/// The narrative is lower-cased, accents and ñ folded (á→a, ñ→n), PII placeholders such as [NOMBRE] dropped, digits and
/// punctuation turned into spaces. Words drop Spanish
/// stop words; bigrams join consecutive kept words. Character n-grams run over the folded text with a space at each end, so
/// they match word stems and endings whatever the wording. Each block is weighted 1 + ln(count) and L2-normalized. Hashing
/// (FNV-1a, fixed seeds) needs no vocabulary, so the featurizer is a pure function: the same text gives the same vector in
/// training, scoring and explanation. Changing anything here changes <see cref="Version"/> and requires retraining.
/// </remarks>
public static class TextFeaturizer
{
    /// <summary>Recorded in each model's metadata; a model trained with another version must be retrained.</summary>
    public const string Version = "tipw-text-v3";

    /// <summary>Bits of the word n-gram hash space.</summary>
    public const int WordBits = 18;

    /// <summary>Bits of the character n-gram hash space.</summary>
    public const int CharBits = 18;

    /// <summary>Bits of the hashed field space (caller type, age band).</summary>
    public const int FieldBits = 10;

    private const int WordSize = 1 << WordBits;
    private const int CharSize = 1 << CharBits;
    private const int FieldSize = 1 << FieldBits;
    private const int WordOffset = 0;
    private const int CharOffset = WordOffset + WordSize;
    private const int FieldOffset = CharOffset + CharSize;
    private const int NumberOffset = FieldOffset + FieldSize;

    /// <summary>The numeric features after the hashed blocks, in order.</summary>
    public static IReadOnlyList<string> NumberNames { get; } = ["victim_age/100", "victim_age_missing", "is_minor", "is_minor_missing"];

    private static readonly int s_indicatorOffset = NumberOffset + NumberNames.Count;

    /// <summary>The indicator features at the end of the vector, in order: one per <see cref="IndicatorLexicon.Concepts"/>,
    /// one per pair of <see cref="IndicatorLexicon.CoreGroups"/>, and act + means + purpose together.</summary>
    public static IReadOnlyList<string> IndicatorNames { get; } = BuildIndicatorNames();

    /// <summary>The length of every feature vector.</summary>
    public static int Size { get; } = s_indicatorOffset + IndicatorNames.Count;

    // Block weights, chosen on the tuning part of the hand-written narratives (README, "Classifier"): the indicators carry
    // over to unseen wording, the n-grams mostly memorise the training wording, so the n-gram blocks are damped.
    /// <summary>The L2 norm of the word n-gram block.</summary>
    public const float WordWeight = 0.5f;

    /// <summary>The L2 norm of the character n-gram block.</summary>
    public const float CharWeight = 0.3f;

    /// <summary>The value of each indicator feature present.</summary>
    public const float IndicatorWeight = 1.0f;

    // Radix digit width: two passes cover the widest hashed block.
    private const int RadixBits = ((WordBits > CharBits ? WordBits : CharBits) + 1) / 2;

    // Below this many slots a comparison sort beats clearing the radix counts twice.
    private const int RadixMinimum = 64;

    private static readonly char[] s_fold = BuildFoldTable();
    private static readonly float[] s_logWeights = BuildLogWeights();
    private static readonly HashSet<ulong> s_stopWords = BuildStopWords();

    /// <summary>What a feature index stands for: its block and a readable name.</summary>
    /// <remarks><paramref name="Start"/> and <paramref name="Length"/> locate the feature in the folded text
    /// (<see cref="FoldText(string, out int[])"/> maps it back to the narrative); -1 for fields and numbers.</remarks>
    public readonly record struct FeatureName(int Index, string Kind, string Name, int Start = -1, int Length = 0);

    /// <summary>Featurizes one call into <paramref name="indices"/>/<paramref name="values"/> (sorted by index); returns the count.</summary>
    /// <remarks>The buffers are grown as needed; pass the same ones again to avoid allocations.</remarks>
    public static int Featurize(CallFeatures call, ref int[] indices, ref float[] values, List<FeatureName>? names = null)
    {
        ArgumentNullException.ThrowIfNull(call);
        var narrative = call.Narrative ?? string.Empty;
        var folded = ArrayPool<char>.Shared.Rent(narrative.Length + 2);
        // One rental holds the raw hashes and, behind them, the radix sort's scratch space of the same size.
        var rawSize = Math.Max(64, (narrative.Length * 4) + 64);
        var raw = ArrayPool<int>.Shared.Rent(2 * rawSize);
        try
        {
            var length = Fold(narrative, folded);
            var count = 0;
            var scratch = raw.AsSpan(rawSize, rawSize);
            var wordCount = Words(folded.AsSpan(0, length), raw, names);
            count = Block(raw.AsSpan(0, wordCount), scratch, WordOffset, WordWeight, ref indices, ref values, count);
            var charCount = CharGrams(folded.AsSpan(0, length), raw, names);
            count = Block(raw.AsSpan(0, charCount), scratch, CharOffset, CharWeight, ref indices, ref values, count);
            count = Fields(call, ref indices, ref values, count, names);
            count = Numbers(call, ref indices, ref values, count);
            return Indicators(folded.AsSpan(0, length), ref indices, ref values, count, names);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(folded);
            ArrayPool<int>.Shared.Return(raw);
        }
    }

    /// <summary>Lower case, accents and ñ folded, bracketed PII placeholders dropped, anything but letters turned into single
    /// spaces, one space at each end.</summary>
    public static string FoldText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var buffer = new char[text.Length + 2];
        return new string(buffer, 0, Fold(text, buffer));
    }

    /// <summary><see cref="FoldText(string)"/> with, for each folded character, the index of the narrative character it
    /// came from (-1 for an added space).</summary>
    public static string FoldText(string text, out int[] sourceIndex)
    {
        ArgumentNullException.ThrowIfNull(text);
        var buffer = new char[text.Length + 2];
        var map = new int[text.Length + 2];
        var n = Fold(text, buffer, map);
        sourceIndex = map[..n];
        return new string(buffer, 0, n);
    }

    private static int Fold(string text, char[] output, int[]? map = null)
    {
        var n = 0;
        if (map is not null)
        {
            map[n] = -1;
        }

        output[n++] = ' ';
        var inPlaceholder = false;
        for (var index = 0; index < text.Length; index++)
        {
            var c = text[index];
            // "[NOMBRE]", "[DNI]": where the PII scrubber acted says nothing about TIP, so placeholders are skipped.
            if (c == '[')
            {
                inPlaceholder = true;
                continue;
            }

            if (inPlaceholder)
            {
                inPlaceholder = c != ']';
                continue;
            }

            var f = s_fold[c];
            if (f == ' ' && output[n - 1] == ' ')
            {
                continue;
            }

            if (map is not null)
            {
                map[n] = f == ' ' ? -1 : index;
            }

            output[n++] = f;
        }

        if (output[n - 1] != ' ')
        {
            if (map is not null)
            {
                map[n] = -1;
            }

            output[n++] = ' ';
        }

        return n;
    }

    // Word unigrams and bigrams of consecutive non-stop words, hashed into the word space.
    private static int Words(ReadOnlySpan<char> text, int[] output, List<FeatureName>? names)
    {
        var n = 0;
        ulong previous = 0;
        var previousStart = -1;
        var previousLength = 0;
        var start = -1;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != ' ')
            {
                if (start < 0)
                {
                    start = i;
                }

                continue;
            }

            if (start < 0)
            {
                continue;
            }

            var word = text[start..i];
            var hash = Fnv(word, 0xcbf29ce484222325UL);
            if (word.Length > 1 && !s_stopWords.Contains(hash))
            {
                output[n++] = (int)(Mix(hash) & (WordSize - 1));
                names?.Add(new FeatureName(WordOffset + output[n - 1], "word", word.ToString(), start, word.Length));
                if (previousStart >= 0)
                {
                    output[n++] = (int)(Mix((previous * 31) ^ hash ^ 0x9e3779b97f4a7c15UL) & (WordSize - 1));
                    names?.Add(new FeatureName(WordOffset + output[n - 1], "word", $"{text.Slice(previousStart, previousLength)} {word}", previousStart, i - previousStart));
                }

                previous = hash;
                previousStart = start;
                previousLength = word.Length;
            }

            start = -1;
        }

        return n;
    }

    // Character 3-, 4- and 5-grams over the folded text (spaces included, so word boundaries count).
    private static int CharGrams(ReadOnlySpan<char> text, int[] output, List<FeatureName>? names)
    {
        var n = 0;
        for (var i = 0; i + 3 <= text.Length; i++)
        {
            var hash = 0xcbf29ce484222325UL;
            for (var k = 0; k < 5 && i + k < text.Length; k++)
            {
                hash = (hash ^ text[i + k]) * 0x100000001b3UL;
                if (k >= 2)
                {
                    // Seed by length so "abc" and the 3-prefix of "abcd" never share a hash by construction.
                    output[n++] = (int)(Mix(hash + (ulong)k) & (CharSize - 1));
                    names?.Add(new FeatureName(CharOffset + output[n - 1], "chars", text.Slice(i, k + 1).ToString().Replace(' ', '_'), i, k + 1));
                }
            }
        }

        return n;
    }

    // Sorts the raw hashes, counts repeats, weights 1 + ln(count), L2-normalizes and appends to the vector.
    private static int Block(Span<int> raw, Span<int> scratch, int offset, float weight, ref int[] indices, ref float[] values, int count)
    {
        if (raw.Length == 0)
        {
            return count;
        }

        SortHashes(raw, scratch);
        var start = count;
        double norm = 0;
        var i = 0;
        while (i < raw.Length)
        {
            var j = i + 1;
            while (j < raw.Length && raw[j] == raw[i])
            {
                j++;
            }

            var repeats = j - i;
            var value = repeats < s_logWeights.Length ? s_logWeights[repeats] : 1f + MathF.Log(repeats);
            Ensure(ref indices, ref values, count + 1);
            indices[count] = offset + raw[i];
            values[count++] = value;
            norm += value * value;
            i = j;
        }

        var scale = (float)(weight / Math.Sqrt(norm));
        for (var k = start; k < count; k++)
        {
            values[k] *= scale;
        }

        return count;
    }

    // Sorts hashed slots (non-negative, below 2^(2 * RadixBits)) ascending: a two-pass LSD radix sort, several times faster
    // than a comparison sort on the few hundred slots of a narrative. Sorting integers has one answer, so the vector is the
    // same whichever sort produces it.
    private static void SortHashes(Span<int> data, Span<int> scratch)
    {
        if (data.Length < RadixMinimum)
        {
            data.Sort();
            return;
        }

        Span<int> counts = stackalloc int[1 << RadixBits];
        RadixPass(data, scratch, 0, counts);
        RadixPass(scratch[..data.Length], data, RadixBits, counts);
    }

    private static void RadixPass(ReadOnlySpan<int> source, Span<int> target, int shift, Span<int> counts)
    {
        const int mask = (1 << RadixBits) - 1;
        counts.Clear();
        foreach (var v in source)
        {
            counts[(v >> shift) & mask]++;
        }

        var sum = 0;
        for (var b = 0; b < counts.Length; b++)
        {
            var c = counts[b];
            counts[b] = sum;
            sum += c;
        }

        foreach (var v in source)
        {
            target[counts[(v >> shift) & mask]++] = v;
        }
    }

    private static float[] BuildLogWeights()
    {
        // 1 + ln(count) for the counts a narrative has; computed with the same MathF.Log, so a lookup equals the call.
        var table = new float[256];
        for (var k = 1; k < table.Length; k++)
        {
            table[k] = 1f + MathF.Log(k);
        }

        return table;
    }

    private static int Fields(CallFeatures call, ref int[] indices, ref float[] values, int count, List<FeatureName>? names)
    {
        // Sex, department, hour and duration are left out: they say nothing about the indicators and let the model learn
        // where and when the operators' practice differed rather than what the caller reported.
        Span<int> slots = stackalloc int[2];
        var n = 0;
        AddField("caller", call.CallerType, slots, ref n, names);
        AddField("age", call.AgeBand, slots, ref n, names);
        slots[..n].Sort();
        for (var i = 0; i < n; i++)
        {
            if (i > 0 && slots[i] == slots[i - 1])
            {
                continue;
            }

            Ensure(ref indices, ref values, count + 1);
            indices[count] = FieldOffset + slots[i];
            values[count++] = 1f;
        }

        return count;
    }

    private static void AddField(string field, string value, Span<int> slots, ref int n, List<FeatureName>? names)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        var hash = Fnv(value.AsSpan(), Fnv(field.AsSpan(), 0x84222325cbf29ce4UL));
        slots[n++] = (int)(Mix(hash) & (FieldSize - 1));
        names?.Add(new FeatureName(FieldOffset + slots[n - 1], "field", $"{field}={value}"));
    }

    private static int Numbers(CallFeatures call, ref int[] indices, ref float[] values, int count)
    {
        Ensure(ref indices, ref values, count + NumberNames.Count);
        var age = float.IsNaN(call.VictimAge);
        var minor = float.IsNaN(call.IsMinor);
        Span<float> numbers = [age ? 0f : call.VictimAge / 100f, age ? 1f : 0f, minor ? 0f : call.IsMinor, minor ? 1f : 0f];
        for (var i = 0; i < numbers.Length; i++)
        {
            if (numbers[i] != 0)
            {
                indices[count] = NumberOffset + i;
                values[count++] = numbers[i];
            }
        }

        return count;
    }

    /// <summary>The readable name of a numeric slot, or null when <paramref name="index"/> is not one.</summary>
    public static string? NumberName(int index) =>
        index >= NumberOffset && index < NumberOffset + NumberNames.Count ? NumberNames[index - NumberOffset] : null;

    // One slot per concept found (1), one per pair of core groups both present, one for act + means + purpose.
    private static int Indicators(ReadOnlySpan<char> folded, ref int[] indices, ref float[] values, int count, List<FeatureName>? names)
    {
        var hits = IndicatorLexicon.Find(folded);
        if (hits.Count == 0)
        {
            return count;
        }

        var concepts = IndicatorLexicon.Concepts;
        var core = IndicatorLexicon.CoreGroups;
        Span<bool> present = stackalloc bool[concepts.Count];
        Span<bool> groups = stackalloc bool[core.Count];
        foreach (var hit in hits)
        {
            present[hit.Concept] = true;
            var g = IndexOf(core, concepts[hit.Concept].Group);
            if (g >= 0)
            {
                groups[g] = true;
            }

            if (names is not null)
            {
                names.Add(new FeatureName(s_indicatorOffset + hit.Concept, "indicator", concepts[hit.Concept].Code, hit.Start, hit.Length));
            }
        }

        Ensure(ref indices, ref values, count + IndicatorNames.Count);
        for (var c = 0; c < concepts.Count; c++)
        {
            if (present[c])
            {
                indices[count] = s_indicatorOffset + c;
                values[count++] = IndicatorWeight;
            }
        }

        var slot = s_indicatorOffset + concepts.Count;
        for (var a = 0; a < core.Count; a++)
        {
            for (var b = a + 1; b < core.Count; b++, slot++)
            {
                if (groups[a] && groups[b])
                {
                    indices[count] = slot;
                    values[count++] = IndicatorWeight;
                    AddComboNames(names, hits, slot, core[a], core[b]);
                }
            }
        }

        if ((groups[0] || groups[1]) && groups[2] && groups[3])
        {
            indices[count] = slot;
            values[count++] = IndicatorWeight;
            AddComboNames(names, hits, slot, core[2], core[3]);
        }

        return count;
    }

    // A combination is located at the matches of the groups it combines.
    private static void AddComboNames(List<FeatureName>? names, List<IndicatorLexicon.Hit> hits, int slot, IndicatorLexicon.Group a, IndicatorLexicon.Group b)
    {
        if (names is null)
        {
            return;
        }

        foreach (var hit in hits)
        {
            var group = IndicatorLexicon.Concepts[hit.Concept].Group;
            if (group == a || group == b)
            {
                names.Add(new FeatureName(slot, "indicator", IndicatorNames[slot - s_indicatorOffset], hit.Start, hit.Length));
            }
        }
    }

    private static int IndexOf(IReadOnlyList<IndicatorLexicon.Group> list, IndicatorLexicon.Group group)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == group)
            {
                return i;
            }
        }

        return -1;
    }

    private static string[] BuildIndicatorNames()
    {
        var core = IndicatorLexicon.CoreGroups;
        var list = IndicatorLexicon.Concepts.Select(c => c.Code).ToList();
        for (var a = 0; a < core.Count; a++)
        {
            for (var b = a + 1; b < core.Count; b++)
            {
                list.Add($"{core[a].ToString().ToUpperInvariant()}+{core[b].ToString().ToUpperInvariant()}");
            }
        }

        list.Add("ACT+MEANS+PURPOSE");
        return [.. list];
    }

    private static void Ensure(ref int[] indices, ref float[] values, int needed)
    {
        if (indices.Length < needed)
        {
            var size = Math.Max(needed, Math.Max(64, indices.Length * 2));
            Array.Resize(ref indices, size);
            Array.Resize(ref values, size);
        }
    }

    private static ulong Fnv(ReadOnlySpan<char> text, ulong seed)
    {
        var hash = seed;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 0x100000001b3UL;
        }

        return hash;
    }

    // A finalizer (from SplitMix64) so the low bits used as the index are well mixed.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
        return z ^ (z >> 31);
    }

    private static char[] BuildFoldTable()
    {
        var table = new char[char.MaxValue + 1];
        for (var i = 0; i <= char.MaxValue; i++)
        {
            var c = (char)i;
            table[i] = ' ';
            if (!char.IsLetter(c))
            {
                continue;
            }

            var lower = char.ToLowerInvariant(c);
            var folded = TextFolding.RemoveAccent(lower);
            if (char.IsLetter(folded))
            {
                table[i] = folded;
            }
        }

        return table;
    }

    // Spanish function words (folded); they carry no TIP signal and would dominate word bigrams. Negations (no, ni, sin,
    // nada) are kept: "no la dejan salir" is the signal.
    private static HashSet<ulong> BuildStopWords()
    {
        const string words = """
            a al algo algun alguna algunas alguno algunos ante antes aqui asi aun cada como con contra cual cuales cuando de del desde
            donde dos e el ella ellas ello ellos en entre era eran es esa esas ese eso esos esta estaba estaban estado estan estar este
            esto estos fue fueron ha habia han hasta hay la las le les lo los mas me mi mis mucho muy nos nosotros o os otra
            otras otro otros para pero poco por porque que quien quienes se sea ser si sido sobre su sus tal tambien te tiene tienen
            todo todos tu tus u un una unas uno unos usted ustedes y ya yo
            """;
        var set = new HashSet<ulong>();
        foreach (var w in words.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            set.Add(Fnv(w.AsSpan(), 0xcbf29ce484222325UL));
        }

        return set;
    }
}
