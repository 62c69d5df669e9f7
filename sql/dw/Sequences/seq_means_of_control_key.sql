-- Surrogate keys of dw.dim_means_of_control (facts: assigned at load; dimensions: the unknown member is -1).
CREATE SEQUENCE [dw].[seq_means_of_control_key] AS INT START WITH 1 INCREMENT BY 1;
