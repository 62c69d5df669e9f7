-- One batch: a unit of work loaded in one transaction, with its reconciliation counts (read = loaded + rejected + duplicate).
CREATE TABLE [meta].[batch]
(
    [batch_id] BIGINT NOT NULL,
    [run_id] BIGINT NOT NULL,
    [pipeline] VARCHAR(60) NOT NULL,
    [source] NVARCHAR(400) NOT NULL,
    [status] VARCHAR(20) NOT NULL,
    [rows_read] BIGINT NOT NULL,
    [rows_loaded] BIGINT NOT NULL,
    [rows_rejected] BIGINT NOT NULL,
    [rows_duplicate] BIGINT NOT NULL,
    [watermark_before] NVARCHAR(100) NULL,
    [watermark_after] NVARCHAR(100) NULL,
    [started_at] DATETIME2(3) NOT NULL,
    [finished_at] DATETIME2(3) NULL,
    [duration_ms] BIGINT NULL,
    [error] NVARCHAR(MAX) NULL,
    CONSTRAINT [pk_batch] PRIMARY KEY ([batch_id]),
    CONSTRAINT [fk_batch_run_id] FOREIGN KEY ([run_id]) REFERENCES [meta].[pipeline_run] ([run_id])
);
