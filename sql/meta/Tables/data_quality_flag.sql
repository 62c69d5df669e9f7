-- One loaded row that conformance could not fully resolve (unknown code mapped to the unknown member, inferred member, ...).
CREATE TABLE [meta].[data_quality_flag]
(
    [batch_id] BIGINT NOT NULL,
    [pipeline] VARCHAR(60) NOT NULL,
    [table_name] VARCHAR(80) NOT NULL,
    [natural_key] VARCHAR(60) NOT NULL,
    [flag] VARCHAR(40) NOT NULL,
    [source_value] NVARCHAR(200) NULL,
    [detail] NVARCHAR(400) NULL,
    CONSTRAINT [pk_data_quality_flag] PRIMARY KEY ([batch_id], [table_name], [natural_key], [flag])
);
