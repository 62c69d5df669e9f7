-- Data engineers: run and repair pipelines
CREATE ROLE [data_engineer] AUTHORIZATION [dbo];
