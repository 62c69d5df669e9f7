-- One trained version of the TIP call classifier, with its test metrics. -1 is unknown (no model).
CREATE TABLE [dw].[dim_model]
(
    [model_key] INT NOT NULL CONSTRAINT [df_model_key] DEFAULT (NEXT VALUE FOR [dw].[seq_model_key]),
    [model_name] VARCHAR(80) NOT NULL,
    [trainer] VARCHAR(20) NOT NULL,
    [trained_at] DATETIME2(0) NOT NULL,
    [train_from] DATE NULL,
    [train_to] DATE NULL,
    [test_from] DATE NULL,
    [test_to] DATE NULL,
    [threshold] FLOAT NOT NULL,
    [auc] FLOAT NULL,
    [pr_auc] FLOAT NULL,
    [precision] FLOAT NULL,
    [recall] FLOAT NULL,
    [f1] FLOAT NULL,
    [is_active] BIT NOT NULL,
    [artifact_path] NVARCHAR(400) NULL,
    [label_source] NVARCHAR(200) NULL,
    -- Calibration SD of a monthly prevalence estimate (added to the Bernoulli variance of the calls' probabilities).
    [prevalence_sd] FLOAT NULL,
    [recall_target] FLOAT NULL,
    [precision_floor] FLOAT NULL,
    CONSTRAINT [pk_dim_model] PRIMARY KEY ([model_key]),
    CONSTRAINT [uq_dim_model_model_name] UNIQUE ([model_name])
);
