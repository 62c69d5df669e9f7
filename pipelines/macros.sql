-- Shared SQL of the transforms: DuckDB macros created (as TEMP macros, on the run's connection) before any transform
-- runs, by the engine and by 'tipw check'. A macro is expanded in place, so a transform that calls one runs the same
-- statement as when the SQL was written out in the transform. The tables a macro's body reads count as read by the
-- transform that calls it (upstream inference, 'tipw docs' lineage). Only macros here: no table is created or written.

-- The age band of dim_person, from an age in years (NULL: 'unknown'). Every source of persons uses it, so a band
-- means the same thing whichever agency recorded the person.
CREATE OR REPLACE TEMP MACRO age_band(age) AS
    CASE WHEN age IS NULL THEN 'unknown' WHEN age < 12 THEN '0-11' WHEN age < 18 THEN '12-17'
         WHEN age < 30 THEN '18-29' WHEN age < 45 THEN '30-44' WHEN age < 60 THEN '45-59' ELSE '60+' END;

-- The stations named by a staged batch (station_ids: the list of its station ids) that dw.dim_police_unit does not hold
-- yet, one row each: the police source has not delivered them, so the transform creates an inferred member for each
-- (completed in place by the police_stations pipeline when the station's row arrives) and flags it.
CREATE OR REPLACE TEMP MACRO missing_police_units(station_ids) AS TABLE
    SELECT DISTINCT u.station_id
    FROM (SELECT unnest(station_ids) AS station_id) AS u
    WHERE u.station_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM dw.dim_police_unit AS d WHERE d.station_id = u.station_id);

-- The data-quality flag of each missing station (before inferred_police_units creates it).
CREATE OR REPLACE TEMP MACRO inferred_police_unit_flags(station_ids) AS TABLE
    SELECT getvariable('batch_id') AS batch_id, getvariable('pipeline') AS pipeline, 'dw.dim_police_unit' AS table_name,
           m.station_id AS natural_key, 'inferred_member' AS flag, m.station_id AS source_value,
           'station referred to before the police source delivered it: inferred member created' AS detail
    FROM missing_police_units(station_ids) AS m;

-- The inferred dim_police_unit member of each missing station, in the column order of the INSERT in the transforms.
CREATE OR REPLACE TEMP MACRO inferred_police_units(station_ids) AS TABLE
    SELECT m.station_id, 'Inferida ' || m.station_id AS station_name, 'Desconocida' AS directorate, -1 AS geography_key,
           CAST(NULL AS DATE) AS tip_training_date, true AS is_inferred, TIMESTAMP '1900-01-01 00:00:00' AS valid_from,
           CAST(NULL AS TIMESTAMP) AS valid_to, true AS is_current, CAST(NULL AS VARCHAR) AS row_hash, getvariable('batch_id') AS batch_id
    FROM missing_police_units(station_ids) AS m;
