-- Conform each staged call and insert it (calls are immutable; duplicates were removed by the spec's duplicate rule).
-- UBIGEO: the RENIEC code expected from the hotline, else the INEI code (a known defect), else the unknown member.
-- Most codes differ between the codings, but a code can be valid in both for two different districts: then the
-- department of the station the call was referred to (the one nearest the caller) decides; without a referral the
-- declared RENIEC reading is kept and the call is marked is_ubigeo_ambiguous: a column, counted per batch as the flag
-- ubigeo_ambiguous (hotline.yaml, counted_flags), because it holds for about 4 calls in 10 and the flag table is for exceptions.
-- tmp_call is narrow: the wide staged columns (the narrative, the pseudonyms) are not carried through its joins and copied into
-- it; the fact insert takes the narrative from the staged row itself (staged_row, its rowid), so the wide rows are copied once.
CREATE OR REPLACE TEMP TABLE tmp_call AS
SELECT x.*,
       CASE WHEN x.r_key IS NOT NULL AND x.i_key IS NOT NULL AND x.r_key <> x.i_key
                 AND x.station_department IS NOT NULL AND x.i_department = x.station_department AND x.r_department <> x.station_department
            THEN NULL ELSE x.r_key END AS reniec_key,
       x.i_key AS inei_key,
       x.r_key IS NOT NULL AND x.i_key IS NOT NULL AND x.r_key <> x.i_key
           AND (x.station_department IS NULL OR (x.r_department <> x.station_department AND x.i_department <> x.station_department)) AS ubigeo_ambiguous
FROM (
    SELECT s.* EXCLUDE (narrative, victim_name_pseudonym, victim_name_phonetic_pseudonym, victim_dni_pseudonym), s.rowid AS staged_row,
           gr.geography_key AS r_key, gr.department_code_inei AS r_department,
           gi.geography_key AS i_key, gi.department_code_inei AS i_department,
           sg.department_code_inei AS station_department,
           ct.caller_type_key AS caller_key
    FROM stg.hotline_call AS s
    LEFT JOIN dw.dim_geography AS gr ON gr.ubigeo_reniec = s.ubigeo AND gr.geography_key <> -1
    LEFT JOIN dw.dim_geography AS gi ON gi.ubigeo_inei = s.ubigeo AND gi.geography_key <> -1
    LEFT JOIN dw.dim_police_unit AS su ON su.station_id = s.referred_station_id AND su.is_current
    LEFT JOIN dw.dim_geography AS sg ON sg.geography_key = su.geography_key AND sg.geography_key <> -1
    LEFT JOIN dw.dim_caller_type AS ct ON ct.caller_type_code = upper(trim(s.caller_type)) AND ct.caller_type_key <> -1
    WHERE s.batch_id = getvariable('batch_id')
) AS x;

INSERT INTO dw.fact_hotline_call (call_id, call_date_key, call_hour, call_ts_lima, geography_key, caller_type_key, victim_person_key,
    referred_police_unit_key, referral_date_key, duration_sec, victim_age, is_minor, victim_sex, operator_category, is_tip_by_operator,
    hours_to_referral, narrative, ubigeo_source_coding, is_ubigeo_ambiguous, call_count, batch_id)
SELECT t.call_id,
       coalesce(cd.date_key, -1),
       CAST(hour(t.call_ts_lima) AS SMALLINT),
       t.call_ts_lima,
       coalesce(t.reniec_key, t.inei_key, -1),
       coalesce(t.caller_key, -1),
       coalesce(p.person_key, -1),
       coalesce(pu.police_unit_key, -1),
       coalesce(rd.date_key, -1),
       t.duration_sec,
       t.victim_age,
       CASE WHEN t.victim_age IS NULL THEN NULL ELSE t.victim_age < 18 END,
       t.victim_sex,
       t.operator_category,
       CASE WHEN t.operator_category IS NULL THEN NULL ELSE coalesce(oc.is_tip, false) END,
       CASE WHEN t.referral_ts_lima IS NULL THEN NULL ELSE CAST(date_diff('minute', t.call_ts_lima, t.referral_ts_lima) / 60.0 AS DECIMAL(9,2)) END,
       n.narrative,
       CASE WHEN t.reniec_key IS NOT NULL THEN 'RENIEC' WHEN t.inei_key IS NOT NULL THEN 'INEI' WHEN t.ubigeo IS NULL THEN 'MISSING' ELSE 'INVALID' END,
       coalesce(t.ubigeo_ambiguous, false),
       1,
       getvariable('batch_id')
FROM tmp_call AS t
JOIN stg.hotline_call AS n ON n.rowid = t.staged_row
LEFT JOIN dw.dim_date AS cd ON cd.full_date = CAST(t.call_ts_lima AS DATE)
LEFT JOIN dw.dim_date AS rd ON rd.full_date = CAST(t.referral_ts_lima AS DATE)
LEFT JOIN dw.dim_person AS p ON p.person_nk = 'hotline:' || t.call_id AND p.is_current
LEFT JOIN dw.ref_operator_category AS oc ON oc.operator_category = upper(trim(t.operator_category)) -- TIP categories: reference/operator_categories.csv
LEFT JOIN dw.dim_police_unit AS pu ON pu.station_id = t.referred_station_id
    AND pu.valid_from <= coalesce(t.referral_ts_lima, t.call_ts_lima)
    AND coalesce(pu.valid_to, TIMESTAMP '9999-12-31 00:00:00') > coalesce(t.referral_ts_lima, t.call_ts_lima); -- no OR: a hash join, not a nested loop

-- Every conformance gap is a data-quality flag with its reason; the call itself is loaded (unknown member), never dropped.
INSERT INTO meta.data_quality_flag (batch_id, pipeline, table_name, natural_key, flag, source_value, detail)
SELECT getvariable('batch_id'), getvariable('pipeline'), 'dw.fact_hotline_call', t.call_id, f.flag, f.source_value, f.detail
FROM tmp_call AS t,
LATERAL (
    SELECT 'ubigeo_missing' AS flag, CAST(NULL AS VARCHAR) AS source_value, 'no UBIGEO: geography is the unknown member' AS detail WHERE t.ubigeo IS NULL
    UNION ALL SELECT 'ubigeo_invalid', t.ubigeo, 'not a district code in RENIEC or INEI coding: geography is the unknown member' WHERE t.ubigeo IS NOT NULL AND t.reniec_key IS NULL AND t.inei_key IS NULL
    UNION ALL SELECT 'ubigeo_inei_coding', t.ubigeo, 'INEI code where RENIEC is expected: conformed through the INEI coding' WHERE t.reniec_key IS NULL AND t.inei_key IS NOT NULL
    UNION ALL SELECT 'unknown_caller_type', t.caller_type, 'caller type not in dim_caller_type: unknown member' WHERE t.caller_type IS NOT NULL AND t.caller_key IS NULL
    -- A daily drop holds the day's calls and a few re-sent from the day before (hotline.yaml's file_date_regex names the day):
    -- a call dated more than a day away from it (a 2031 call in a 2006 file) is loaded as dated, and flagged.
    UNION ALL SELECT 'call_outside_file_date', CAST(CAST(t.call_ts_lima AS DATE) AS VARCHAR),
        'the call is dated ' || CAST(CAST(t.call_ts_lima AS DATE) AS VARCHAR) || ', more than a day from the date of its daily file ' || t.source_file
    WHERE abs(date_diff('day', CAST(t.call_ts_lima AS DATE), CAST(try_strptime(regexp_extract(t.source_file, 'llamadas_(\d{8})', 1), '%Y%m%d') AS DATE))) > 1
) AS f;
