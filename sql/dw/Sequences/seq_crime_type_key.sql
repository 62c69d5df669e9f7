-- Surrogate keys of dw.dim_crime_type (facts: assigned at load; dimensions: the unknown member is -1).
CREATE SEQUENCE [dw].[seq_crime_type_key] AS INT START WITH 1 INCREMENT BY 1;
