-- Surrogate keys of dw.dim_person (facts: assigned at load; dimensions: the unknown member is -1).
CREATE SEQUENCE [dw].[seq_person_key] AS INT START WITH 1 INCREMENT BY 1;
