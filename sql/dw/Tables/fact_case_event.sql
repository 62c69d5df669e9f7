-- Grain: one event of one prosecution case (transaction fact), keyed by the source sequence number.
CREATE TABLE [dw].[fact_case_event]
(
    [case_event_key] BIGINT NOT NULL CONSTRAINT [df_case_event_key] DEFAULT (NEXT VALUE FOR [dw].[seq_case_event_key]),
    [event_sequence] BIGINT NOT NULL,
    [case_number] VARCHAR(30) NOT NULL,
    [event_date_key] INT NOT NULL,
    [reported_date_key] INT NOT NULL,
    [case_stage_key] INT NOT NULL,
    [prosecutor_office_key] INT NOT NULL,
    [geography_key] INT NOT NULL,
    [crime_type_key] INT NOT NULL,
    [is_tip_related] BIT NOT NULL,
    [cited_report_number] VARCHAR(30) NULL,
    [charged_articles] VARCHAR(80) NULL,
    [defendant_count] INT NOT NULL,
    [sentence_outcome] VARCHAR(12) NULL,
    [sentence_years] DECIMAL(5,1) NULL,
    [event_count] INT NOT NULL,
    [batch_id] BIGINT NOT NULL,
    CONSTRAINT [pk_fact_case_event] PRIMARY KEY ([case_event_key]),
    CONSTRAINT [uq_fact_case_event_event_sequence] UNIQUE ([event_sequence]),
    CONSTRAINT [fk_fact_case_event_event_date_key] FOREIGN KEY ([event_date_key]) REFERENCES [dw].[dim_date] ([date_key]),
    CONSTRAINT [fk_fact_case_event_reported_date_key] FOREIGN KEY ([reported_date_key]) REFERENCES [dw].[dim_date] ([date_key]),
    CONSTRAINT [fk_fact_case_event_case_stage_key] FOREIGN KEY ([case_stage_key]) REFERENCES [dw].[dim_case_stage] ([case_stage_key]),
    CONSTRAINT [fk_fact_case_event_prosecutor_office_key] FOREIGN KEY ([prosecutor_office_key]) REFERENCES [dw].[dim_prosecutor_office] ([prosecutor_office_key]),
    CONSTRAINT [fk_fact_case_event_geography_key] FOREIGN KEY ([geography_key]) REFERENCES [dw].[dim_geography] ([geography_key]),
    CONSTRAINT [fk_fact_case_event_crime_type_key] FOREIGN KEY ([crime_type_key]) REFERENCES [dw].[dim_crime_type] ([crime_type_key])
);
