using TipWarehouse.Core;

namespace TipWarehouse.Etl.Specs;

/// <summary>One problem in a pipeline spec, located by file, line and field.</summary>
public sealed record SpecError(string File, int Line, string Field, string Message)
{
    public override string ToString() => $"{File}:{Line}: {Field}: {Message}";
}

/// <summary>One or more pipeline specs are invalid; nothing was run.</summary>
public sealed class SpecException : TipwException
{
    public SpecException(IReadOnlyList<SpecError> errors)
        : base(Describe(errors))
    {
        Errors = errors;
    }

    /// <summary>Every problem found, in file and line order.</summary>
    public IReadOnlyList<SpecError> Errors { get; }

    private static string Describe(IReadOnlyList<SpecError> errors) =>
        $"{errors.Count} pipeline spec error(s), nothing was run:" + Environment.NewLine +
        string.Join(Environment.NewLine, errors.Select(e => "  " + e));
}
