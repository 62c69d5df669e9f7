-- MSC analysts: read the star schema and reports, see run history
CREATE ROLE [msc_analyst] AUTHORIZATION [dbo];
