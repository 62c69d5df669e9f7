-- The last full-compare sweep of a pipeline: when it ran, how many rows it compared and how many had changed without a newer
-- updated_at (loaded by the sweep, flagged changed_at_source). A sweep is due when incremental.full_compare_every has passed.
CREATE TABLE [meta].[full_compare]
(
    [pipeline] VARCHAR(60) NOT NULL,
    [compared_at] DATETIME2(3) NOT NULL,
    [run_id] BIGINT NOT NULL,
    [rows_compared] BIGINT NOT NULL,
    [rows_changed] BIGINT NOT NULL,
    CONSTRAINT [pk_full_compare] PRIMARY KEY ([pipeline])
);
