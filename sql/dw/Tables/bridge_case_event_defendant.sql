-- Grain: one defendant named in one prosecution case event; loaded by the prosecution pipeline, read by linkage.
CREATE TABLE [dw].[bridge_case_event_defendant]
(
    [event_sequence] BIGINT NOT NULL,
    [defendant_index] INT NOT NULL,
    [person_key] INT NOT NULL,
    [age] SMALLINT NULL,
    [batch_id] BIGINT NOT NULL,
    CONSTRAINT [pk_bridge_case_event_defendant] PRIMARY KEY ([event_sequence], [defendant_index]),
    CONSTRAINT [fk_bridge_case_event_defendant_person_key] FOREIGN KEY ([person_key]) REFERENCES [dw].[dim_person] ([person_key])
);
