-- Stations into dim_police_unit, SCD2 on directorate, training date, name and district. The duplicate rule already
-- removed rows that bring nothing new. The first version is valid from 1900-01-01 so that reports older than the
-- station's first row still find it; later versions are valid from the source's updated_at.
CREATE OR REPLACE TEMP TABLE tmp_station AS
SELECT s.station_id,
       coalesce(s.station_name, s.station_id) AS station_name,
       coalesce(s.directorate, 'Desconocida') AS directorate,
       coalesce(g.geography_key, -1) AS geography_key,
       s.tip_training_date,
       s.ubigeo_inei,
       CAST(s.source_updated_at AS TIMESTAMP) AS source_updated_at,
       translate(sha256(concat_ws('|', coalesce(s.station_name, ''), coalesce(s.directorate, ''), coalesce(s.ubigeo_inei, ''), coalesce(CAST(s.tip_training_date AS VARCHAR), ''))), '0123456789', 'ghijklmnop') AS row_hash
FROM stg.police_station AS s
LEFT JOIN dw.dim_geography AS g ON g.ubigeo_inei = s.ubigeo_inei AND g.geography_key <> -1
WHERE s.batch_id = getvariable('batch_id');

-- 1. An inferred member is completed in place when its station arrives (it was never a real version).
UPDATE dw.dim_police_unit AS d
SET station_name = t.station_name, directorate = t.directorate, geography_key = t.geography_key, tip_training_date = t.tip_training_date,
    is_inferred = false, row_hash = t.row_hash, batch_id = getvariable('batch_id')
FROM tmp_station AS t
WHERE d.station_id = t.station_id AND d.is_current AND d.is_inferred;

-- 2. Close the current version of a station that changed.
UPDATE dw.dim_police_unit AS d
SET valid_to = t.source_updated_at, is_current = false
FROM tmp_station AS t
WHERE d.station_id = t.station_id AND d.is_current AND d.row_hash IS DISTINCT FROM t.row_hash;

-- 3. Insert new stations and new versions.
INSERT INTO dw.dim_police_unit (station_id, station_name, directorate, geography_key, tip_training_date, is_inferred, valid_from, valid_to, is_current, row_hash, batch_id)
SELECT t.station_id, t.station_name, t.directorate, t.geography_key, t.tip_training_date, false,
       CASE WHEN EXISTS (SELECT 1 FROM dw.dim_police_unit AS d WHERE d.station_id = t.station_id) THEN t.source_updated_at ELSE TIMESTAMP '1900-01-01 00:00:00' END,
       CAST(NULL AS TIMESTAMP), true, t.row_hash, getvariable('batch_id')
FROM tmp_station AS t
WHERE NOT EXISTS (SELECT 1 FROM dw.dim_police_unit AS d WHERE d.station_id = t.station_id AND d.is_current);

INSERT INTO meta.data_quality_flag (batch_id, pipeline, table_name, natural_key, flag, source_value, detail)
SELECT getvariable('batch_id'), getvariable('pipeline'), 'dw.dim_police_unit', t.station_id, 'ubigeo_unknown', t.ubigeo_inei,
       'station district not in dim_geography (INEI coding): geography is the unknown member'
FROM tmp_station AS t
WHERE t.geography_key = -1;
