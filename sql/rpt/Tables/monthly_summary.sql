-- The monthly report's figures per month, materialized from rpt.v_monthly_national and rpt.v_tip_monthly after every
-- pipeline run that changed the warehouse (and after a model is activated or calls are scored outside a pipeline), so a
-- report reads one row per month instead of joining the facts, the scores and the TIP determination. source_stamp names
-- the warehouse state the rows were computed from (last batch, active model, scored calls, days of dim_date): a report
-- uses the rows only while it still matches, and computes from the views otherwise.
CREATE TABLE [rpt].[monthly_summary]
(
    [year_month] CHAR(7) NOT NULL,
    [hotline_calls] BIGINT NOT NULL,
    [calls_tip_by_operator] BIGINT NOT NULL,
    [calls_scored] BIGINT NOT NULL,
    [calls_tip_by_model] BIGINT NOT NULL,
    [tip_police_reports] BIGINT NOT NULL,
    [tip_arrests] BIGINT NOT NULL,
    [cases_sent_to_prosecution] BIGINT NOT NULL,
    [formalizations] BIGINT NOT NULL,
    [sentences] BIGINT NOT NULL,
    [convictions] BIGINT NOT NULL,
    [op_not_tip_calls] BIGINT NOT NULL,
    [op_not_tip_sure_tip] BIGINT NOT NULL,
    [op_not_tip_sure_not] BIGINT NOT NULL,
    [op_tip_calls] BIGINT NOT NULL,
    [op_tip_sure_tip] BIGINT NOT NULL,
    [op_tip_sure_not] BIGINT NOT NULL,
    [tip_cases_sent_to_prosecution] BIGINT NOT NULL,
    [tip_cases_in_process] BIGINT NOT NULL,
    [persons_charged_pimping] BIGINT NOT NULL,
    [tip_convictions] BIGINT NOT NULL,
    [tip_definition_versions] NVARCHAR(400) NULL,
    -- The noise-corrected posterior sums of rpt.v_monthly_national (tip_share_model) and the active model's noise rates
    -- (rpt.v_model_noise_rates, the same on every row).
    [tip_posterior_by_model] FLOAT NOT NULL,
    [tip_posterior_variance] FLOAT NOT NULL,
    [tip_posterior_rate_shift] FLOAT NOT NULL,
    [tip_posterior_false_rate_shift] FLOAT NOT NULL,
    [tip_label_rate] FLOAT NULL,
    [false_tip_label_rate] FLOAT NULL,
    [tip_label_rate_sd] FLOAT NULL,
    [false_tip_label_rate_sd] FLOAT NULL,
    [source_stamp] VARCHAR(200) NOT NULL,
    CONSTRAINT [pk_monthly_summary] PRIMARY KEY ([year_month])
);
