-- The unknown member (key -1) of every dimension. Facts point at it when a code cannot be conformed.
-- Runs after deployment on SQL Server and after DDL on DuckDB (tipw init); each insert is idempotent.
-- Written in the SQL subset both engines run.
INSERT INTO dw.dim_date (date_key, full_date, year, quarter, month, month_name_es, month_short_es, year_month, year_quarter, day_of_month, day_of_year, day_of_week_iso, day_name_es, is_weekend, iso_week, iso_year, fiscal_year, fiscal_quarter, first_day_of_month) SELECT -1, CAST('1900-01-01' AS DATE), 1900, 1, 1, 'Desconocido', 'Desc', '1900-01', '1900-Q1', 1, 1, 1, 'Desconocido', 0, 1, 1900, 1900, 1, CAST('1900-01-01' AS DATE)
WHERE NOT EXISTS (SELECT 1 FROM dw.dim_date WHERE date_key = -1);
INSERT INTO dw.dim_geography (geography_key, ubigeo_inei, ubigeo_reniec, district_name, province_code_inei, province_name, department_code_inei, department_name, pnp_directorate) SELECT -1, '000000', '000000', 'Desconocido', '0000', 'Desconocido', '00', 'Desconocido', 'Desconocida'
WHERE NOT EXISTS (SELECT 1 FROM dw.dim_geography WHERE geography_key = -1);
INSERT INTO dw.dim_police_unit (police_unit_key, station_id, station_name, directorate, geography_key, tip_training_date, is_inferred, valid_from, valid_to, is_current, batch_id) SELECT -1, 'UNKNOWN', 'Desconocida', 'Desconocida', -1, NULL, 0, CAST('1900-01-01' AS DATETIME2), NULL, 1, 0
WHERE NOT EXISTS (SELECT 1 FROM dw.dim_police_unit WHERE police_unit_key = -1);
INSERT INTO dw.dim_prosecutor_office (prosecutor_office_key, office_code, office_name, geography_key, batch_id) SELECT -1, 'UNKNOWN', 'Desconocida', -1, 0
WHERE NOT EXISTS (SELECT 1 FROM dw.dim_prosecutor_office WHERE prosecutor_office_key = -1);
INSERT INTO dw.dim_crime_type (crime_type_key, penal_article, article_name, crime_family, tip_relevance, is_tip_related, valid_from, valid_to) SELECT -1, '?', 'Desconocido', 'UNKNOWN', 'unknown', 0, CAST('1900-01-01' AS DATE), NULL
WHERE NOT EXISTS (SELECT 1 FROM dw.dim_crime_type WHERE crime_type_key = -1);
INSERT INTO dw.dim_exploitation_type (exploitation_type_key, exploitation_code, exploitation_name_es, ctdc_category) SELECT -1, 'UNKNOWN', 'Desconocido', 'Unknown'
WHERE NOT EXISTS (SELECT 1 FROM dw.dim_exploitation_type WHERE exploitation_type_key = -1);
INSERT INTO dw.dim_means_of_control (means_of_control_key, control_code, control_name_es, ctdc_category) SELECT -1, 'UNKNOWN', 'Desconocido', 'Unknown'
WHERE NOT EXISTS (SELECT 1 FROM dw.dim_means_of_control WHERE means_of_control_key = -1);
INSERT INTO dw.dim_caller_type (caller_type_key, caller_type_code, caller_type_name_es) SELECT -1, 'UNKNOWN', 'Desconocido'
WHERE NOT EXISTS (SELECT 1 FROM dw.dim_caller_type WHERE caller_type_key = -1);
INSERT INTO dw.dim_person (person_key, person_nk, dni_pseudonym, name_pseudonym, name_phonetic_pseudonym, age_band, sex, nationality, source_system, valid_from, valid_to, is_current, batch_id) SELECT -1, 'UNKNOWN', NULL, NULL, NULL, 'unknown', 'U', 'Desconocida', 'none', CAST('1900-01-01' AS DATETIME2), NULL, 1, 0
WHERE NOT EXISTS (SELECT 1 FROM dw.dim_person WHERE person_key = -1);
INSERT INTO dw.dim_case_stage (case_stage_key, stage_code, stage_name_es, stage_order, agency) SELECT -1, 'UNKNOWN', 'Desconocida', 0, 'none'
WHERE NOT EXISTS (SELECT 1 FROM dw.dim_case_stage WHERE case_stage_key = -1);
INSERT INTO dw.dim_model (model_key, model_name, trainer, trained_at, threshold, is_active) SELECT -1, 'none', 'none', CAST('1900-01-01' AS DATETIME2), 1.0, 0
WHERE NOT EXISTS (SELECT 1 FROM dw.dim_model WHERE model_key = -1);
