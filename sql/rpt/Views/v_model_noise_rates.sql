-- The active model's estimate of the operators' label noise (one row), for the noise-corrected posterior of
-- rpt.v_model_call_posterior: among the labelled scored calls the model is confidently TIP about (the confident-learning
-- rule of rpt.v_model_confidence_thresholds), the share operators filed under a TIP category estimates their rate of
-- TIP labels on TIP calls (tip_label_rate, a); among those it is confidently not TIP about, the same share estimates
-- their rate of TIP labels on other calls (false_tip_label_rate, b). Under class-conditional noise (an operator's error
-- depends on whether the call is TIP, not on its wording) these rates are the same on any subset chosen by the narrative,
-- so the confident sets measure them without the bias of assuming that a label's ambiguous calls split like its confident
-- ones. The binomial SDs of the two rates go into the estimate's interval. NULL without confident calls of both kinds.
CREATE VIEW [rpt].[v_model_noise_rates]
AS
SELECT
    c.confident_tip_calls,
    c.confident_tip_labelled_tip,
    c.confident_not_calls,
    c.confident_not_labelled_tip,
    1.0 * c.confident_tip_labelled_tip / NULLIF(c.confident_tip_calls, 0) AS tip_label_rate,
    1.0 * c.confident_not_labelled_tip / NULLIF(c.confident_not_calls, 0) AS false_tip_label_rate,
    SQRT((1.0 * c.confident_tip_labelled_tip / NULLIF(c.confident_tip_calls, 0))
         * (1.0 - (1.0 * c.confident_tip_labelled_tip / NULLIF(c.confident_tip_calls, 0))) / NULLIF(c.confident_tip_calls, 0)) AS tip_label_rate_sd,
    SQRT((1.0 * c.confident_not_labelled_tip / NULLIF(c.confident_not_calls, 0))
         * (1.0 - (1.0 * c.confident_not_labelled_tip / NULLIF(c.confident_not_calls, 0))) / NULLIF(c.confident_not_calls, 0)) AS false_tip_label_rate_sd
FROM
(
    SELECT
        SUM(CASE WHEN sc.probability >= th.tip_threshold AND 1.0 - sc.probability < th.not_tip_threshold THEN 1 ELSE 0 END) AS confident_tip_calls,
        SUM(CASE WHEN sc.probability >= th.tip_threshold AND 1.0 - sc.probability < th.not_tip_threshold AND f.is_tip_by_operator = 1 THEN 1 ELSE 0 END) AS confident_tip_labelled_tip,
        SUM(CASE WHEN sc.probability < th.tip_threshold AND 1.0 - sc.probability >= th.not_tip_threshold THEN 1 ELSE 0 END) AS confident_not_calls,
        SUM(CASE WHEN sc.probability < th.tip_threshold AND 1.0 - sc.probability >= th.not_tip_threshold AND f.is_tip_by_operator = 1 THEN 1 ELSE 0 END) AS confident_not_labelled_tip
    FROM dw.fact_call_score AS sc
    INNER JOIN dw.dim_model AS mo ON mo.model_key = sc.model_key AND mo.is_active = 1
    INNER JOIN dw.fact_hotline_call AS f ON f.call_key = sc.call_key
    CROSS JOIN rpt.v_model_confidence_thresholds AS th
    WHERE f.is_tip_by_operator IS NOT NULL
) AS c;
