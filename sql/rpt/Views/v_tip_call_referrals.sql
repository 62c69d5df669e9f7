-- One hotline call flagged TIP-related by its operator per row, for 'tipw report referrals' and the training-effect
-- panel: the directorate responsible (the referred station's directorate, else the caller's district's), whether it
-- was referred to a police station, hours to referral, and whether a police report cites it (source_call_id).
CREATE VIEW [rpt].[v_tip_call_referrals]
AS
SELECT
    f.call_id,
    d.year_month,
    CASE WHEN f.referred_police_unit_key > 0 THEN pu.directorate ELSE g.pnp_directorate END AS directorate,
    CASE WHEN f.referred_police_unit_key > 0 THEN 1 ELSE 0 END AS is_referred,
    CAST(f.hours_to_referral AS FLOAT) AS hours_to_referral,
    CASE WHEN r.source_call_id IS NULL THEN 0 ELSE 1 END AS became_report,
    f.call_count
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
WHERE f.is_tip_by_operator = 1;
