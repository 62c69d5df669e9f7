-- Grain: one hotline call scored by one model version. Scores of earlier models are kept.
CREATE TABLE [dw].[fact_call_score]
(
    [call_key] BIGINT NOT NULL,
    [model_key] INT NOT NULL,
    [score_date_key] INT NOT NULL,
    [probability] FLOAT NOT NULL,
    [is_flagged] BIT NOT NULL,
    [scored_at] DATETIME2(0) NOT NULL,
    [batch_id] BIGINT NOT NULL,
    CONSTRAINT [pk_fact_call_score] PRIMARY KEY ([call_key], [model_key]),
    CONSTRAINT [fk_fact_call_score_call_key] FOREIGN KEY ([call_key]) REFERENCES [dw].[fact_hotline_call] ([call_key]),
    CONSTRAINT [fk_fact_call_score_model_key] FOREIGN KEY ([model_key]) REFERENCES [dw].[dim_model] ([model_key]),
    CONSTRAINT [fk_fact_call_score_score_date_key] FOREIGN KEY ([score_date_key]) REFERENCES [dw].[dim_date] ([date_key])
);
