-- Linkage input (owned by linkage): each defendant of an event with its dim_person row (same natural key as
-- 20_dim_person.sql) and the age as recorded. Events never change, so a loaded event's defendants are kept.
INSERT INTO dw.bridge_case_event_defendant (event_sequence, defendant_index, person_key, age, batch_id)
SELECT d.event_sequence, d.defendant_index, min(p.person_key), min(d.age), getvariable('batch_id')
FROM stg.prosecution_defendant AS d
JOIN stg.prosecution_event AS e ON e.event_sequence = d.event_sequence AND e.batch_id = d.batch_id
JOIN dw.dim_person AS p
  ON p.person_nk = 'mp:' || e.case_number || ':' || left(coalesce(d.dni_pseudonym, d.name_pseudonym, 'i' || CAST(d.defendant_index AS VARCHAR)), 40)
 AND p.is_current
WHERE d.batch_id = getvariable('batch_id')
GROUP BY d.event_sequence, d.defendant_index
ON CONFLICT (event_sequence, defendant_index) DO NOTHING;
