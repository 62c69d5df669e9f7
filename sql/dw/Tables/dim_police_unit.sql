-- One version of one police station (SCD2 on directorate and TIP-database training date). -1 is unknown; inferred members are completed when the station row arrives.
CREATE TABLE [dw].[dim_police_unit]
(
    [police_unit_key] INT NOT NULL CONSTRAINT [df_police_unit_key] DEFAULT (NEXT VALUE FOR [dw].[seq_police_unit_key]),
    [station_id] VARCHAR(20) NOT NULL,
    [station_name] NVARCHAR(120) NOT NULL,
    [directorate] NVARCHAR(60) NOT NULL,
    [geography_key] INT NOT NULL,
    [tip_training_date] DATE NULL,
    [is_inferred] BIT NOT NULL,
    [valid_from] DATETIME2(0) NOT NULL,
    [valid_to] DATETIME2(0) NULL,
    [is_current] BIT NOT NULL,
    [row_hash] CHAR(64) NULL,
    [batch_id] BIGINT NOT NULL,
    CONSTRAINT [pk_dim_police_unit] PRIMARY KEY ([police_unit_key]),
    CONSTRAINT [uq_dim_police_unit_station_id_valid_from] UNIQUE ([station_id], [valid_from]),
    CONSTRAINT [fk_dim_police_unit_geography_key] FOREIGN KEY ([geography_key]) REFERENCES [dw].[dim_geography] ([geography_key])
);
