-- One prosecution case event (JSON line) of a batch. Heap: staging is rewritten per batch.
CREATE TABLE [stg].[prosecution_event]
(
    [batch_id] BIGINT NOT NULL,
    [source_file] NVARCHAR(400) NOT NULL,
    [source_row] BIGINT NOT NULL,
    [event_sequence] BIGINT NOT NULL,
    [case_number] VARCHAR(30) NOT NULL,
    [event_type] VARCHAR(30) NOT NULL,
    [event_date] DATE NOT NULL,
    [reported_on] DATE NULL,
    [office_code] VARCHAR(20) NULL,
    [office_ubigeo_inei] VARCHAR(6) NULL,
    [cited_report_number] VARCHAR(30) NULL,
    [charged_articles] VARCHAR(80) NULL,
    [defendant_count] INT NOT NULL,
    [sentence_outcome] VARCHAR(12) NULL,
    [sentence_years] DECIMAL(5,1) NULL
);
