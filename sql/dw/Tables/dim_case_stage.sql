-- One stage of a case from first contact to release, in funnel order. -1 is unknown.
CREATE TABLE [dw].[dim_case_stage]
(
    [case_stage_key] INT NOT NULL CONSTRAINT [df_case_stage_key] DEFAULT (NEXT VALUE FOR [dw].[seq_case_stage_key]),
    [stage_code] VARCHAR(30) NOT NULL,
    [stage_name_es] NVARCHAR(60) NOT NULL,
    [stage_order] SMALLINT NOT NULL,
    [agency] VARCHAR(20) NOT NULL,
    CONSTRAINT [pk_dim_case_stage] PRIMARY KEY ([case_stage_key]),
    CONSTRAINT [uq_dim_case_stage_stage_code] UNIQUE ([stage_code])
);
