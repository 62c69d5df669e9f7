-- Grain: one person (victim or suspect) named in one police report, pointing at the person's current version; loaded by the police pipeline, read by linkage.
CREATE TABLE [dw].[bridge_report_person]
(
    [report_number] VARCHAR(30) NOT NULL,
    [person_id] VARCHAR(30) NOT NULL,
    [person_key] INT NOT NULL,
    [role] VARCHAR(20) NOT NULL,
    [age] SMALLINT NULL,
    [batch_id] BIGINT NOT NULL,
    CONSTRAINT [pk_bridge_report_person] PRIMARY KEY ([report_number], [person_id]),
    CONSTRAINT [fk_bridge_report_person_person_key] FOREIGN KEY ([person_key]) REFERENCES [dw].[dim_person] ([person_key])
);
