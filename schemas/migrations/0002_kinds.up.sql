-- corpintel schema, version 2: SEC filings, stock prices and price events,
-- the two mart tables, the company attributes of SEC submissions, the
-- revised flag of metrics, and what load-timescale needs to recognise a
-- run that died.  Plain PostgreSQL 15, like version 1: load-timescale
-- makes the time-keyed tables hypertables afterwards when it can.

ALTER TABLE companies
	ADD COLUMN sic_description text,
	ADD COLUMN fiscal_year_end text
	    CHECK (fiscal_year_end ~ '^(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])$'),
	ADD COLUMN exchanges       text[],
	ADD COLUMN listed          boolean;

-- True when a later filing reported a different value for the period.
-- Null for rows loaded before the flag existed: unknown, not false.
ALTER TABLE financial_metrics ADD COLUMN revised boolean;

-- One filing in EDGAR, keyed by its accession number.
CREATE TABLE sec_filings (
	accession        text PRIMARY KEY
	                 CHECK (accession ~ '^[0-9]{10}-[0-9]{2}-[0-9]{6}$'),
	cik              text NOT NULL CHECK (cik ~ '^[0-9]{10}$'),
	form             text NOT NULL,
	filed            date NOT NULL,
	report_date      date,
	accepted         timestamptz,
	primary_document text,
	source           text NOT NULL,
	loaded_at        timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX sec_filings_company ON sec_filings (cik, filed DESC);

-- One bar per ticker, bar interval and day.  cik is null for a ticker
-- that no company record maps, so there is no foreign key.
CREATE TABLE stock_prices (
	ticker     text NOT NULL,
	"interval" text NOT NULL CHECK ("interval" IN ('1d', '1wk', '1mo')),
	"date"     date NOT NULL,
	cik        text CHECK (cik ~ '^[0-9]{10}$'),
	open       numeric,
	high       numeric,
	low        numeric,
	close      numeric,
	adjclose   numeric,
	volume     bigint CHECK (volume >= 0),
	currency   text,
	source     text NOT NULL,
	source_ref text,
	loaded_at  timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (ticker, "interval", "date"),
	CHECK (low <= high)
);

CREATE TABLE price_events (
	ticker      text NOT NULL,
	type        text NOT NULL
	            CHECK (type IN ('dividend', 'split', 'capital_gain')),
	"date"      date NOT NULL,
	cik         text CHECK (cik ~ '^[0-9]{10}$'),
	amount      numeric,
	numerator   numeric,
	denominator numeric CHECK (denominator <> 0),
	currency    text,
	source      text NOT NULL,
	source_ref  text,
	loaded_at   timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (ticker, type, "date")
);

-- The marts are written by transform: one row per company and as-of
-- date, and one per category and as-of date.
CREATE TABLE mart_company_performance (
	as_of               date NOT NULL,
	cik                 text NOT NULL CHECK (cik ~ '^[0-9]{10}$'),
	ticker              text,
	name                text,
	category            text,
	unit                text,
	revenue_quarter     numeric,
	revenue_annual      numeric,
	revenue_ttm         numeric,
	revenue_growth_yoy  numeric,
	gross_margin        numeric,
	operating_margin    numeric,
	net_margin          numeric,
	market_cap          numeric,
	pe_ratio            numeric,
	rank_in_category    integer CHECK (rank_in_category > 0),
	rank_overall        integer CHECK (rank_overall > 0),
	growth_score        numeric,
	margin_score        numeric,
	profitability_score numeric,
	overall_score       numeric,
	health              text,
	latest_period_end   date,
	data_age_days       integer,
	loaded_at           timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (as_of, cik)
);

CREATE TABLE mart_competitive_landscape (
	as_of          date NOT NULL,
	category       text NOT NULL,
	unit           text,
	total_revenue  numeric,
	companies      integer CHECK (companies >= 0),
	average_growth numeric,
	median_growth  numeric,
	hhi            numeric,
	top3_share     numeric,
	loaded_at      timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (as_of, category)
);

-- The server process of each run, so that the next run can tell a run
-- that is still going from one that was killed and mark the latter.
ALTER TABLE load_audit
	ADD COLUMN backend_pid integer,
	DROP CONSTRAINT load_audit_status_check,
	ADD CONSTRAINT load_audit_status_check
	    CHECK (status IN ('running', 'ok', 'failed', 'interrupted'));
