-- One version of one pseudonymized person (SCD2 on age band); no names or DNI in clear text. -1 is unknown.
CREATE TABLE [dw].[dim_person]
(
    [person_key] INT NOT NULL CONSTRAINT [df_person_key] DEFAULT (NEXT VALUE FOR [dw].[seq_person_key]),
    [person_nk] VARCHAR(80) NOT NULL,
    [dni_pseudonym] CHAR(64) NULL,
    [name_pseudonym] CHAR(64) NULL,
    [name_phonetic_pseudonym] CHAR(64) NULL,
    [age_band] VARCHAR(10) NOT NULL,
    [sex] CHAR(1) NOT NULL,
    [nationality] VARCHAR(40) NOT NULL,
    [source_system] VARCHAR(20) NOT NULL,
    [valid_from] DATETIME2(0) NOT NULL,
    [valid_to] DATETIME2(0) NULL,
    [is_current] BIT NOT NULL,
    [batch_id] BIGINT NOT NULL,
    CONSTRAINT [pk_dim_person] PRIMARY KEY ([person_key]),
    CONSTRAINT [uq_dim_person_person_nk_valid_from] UNIQUE ([person_nk], [valid_from])
);
