-- One quarantined row or file with the reason it was rejected (file, row, column).
CREATE TABLE [meta].[reject]
(
    [reject_id] BIGINT NOT NULL,
    [batch_id] BIGINT NOT NULL,
    [pipeline] VARCHAR(60) NOT NULL,
    [source_file] NVARCHAR(400) NOT NULL,
    [source_row] BIGINT NULL,
    [source_column] VARCHAR(60) NULL,
    [reason_code] VARCHAR(40) NOT NULL,
    [reason] NVARCHAR(400) NOT NULL,
    [raw_text] NVARCHAR(MAX) NULL,
    [quarantined_at] DATETIME2(3) NOT NULL,
    CONSTRAINT [pk_reject] PRIMARY KEY ([reject_id])
);
