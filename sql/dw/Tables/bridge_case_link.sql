-- Grain: one link between records of two agencies, with the method and score that made it, and the case it belongs to.
CREATE TABLE [dw].[bridge_case_link]
(
    [link_key] BIGINT NOT NULL CONSTRAINT [df_link_key] DEFAULT (NEXT VALUE FOR [dw].[seq_link_key]),
    [case_id] VARCHAR(40) NOT NULL,
    [link_type] VARCHAR(30) NOT NULL,
    [left_record_id] VARCHAR(40) NOT NULL,
    [right_record_id] VARCHAR(40) NOT NULL,
    [method] VARCHAR(30) NOT NULL,
    [score] FLOAT NULL,
    [status] VARCHAR(12) NOT NULL,
    [decided_by] VARCHAR(40) NULL,
    [link_date_key] INT NOT NULL,
    [batch_id] BIGINT NOT NULL,
    CONSTRAINT [pk_bridge_case_link] PRIMARY KEY ([link_key]),
    CONSTRAINT [uq_bridge_case_link_link_type_left_record_id_right_record_id] UNIQUE ([link_type], [left_record_id], [right_record_id]),
    CONSTRAINT [fk_bridge_case_link_link_date_key] FOREIGN KEY ([link_date_key]) REFERENCES [dw].[dim_date] ([date_key])
);
