-- One source file seen by a drop-folder pipeline: loaded or quarantined once; only a backfill (--from/--to) re-reads it, its rows then duplicates.
CREATE TABLE [meta].[file_manifest]
(
    [pipeline] VARCHAR(60) NOT NULL,
    [file_name] NVARCHAR(260) NOT NULL,
    [file_size] BIGINT NOT NULL,
    [file_sha256] CHAR(64) NOT NULL,
    [status] VARCHAR(20) NOT NULL,
    [rows_read] BIGINT NOT NULL,
    [batch_id] BIGINT NOT NULL,
    [recorded_at] DATETIME2(3) NOT NULL,
    [reason] NVARCHAR(400) NULL,
    [file_modified_at] DATETIME2(3) NULL, -- last write time (UTC) when recorded: same size and time means unchanged, without hashing
    CONSTRAINT [pk_file_manifest] PRIMARY KEY ([pipeline], [file_name])
);
