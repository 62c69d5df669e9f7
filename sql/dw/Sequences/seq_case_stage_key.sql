-- Surrogate keys of dw.dim_case_stage (facts: assigned at load; dimensions: the unknown member is -1).
CREATE SEQUENCE [dw].[seq_case_stage_key] AS INT START WITH 1 INCREMENT BY 1;
