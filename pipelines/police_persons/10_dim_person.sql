-- Police victims and suspects into dim_person, SCD2: a corrected DNI, name, age band, sex or nationality closes the
-- current version (valid_to = the source's updated_at) and opens a new one. Pseudonyms only.
CREATE OR REPLACE TEMP TABLE tmp_person AS
SELECT 'pnp:' || s.person_id AS person_nk,
       s.person_id,
       s.report_number,
       s.role,
       s.dni_pseudonym,
       s.name_pseudonym,
       s.name_phonetic_pseudonym,
       age_band(s.age) AS age_band,
       coalesce(s.sex, 'U') AS sex,
       coalesce(s.nationality, 'Desconocida') AS nationality,
       CAST(s.source_updated_at AS TIMESTAMP) AS source_updated_at
FROM stg.police_person AS s
WHERE s.batch_id = getvariable('batch_id');

UPDATE dw.dim_person AS d
SET valid_to = t.source_updated_at, is_current = false
FROM tmp_person AS t
WHERE d.person_nk = t.person_nk AND d.is_current AND d.valid_from < t.source_updated_at
  AND (d.dni_pseudonym IS DISTINCT FROM t.dni_pseudonym OR d.name_pseudonym IS DISTINCT FROM t.name_pseudonym
       OR d.name_phonetic_pseudonym IS DISTINCT FROM t.name_phonetic_pseudonym OR d.age_band <> t.age_band
       OR d.sex <> t.sex OR d.nationality <> t.nationality);

INSERT INTO dw.dim_person (person_nk, dni_pseudonym, name_pseudonym, name_phonetic_pseudonym, age_band, sex, nationality, source_system, valid_from, valid_to, is_current, batch_id)
SELECT t.person_nk, t.dni_pseudonym, t.name_pseudonym, t.name_phonetic_pseudonym, t.age_band, t.sex, t.nationality, 'police',
       t.source_updated_at, CAST(NULL AS TIMESTAMP), true, getvariable('batch_id')
FROM tmp_person AS t
WHERE NOT EXISTS (SELECT 1 FROM dw.dim_person AS d WHERE d.person_nk = t.person_nk AND d.is_current);

-- Remember each person's report, role and loaded version (victim/suspect counts, duplicate rule).
INSERT INTO stg.police_person_role (person_id, report_number, role, source_updated_at, batch_id)
SELECT t.person_id, t.report_number, t.role, t.source_updated_at, getvariable('batch_id')
FROM tmp_person AS t
ON CONFLICT (person_id) DO UPDATE SET report_number = excluded.report_number, role = excluded.role,
    source_updated_at = excluded.source_updated_at, batch_id = excluded.batch_id;
