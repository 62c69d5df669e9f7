using DuckDB.NET.Data;
using TipWarehouse.Core;

namespace TipWarehouse.Etl.Tests;

/// <summary>The DuckDB behaviour the engine's staging relies on: rows appended and deleted in one transaction are not written to the write-ahead log at commit.</summary>
public sealed class StagingLogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tipw-staging-log-").FullName;

    [Fact]
    public void Rows_appended_and_deleted_in_the_same_transaction_never_reach_the_write_ahead_log()
    {
        var path = Path.Combine(_dir, "w.duckdb");
        using var connection = Warehouse.OpenPath(path);
        Sql.Execute(connection, "SET checkpoint_threshold = '1GB'; CREATE SCHEMA stg; CREATE TABLE stg.t (id BIGINT, text VARCHAR); CREATE TABLE kept (id BIGINT)");
        Sql.Execute(connection, "CHECKPOINT");
        var empty = WalBytes(path);

        Batch(connection, deleteBeforeCommit: true);
        var afterDeleted = WalBytes(path);
        Batch(connection, deleteBeforeCommit: false);
        var afterKept = WalBytes(path);

        // 20,000 staged rows of 200 characters are ~4 MB: the batch that deleted them logged only its one kept row.
        Assert.True(afterDeleted - empty < 64 * 1024, $"WAL grew by {afterDeleted - empty} bytes for a batch whose staged rows were deleted");
        Assert.True(afterKept - afterDeleted > 1024 * 1024, $"WAL grew by {afterKept - afterDeleted} bytes for a batch that kept its staged rows");
        Assert.Equal(20_000, Sql.Scalar<long>(connection, "SELECT count(*) FROM stg.t"));
        Assert.Equal(2, Sql.Scalar<long>(connection, "SELECT count(*) FROM kept"));
    }

    private static void Batch(DuckDBConnection connection, bool deleteBeforeCommit)
    {
        using var transaction = connection.BeginTransaction();
        using (var appender = connection.CreateAppender("stg", "t"))
        {
            var text = new string('x', 200);
            for (var i = 0; i < 20_000; i++)
            {
                appender.CreateRow().AppendValue((long?)i).AppendValue(text).EndRow();
            }
        }

        Sql.Execute(connection, "INSERT INTO kept SELECT count(*) FROM stg.t");
        if (deleteBeforeCommit)
        {
            Sql.Execute(connection, "DELETE FROM stg.t");
        }

        transaction.Commit();
    }

    private static long WalBytes(string path) => File.Exists(path + ".wal") ? new FileInfo(path + ".wal").Length : 0;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a finalizer: the temp folder is cleaned by the system.
        }
    }
}
