-- Grain: one source record (hotline call, police report, prosecution case) or one linked case, and whether it is TIP under the
-- active TIP definition (reference/tip_definition.yaml): status, the basis (article, linked records, indicators), the exploitation
-- type and the definition version that decided it. Rewritten whole by the tip_determination pipeline ('tipw rebuild tip').
CREATE TABLE [dw].[tip_determination]
(
    [record_type] VARCHAR(20) NOT NULL,
    [record_id] VARCHAR(40) NOT NULL,
    [tip_status] VARCHAR(20) NOT NULL,
    [is_tip] BIT NOT NULL,
    [tip_basis] NVARCHAR(400) NOT NULL,
    [related_series] VARCHAR(30) NULL,
    [exploitation_type_key] INT NOT NULL,
    [exploitation_basis] NVARCHAR(120) NULL,
    [tip_definition_version] VARCHAR(60) NOT NULL,
    [batch_id] BIGINT NOT NULL,
    CONSTRAINT [pk_tip_determination] PRIMARY KEY ([record_type], [record_id]),
    CONSTRAINT [fk_tip_determination_exploitation_type_key] FOREIGN KEY ([exploitation_type_key]) REFERENCES [dw].[dim_exploitation_type] ([exploitation_type_key])
);
