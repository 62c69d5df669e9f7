-- One supervisor decision on a model-flagged hotline call (confirm: TIP-related, reject: not), with who and when; the next model training uses the latest decision per call as its label.
CREATE TABLE [meta].[call_label_decision]
(
    [decision_id] BIGINT NOT NULL,
    -- the hotline call id (id_llamada), as in dw.fact_hotline_call
    [call_id] VARCHAR(40) NOT NULL,
    -- confirm or reject
    [decision] VARCHAR(10) NOT NULL,
    [decided_by] VARCHAR(40) NOT NULL,
    [decided_at] DATETIME2(3) NOT NULL,
    -- the active model whose flag was reviewed, and its probability for the call then
    [model_name] VARCHAR(80) NULL,
    [probability_at_decision] FLOAT NULL,
    CONSTRAINT [pk_call_label_decision] PRIMARY KEY ([decision_id])
);
