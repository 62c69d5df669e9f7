-- Surrogate keys of dw.fact_hotline_call (facts: assigned at load; dimensions: the unknown member is -1).
CREATE SEQUENCE [dw].[seq_call_key] AS BIGINT START WITH 1 INCREMENT BY 1;
