-- One police report row changed since the last watermark. Heap: staging is rewritten per batch.
CREATE TABLE [stg].[police_report]
(
    [batch_id] BIGINT NOT NULL,
    [source_file] NVARCHAR(400) NOT NULL,
    [source_row] BIGINT NOT NULL,
    [report_number] VARCHAR(30) NOT NULL,
    [incident_date] DATE NULL,
    [report_date] DATE NOT NULL,
    [station_id] VARCHAR(20) NULL,
    [penal_article] VARCHAR(10) NULL,
    [modality] NVARCHAR(80) NULL,
    [source_call_id] VARCHAR(20) NULL,
    [status] VARCHAR(30) NULL,
    [source_updated_at] DATETIME2(3) NOT NULL
);
