namespace TipWarehouse.Core;

/// <summary>The layout of a TipWarehouse home folder (<c>--home</c>): warehouse, scheduler store, models, quarantine, archive, logs, exports, secrets.</summary>
public sealed record TipwHome(string Root)
{
    /// <summary>The default home when <c>--home</c> is not given.</summary>
    public const string DefaultRoot = "./tipw-home";

    /// <summary>The embedded DuckDB warehouse file.</summary>
    public string WarehousePath => Path.Combine(Root, "warehouse.duckdb");

    /// <summary>The Quartz persistent job store (SQLite).</summary>
    public string SchedulerStorePath => Path.Combine(Root, "scheduler.sqlite");

    /// <summary>Trained models and their metadata.</summary>
    public string ModelsDirectory => Path.Combine(Root, "models");

    /// <summary>Quarantined rows and files, one folder per batch.</summary>
    public string QuarantineDirectory => Path.Combine(Root, "quarantine");

    /// <summary>The archive of accepted staging rows, one folder per committed batch (<c>archive/PIPELINE/BATCH/</c>), that <c>tipw rebuild</c> replays.</summary>
    public string ArchiveDirectory => Path.Combine(Root, "archive");

    /// <summary>Rolling log files.</summary>
    public string LogsDirectory => Path.Combine(Root, "logs");

    /// <summary>Default destination of exports.</summary>
    public string ExportsDirectory => Path.Combine(Root, "exports");

    /// <summary>Owner-only secrets (the pseudonymization key); never copied into the warehouse.</summary>
    public string SecretsDirectory => Path.Combine(Root, "secrets");

    /// <summary>Where <c>tipw demo</c> simulates the agency systems.</summary>
    public string DefaultSourcesDirectory => Path.Combine(Root, "sources");

    /// <summary>Creates a home from a possibly relative path, resolved against the current directory.</summary>
    public static TipwHome At(string? root) => new(Path.GetFullPath(string.IsNullOrWhiteSpace(root) ? DefaultRoot : root));

    /// <summary>Creates the home's folders if they are missing, owner-only (700), and takes group and other access away from the home's files that hold personal data.</summary>
    public void EnsureCreated()
    {
        foreach (var dir in new[] { Root, ModelsDirectory, QuarantineDirectory, ArchiveDirectory, LogsDirectory, ExportsDirectory, SecretsDirectory })
        {
            OwnerOnly.CreateDirectory(dir);
        }

        foreach (var file in new[] { WarehousePath, WarehousePath + ".wal", SchedulerStorePath })
        {
            OwnerOnly.RestrictFile(file);
        }
    }
}
