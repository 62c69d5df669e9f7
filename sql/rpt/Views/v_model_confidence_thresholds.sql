-- The active model's confident-learning thresholds (one row): the mean calibrated probability of its scored calls that
-- operators filed under a TIP category, and the mean of 1 - p of those filed under another category. A call is
-- confidently TIP when p reaches the first and 1 - p not the second, confidently not TIP when 1 - p reaches the second and
-- p not the first (rpt.v_monthly_national, rpt.v_regional_monthly): a call that reaches both (only possible for a model
-- that does not separate the labels) is confident of neither. NULL thresholds (no active model, no labelled scored call)
-- make every call unconfident.
CREATE VIEW [rpt].[v_model_confidence_thresholds]
AS
SELECT
    AVG(CASE WHEN f.is_tip_by_operator = 1 THEN sc.probability END) AS tip_threshold,
    AVG(CASE WHEN f.is_tip_by_operator = 0 THEN 1.0 - sc.probability END) AS not_tip_threshold
FROM dw.fact_call_score AS sc
INNER JOIN dw.dim_model AS mo ON mo.model_key = sc.model_key AND mo.is_active = 1
INNER JOIN dw.fact_hotline_call AS f ON f.call_key = sc.call_key;
