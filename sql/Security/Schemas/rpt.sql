-- report views for the MSC and IOM, in the SQL subset that SQL Server and DuckDB both run
CREATE SCHEMA [rpt] AUTHORIZATION [dbo];
