-- Surrogate keys of dw.bridge_case_link (facts: assigned at load; dimensions: the unknown member is -1).
CREATE SEQUENCE [dw].[seq_link_key] AS BIGINT START WITH 1 INCREMENT BY 1;
