-- raw, typed, pseudonymized rows of each batch, before conformance
CREATE SCHEMA [stg] AUTHORIZATION [dbo];
