-- One data-quality check on one batch: how many rows failed it.
CREATE TABLE [meta].[data_quality_result]
(
    [batch_id] BIGINT NOT NULL,
    [check_name] VARCHAR(80) NOT NULL,
    [pipeline] VARCHAR(60) NOT NULL,
    [table_name] VARCHAR(80) NOT NULL,
    [column_name] VARCHAR(60) NULL,
    [severity] VARCHAR(10) NOT NULL,
    [failed_rows] BIGINT NOT NULL,
    [total_rows] BIGINT NOT NULL,
    [passed] BIT NOT NULL,
    [detail] NVARCHAR(400) NULL,
    [checked_at] DATETIME2(3) NOT NULL,
    CONSTRAINT [pk_data_quality_result] PRIMARY KEY ([batch_id], [check_name])
);
