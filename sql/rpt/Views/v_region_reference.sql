-- Reference data per region (department and PNP directorate): number of districts and the unweighted mean of the
-- districts' poverty rates (INEI), shown beside the regional TIP figures.
CREATE VIEW [rpt].[v_region_reference]
AS
SELECT 'department' AS region_level, department_name AS region_name, COUNT(*) AS districts,
       AVG(CAST(poverty_rate_pct AS FLOAT)) AS poverty_rate_pct,
       AVG(CAST(extreme_poverty_rate_pct AS FLOAT)) AS extreme_poverty_rate_pct
FROM dw.dim_geography
WHERE geography_key > 0
GROUP BY department_name
UNION ALL
SELECT 'directorate', pnp_directorate, COUNT(*),
       AVG(CAST(poverty_rate_pct AS FLOAT)),
       AVG(CAST(extreme_poverty_rate_pct AS FLOAT))
FROM dw.dim_geography
WHERE geography_key > 0
GROUP BY pnp_directorate;
