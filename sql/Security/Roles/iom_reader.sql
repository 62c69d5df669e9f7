-- IOM staff: read the report views only
CREATE ROLE [iom_reader] AUTHORIZATION [dbo];
