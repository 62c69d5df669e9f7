-- One defendant named in a prosecution event, pseudonymized. Heap: staging is rewritten per batch.
CREATE TABLE [stg].[prosecution_defendant]
(
    [batch_id] BIGINT NOT NULL,
    [source_file] NVARCHAR(400) NOT NULL,
    [source_row] BIGINT NOT NULL,
    [event_sequence] BIGINT NOT NULL,
    [defendant_index] INT NOT NULL,
    [name_pseudonym] CHAR(64) NULL,
    [name_phonetic_pseudonym] CHAR(64) NULL,
    [dni_pseudonym] CHAR(64) NULL,
    [age] SMALLINT NULL,
    [sex] CHAR(1) NULL
);
