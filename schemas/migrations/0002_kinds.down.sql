-- Removes what 0002_kinds.up.sql added, with the rows of its tables and
-- the values of its columns.

UPDATE load_audit SET status = 'failed' WHERE status = 'interrupted';
ALTER TABLE load_audit
	DROP CONSTRAINT load_audit_status_check,
	ADD CONSTRAINT load_audit_status_check
	    CHECK (status IN ('running', 'ok', 'failed')),
	DROP COLUMN backend_pid;

DROP TABLE IF EXISTS mart_competitive_landscape;
DROP TABLE IF EXISTS mart_company_performance;
DROP TABLE IF EXISTS price_events;
DROP TABLE IF EXISTS stock_prices;
DROP TABLE IF EXISTS sec_filings;

ALTER TABLE financial_metrics DROP COLUMN revised;
ALTER TABLE companies
	DROP COLUMN listed,
	DROP COLUMN exchanges,
	DROP COLUMN fiscal_year_end,
	DROP COLUMN sic_description;
