using TipWarehouse.Core;
using TipWarehouse.Core.Pipelines;

namespace TipWarehouse.Web;

/// <summary>The read-only copy of the warehouse that BI tools (Excel, Power BI, DuckDB clients) and ad-hoc queries open, so nothing outside the serving process ever holds the live file.</summary>
public sealed class WarehouseSnapshot(TipwHome home)
{
    private static readonly Lock s_refreshLock = new();

    /// <summary>The snapshot's folder, laid out as a home so read-only commands can be pointed at it.</summary>
    public TipwHome SnapshotHome { get; } = new(Path.Combine(home.Root, "snapshot"));

    /// <summary>The snapshot file: <c>HOME/snapshot/warehouse.duckdb</c>.</summary>
    public string FilePath => SnapshotHome.WarehousePath;

    /// <summary>Copies the committed state of the live warehouse (one MVCC transaction) into a new file and atomically replaces the snapshot with it.</summary>
    public void Refresh()
    {
        lock (s_refreshLock)
        {
            Directory.CreateDirectory(SnapshotHome.Root);
            foreach (var stale in Directory.EnumerateFiles(SnapshotHome.Root, Path.GetFileName(FilePath) + ".new*"))
            {
                File.Delete(stale);
            }

            // A new file and alias each time: a pipeline transaction that saw the attached copy in the shared DuckDB instance can keep
            // its file handle open after DETACH, and the next refresh must not collide with it ("Unique file handle conflict").
            var id = Guid.NewGuid().ToString("N");
            var temporary = $"{FilePath}.new-{id}";
            var alias = "tipw_snapshot_" + id;
            using (var connection = Warehouse.Open(home))
            {
                var live = Sql.Scalar<string>(connection, "SELECT current_database()")!;
                Sql.Execute(connection, $"ATTACH {Sql.Literal(temporary)} AS {alias}");
                try
                {
                    Sql.Execute(connection, $"COPY FROM DATABASE {Sql.Identifier(live)} TO {alias}");
                    Sql.Execute(connection, $"CHECKPOINT {alias}"); // written into the file itself before it is moved, whenever DETACH lets go of it
                }
                finally
                {
                    Sql.Execute(connection, $"DETACH {alias}");
                }
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.GroupRead);
            }

            File.Move(temporary, FilePath, overwrite: true);
        }
    }
}

/// <summary>Runs pipelines through another runner and refreshes the BI snapshot after each successful run.</summary>
public sealed class SnapshottingRunner(IPipelineRunner inner, WarehouseSnapshot snapshot, Action<Exception>? onSnapshotFailure = null) : IPipelineRunner
{
    /// <inheritdoc />
    public IReadOnlyList<PipelineDescriptor> Pipelines => inner.Pipelines;

    /// <inheritdoc />
    public async Task<PipelineRunResult> RunAsync(PipelineRunRequest request, CancellationToken cancellationToken = default)
    {
        var result = await inner.RunAsync(request, cancellationToken);
        if (result.Succeeded)
        {
            try
            {
                snapshot.Refresh();
            }
            catch (Exception ex) when (onSnapshotFailure is not null)
            {
                // A failed snapshot keeps the previous one; the load itself committed and stays a success.
                onSnapshotFailure(ex);
            }
        }

        return result;
    }
}
