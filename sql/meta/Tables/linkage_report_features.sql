-- Grain: one police report as the last linkage run compared it (the report row's columns blocking and comparison read, a fingerprint of its victims, its normalized number): an incremental run re-blocks a report a later batch rewrote only when one of these changed, so a status update alone re-scores nothing.
CREATE TABLE [meta].[linkage_report_features]
(
    [report_number] VARCHAR(40) NOT NULL,
    [call_ref] VARCHAR(40) NULL,
    [date_key] INT NULL,
    [geography_key] INT NULL,
    [police_unit_key] INT NULL,
    [crime_type_key] INT NULL,
    [victims] VARCHAR(32) NULL,
    [normalized_number] VARCHAR(40) NULL,
    [batch_id] BIGINT NOT NULL
);
