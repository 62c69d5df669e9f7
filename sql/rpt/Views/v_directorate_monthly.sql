-- The monthly panel per PNP directorate behind 'tipw report training-effect': TIP calls (operator-flagged; the
-- referred station's directorate, else the caller's), referred TIP calls, referred TIP calls cited by a police report,
-- and TIP-related police reports filed by the directorate's stations.
CREATE VIEW [rpt].[v_directorate_monthly]
AS
SELECT
    x.directorate,
    x.year_month,
    SUM(x.tip_calls) AS tip_calls,
    SUM(x.referred_tip_calls) AS referred_tip_calls,
    SUM(x.referred_tip_calls_reported) AS referred_tip_calls_reported,
    SUM(x.tip_reports) AS tip_reports
FROM
(
    SELECT
        CASE WHEN f.referred_police_unit_key > 0 THEN pu.directorate ELSE g.pnp_directorate END AS directorate,
        d.year_month,
        f.call_count AS tip_calls,
        CASE WHEN f.referred_police_unit_key > 0 THEN f.call_count ELSE 0 END AS referred_tip_calls,
        CASE WHEN f.referred_police_unit_key > 0 AND r.source_call_id IS NOT NULL THEN f.call_count ELSE 0 END AS referred_tip_calls_reported,
        0 AS tip_reports
    FROM dw.fact_hotline_call AS f
    INNER JOIN dw.dim_date AS d ON d.date_key = f.call_date_key
    INNER JOIN dw.dim_geography AS g ON g.geography_key = f.geography_key
    LEFT JOIN dw.dim_police_unit AS pu ON pu.police_unit_key = f.referred_police_unit_key
    LEFT JOIN
    (
        SELECT source_call_id
        FROM dw.fact_police_report
        WHERE source_call_id IS NOT NULL
        GROUP BY source_call_id
    ) AS r ON r.source_call_id = f.call_id
    WHERE f.is_tip_by_operator = 1
    UNION ALL
    SELECT pu.directorate, d.year_month, 0, 0, 0, rep.report_count
    FROM dw.fact_police_report AS rep
    INNER JOIN dw.dim_police_unit AS pu ON pu.police_unit_key = rep.police_unit_key
    INNER JOIN dw.dim_date AS d ON d.date_key = rep.report_date_key
    WHERE rep.is_tip_related = 1
) AS x
GROUP BY x.directorate, x.year_month;
