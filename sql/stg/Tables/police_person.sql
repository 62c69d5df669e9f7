-- One person (victim or suspect) of a police report, pseudonymized. Heap: staging is rewritten per batch.
CREATE TABLE [stg].[police_person]
(
    [batch_id] BIGINT NOT NULL,
    [source_file] NVARCHAR(400) NOT NULL,
    [source_row] BIGINT NOT NULL,
    [person_id] VARCHAR(30) NOT NULL,
    [report_number] VARCHAR(30) NOT NULL,
    [role] VARCHAR(20) NOT NULL,
    [name_pseudonym] CHAR(64) NULL,
    [name_phonetic_pseudonym] CHAR(64) NULL,
    [dni_pseudonym] CHAR(64) NULL,
    [age] SMALLINT NULL,
    [sex] CHAR(1) NULL,
    [nationality] VARCHAR(40) NULL,
    [source_updated_at] DATETIME2(3) NOT NULL
);
