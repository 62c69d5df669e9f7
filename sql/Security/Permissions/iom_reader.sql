-- IOM staff: read the report views only
GRANT SELECT ON SCHEMA::[rpt] TO [iom_reader];
