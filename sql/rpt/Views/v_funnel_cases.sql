-- One linked case per row, for the windowed case funnel ('tipw report funnel'): the month the case entered the
-- warehouse (its first contact: hotline call, else police report, else prosecution) and the date key of each funnel
-- stage (-1 until reached). Medians of days between stages are computed from these rows in C#, because a median is
-- not in the SQL subset that SQL Server and DuckDB both run. A case with none of those three dates has no entry month
-- and is left out.
CREATE VIEW [rpt].[v_funnel_cases]
AS
SELECT
    l.case_id,
    d.year_month AS entry_year_month,
    l.is_tip_related,
    l.first_call_date_key AS call_date_key,
    l.police_report_date_key AS report_date_key,
    l.prosecution_opened_date_key AS prosecution_date_key,
    l.formalization_date_key AS charge_date_key,
    l.trial_date_key,
    CASE WHEN l.outcome = 'CONDENA' OR l.outcome = 'CONVICTED' OR l.outcome = 'CONVICTION' THEN l.sentence_date_key ELSE -1 END AS conviction_date_key,
    l.prison_entry_date_key AS prison_date_key,
    l.outcome
FROM dw.fact_case_lifecycle AS l
INNER JOIN dw.dim_date AS d
    ON d.date_key = CASE
        WHEN l.first_call_date_key > 0 THEN l.first_call_date_key
        WHEN l.police_report_date_key > 0 THEN l.police_report_date_key
        WHEN l.prosecution_opened_date_key > 0 THEN l.prosecution_opened_date_key
        ELSE -1
    END
WHERE d.date_key > 0;
