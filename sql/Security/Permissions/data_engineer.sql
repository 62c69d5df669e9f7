-- Data engineers: run and repair pipelines
GRANT SELECT, INSERT, UPDATE, DELETE ON SCHEMA::[stg] TO [data_engineer];
GO
GRANT SELECT, INSERT, UPDATE, DELETE ON SCHEMA::[dw] TO [data_engineer];
GO
GRANT SELECT, INSERT, UPDATE, DELETE ON SCHEMA::[meta] TO [data_engineer];
GO
GRANT SELECT ON SCHEMA::[rpt] TO [data_engineer];
