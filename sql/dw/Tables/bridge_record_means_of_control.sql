-- Grain: one CTDC means of control found in one record (hotline call narrative, or a police report / prosecution case through its
-- linked calls), under one TIP definition version; rewritten with dw.tip_determination.
CREATE TABLE [dw].[bridge_record_means_of_control]
(
    [record_type] VARCHAR(20) NOT NULL,
    [record_id] VARCHAR(40) NOT NULL,
    [means_of_control_key] INT NOT NULL,
    [tip_definition_version] VARCHAR(60) NOT NULL,
    [batch_id] BIGINT NOT NULL,
    CONSTRAINT [pk_bridge_record_means_of_control] PRIMARY KEY ([record_type], [record_id], [means_of_control_key]),
    CONSTRAINT [fk_bridge_record_means_of_control_means_of_control_key] FOREIGN KEY ([means_of_control_key]) REFERENCES [dw].[dim_means_of_control] ([means_of_control_key])
);
