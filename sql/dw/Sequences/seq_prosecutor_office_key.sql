-- Surrogate keys of dw.dim_prosecutor_office (facts: assigned at load; dimensions: the unknown member is -1).
CREATE SEQUENCE [dw].[seq_prosecutor_office_key] AS INT START WITH 1 INCREMENT BY 1;
