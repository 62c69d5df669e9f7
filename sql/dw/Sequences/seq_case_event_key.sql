-- Surrogate keys of dw.fact_case_event (facts: assigned at load; dimensions: the unknown member is -1).
CREATE SEQUENCE [dw].[seq_case_event_key] AS BIGINT START WITH 1 INCREMENT BY 1;
