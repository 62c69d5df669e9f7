-- Reports into fact_police_report, as last updated at the source (SCD1 on the fact, MERGE on the report number).
-- Station: the dim_police_unit version valid on the report date (SCD2). Crime type: the article's wording valid on the
-- date of the facts (Law 28950 redefines article 153 from 2007-01-16). TIP-related, provisionally: a core TIP statute or a
-- modality that names trafficking; the tip_determination pipeline (after linkage) decides the related statutes from linked
-- evidence by reference/tip_definition.yaml and sets is_tip_related and exploitation_type_key for every report.
CREATE OR REPLACE TEMP TABLE tmp_report AS
SELECT s.report_number,
       coalesce(rd.date_key, -1) AS report_date_key,
       coalesce(idt.date_key, -1) AS incident_date_key,
       coalesce(pu.police_unit_key, -1) AS police_unit_key,
       coalesce(pu.geography_key, -1) AS geography_key,
       coalesce(ct.crime_type_key, -1) AS crime_type_key,
       s.source_call_id,
       s.modality,
       coalesce(s.status, 'DESCONOCIDO') AS status,
       coalesce(ct.tip_relevance = 'core', false) OR coalesce(upper(s.modality) LIKE 'TRATA DE PERSONAS%', false) AS is_tip_related,
       CAST(s.source_updated_at AS TIMESTAMP) AS source_updated_at,
       s.penal_article,
       s.station_id
FROM stg.police_report AS s
LEFT JOIN dw.dim_date AS rd ON rd.full_date = s.report_date
LEFT JOIN dw.dim_date AS idt ON idt.full_date = s.incident_date
LEFT JOIN dw.dim_police_unit AS pu ON pu.station_id = s.station_id
    AND pu.valid_from <= CAST(s.report_date AS TIMESTAMP) AND (pu.valid_to IS NULL OR pu.valid_to > CAST(s.report_date AS TIMESTAMP))
LEFT JOIN dw.dim_crime_type AS ct ON ct.penal_article = s.penal_article AND ct.crime_type_key <> -1
    AND ct.valid_from <= coalesce(s.incident_date, s.report_date) AND (ct.valid_to IS NULL OR ct.valid_to >= coalesce(s.incident_date, s.report_date))
WHERE s.batch_id = getvariable('batch_id');

MERGE INTO dw.fact_police_report AS f
USING (
    SELECT t.*, coalesce(c.victims, 0) AS victim_count, coalesce(c.suspects, 0) AS suspect_count
    FROM tmp_report AS t
    LEFT JOIN (
        SELECT report_number,
               count(*) FILTER (WHERE role = 'VICTIMA') AS victims,
               count(*) FILTER (WHERE role = 'DENUNCIADO') AS suspects
        FROM stg.police_person_role
        GROUP BY report_number
    ) AS c ON c.report_number = t.report_number
) AS t
ON f.report_number = t.report_number
WHEN MATCHED THEN UPDATE SET
    report_date_key = t.report_date_key, incident_date_key = t.incident_date_key, police_unit_key = t.police_unit_key,
    geography_key = t.geography_key, crime_type_key = t.crime_type_key, source_call_id = t.source_call_id, modality = t.modality,
    status = t.status, is_tip_related = t.is_tip_related, victim_count = t.victim_count, suspect_count = t.suspect_count,
    source_updated_at = t.source_updated_at, batch_id = getvariable('batch_id')
WHEN NOT MATCHED THEN INSERT (report_number, report_date_key, incident_date_key, police_unit_key, geography_key, crime_type_key,
    exploitation_type_key, source_call_id, modality, status, is_tip_related, victim_count, suspect_count, report_count, source_updated_at, batch_id)
VALUES (t.report_number, t.report_date_key, t.incident_date_key, t.police_unit_key, t.geography_key, t.crime_type_key,
    -1, t.source_call_id, t.modality, t.status, t.is_tip_related, t.victim_count, t.suspect_count, 1, t.source_updated_at, getvariable('batch_id'));

INSERT INTO meta.data_quality_flag (batch_id, pipeline, table_name, natural_key, flag, source_value, detail)
SELECT getvariable('batch_id'), getvariable('pipeline'), 'dw.fact_police_report', t.report_number, f.flag, f.source_value, f.detail
FROM tmp_report AS t,
LATERAL (
    SELECT 'unknown_penal_article' AS flag, t.penal_article AS source_value, 'article not in dim_crime_type on the date of the facts: unknown crime type' AS detail
    WHERE t.crime_type_key = -1 AND t.penal_article IS NOT NULL
    UNION ALL SELECT 'missing_penal_article', NULL, 'no article: unknown crime type' WHERE t.penal_article IS NULL
    UNION ALL SELECT 'unknown_station', t.station_id, 'no station: unknown police unit' WHERE t.police_unit_key = -1
    UNION ALL SELECT 'unknown_incident_date', NULL, 'no date of the facts: unknown incident date' WHERE t.incident_date_key = -1
) AS f;
