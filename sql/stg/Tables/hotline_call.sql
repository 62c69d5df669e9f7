-- One hotline CSV row of a batch, typed and pseudonymized. Heap: staging is rewritten per batch.
CREATE TABLE [stg].[hotline_call]
(
    [batch_id] BIGINT NOT NULL,
    [source_file] NVARCHAR(400) NOT NULL,
    [source_row] BIGINT NOT NULL,
    [call_id] VARCHAR(20) NOT NULL,
    [call_ts_lima] DATETIME2(0) NOT NULL,
    [duration_sec] INT NULL,
    [caller_type] VARCHAR(20) NULL,
    [ubigeo] VARCHAR(6) NULL,
    [victim_name_pseudonym] CHAR(64) NULL,
    [victim_name_phonetic_pseudonym] CHAR(64) NULL,
    [victim_dni_pseudonym] CHAR(64) NULL,
    [victim_age] SMALLINT NULL,
    [victim_sex] CHAR(1) NULL,
    [narrative] NVARCHAR(MAX) NULL,
    [operator_category] VARCHAR(40) NULL,
    [referred_station_id] VARCHAR(20) NULL,
    [referral_ts_lima] DATETIME2(0) NULL
);
