-- One district (UBIGEO) with both codings, its province, department and PNP directorate (SCD1). -1 is unknown.
-- A code is NULL when one registry does not list the district (one district each in the 2021 lists).
-- Each code is unique: SQL Server allows one NULL under a UNIQUE constraint, which is what the data has.
CREATE TABLE [dw].[dim_geography]
(
    [geography_key] INT NOT NULL CONSTRAINT [df_geography_key] DEFAULT (NEXT VALUE FOR [dw].[seq_geography_key]),
    [ubigeo_inei] CHAR(6) NULL,
    [ubigeo_reniec] CHAR(6) NULL,
    [district_name] NVARCHAR(80) NOT NULL,
    [province_code_inei] CHAR(4) NOT NULL,
    [province_name] NVARCHAR(80) NOT NULL,
    [department_code_inei] CHAR(2) NOT NULL,
    [department_name] NVARCHAR(60) NOT NULL,
    [pnp_directorate] NVARCHAR(60) NOT NULL,
    [macroregion] NVARCHAR(40) NULL,
    [latitude] DECIMAL(9,6) NULL,
    [longitude] DECIMAL(9,6) NULL,
    [poverty_rate_pct] DECIMAL(6,2) NULL,
    [extreme_poverty_rate_pct] DECIMAL(6,2) NULL,
    [human_development_index] DECIMAL(6,4) NULL,
    CONSTRAINT [pk_dim_geography] PRIMARY KEY ([geography_key]),
    CONSTRAINT [uq_dim_geography_ubigeo_inei] UNIQUE ([ubigeo_inei]),
    CONSTRAINT [uq_dim_geography_ubigeo_reniec] UNIQUE ([ubigeo_reniec])
);
