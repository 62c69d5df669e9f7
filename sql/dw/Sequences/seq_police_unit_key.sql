-- Surrogate keys of dw.dim_police_unit (facts: assigned at load; dimensions: the unknown member is -1).
CREATE SEQUENCE [dw].[seq_police_unit_key] AS INT START WITH 1 INCREMENT BY 1;
