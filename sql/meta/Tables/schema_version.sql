-- One schema version applied to this warehouse by 'tipw init': the hash of the sql/ sources and what changed.
CREATE TABLE [meta].[schema_version]
(
    [version_id] INT NOT NULL,
    [schema_hash] CHAR(64) NOT NULL,
    [applied_at] DATETIME2(3) NOT NULL,
    [engine] VARCHAR(20) NOT NULL,
    [changes] NVARCHAR(MAX) NULL,
    CONSTRAINT [pk_schema_version] PRIMARY KEY ([version_id])
);
