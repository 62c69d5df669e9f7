-- Arrests into fact_arrest (MERGE on the arrest id, as last updated at the source). Station and district come from the
-- report; the person is the current dim_person version.
CREATE OR REPLACE TEMP TABLE tmp_arrest AS
SELECT s.arrest_id, s.report_number, s.person_id, r.report_key, r.police_unit_key, r.geography_key,
       coalesce(p.person_key, -1) AS person_key,
       coalesce(d.date_key, -1) AS arrest_date_key,
       CAST(s.source_updated_at AS TIMESTAMP) AS source_updated_at
FROM stg.police_arrest AS s
LEFT JOIN dw.fact_police_report AS r ON r.report_number = s.report_number
LEFT JOIN dw.dim_person AS p ON p.person_nk = 'pnp:' || s.person_id AND p.is_current
LEFT JOIN dw.dim_date AS d ON d.full_date = s.arrest_date
WHERE s.batch_id = getvariable('batch_id');

MERGE INTO dw.fact_arrest AS f
USING (SELECT * FROM tmp_arrest WHERE report_key IS NOT NULL) AS t
ON f.arrest_id = t.arrest_id
WHEN MATCHED THEN UPDATE SET report_key = t.report_key, report_number = t.report_number, person_key = t.person_key,
    arrest_date_key = t.arrest_date_key, police_unit_key = t.police_unit_key, geography_key = t.geography_key,
    source_updated_at = t.source_updated_at, batch_id = getvariable('batch_id')
WHEN NOT MATCHED THEN INSERT (arrest_id, report_key, report_number, person_key, arrest_date_key, police_unit_key, geography_key, arrest_count, source_updated_at, batch_id)
VALUES (t.arrest_id, t.report_key, t.report_number, t.person_key, t.arrest_date_key, t.police_unit_key, t.geography_key, 1, t.source_updated_at, getvariable('batch_id'));

INSERT INTO meta.data_quality_flag (batch_id, pipeline, table_name, natural_key, flag, source_value, detail)
SELECT getvariable('batch_id'), getvariable('pipeline'), 'dw.fact_arrest', t.arrest_id, f.flag, f.source_value, f.detail
FROM tmp_arrest AS t,
LATERAL (
    SELECT 'report_not_loaded' AS flag, t.report_number AS source_value, 'the arrest''s report is not in fact_police_report (rejected or not loaded yet): the arrest is not loaded' AS detail
    WHERE t.report_key IS NULL
    UNION ALL SELECT 'unknown_person', t.person_id, 'arrested person not in dim_person: unknown member' WHERE t.report_key IS NOT NULL AND t.person_key = -1
) AS f;
