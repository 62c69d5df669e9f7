-- The content hash of each source row last loaded, by its natural key: the full-compare sweep (incremental.full_compare_every)
-- re-reads a whole source and loads only the rows whose content differs, even when their updated_at did not advance.
CREATE TABLE [meta].[source_row_hash]
(
    [pipeline] VARCHAR(60) NOT NULL,
    [natural_key] NVARCHAR(200) NOT NULL,
    [row_hash] CHAR(64) NOT NULL,
    [batch_id] BIGINT NOT NULL,
    CONSTRAINT [pk_source_row_hash] PRIMARY KEY ([pipeline], [natural_key])
);
