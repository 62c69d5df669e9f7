namespace TipWarehouse.Core;

/// <summary>Returns the .NET heap a finished step left to the operating system: between the pipelines of one process, and
/// between the read and the fit of <c>tipw model train</c>.</summary>
public static class ManagedMemory
{
    /// <summary>
    /// A blocking, compacting collection of every generation in the garbage collector's aggressive mode, which also
    /// decommits the freed memory: what a pipeline built and dropped (linkage's candidate pairs, a load's staged rows)
    /// is gone from the process's resident set before the next pipeline starts, instead of staying committed until the
    /// heap next grows. It costs one full collection of what is still live (a few MB between pipelines).
    /// </summary>
    public static void ReleaseUnused() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
}
