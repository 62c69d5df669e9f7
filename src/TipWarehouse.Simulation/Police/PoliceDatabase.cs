using Microsoft.Data.Sqlite;

namespace TipWarehouse.Simulation.Police;

/// <summary>Materializes the police rows into <c>police/pnp_trata.sqlite</c> as they stood at the as-of date: inserts new rows, updates changed ones, never deletes.</summary>
internal static class PoliceDatabase
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS comisarias (
            id_comisaria TEXT PRIMARY KEY,
            nombre TEXT NOT NULL,
            direccion_territorial TEXT NOT NULL,
            ubigeo_inei TEXT NOT NULL,
            fecha_capacitacion_trata DATE NULL,
            updated_at TIMESTAMP NOT NULL);
        CREATE TABLE IF NOT EXISTS denuncias (
            nro_denuncia TEXT PRIMARY KEY,
            fecha_hecho DATE NULL,
            fecha_denuncia TIMESTAMP NOT NULL,
            id_comisaria TEXT NOT NULL REFERENCES comisarias (id_comisaria),
            articulo TEXT NOT NULL,
            modalidad TEXT NULL,
            id_llamada TEXT NULL,
            estado TEXT NOT NULL,
            updated_at TIMESTAMP NOT NULL);
        CREATE TABLE IF NOT EXISTS personas (
            id_persona TEXT PRIMARY KEY,
            nro_denuncia TEXT NOT NULL REFERENCES denuncias (nro_denuncia),
            rol TEXT NOT NULL,
            nombres TEXT NULL,
            apellidos TEXT NULL,
            dni TEXT NULL,
            edad INTEGER NULL,
            sexo TEXT NULL,
            nacionalidad TEXT NULL,
            updated_at TIMESTAMP NOT NULL);
        CREATE TABLE IF NOT EXISTS detenciones (
            id_detencion TEXT PRIMARY KEY,
            nro_denuncia TEXT NOT NULL REFERENCES denuncias (nro_denuncia),
            id_persona TEXT NOT NULL REFERENCES personas (id_persona),
            fecha_detencion TIMESTAMP NOT NULL,
            updated_at TIMESTAMP NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_comisarias_updated_at ON comisarias (updated_at);
        CREATE INDEX IF NOT EXISTS ix_denuncias_updated_at ON denuncias (updated_at);
        CREATE INDEX IF NOT EXISTS ix_personas_updated_at ON personas (updated_at);
        CREATE INDEX IF NOT EXISTS ix_detenciones_updated_at ON detenciones (updated_at);
        """;

    /// <summary>Counts of what one materialization did; <c>RowsAtAsOf</c> counts, per table, the world's rows that exist at the as-of date.</summary>
    public sealed record Result(int Inserted, int Updated, int Unchanged, IReadOnlyDictionary<string, int> RowsAtAsOf);

    /// <summary>Writes the rows in one transaction with prepared commands, reading each table's rows once, as they are made.</summary>
    public static Result Materialize(string path, PoliceRows rows, DateTime asOf, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false };
        using var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        using (var command = connection.CreateCommand())
        {
            // A larger page cache keeps the updated_at indexes, which are filled out of order, off the disk; it does not change the file.
            command.CommandText = "PRAGMA cache_size = -131072;" + Schema;
            command.ExecuteNonQuery();
        }

        int inserted = 0, updated = 0, unchanged = 0;
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        using (var transaction = connection.BeginTransaction())
        {
            void Table(string table, string key, string[] columns, IEnumerable<SimRow> list)
            {
                // A later run on the same file compares each row with what is stored; a new file has nothing to compare with. The
                // stored keys and timestamps are read in one scan of the table, not by a point lookup per row.
                var stored = StoredUpdatedAt(connection, transaction, table, key);
                using var insert = connection.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = $"INSERT INTO {table} ({string.Join(", ", columns)}, updated_at) VALUES ({string.Join(", ", columns.Select((_, i) => "$p" + i))}, $updated)";
                using var update = connection.CreateCommand();
                update.Transaction = transaction;
                // The key (column 0) is not in the SET list: with it there, SQLite checks every child table for rows that
                // reference the old key (personas and detenciones have no index on nro_denuncia or id_persona), a full scan
                // per updated report or person, which grew with the square of the scale (31 of 61 CPU seconds at scale 46).
                update.CommandText = $"UPDATE {table} SET {string.Join(", ", columns.Select((c, i) => c + " = $p" + i).Skip(1))}, updated_at = $updated WHERE {key} = $p0";
                foreach (var command in new[] { insert, update })
                {
                    for (var i = 0; i < columns.Length; i++)
                    {
                        command.Parameters.Add(new SqliteParameter("$p" + i, null));
                    }

                    command.Parameters.Add(new SqliteParameter("$updated", null));
                }

                var n = 0;
                foreach (var row in list)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var state = row.StateAt(asOf);
                    if (state is not { } s)
                    {
                        continue;
                    }

                    n++;
                    var updatedAt = PoliceRows.Timestamp(s.UpdatedAt);
                    SqliteCommand target;
                    stored.TryGetValue(row.Key, out var storedAt);
                    if (storedAt is null)
                    {
                        target = insert;
                        inserted++;
                    }
                    else if (string.CompareOrdinal(storedAt, updatedAt) < 0)
                    {
                        target = update;
                        updated++;
                    }
                    else
                    {
                        // Never roll a row back: an earlier --as-of than the last run leaves it as it is.
                        unchanged++;
                        continue;
                    }

                    for (var i = 0; i < columns.Length; i++)
                    {
                        target.Parameters[i].Value = s.Values[i] ?? DBNull.Value;
                    }

                    target.Parameters[columns.Length].Value = updatedAt;
                    target.ExecuteNonQuery();
                }

                counts[table] = n;
            }

            Table("comisarias", "id_comisaria", PoliceRows.StationColumns, rows.Stations());
            Table("denuncias", "nro_denuncia", PoliceRows.ReportColumns, rows.Reports());
            Table("personas", "id_persona", PoliceRows.PersonColumns, rows.Persons());
            Table("detenciones", "id_detencion", PoliceRows.ArrestColumns, rows.Arrests());
            transaction.Commit();
        }

        connection.Close();
        return new Result(inserted, updated, unchanged, counts);
    }

    // Every stored row's updated_at by key, in one scan of the table (empty for a new file).
    private static Dictionary<string, string> StoredUpdatedAt(SqliteConnection connection, SqliteTransaction transaction, string table, string key)
    {
        var stored = new Dictionary<string, string>(StringComparer.Ordinal);
        using var read = connection.CreateCommand();
        read.Transaction = transaction;
        read.CommandText = $"SELECT {key}, updated_at FROM {table}";
        using var reader = read.ExecuteReader();
        while (reader.Read())
        {
            stored[reader.GetString(0)] = reader.GetString(1);
        }

        return stored;
    }
}
