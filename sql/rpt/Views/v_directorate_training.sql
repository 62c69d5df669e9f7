-- When each PNP directorate was trained on the TIP database: the earliest training date among its stations' current
-- versions (NULL while not yet trained), and how many of its stations are trained. Used by the training-effect report.
CREATE VIEW [rpt].[v_directorate_training]
AS
SELECT
    directorate,
    MIN(tip_training_date) AS training_date,
    COUNT(*) AS stations,
    SUM(CASE WHEN tip_training_date IS NULL THEN 0 ELSE 1 END) AS trained_stations
FROM dw.dim_police_unit
WHERE is_current = 1 AND police_unit_key > 0
GROUP BY directorate;
