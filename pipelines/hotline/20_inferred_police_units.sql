-- A call referred to a station the police source has not delivered yet: an inferred member (is_inferred), completed in
-- place by the police_stations pipeline when the station's row arrives. Flagged so it is never silent. The macros
-- (pipelines/macros.sql) are shared with police_reports.
INSERT INTO meta.data_quality_flag (batch_id, pipeline, table_name, natural_key, flag, source_value, detail)
SELECT * FROM inferred_police_unit_flags((SELECT list(s.referred_station_id) FROM stg.hotline_call AS s));

INSERT INTO dw.dim_police_unit (station_id, station_name, directorate, geography_key, tip_training_date, is_inferred, valid_from, valid_to, is_current, row_hash, batch_id)
SELECT * FROM inferred_police_units((SELECT list(s.referred_station_id) FROM stg.hotline_call AS s));
