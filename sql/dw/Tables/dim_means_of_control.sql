-- One means of control (CTDC category: debt bondage, withheld documents, threats, ...). -1 is unknown.
CREATE TABLE [dw].[dim_means_of_control]
(
    [means_of_control_key] INT NOT NULL CONSTRAINT [df_means_of_control_key] DEFAULT (NEXT VALUE FOR [dw].[seq_means_of_control_key]),
    [control_code] VARCHAR(40) NOT NULL,
    [control_name_es] NVARCHAR(80) NOT NULL,
    [ctdc_category] VARCHAR(60) NOT NULL,
    CONSTRAINT [pk_dim_means_of_control] PRIMARY KEY ([means_of_control_key]),
    CONSTRAINT [uq_dim_means_of_control_control_code] UNIQUE ([control_code])
);
