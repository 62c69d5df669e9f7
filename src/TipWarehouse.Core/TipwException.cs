namespace TipWarehouse.Core;

/// <summary>An expected failure that the CLI reports as a clear message and exit code, never as a stack trace.</summary>
public class TipwException : Exception
{
    public TipwException(string message) : base(message) { }

    public TipwException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The process exit code for this failure: 1 for failures, 2 for usage errors.</summary>
    public virtual int ExitCode => 1;
}

/// <summary>A command was used wrongly (bad option value, missing argument); exit code 2.</summary>
public sealed class UsageException(string message) : TipwException(message)
{
    public override int ExitCode => 2;
}

/// <summary>The warehouse at a home is missing, locked, or not in the expected state.</summary>
public sealed class WarehouseException : TipwException
{
    public WarehouseException(string message) : base(message) { }

    public WarehouseException(string message, Exception innerException) : base(message, innerException) { }
}
