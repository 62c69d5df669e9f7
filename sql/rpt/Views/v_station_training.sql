-- When each police station (current version) was trained on the PNP TIP database (NULL while not yet trained), with its
-- directorate. The training-effect report dates a directorate's training at the median of its stations' dates (the
-- month by which half of its stations were trained), computed in C# because a median is not in the portable SQL subset.
CREATE VIEW [rpt].[v_station_training]
AS
SELECT
    directorate,
    station_id,
    tip_training_date AS training_date
FROM dw.dim_police_unit
WHERE is_current = 1 AND police_unit_key > 0;
