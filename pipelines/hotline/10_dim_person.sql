-- Hotline victims: one dim_person row per call that names or identifies a victim (pseudonyms only; calls never change,
-- so there is one version). Linking the same person across calls and agencies is the linkage pipeline's job.
INSERT INTO dw.dim_person (person_nk, dni_pseudonym, name_pseudonym, name_phonetic_pseudonym, age_band, sex, nationality, source_system, valid_from, valid_to, is_current, batch_id)
SELECT 'hotline:' || s.call_id,
       s.victim_dni_pseudonym,
       s.victim_name_pseudonym,
       s.victim_name_phonetic_pseudonym,
       age_band(s.victim_age),
       coalesce(s.victim_sex, 'U'),
       'Desconocida',
       'hotline',
       s.call_ts_lima,
       NULL,
       true,
       getvariable('batch_id')
FROM stg.hotline_call AS s
WHERE (s.victim_name_pseudonym IS NOT NULL OR s.victim_dni_pseudonym IS NOT NULL)
  AND NOT EXISTS (SELECT 1 FROM dw.dim_person AS d WHERE d.person_nk = 'hotline:' || s.call_id);
