-- the star schema: conformed dimensions and facts
CREATE SCHEMA [dw] AUTHORIZATION [dbo];
