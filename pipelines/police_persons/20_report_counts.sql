-- Victim and suspect counts of the reports whose persons changed in this batch.
UPDATE dw.fact_police_report AS f
SET victim_count = c.victims, suspect_count = c.suspects
FROM (
    SELECT report_number,
           count(*) FILTER (WHERE role = 'VICTIMA') AS victims,
           count(*) FILTER (WHERE role = 'DENUNCIADO') AS suspects
    FROM stg.police_person_role
    WHERE report_number IN (SELECT report_number FROM tmp_person)
    GROUP BY report_number
) AS c
WHERE f.report_number = c.report_number AND (f.victim_count <> c.victims OR f.suspect_count <> c.suspects);

INSERT INTO meta.data_quality_flag (batch_id, pipeline, table_name, natural_key, flag, source_value, detail)
SELECT DISTINCT getvariable('batch_id'), getvariable('pipeline'), 'dw.dim_person', t.person_nk, 'report_not_loaded', t.report_number,
       'the person''s report is not in fact_police_report (rejected or not yet delivered)'
FROM tmp_person AS t
WHERE NOT EXISTS (SELECT 1 FROM dw.fact_police_report AS f WHERE f.report_number = t.report_number);
