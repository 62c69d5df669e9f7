-- TIP-related activity per district's department and PNP directorate and month, for 'tipw report regions':
-- hotline calls (all and flagged TIP-related by operators) by the caller's district, the active model's scored calls
-- there with their confident-learning counts and noise-corrected posterior sums (as in rpt.v_monthly_national),
-- TIP-related police reports by the report's district, and TIP-related prosecution cases received by the case's
-- district. Unknown geography is kept (department 'Desconocido') so regional rows add up to the national figures.
CREATE VIEW [rpt].[v_regional_monthly]
AS
SELECT
    g.department_name,
    g.pnp_directorate,
    x.year_month,
    SUM(x.hotline_calls) AS hotline_calls,
    SUM(x.tip_calls) AS tip_calls,
    SUM(x.tip_reports) AS tip_reports,
    SUM(x.tip_cases) AS tip_cases,
    SUM(x.calls_scored) AS calls_scored,
    SUM(x.op_not_tip_calls) AS op_not_tip_calls,
    SUM(x.op_not_tip_sure_tip) AS op_not_tip_sure_tip,
    SUM(x.op_not_tip_sure_not) AS op_not_tip_sure_not,
    SUM(x.op_tip_calls) AS op_tip_calls,
    SUM(x.op_tip_sure_tip) AS op_tip_sure_tip,
    SUM(x.op_tip_sure_not) AS op_tip_sure_not,
    SUM(x.tip_posterior_by_model) AS tip_posterior_by_model,
    SUM(x.tip_posterior_variance) AS tip_posterior_variance,
    SUM(x.tip_posterior_rate_shift) AS tip_posterior_rate_shift,
    SUM(x.tip_posterior_false_rate_shift) AS tip_posterior_false_rate_shift
FROM
(
    SELECT f.geography_key, d.year_month,
           f.call_count AS hotline_calls,
           CASE WHEN f.is_tip_by_operator = 1 THEN f.call_count ELSE 0 END AS tip_calls,
           0 AS tip_reports,
           0 AS tip_cases,
           0 AS calls_scored,
           0 AS op_not_tip_calls,
           0 AS op_not_tip_sure_tip,
           0 AS op_not_tip_sure_not,
           0 AS op_tip_calls,
           0 AS op_tip_sure_tip,
           0 AS op_tip_sure_not,
           0.0 AS tip_posterior_by_model,
           0.0 AS tip_posterior_variance,
           0.0 AS tip_posterior_rate_shift,
           0.0 AS tip_posterior_false_rate_shift
    FROM dw.fact_hotline_call AS f
    INNER JOIN dw.dim_date AS d ON d.date_key = f.call_date_key
    UNION ALL
    SELECT f.geography_key, d.year_month, 0, 0, 0, 0, 1,
           CASE WHEN f.is_tip_by_operator = 0 THEN 1 ELSE 0 END,
           CASE WHEN f.is_tip_by_operator = 0 AND sc.probability >= th.tip_threshold AND 1.0 - sc.probability < th.not_tip_threshold THEN 1 ELSE 0 END,
           CASE WHEN f.is_tip_by_operator = 0 AND sc.probability < th.tip_threshold AND 1.0 - sc.probability >= th.not_tip_threshold THEN 1 ELSE 0 END,
           CASE WHEN f.is_tip_by_operator = 1 THEN 1 ELSE 0 END,
           CASE WHEN f.is_tip_by_operator = 1 AND sc.probability >= th.tip_threshold AND 1.0 - sc.probability < th.not_tip_threshold THEN 1 ELSE 0 END,
           CASE WHEN f.is_tip_by_operator = 1 AND sc.probability < th.tip_threshold AND 1.0 - sc.probability >= th.not_tip_threshold THEN 1 ELSE 0 END,
           0.0, 0.0, 0.0, 0.0
    FROM dw.fact_call_score AS sc
    INNER JOIN dw.dim_model AS mo ON mo.model_key = sc.model_key AND mo.is_active = 1
    INNER JOIN dw.fact_hotline_call AS f ON f.call_key = sc.call_key
    INNER JOIN dw.dim_date AS d ON d.date_key = f.call_date_key
    CROSS JOIN rpt.v_model_confidence_thresholds AS th
    UNION ALL
    SELECT cp.geography_key, d.year_month, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
           cp.posterior, cp.posterior * (1.0 - cp.posterior), cp.posterior_rate_shift, cp.posterior_false_rate_shift
    FROM rpt.v_model_call_posterior AS cp
    INNER JOIN dw.dim_date AS d ON d.date_key = cp.call_date_key
    UNION ALL
    SELECT r.geography_key, d.year_month, 0, 0, r.report_count, 0, 0, 0, 0, 0, 0, 0, 0, 0.0, 0.0, 0.0, 0.0
    FROM dw.fact_police_report AS r
    INNER JOIN dw.dim_date AS d ON d.date_key = r.report_date_key
    WHERE r.is_tip_related = 1
    UNION ALL
    SELECT ev.geography_key, d.year_month, 0, 0, 0, ev.event_count, 0, 0, 0, 0, 0, 0, 0, 0.0, 0.0, 0.0, 0.0
    FROM dw.fact_case_event AS ev
    INNER JOIN dw.dim_case_stage AS st ON st.case_stage_key = ev.case_stage_key
    INNER JOIN dw.dim_date AS d ON d.date_key = ev.event_date_key
    WHERE st.stage_code = 'COMPLAINT_RECEIVED' AND ev.is_tip_related = 1
) AS x
INNER JOIN dw.dim_geography AS g ON g.geography_key = x.geography_key
GROUP BY g.department_name, g.pnp_directorate, x.year_month;
