-- Surrogate keys of dw.dim_geography (facts: assigned at load; dimensions: the unknown member is -1).
CREATE SEQUENCE [dw].[seq_geography_key] AS INT START WITH 1 INCREMENT BY 1;
