-- A report filed at a station the police source has not delivered yet: an inferred member (is_inferred), completed in
-- place by the police_stations pipeline when the station's row arrives. Flagged so it is never silent.
INSERT INTO meta.data_quality_flag (batch_id, pipeline, table_name, natural_key, flag, source_value, detail)
SELECT DISTINCT getvariable('batch_id'), getvariable('pipeline'), 'dw.dim_police_unit', s.station_id, 'inferred_member', s.station_id,
       'station referred to before the police source delivered it: inferred member created'
FROM stg.police_report AS s
WHERE s.station_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM dw.dim_police_unit AS d WHERE d.station_id = s.station_id);

INSERT INTO dw.dim_police_unit (station_id, station_name, directorate, geography_key, tip_training_date, is_inferred, valid_from, valid_to, is_current, row_hash, batch_id)
SELECT DISTINCT s.station_id, 'Inferida ' || s.station_id, 'Desconocida', -1, CAST(NULL AS DATE), true,
       TIMESTAMP '1900-01-01 00:00:00', CAST(NULL AS TIMESTAMP), true, CAST(NULL AS VARCHAR), getvariable('batch_id')
FROM stg.police_report AS s
WHERE s.station_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM dw.dim_police_unit AS d WHERE d.station_id = s.station_id);
