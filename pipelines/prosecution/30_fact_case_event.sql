-- Events into fact_case_event (transaction fact keyed on the source sequence; events never change).
-- Stage: the Spanish event type mapped to dim_case_stage. Crime type: the first charged article's wording valid on the
-- event date; TIP-related, provisionally, when any charged article is a core TIP statute on that date (the tip_determination
-- pipeline decides the related statutes from the linked police report and calls, by reference/tip_definition.yaml).
CREATE OR REPLACE TEMP TABLE tmp_event AS
SELECT e.*,
       CASE e.event_type
           WHEN 'DENUNCIA_RECIBIDA' THEN 'COMPLAINT_RECEIVED'
           WHEN 'INVESTIGACION_PRELIMINAR' THEN 'PRELIMINARY_INVESTIGATION'
           WHEN 'FORMALIZACION' THEN 'FORMALIZATION'
           WHEN 'ACUSACION' THEN 'ACCUSATION'
           WHEN 'JUICIO' THEN 'TRIAL'
           WHEN 'SENTENCIA' THEN 'SENTENCE'
           WHEN 'INGRESO_PENAL' THEN 'PRISON_ENTRY'
           WHEN 'LIBERACION' THEN 'RELEASE'
           WHEN 'ARCHIVO' THEN 'ARCHIVED'
       END AS stage_code,
       nullif(trim(split_part(e.charged_articles, ',', 1)), '') AS first_article
FROM stg.prosecution_event AS e
WHERE e.batch_id = getvariable('batch_id');

CREATE OR REPLACE TEMP TABLE tmp_event_tip AS
SELECT a.event_sequence, bool_or(c.tip_relevance = 'core') AS any_tip
FROM (SELECT event_sequence, event_date, trim(unnest(string_split(charged_articles, ','))) AS article FROM tmp_event WHERE charged_articles IS NOT NULL) AS a
JOIN dw.dim_crime_type AS c ON c.penal_article = a.article AND c.crime_type_key <> -1
    AND c.valid_from <= a.event_date AND (c.valid_to IS NULL OR c.valid_to >= a.event_date)
GROUP BY a.event_sequence;

INSERT INTO dw.fact_case_event (event_sequence, case_number, event_date_key, reported_date_key, case_stage_key, prosecutor_office_key,
    geography_key, crime_type_key, is_tip_related, cited_report_number, charged_articles, defendant_count, sentence_outcome, sentence_years,
    event_count, batch_id)
SELECT t.event_sequence, t.case_number,
       coalesce(ed.date_key, -1), coalesce(rd.date_key, -1), coalesce(st.case_stage_key, -1),
       coalesce(o.prosecutor_office_key, -1), coalesce(o.geography_key, -1), coalesce(ct.crime_type_key, -1),
       coalesce(tip.any_tip, false), t.cited_report_number, t.charged_articles, t.defendant_count, t.sentence_outcome, t.sentence_years,
       1, getvariable('batch_id')
FROM tmp_event AS t
LEFT JOIN dw.dim_date AS ed ON ed.full_date = t.event_date
LEFT JOIN dw.dim_date AS rd ON rd.full_date = t.reported_on
LEFT JOIN dw.dim_case_stage AS st ON st.stage_code = t.stage_code
LEFT JOIN dw.dim_prosecutor_office AS o ON o.office_code = t.office_code
LEFT JOIN dw.dim_crime_type AS ct ON ct.penal_article = t.first_article AND ct.crime_type_key <> -1
    AND ct.valid_from <= t.event_date AND (ct.valid_to IS NULL OR ct.valid_to >= t.event_date)
LEFT JOIN tmp_event_tip AS tip ON tip.event_sequence = t.event_sequence;

-- Defects of the feed end as flags with their reason: a missing or unresolvable police report number (linkage decides
-- later with fuzzy matching), events reported long after they happened, unknown articles.
INSERT INTO meta.data_quality_flag (batch_id, pipeline, table_name, natural_key, flag, source_value, detail)
SELECT getvariable('batch_id'), getvariable('pipeline'), 'dw.fact_case_event', CAST(t.event_sequence AS VARCHAR), f.flag, f.source_value, f.detail
FROM tmp_event AS t,
LATERAL (
    SELECT 'cited_report_missing' AS flag, CAST(NULL AS VARCHAR) AS source_value, 'the event cites no police report number' AS detail
    WHERE t.cited_report_number IS NULL
    UNION ALL SELECT 'cited_report_not_found', t.cited_report_number, 'the cited police report number matches no loaded report (mistyped, or not delivered yet)'
    WHERE t.cited_report_number IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dw.fact_police_report AS r WHERE r.report_number = t.cited_report_number)
    UNION ALL SELECT 'late_event', CAST(t.reported_on AS VARCHAR), 'reported more than 30 days after the event date (arrives out of order)'
    WHERE t.reported_on IS NOT NULL AND t.reported_on > t.event_date + INTERVAL 30 DAY
    UNION ALL SELECT 'unknown_penal_article', t.first_article, 'first charged article not in dim_crime_type on the event date: unknown crime type'
    WHERE t.first_article IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dw.dim_crime_type AS c WHERE c.penal_article = t.first_article
        AND c.valid_from <= t.event_date AND (c.valid_to IS NULL OR c.valid_to >= t.event_date))
    UNION ALL SELECT 'unknown_stage', t.event_type, 'event type without a case stage: unknown member' WHERE t.stage_code IS NULL
) AS f;
