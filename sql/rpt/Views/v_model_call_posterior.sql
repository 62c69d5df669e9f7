-- Per call the active model scored: the probability that it is TIP given its calibrated probability p and its operator
-- label, correcting the label noise of rpt.v_model_noise_rates (a = TIP labels on TIP calls, b = TIP labels on other
-- calls). p estimates the chance of a TIP label, p = b + (a - b) * eta, so eta = (p - b) / (a - b), clipped to [0, 1], is
-- the chance the call is TIP; by Bayes a call filed under a TIP category is TIP with a * eta / p, one filed otherwise with
-- (1 - a) * eta / (1 - p), one without a category with eta. Their sum over a period is the prevalence estimate's count
-- (Prevalence.FromPosteriorSums); posterior_rate_shift and posterior_false_rate_shift are the same posterior with a, or
-- b, one SD higher, for the interval's parameter uncertainty. NULL posteriors without noise rates or when a <= b.
CREATE VIEW [rpt].[v_model_call_posterior]
AS
SELECT
    e.call_key,
    e.call_date_key,
    e.geography_key,
    e.is_tip_by_operator,
    e.probability,
    CASE WHEN e.is_tip_by_operator = 1 THEN CASE WHEN e.probability <= 0 THEN 0.0 ELSE e.a * e.eta / e.probability END
         WHEN e.is_tip_by_operator = 0 THEN CASE WHEN e.probability >= e.a THEN 1.0 ELSE (1.0 - e.a) * e.eta / (1.0 - e.probability) END
         ELSE e.eta END AS posterior,
    CASE WHEN e.is_tip_by_operator = 1 THEN CASE WHEN e.probability <= 0 THEN 0.0 ELSE e.a_up * e.eta_a / e.probability END
         WHEN e.is_tip_by_operator = 0 THEN CASE WHEN e.probability >= e.a_up THEN 1.0 ELSE (1.0 - e.a_up) * e.eta_a / (1.0 - e.probability) END
         ELSE e.eta_a END AS posterior_rate_shift,
    CASE WHEN e.is_tip_by_operator = 1 THEN CASE WHEN e.probability <= 0 THEN 0.0 ELSE e.a * e.eta_b / e.probability END
         WHEN e.is_tip_by_operator = 0 THEN CASE WHEN e.probability >= e.a THEN 1.0 ELSE (1.0 - e.a) * e.eta_b / (1.0 - e.probability) END
         ELSE e.eta_b END AS posterior_false_rate_shift
FROM
(
    SELECT
        r.call_key, r.call_date_key, r.geography_key, r.is_tip_by_operator, r.probability, r.a, r.a_up,
        CASE WHEN r.probability <= r.b THEN 0.0 WHEN r.probability >= r.a THEN 1.0 ELSE (r.probability - r.b) / (r.a - r.b) END AS eta,
        CASE WHEN r.probability <= r.b THEN 0.0 WHEN r.probability >= r.a_up THEN 1.0 ELSE (r.probability - r.b) / (r.a_up - r.b) END AS eta_a,
        CASE WHEN r.probability <= r.b_up THEN 0.0 WHEN r.probability >= r.a THEN 1.0 ELSE (r.probability - r.b_up) / (r.a - r.b_up) END AS eta_b
    FROM
    (
        SELECT
            sc.call_key, f.call_date_key, f.geography_key, f.is_tip_by_operator, 1.0 * sc.probability AS probability,
            CASE WHEN nr.tip_label_rate > nr.false_tip_label_rate + nr.false_tip_label_rate_sd THEN nr.tip_label_rate END AS a,
            CASE WHEN nr.tip_label_rate > nr.false_tip_label_rate + nr.false_tip_label_rate_sd THEN nr.false_tip_label_rate END AS b,
            CASE WHEN nr.tip_label_rate > nr.false_tip_label_rate + nr.false_tip_label_rate_sd
                 THEN CASE WHEN nr.tip_label_rate + nr.tip_label_rate_sd > 1.0 THEN 1.0 ELSE nr.tip_label_rate + nr.tip_label_rate_sd END END AS a_up,
            CASE WHEN nr.tip_label_rate > nr.false_tip_label_rate + nr.false_tip_label_rate_sd THEN nr.false_tip_label_rate + nr.false_tip_label_rate_sd END AS b_up
        FROM dw.fact_call_score AS sc
        INNER JOIN dw.dim_model AS mo ON mo.model_key = sc.model_key AND mo.is_active = 1
        INNER JOIN dw.fact_hotline_call AS f ON f.call_key = sc.call_key
        CROSS JOIN rpt.v_model_noise_rates AS nr
    ) AS r
) AS e;
