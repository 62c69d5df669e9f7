-- Monthly nationwide statistics for the MSC: hotline calls, calls flagged TIP-related (by operators and by
-- the active model, with its confident-learning counts and the sums of its noise-corrected posteriors), police TIP-related reports, arrests and the prosecution funnel, one row per month.
-- Written in the SQL subset that SQL Server and DuckDB both run (no TOP/LIMIT, no engine-specific functions).
CREATE VIEW [rpt].[v_monthly_national]
AS
SELECT
    m.year_month,
    m.year,
    m.month,
    m.month_name_es,
    COALESCE(c.hotline_calls, 0) AS hotline_calls,
    COALESCE(c.calls_tip_by_operator, 0) AS calls_tip_by_operator,
    COALESCE(s.calls_tip_by_model, 0) AS calls_tip_by_model,
    COALESCE(s.calls_scored, 0) AS calls_scored,
    COALESCE(s.tip_expected_by_model, 0) AS tip_expected_by_model,
    COALESCE(s.tip_variance_by_model, 0) AS tip_variance_by_model,
    s.model_prevalence_sd AS model_prevalence_sd,
    COALESCE(s.op_not_tip_calls, 0) AS op_not_tip_calls,
    COALESCE(s.op_not_tip_sure_tip, 0) AS op_not_tip_sure_tip,
    COALESCE(s.op_not_tip_sure_not, 0) AS op_not_tip_sure_not,
    COALESCE(s.op_tip_calls, 0) AS op_tip_calls,
    COALESCE(s.op_tip_sure_tip, 0) AS op_tip_sure_tip,
    COALESCE(s.op_tip_sure_not, 0) AS op_tip_sure_not,
    COALESCE(q.tip_posterior_by_model, 0) AS tip_posterior_by_model,
    COALESCE(q.tip_posterior_variance, 0) AS tip_posterior_variance,
    COALESCE(q.tip_posterior_rate_shift, 0) AS tip_posterior_rate_shift,
    COALESCE(q.tip_posterior_false_rate_shift, 0) AS tip_posterior_false_rate_shift,
    COALESCE(p.tip_police_reports, 0) AS tip_police_reports,
    COALESCE(p.police_reports, 0) AS police_reports,
    COALESCE(a.tip_arrests, 0) AS tip_arrests,
    COALESCE(e.cases_received, 0) AS cases_sent_to_prosecution,
    COALESCE(e.formalizations, 0) AS formalizations,
    COALESCE(e.sentences, 0) AS sentences,
    COALESCE(e.convictions, 0) AS convictions
