-- pipeline runs, batches, watermarks, file manifest, quarantine and data quality
CREATE SCHEMA [meta] AUTHORIZATION [dbo];
