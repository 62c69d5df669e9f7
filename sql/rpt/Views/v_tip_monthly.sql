-- The assessment's TIP series per month, from the TIP determination (dw.tip_determination, reference/tip_definition.yaml) over
-- what each case adds (rpt.v_prosecution_case_series): TIP prosecution cases whose FIRST event falls in the month, TIP cases open at the month's end (first event on or before it,
-- no sentence or archive yet), defendants formalized in cases of the pimping series (a series of its own, TIP or not), and
-- convictions in TIP cases. Written in the SQL subset that SQL Server and DuckDB both run.
CREATE VIEW [rpt].[v_tip_monthly]
AS
SELECT
    m.year_month,
    COALESCE(s.tip_cases, 0) AS tip_cases_sent_to_prosecution,
    COALESCE(o.tip_cases, 0) AS tip_cases_in_process,
    COALESCE(s.persons, 0) AS persons_charged_pimping,
    COALESCE(s.convictions, 0) AS tip_convictions
FROM
(
    SELECT year_month, MAX(date_key) AS month_end_key
    FROM dw.dim_date
    WHERE date_key > 0
    GROUP BY year_month
) AS m
LEFT JOIN
(
    SELECT c.year_month,
           CAST(SUM(CASE WHEN t.is_tip = 1 THEN c.sent_to_prosecution ELSE 0 END) AS BIGINT) AS tip_cases,
           SUM(CASE WHEN t.is_tip = 1 THEN c.convictions ELSE 0 END) AS convictions,
           SUM(CASE WHEN t.related_series = 'pimping' THEN c.formalized_defendants ELSE 0 END) AS persons
    FROM rpt.v_prosecution_case_series AS c
    INNER JOIN dw.tip_determination AS t ON t.record_type = 'prosecution_case' AND t.record_id = c.case_number
    GROUP BY c.year_month
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
) AS o ON o.year_month = m.year_month;
