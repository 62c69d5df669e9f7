-- One police station row changed since the last watermark. Heap: staging is rewritten per batch.
CREATE TABLE [stg].[police_station]
(
    [batch_id] BIGINT NOT NULL,
    [source_file] NVARCHAR(400) NOT NULL,
    [source_row] BIGINT NOT NULL,
    [station_id] VARCHAR(20) NOT NULL,
    [station_name] NVARCHAR(120) NULL,
    [directorate] NVARCHAR(60) NULL,
    [ubigeo_inei] VARCHAR(6) NULL,
    [tip_training_date] DATE NULL,
    [source_updated_at] DATETIME2(3) NOT NULL
);
