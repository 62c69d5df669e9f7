-- Grain: one arrested person in one police report.
CREATE TABLE [dw].[fact_arrest]
(
    [arrest_key] BIGINT NOT NULL CONSTRAINT [df_arrest_key] DEFAULT (NEXT VALUE FOR [dw].[seq_arrest_key]),
    [arrest_id] VARCHAR(30) NOT NULL,
    [report_key] BIGINT NOT NULL,
    [report_number] VARCHAR(30) NOT NULL,
    [person_key] INT NOT NULL,
    [arrest_date_key] INT NOT NULL,
    [police_unit_key] INT NOT NULL,
    [geography_key] INT NOT NULL,
    [arrest_count] INT NOT NULL,
    [source_updated_at] DATETIME2(0) NOT NULL,
    [batch_id] BIGINT NOT NULL,
    CONSTRAINT [pk_fact_arrest] PRIMARY KEY ([arrest_key]),
    CONSTRAINT [uq_fact_arrest_arrest_id] UNIQUE ([arrest_id]),
    CONSTRAINT [fk_fact_arrest_report_key] FOREIGN KEY ([report_key]) REFERENCES [dw].[fact_police_report] ([report_key]),
    CONSTRAINT [fk_fact_arrest_person_key] FOREIGN KEY ([person_key]) REFERENCES [dw].[dim_person] ([person_key]),
    CONSTRAINT [fk_fact_arrest_arrest_date_key] FOREIGN KEY ([arrest_date_key]) REFERENCES [dw].[dim_date] ([date_key]),
    CONSTRAINT [fk_fact_arrest_police_unit_key] FOREIGN KEY ([police_unit_key]) REFERENCES [dw].[dim_police_unit] ([police_unit_key]),
    CONSTRAINT [fk_fact_arrest_geography_key] FOREIGN KEY ([geography_key]) REFERENCES [dw].[dim_geography] ([geography_key])
);
