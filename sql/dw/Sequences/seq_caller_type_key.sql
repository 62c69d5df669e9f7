-- Surrogate keys of dw.dim_caller_type (facts: assigned at load; dimensions: the unknown member is -1).
CREATE SEQUENCE [dw].[seq_caller_type_key] AS INT START WITH 1 INCREMENT BY 1;
