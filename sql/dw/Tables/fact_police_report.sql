-- Grain: one police report (denuncia), as last updated at the source.
CREATE TABLE [dw].[fact_police_report]
(
    [report_key] BIGINT NOT NULL CONSTRAINT [df_report_key] DEFAULT (NEXT VALUE FOR [dw].[seq_report_key]),
    [report_number] VARCHAR(30) NOT NULL,
    [report_date_key] INT NOT NULL,
    [incident_date_key] INT NOT NULL,
    [police_unit_key] INT NOT NULL,
    [geography_key] INT NOT NULL,
    [crime_type_key] INT NOT NULL,
    [exploitation_type_key] INT NOT NULL,
    [source_call_id] VARCHAR(20) NULL,
    [modality] NVARCHAR(80) NULL,
    [status] VARCHAR(30) NOT NULL,
    [is_tip_related] BIT NOT NULL,
    [victim_count] INT NOT NULL,
    [suspect_count] INT NOT NULL,
    [report_count] INT NOT NULL,
    [source_updated_at] DATETIME2(0) NOT NULL,
    [batch_id] BIGINT NOT NULL,
    CONSTRAINT [pk_fact_police_report] PRIMARY KEY ([report_key]),
    CONSTRAINT [uq_fact_police_report_report_number] UNIQUE ([report_number]),
    CONSTRAINT [fk_fact_police_report_report_date_key] FOREIGN KEY ([report_date_key]) REFERENCES [dw].[dim_date] ([date_key]),
    CONSTRAINT [fk_fact_police_report_incident_date_key] FOREIGN KEY ([incident_date_key]) REFERENCES [dw].[dim_date] ([date_key]),
    CONSTRAINT [fk_fact_police_report_police_unit_key] FOREIGN KEY ([police_unit_key]) REFERENCES [dw].[dim_police_unit] ([police_unit_key]),
    CONSTRAINT [fk_fact_police_report_geography_key] FOREIGN KEY ([geography_key]) REFERENCES [dw].[dim_geography] ([geography_key]),
    CONSTRAINT [fk_fact_police_report_crime_type_key] FOREIGN KEY ([crime_type_key]) REFERENCES [dw].[dim_crime_type] ([crime_type_key]),
    CONSTRAINT [fk_fact_police_report_exploitation_type_key] FOREIGN KEY ([exploitation_type_key]) REFERENCES [dw].[dim_exploitation_type] ([exploitation_type_key])
);
