-- The case funnel over every linked case: how many cases reached each stage, in funnel order, and the share of
-- the previous stage that converted. Windowed versions are computed by 'tipw report funnel' from fact_case_lifecycle.
CREATE VIEW [rpt].[v_case_funnel]
AS
SELECT s.stage_order, s.stage_code, s.cases,
       CASE WHEN p.cases IS NULL OR p.cases = 0 THEN NULL ELSE CAST(s.cases AS FLOAT) / p.cases END AS conversion_from_previous
FROM
(
    SELECT 1 AS stage_order, 'HOTLINE_CALL' AS stage_code, SUM(CASE WHEN first_call_date_key > 0 THEN 1 ELSE 0 END) AS cases FROM dw.fact_case_lifecycle
    UNION ALL SELECT 2, 'POLICE_REPORT', SUM(CASE WHEN police_report_date_key > 0 THEN 1 ELSE 0 END) FROM dw.fact_case_lifecycle
    UNION ALL SELECT 3, 'PROSECUTION', SUM(CASE WHEN prosecution_opened_date_key > 0 THEN 1 ELSE 0 END) FROM dw.fact_case_lifecycle
    UNION ALL SELECT 4, 'FORMALIZATION', SUM(CASE WHEN formalization_date_key > 0 THEN 1 ELSE 0 END) FROM dw.fact_case_lifecycle
    UNION ALL SELECT 5, 'TRIAL', SUM(CASE WHEN trial_date_key > 0 THEN 1 ELSE 0 END) FROM dw.fact_case_lifecycle
    UNION ALL SELECT 6, 'CONVICTION', SUM(CASE WHEN sentence_date_key > 0 AND outcome = 'CONDENA' THEN 1 ELSE 0 END) FROM dw.fact_case_lifecycle
    UNION ALL SELECT 7, 'PRISON', SUM(CASE WHEN prison_entry_date_key > 0 THEN 1 ELSE 0 END) FROM dw.fact_case_lifecycle
) AS s
LEFT JOIN
(
    SELECT 2 AS next_order, SUM(CASE WHEN first_call_date_key > 0 THEN 1 ELSE 0 END) AS cases FROM dw.fact_case_lifecycle
    UNION ALL SELECT 3, SUM(CASE WHEN police_report_date_key > 0 THEN 1 ELSE 0 END) FROM dw.fact_case_lifecycle
    UNION ALL SELECT 4, SUM(CASE WHEN prosecution_opened_date_key > 0 THEN 1 ELSE 0 END) FROM dw.fact_case_lifecycle
    UNION ALL SELECT 5, SUM(CASE WHEN formalization_date_key > 0 THEN 1 ELSE 0 END) FROM dw.fact_case_lifecycle
    UNION ALL SELECT 6, SUM(CASE WHEN trial_date_key > 0 THEN 1 ELSE 0 END) FROM dw.fact_case_lifecycle
    UNION ALL SELECT 7, SUM(CASE WHEN sentence_date_key > 0 AND outcome = 'CONDENA' THEN 1 ELSE 0 END) FROM dw.fact_case_lifecycle
) AS p ON p.next_order = s.stage_order;
