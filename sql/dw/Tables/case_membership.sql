-- Grain: one source record (hotline call, police report, prosecution case) and the linked case it belongs to; keeps case ids stable across runs.
CREATE TABLE [dw].[case_membership]
(
    [record_type] VARCHAR(20) NOT NULL,
    [record_id] VARCHAR(40) NOT NULL,
    [case_id] VARCHAR(40) NOT NULL,
    [first_batch_id] BIGINT NOT NULL,
    [batch_id] BIGINT NOT NULL,
    CONSTRAINT [pk_case_membership] PRIMARY KEY ([record_type], [record_id])
);
