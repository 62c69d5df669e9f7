-- The assessment's TIP series per month, from the TIP determination (dw.tip_determination, reference/tip_definition.yaml):
-- TIP prosecution cases whose FIRST event falls in the month, TIP cases open at the month's end (first event on or before it,
-- no sentence or archive yet), defendants formalized in cases of the pimping series (a series of its own, TIP or not), and
-- convictions in TIP cases. Written in the SQL subset that SQL Server and DuckDB both run.
CREATE VIEW [rpt].[v_tip_monthly]
AS
SELECT
    m.year_month,
    COALESCE(s.tip_cases, 0) AS tip_cases_sent_to_prosecution,
    COALESCE(o.tip_cases, 0) AS tip_cases_in_process,
    COALESCE(p.persons, 0) AS persons_charged_pimping,
    COALESCE(c.convictions, 0) AS tip_convictions
FROM
(
    SELECT year_month, MAX(date_key) AS month_end_key
    FROM dw.dim_date
    WHERE date_key > 0
    GROUP BY year_month
) AS m
LEFT JOIN
(
    SELECT d.year_month, COUNT(*) AS tip_cases
    FROM
    (
        SELECT e.case_number, MIN(e.event_date_key) AS first_key
        FROM dw.fact_case_event AS e
        INNER JOIN dw.tip_determination AS t ON t.record_type = 'prosecution_case' AND t.record_id = e.case_number AND t.is_tip = 1
        WHERE e.event_date_key > 0
        GROUP BY e.case_number
    ) AS f
    INNER JOIN dw.dim_date AS d ON d.date_key = f.first_key
    GROUP BY d.year_month
) AS s ON s.year_month = m.year_month
LEFT JOIN
(
    SELECT mm.year_month, COUNT(*) AS tip_cases
    FROM
    (
        SELECT year_month, MAX(date_key) AS month_end_key
        FROM dw.dim_date
        WHERE date_key > 0
        GROUP BY year_month
    ) AS mm
    INNER JOIN
    (
        SELECT e.case_number,
               MIN(e.event_date_key) AS first_key,
               MIN(CASE WHEN st.stage_code IN ('SENTENCE', 'ARCHIVED') THEN e.event_date_key END) AS closed_key
        FROM dw.fact_case_event AS e
        INNER JOIN dw.dim_case_stage AS st ON st.case_stage_key = e.case_stage_key
        INNER JOIN dw.tip_determination AS t ON t.record_type = 'prosecution_case' AND t.record_id = e.case_number AND t.is_tip = 1
        WHERE e.event_date_key > 0
        GROUP BY e.case_number
    ) AS k ON k.first_key <= mm.month_end_key AND (k.closed_key IS NULL OR k.closed_key > mm.month_end_key)
    GROUP BY mm.year_month
) AS o ON o.year_month = m.year_month
LEFT JOIN
(
    SELECT d.year_month, SUM(e.defendant_count) AS persons
    FROM dw.fact_case_event AS e
    INNER JOIN dw.dim_case_stage AS st ON st.case_stage_key = e.case_stage_key AND st.stage_code = 'FORMALIZATION'
    INNER JOIN dw.tip_determination AS t ON t.record_type = 'prosecution_case' AND t.record_id = e.case_number AND t.related_series = 'pimping'
    INNER JOIN dw.dim_date AS d ON d.date_key = e.event_date_key
    GROUP BY d.year_month
) AS p ON p.year_month = m.year_month
LEFT JOIN
(
    SELECT d.year_month, SUM(e.event_count) AS convictions
    FROM dw.fact_case_event AS e
    INNER JOIN dw.dim_case_stage AS st ON st.case_stage_key = e.case_stage_key AND st.stage_code = 'SENTENCE'
    INNER JOIN dw.tip_determination AS t ON t.record_type = 'prosecution_case' AND t.record_id = e.case_number AND t.is_tip = 1
    INNER JOIN dw.dim_date AS d ON d.date_key = e.event_date_key
    WHERE e.sentence_outcome = 'CONDENA'
    GROUP BY d.year_month
) AS c ON c.year_month = m.year_month;
