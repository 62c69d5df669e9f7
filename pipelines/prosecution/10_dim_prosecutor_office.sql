-- Prosecutor offices (SCD1): new codes are added; a changed district overwrites.
MERGE INTO dw.dim_prosecutor_office AS o
USING (
    SELECT e.office_code, coalesce(g.geography_key, -1) AS geography_key
    FROM (SELECT office_code, arg_max(office_ubigeo_inei, event_sequence) AS ubigeo_inei
          FROM stg.prosecution_event WHERE office_code IS NOT NULL AND batch_id = getvariable('batch_id') GROUP BY office_code) AS e
    LEFT JOIN dw.dim_geography AS g ON g.ubigeo_inei = e.ubigeo_inei AND g.geography_key <> -1
) AS s
ON o.office_code = s.office_code
WHEN MATCHED AND o.geography_key <> s.geography_key THEN UPDATE SET geography_key = s.geography_key, batch_id = getvariable('batch_id')
WHEN NOT MATCHED THEN INSERT (office_code, office_name, geography_key, batch_id)
VALUES (s.office_code, 'Fiscalía ' || s.office_code, s.geography_key, getvariable('batch_id'));
