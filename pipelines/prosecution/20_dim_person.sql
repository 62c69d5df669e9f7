-- Defendants into dim_person (pseudonyms only), one person per case and identity (DNI pseudonym, else name pseudonym).
-- Events repeat their defendants; the latest event of the batch wins and overwrites the current row (SCD1: the
-- prosecution feed has no reliable change dates, events arrive late and out of order).
CREATE OR REPLACE TEMP TABLE tmp_defendant AS
SELECT person_nk, dni_pseudonym, name_pseudonym, name_phonetic_pseudonym, age_band, sex, valid_from
FROM (
    SELECT 'mp:' || e.case_number || ':' || left(coalesce(d.dni_pseudonym, d.name_pseudonym, 'i' || CAST(d.defendant_index AS VARCHAR)), 40) AS person_nk,
           d.dni_pseudonym, d.name_pseudonym, d.name_phonetic_pseudonym,
           age_band(d.age) AS age_band,
           CASE WHEN d.sex IN ('F', 'M') THEN d.sex ELSE 'U' END AS sex,
           CAST(e.event_date AS TIMESTAMP) AS valid_from,
           row_number() OVER (PARTITION BY e.case_number, coalesce(d.dni_pseudonym, d.name_pseudonym, 'i' || CAST(d.defendant_index AS VARCHAR)) ORDER BY e.event_sequence DESC) AS rn
    FROM stg.prosecution_defendant AS d
    JOIN stg.prosecution_event AS e ON e.event_sequence = d.event_sequence AND e.batch_id = d.batch_id
    WHERE d.batch_id = getvariable('batch_id')
) AS x
WHERE rn = 1;

UPDATE dw.dim_person AS p
SET dni_pseudonym = t.dni_pseudonym, name_pseudonym = t.name_pseudonym, name_phonetic_pseudonym = t.name_phonetic_pseudonym,
    age_band = t.age_band, sex = t.sex, batch_id = getvariable('batch_id')
FROM tmp_defendant AS t
WHERE p.person_nk = t.person_nk AND p.is_current
  AND (p.name_pseudonym IS DISTINCT FROM t.name_pseudonym OR p.name_phonetic_pseudonym IS DISTINCT FROM t.name_phonetic_pseudonym
       OR p.age_band <> t.age_band OR p.sex <> t.sex);

-- The new persons' keys follow person_nk, not the order DuckDB's threads happen to insert them in (a DEFAULT nextval would):
-- a block of keys is taken from the sequence and handed out in natural-key order, so the same sources give every
-- warehouse the same person_key.
CREATE OR REPLACE TEMP TABLE tmp_new_defendant AS
SELECT t.*
FROM tmp_defendant AS t
WHERE NOT EXISTS (SELECT 1 FROM dw.dim_person AS p WHERE p.person_nk = t.person_nk);

INSERT INTO dw.dim_person (person_key, person_nk, dni_pseudonym, name_pseudonym, name_phonetic_pseudonym, age_band, sex, nationality, source_system, valid_from, valid_to, is_current, batch_id)
SELECT k.first_key + row_number() OVER (ORDER BY t.person_nk) - 1,
       t.person_nk, t.dni_pseudonym, t.name_pseudonym, t.name_phonetic_pseudonym, t.age_band, t.sex, 'Desconocida', 'prosecution',
       TIMESTAMP '1900-01-01 00:00:00', CAST(NULL AS TIMESTAMP), true, getvariable('batch_id')
FROM tmp_new_defendant AS t,
     (SELECT min(v) AS first_key FROM (SELECT nextval('dw.seq_person_key') AS v FROM range((SELECT count(*) FROM tmp_new_defendant)))) AS k;
