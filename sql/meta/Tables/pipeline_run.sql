-- One run of one pipeline (from the CLI, the scheduler or a backfill).
CREATE TABLE [meta].[pipeline_run]
(
    [run_id] BIGINT NOT NULL,
    [pipeline] VARCHAR(60) NOT NULL,
    [trigger_kind] VARCHAR(20) NOT NULL,
    [started_at] DATETIME2(3) NOT NULL,
    [finished_at] DATETIME2(3) NULL,
    [status] VARCHAR(20) NOT NULL,
    [error] NVARCHAR(MAX) NULL,
    [window_from] DATE NULL,
    [window_to] DATE NULL,
    [host] NVARCHAR(120) NULL,
    CONSTRAINT [pk_pipeline_run] PRIMARY KEY ([run_id])
);
