-- What each prosecution case adds to the assessment's series, per month, whatever its TIP decision: 1 in the month of its FIRST
-- event (sent to prosecution), its convictions (sentence events with outcome CONDENA) and its defendants formalized. rpt.v_tip_monthly
-- counts these over the cases the TIP determination decides TIP (the pimping series over the cases of that series), and
-- 'tipw evaluate tip --series' counts the same rows over the cases the simulator's truth says are TIP, so both use one definition.
-- Written in the SQL subset that SQL Server and DuckDB both run.
CREATE VIEW [rpt].[v_prosecution_case_series]
AS
SELECT
    x.case_number,
    d.year_month,
    SUM(x.sent) AS sent_to_prosecution,
    SUM(x.convictions) AS convictions,
    SUM(x.formalized_defendants) AS formalized_defendants
FROM
(
    SELECT e.case_number, MIN(e.event_date_key) AS date_key, 1 AS sent, 0 AS convictions, 0 AS formalized_defendants
    FROM dw.fact_case_event AS e
    WHERE e.event_date_key > 0
    GROUP BY e.case_number
    UNION ALL
    SELECT e.case_number, e.event_date_key, 0, e.event_count, 0
    FROM dw.fact_case_event AS e
    INNER JOIN dw.dim_case_stage AS st ON st.case_stage_key = e.case_stage_key AND st.stage_code = 'SENTENCE'
    WHERE e.sentence_outcome = 'CONDENA'
    UNION ALL
    SELECT e.case_number, e.event_date_key, 0, 0, e.defendant_count
    FROM dw.fact_case_event AS e
    INNER JOIN dw.dim_case_stage AS st ON st.case_stage_key = e.case_stage_key AND st.stage_code = 'FORMALIZATION'
) AS x
INNER JOIN dw.dim_date AS d ON d.date_key = x.date_key
GROUP BY x.case_number, d.year_month;