FROM
(
    SELECT year_month, MIN(year) AS year, MIN(month) AS month, MIN(month_name_es) AS month_name_es
    FROM dw.dim_date
    WHERE date_key > 0
    GROUP BY year_month
) AS m
LEFT JOIN
(
    SELECT d.year_month,
           SUM(f.call_count) AS hotline_calls,
           SUM(CASE WHEN f.is_tip_by_operator = 1 THEN f.call_count ELSE 0 END) AS calls_tip_by_operator
    FROM dw.fact_hotline_call AS f
    INNER JOIN dw.dim_date AS d ON d.date_key = f.call_date_key
    GROUP BY d.year_month
) AS c ON c.year_month = m.year_month
LEFT JOIN
(
    SELECT d.year_month,
           COUNT(*) AS calls_scored,
           SUM(CASE WHEN sc.is_flagged = 1 THEN 1 ELSE 0 END) AS calls_tip_by_model,
           -- Prevalence from calibrated probabilities: their sum is the expected number of TIP calls, the sum of p(1 - p)
           -- its Bernoulli variance (the monthly report adds the model's calibration variance).
           SUM(sc.probability) AS tip_expected_by_model,
           SUM(sc.probability * (1.0 - sc.probability)) AS tip_variance_by_model,
           MAX(mo.prevalence_sd) AS model_prevalence_sd,
           -- Confident learning (the monthly report's tip_share_model): per operator label, its calls and how many of them
           -- the model is confident are TIP or not TIP (thresholds and rule: rpt.v_model_confidence_thresholds).
           SUM(CASE WHEN f.is_tip_by_operator = 0 THEN 1 ELSE 0 END) AS op_not_tip_calls,
           SUM(CASE WHEN f.is_tip_by_operator = 0 AND sc.probability >= th.tip_threshold AND 1.0 - sc.probability < th.not_tip_threshold THEN 1 ELSE 0 END) AS op_not_tip_sure_tip,
           SUM(CASE WHEN f.is_tip_by_operator = 0 AND sc.probability < th.tip_threshold AND 1.0 - sc.probability >= th.not_tip_threshold THEN 1 ELSE 0 END) AS op_not_tip_sure_not,
           SUM(CASE WHEN f.is_tip_by_operator = 1 THEN 1 ELSE 0 END) AS op_tip_calls,
           SUM(CASE WHEN f.is_tip_by_operator = 1 AND sc.probability >= th.tip_threshold AND 1.0 - sc.probability < th.not_tip_threshold THEN 1 ELSE 0 END) AS op_tip_sure_tip,
           SUM(CASE WHEN f.is_tip_by_operator = 1 AND sc.probability < th.tip_threshold AND 1.0 - sc.probability >= th.not_tip_threshold THEN 1 ELSE 0 END) AS op_tip_sure_not
    FROM dw.fact_call_score AS sc
    INNER JOIN dw.dim_model AS mo ON mo.model_key = sc.model_key AND mo.is_active = 1
    INNER JOIN dw.fact_hotline_call AS f ON f.call_key = sc.call_key
    INNER JOIN dw.dim_date AS d ON d.date_key = f.call_date_key
    CROSS JOIN rpt.v_model_confidence_thresholds AS th
    GROUP BY d.year_month
) AS s ON s.year_month = m.year_month
LEFT JOIN
(
    -- The prevalence estimate (the monthly report's tip_share_model): the sum of the noise-corrected posteriors of
    -- rpt.v_model_call_posterior, their Bernoulli variance, and the sums with a noise rate one SD higher.
    SELECT d.year_month,
           SUM(cp.posterior) AS tip_posterior_by_model,
           SUM(cp.posterior * (1.0 - cp.posterior)) AS tip_posterior_variance,
           SUM(cp.posterior_rate_shift) AS tip_posterior_rate_shift,
           SUM(cp.posterior_false_rate_shift) AS tip_posterior_false_rate_shift
    FROM rpt.v_model_call_posterior AS cp
    INNER JOIN dw.dim_date AS d ON d.date_key = cp.call_date_key
    GROUP BY d.year_month
) AS q ON q.year_month = m.year_month
LEFT JOIN
(
    SELECT d.year_month,
           SUM(r.report_count) AS police_reports,
           SUM(CASE WHEN r.is_tip_related = 1 THEN r.report_count ELSE 0 END) AS tip_police_reports
    FROM dw.fact_police_report AS r
    INNER JOIN dw.dim_date AS d ON d.date_key = r.report_date_key
    GROUP BY d.year_month
) AS p ON p.year_month = m.year_month
LEFT JOIN
(
    SELECT d.year_month, SUM(ar.arrest_count) AS tip_arrests
    FROM dw.fact_arrest AS ar
    INNER JOIN dw.fact_police_report AS r ON r.report_key = ar.report_key
    INNER JOIN dw.dim_date AS d ON d.date_key = ar.arrest_date_key
    WHERE r.is_tip_related = 1
    GROUP BY d.year_month
) AS a ON a.year_month = m.year_month
LEFT JOIN
(
    SELECT d.year_month,
           SUM(CASE WHEN st.stage_code = 'COMPLAINT_RECEIVED' THEN ev.event_count ELSE 0 END) AS cases_received,
           SUM(CASE WHEN st.stage_code = 'FORMALIZATION' THEN ev.event_count ELSE 0 END) AS formalizations,
           SUM(CASE WHEN st.stage_code = 'SENTENCE' THEN ev.event_count ELSE 0 END) AS sentences,
           SUM(CASE WHEN st.stage_code = 'SENTENCE' AND ev.sentence_outcome = 'CONDENA' THEN ev.event_count ELSE 0 END) AS convictions
    FROM dw.fact_case_event AS ev
    INNER JOIN dw.dim_case_stage AS st ON st.case_stage_key = ev.case_stage_key
    INNER JOIN dw.dim_date AS d ON d.date_key = ev.event_date_key
    WHERE ev.is_tip_related = 1
    GROUP BY d.year_month
) AS e ON e.year_month = m.year_month;
