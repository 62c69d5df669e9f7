-- MSC analysts: read the star schema and reports, see run history
GRANT SELECT ON SCHEMA::[dw] TO [msc_analyst];
GO
GRANT SELECT ON SCHEMA::[rpt] TO [msc_analyst];
GO
GRANT SELECT ON SCHEMA::[meta] TO [msc_analyst];
