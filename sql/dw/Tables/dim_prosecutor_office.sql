-- One prosecutor office (fiscalia) of the Public Ministry (SCD1). -1 is unknown.
CREATE TABLE [dw].[dim_prosecutor_office]
(
    [prosecutor_office_key] INT NOT NULL CONSTRAINT [df_prosecutor_office_key] DEFAULT (NEXT VALUE FOR [dw].[seq_prosecutor_office_key]),
    [office_code] VARCHAR(20) NOT NULL,
    [office_name] NVARCHAR(120) NOT NULL,
    [geography_key] INT NOT NULL,
    [batch_id] BIGINT NOT NULL,
    CONSTRAINT [pk_dim_prosecutor_office] PRIMARY KEY ([prosecutor_office_key]),
    CONSTRAINT [uq_dim_prosecutor_office_office_code] UNIQUE ([office_code]),
    CONSTRAINT [fk_dim_prosecutor_office_geography_key] FOREIGN KEY ([geography_key]) REFERENCES [dw].[dim_geography] ([geography_key])
);
