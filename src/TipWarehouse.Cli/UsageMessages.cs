using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;

namespace TipWarehouse.Cli;

/// <summary>Turns System.CommandLine's parse errors into advice in words: the full command path, did-you-mean, value types.</summary>
public static partial class UsageMessages
{
    /// <summary>The command as typed from the root, e.g. <c>tipw schedule pause</c>.</summary>
    public static string CommandPath(CommandResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var names = new List<string>();
        for (SymbolResult? current = result; current is not null; current = current.Parent)
        {
            if (current is CommandResult command && command.Command is not RootCommand)
            {
                names.Add(command.Command.Name);
            }
        }

        names.Add("tipw");
        names.Reverse();
        return string.Join(' ', names);
    }

    /// <summary>Rewrites one parse error: a type name becomes what the option expects, an unknown word gets its nearest command.</summary>
    public static string Explain(string message, Command command)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(command);
        var parse = CannotParseRegex().Match(message);
        if (parse.Success)
        {
            return $"{parse.Groups["option"].Value} expects {Expected(parse.Groups["type"].Value)}, not '{parse.Groups["value"].Value}'.";
        }

        var unknown = UnrecognizedRegex().Match(message);
        if (unknown.Success && Nearest(unknown.Groups["word"].Value, command.Subcommands.Select(c => c.Name)) is { } suggestion)
        {
            return $"{message} Did you mean '{suggestion}'?";
        }

        return message;
    }

    /// <summary>The candidate within two edits of <paramref name="word"/> (the closest; none when two tie or none is that close).</summary>
    public static string? Nearest(string word, IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(word);
        ArgumentNullException.ThrowIfNull(candidates);
        var ranked = candidates.Select(c => (Name: c, Distance: Distance(word, c))).Where(c => c.Distance <= 2).OrderBy(c => c.Distance).ToList();
        return ranked.Count == 0 || (ranked.Count > 1 && ranked[1].Distance == ranked[0].Distance) ? null : ranked[0].Name;
    }

    private static string Expected(string typeName) => typeName switch
    {
        _ when typeName.Contains("Int32", StringComparison.Ordinal) || typeName.Contains("Int64", StringComparison.Ordinal) => "a whole number",
        _ when typeName.Contains("Double", StringComparison.Ordinal) || typeName.Contains("Decimal", StringComparison.Ordinal) => "a number (with '.' as decimal separator)",
        _ when typeName.Contains("DateOnly", StringComparison.Ordinal) => "a date (yyyy-MM-dd)",
        _ when typeName.Contains("Boolean", StringComparison.Ordinal) => "true or false",
        _ => "a value of another kind",
    };

    /// <summary>Optimal string alignment distance (Damerau–Levenshtein with adjacent transpositions: 'reprot' → 'report' is 1).</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for option '(?<option>[^']+)' as expected type '(?<type>[^']+)'")]
    private static partial Regex CannotParseRegex();

    [GeneratedRegex(@"^Unrecognized command or argument '(?<word>[^']+)'")]
    private static partial Regex UnrecognizedRegex();
}
