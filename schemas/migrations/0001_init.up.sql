-- corpintel schema, version 1: companies, their financial metrics, the
-- load audit and the migration ledger.  Plain PostgreSQL 15: load-timescale
-- turns financial_metrics into a TimescaleDB hypertable afterwards when the
-- server offers the extension, so nothing here depends on it.

CREATE TABLE schema_migrations (
	version    integer PRIMARY KEY,
	name       text NOT NULL,
	checksum   text NOT NULL,	-- SHA-256 of the .up.sql file, hex
	applied_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE companies (
	cik        text PRIMARY KEY CHECK (cik ~ '^[0-9]{10}$'),
	ticker     text UNIQUE,
	name       text NOT NULL,
	category   text,
	sic        text,
	source     text,
	updated_at timestamptz NOT NULL DEFAULT now()
);

-- One value of one metric of one company for one period.  The key includes
-- period_end, the time column, because a hypertable's unique keys must.
CREATE TABLE financial_metrics (
	cik           text NOT NULL REFERENCES companies (cik),
	metric        text NOT NULL,
	period_type   text NOT NULL CHECK (period_type IN
	                  ('instant', 'quarter', 'ytd', 'annual', 'ttm', 'day')),
	period_end    date NOT NULL,
	period_start  date,
	value         numeric NOT NULL,
	unit          text NOT NULL,
	fiscal_year   integer,
	fiscal_period text,
	source        text NOT NULL,
	source_ref    text,
	filed         date,
	concept       text,
	derivation    text,
	loaded_at     timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (cik, metric, period_type, period_end)
);

-- The latest values of a metric for a company, newest first.
CREATE INDEX financial_metrics_latest
	ON financial_metrics (cik, metric, period_end DESC);

-- One row per load-timescale run.  counts holds, per record kind, the
-- rows inserted, updated, unchanged, superseded and rejected, so that new
-- kinds need no new columns.
CREATE TABLE load_audit (
	id           bigserial PRIMARY KEY,
	started_at   timestamptz NOT NULL DEFAULT now(),
	finished_at  timestamptz,
	tool_version text NOT NULL,
	db_user      text NOT NULL DEFAULT current_user,
	input        text NOT NULL,
	lines        bigint NOT NULL DEFAULT 0,
	skipped      bigint NOT NULL DEFAULT 0,
	rejected     bigint NOT NULL DEFAULT 0,
	counts       jsonb NOT NULL DEFAULT '{}',
	status       text NOT NULL DEFAULT 'running'
	             CHECK (status IN ('running', 'ok', 'failed'))
);
