-- Linkage input (owned by linkage): each person of a report with the current dim_person version and the age as
-- recorded, so linkage can compare hotline victims with report victims and report suspects with defendants.
DELETE FROM dw.bridge_report_person AS b
WHERE b.person_id IN (SELECT person_id FROM tmp_person)
  AND NOT EXISTS (SELECT 1 FROM tmp_person AS t WHERE t.person_id = b.person_id AND t.report_number = b.report_number);

INSERT INTO dw.bridge_report_person (report_number, person_id, person_key, role, age, batch_id)
SELECT s.report_number, s.person_id, d.person_key, s.role, s.age, getvariable('batch_id')
FROM (
    SELECT report_number, person_id, role, age,
           row_number() OVER (PARTITION BY report_number, person_id ORDER BY source_updated_at DESC, source_row DESC) AS rn
    FROM stg.police_person
    WHERE batch_id = getvariable('batch_id')
) AS s
JOIN dw.dim_person AS d ON d.person_nk = 'pnp:' || s.person_id AND d.is_current
WHERE s.rn = 1
ON CONFLICT (report_number, person_id) DO UPDATE SET person_key = excluded.person_key, role = excluded.role, age = excluded.age, batch_id = excluded.batch_id;
