-- Removes everything 0001_init.up.sql created, loaded data included.

DROP TABLE IF EXISTS load_audit;
DROP TABLE IF EXISTS financial_metrics;
DROP TABLE IF EXISTS companies;
DROP TABLE IF EXISTS schema_migrations;
