-- One arrest row changed since the last watermark. Heap: staging is rewritten per batch.
CREATE TABLE [stg].[police_arrest]
(
    [batch_id] BIGINT NOT NULL,
    [source_file] NVARCHAR(400) NOT NULL,
    [source_row] BIGINT NOT NULL,
    [arrest_id] VARCHAR(30) NOT NULL,
    [report_number] VARCHAR(30) NOT NULL,
    [person_id] VARCHAR(30) NULL,
    [arrest_date] DATE NOT NULL,
    [source_updated_at] DATETIME2(3) NOT NULL
);
