-- Surrogate keys of dw.fact_police_report (facts: assigned at load; dimensions: the unknown member is -1).
CREATE SEQUENCE [dw].[seq_report_key] AS BIGINT START WITH 1 INCREMENT BY 1;
