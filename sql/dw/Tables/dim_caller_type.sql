-- Who called the hotline (victim, relative, witness, anonymous, institution). -1 is unknown.
CREATE TABLE [dw].[dim_caller_type]
(
    [caller_type_key] INT NOT NULL CONSTRAINT [df_caller_type_key] DEFAULT (NEXT VALUE FOR [dw].[seq_caller_type_key]),
    [caller_type_code] VARCHAR(20) NOT NULL,
    [caller_type_name_es] NVARCHAR(60) NOT NULL,
    CONSTRAINT [pk_dim_caller_type] PRIMARY KEY ([caller_type_key]),
    CONSTRAINT [uq_dim_caller_type_caller_type_code] UNIQUE ([caller_type_code])
);
