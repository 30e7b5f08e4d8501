# load-timescale migrate on a real server: from an empty database, again
# as a no-op, down and up again, and the refusals (a changed migration, a
# schema newer than the files, a pending migration with --no-migrate).
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/load-db.inc"

migrations=$TOP/schemas/migrations
new_db main
PGDATABASE=$db
export PGDATABASE

assert_status 0 "migrate on an empty database" -- load-timescale migrate
assert_contains "$WORK/err" "applied migration 0001_init" "log names the applied migration"
assert_contains "$WORK/err" "applied migration 0002_kinds" "log names the second migration"
for table in schema_migrations companies financial_metrics load_audit \
    sec_filings stock_prices price_events mart_company_performance \
    mart_competitive_landscape; do
	assert_eq t "$(sql -c "SELECT to_regclass('$table') IS NOT NULL")" "table $table exists"
done
assert_eq t "$(sql -c "SELECT to_regclass('financial_metrics_latest') IS NOT NULL")" \
	"index on (cik, metric, period_end desc) exists"
assert_eq "1|0001_init
2|0002_kinds" "$(sql -c 'SELECT version, name FROM schema_migrations ORDER BY 1')" \
	"schema_migrations records versions 1 and 2"
assert_eq "sic|text
sic_description|text
fiscal_year_end|text
exchanges|ARRAY
listed|boolean" "$(sql -c "SELECT column_name, data_type FROM information_schema.columns
	WHERE table_name = 'companies' AND column_name IN ('sic', 'sic_description',
	'fiscal_year_end', 'exchanges', 'listed') ORDER BY ordinal_position")" \
	"companies has the SEC submission columns"
assert_eq boolean "$(sql -c "SELECT data_type FROM information_schema.columns
	WHERE table_name = 'financial_metrics' AND column_name = 'revised'")" \
	"financial_metrics.revised is a boolean"
assert_eq "accession" "$(sql -c "SELECT a.attname FROM pg_index i JOIN pg_attribute a
	ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
	WHERE i.indrelid = 'sec_filings'::regclass AND i.indisprimary")" \
	"sec_filings is keyed by accession"
assert_eq "ticker,interval,date" "$(sql -c "SELECT string_agg(a.attname, ',' ORDER BY k.n)
	FROM pg_index i, unnest(i.indkey) WITH ORDINALITY k(attnum, n), pg_attribute a
	WHERE i.indrelid = 'stock_prices'::regclass AND i.indisprimary
	AND a.attrelid = i.indrelid AND a.attnum = k.attnum")" \
	"stock_prices is keyed by ticker, interval and date"
expected_sum=$(sha256sum "$migrations/0001_init.up.sql" | cut -d ' ' -f 1)
assert_eq "$expected_sum" "$(sql -c 'SELECT checksum FROM schema_migrations WHERE version = 1')" \
	"checksum is the SHA-256 of the up file"

# The server of the tests is Debian's PostgreSQL; with TimescaleDB the
# table must be a hypertable instead.
if [ "$(sql -c "SELECT count(*) FROM pg_available_extensions WHERE name = 'timescaledb'")" = 0 ]; then
	assert_contains "$WORK/err" "timescaledb: extension not available on the server: the tables stay plain PostgreSQL tables" \
		"log says timescaledb is absent"
	assert_eq r "$(sql -c "SELECT relkind FROM pg_class WHERE relname = 'financial_metrics'")" \
		"financial_metrics is a plain table"
	new_db required
	assert_status 69 "--require-timescaledb without the extension exits 69" -- \
		load-timescale --dsn "dbname=$db" --require-timescaledb migrate
	assert_contains "$WORK/err" "timescaledb: extension not available on the server, and --require-timescaledb was given" \
		"--require-timescaledb failure is explained"
	assert_eq f "$(sql -d "$db" -c "SELECT to_regclass('schema_migrations') IS NOT NULL")" \
		"--require-timescaledb refuses before it migrates"
	assert_status 0 "--compress-after without the extension" -- \
		load-timescale --dsn "dbname=$db" --compress-after '2 years' migrate
	assert_contains "$WORK/err" "--compress-after has no effect" \
		"--compress-after without the extension is logged"
else
	assert_eq 1 "$(sql -c "SELECT count(*) FROM timescaledb_information.hypertables WHERE hypertable_name = 'financial_metrics'")" \
		"financial_metrics is a hypertable"
fi

# A second migrate changes nothing.
before=$(sql -c 'SELECT version, checksum, applied_at FROM schema_migrations')
assert_status 0 "second migrate" -- load-timescale migrate
assert_contains "$WORK/err" "database schema is up to date at version 2" "second migrate says up to date"
assert_eq "$before" "$(sql -c 'SELECT version, checksum, applied_at FROM schema_migrations')" \
	"second migrate leaves schema_migrations as it was"

# A migration edited after it was applied is refused, and nothing runs.
cp -R "$migrations" "$WORK/changed"
echo "-- edited after it was applied" >>"$WORK/changed/0001_init.up.sql"
assert_status 78 "changed migration exits 78" -- load-timescale migrate --migrations "$WORK/changed"
assert_contains "$WORK/err" "migration 0001_init changed after it was applied" "changed migration is named"
assert_status 78 "load refuses a changed migration too" -- \
	load-timescale --migrations "$WORK/changed" "$FIXTURES/basic.ndjson"
assert_eq 0 "$(sql -c 'SELECT count(*) FROM companies')" "nothing loaded after the refusal"

# A database at a version the files do not reach is refused.
sql -c "INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, '9999_future', 'x')"
assert_status 78 "newer schema exits 78" -- load-timescale migrate
assert_contains "$WORK/err" "the database schema is at version 9999, newer than the migrations" \
	"newer schema is explained"
assert_status 78 "export refuses a newer schema" -- load-timescale --export metric
sql -c "DELETE FROM schema_migrations WHERE version = 9999"

# A migration file of a version that was applied must still be there.
mkdir "$WORK/none"
assert_status 66 "empty migrations folder exits 66" -- load-timescale migrate --migrations "$WORK/none"
assert_status 66 "missing migrations folder exits 66" -- load-timescale migrate --migrations "$WORK/absent"

# Down, then up again, gives the same schema.
schema() {	# file: every column of every table in the public schema
	sql -c "SELECT table_name, column_name, data_type, is_nullable, column_default
		FROM information_schema.columns WHERE table_schema = 'public'
		ORDER BY table_name, ordinal_position" >"$1"
	sql -c "SELECT conrelid::regclass, conname, pg_get_constraintdef(oid)
		FROM pg_constraint WHERE connamespace = 'public'::regnamespace
		ORDER BY 1, 2" >>"$1"
	sql -c "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'
		ORDER BY indexname" >>"$1"
}
schema "$WORK/schema-2"
assert_status 0 "migrate --down reverts the newest migration" -- load-timescale migrate --down
assert_contains "$WORK/err" "reverted migration 0002_kinds" "--down names the reverted migration"
assert_eq 1 "$(sql -c 'SELECT max(version) FROM schema_migrations')" "--down leaves version 1"
assert_eq f "$(sql -c "SELECT to_regclass('stock_prices') IS NOT NULL")" "--down drops stock_prices"
assert_eq 0 "$(sql -c "SELECT count(*) FROM information_schema.columns
	WHERE table_name = 'companies' AND column_name = 'listed'")" "--down drops companies.listed"
assert_status 78 "load refuses a schema with a pending migration after --down" -- \
	load-timescale --no-migrate "$FIXTURES/basic.ndjson"
assert_status 78 "migrate --to 0 on version 1 is refused" -- \
	load-timescale migrate --to 0
assert_contains "$WORK/err" "use 'load-timescale migrate --down --to 0' to revert" \
	"going down without --down is refused with the hint"
assert_status 0 "migrate --down --to 0 reverts everything" -- load-timescale migrate --down --to 0
assert_contains "$WORK/err" "reverted migration 0001_init" "down names the first migration"
assert_eq f "$(sql -c "SELECT to_regclass('financial_metrics') IS NOT NULL")" "down drops financial_metrics"
assert_eq f "$(sql -c "SELECT to_regclass('schema_migrations') IS NOT NULL")" "down drops schema_migrations"
assert_status 0 "migrate --to 1 stops at version 1" -- load-timescale migrate --to 1
assert_eq 1 "$(sql -c 'SELECT max(version) FROM schema_migrations')" "--to 1 applies version 1 only"
assert_eq f "$(sql -c "SELECT to_regclass('sec_filings') IS NOT NULL")" "--to 1 creates no sec_filings"
assert_status 0 "migrate after down" -- load-timescale migrate
schema "$WORK/schema-again"
assert_files_equal "$WORK/schema-2" "$WORK/schema-again" "up, down and up again give the same schema"
mkdir "$WORK/nodown"
cp "$migrations"/*.up.sql "$WORK/nodown"
assert_status 66 "--down without the down file exits 66" -- \
	load-timescale migrate --down --migrations "$WORK/nodown"
assert_eq 2 "$(sql -c 'SELECT max(version) FROM schema_migrations')" "a missing down file reverts nothing"
assert_status 64 "--down outside migrate is a usage error" -- load-timescale --down "$FIXTURES/basic.ndjson"

# --no-migrate applies nothing and refuses a database that needs migrations.
new_db pending
assert_status 78 "--no-migrate on an empty database exits 78" -- \
	load-timescale --dsn "dbname=$db" --no-migrate "$FIXTURES/basic.ndjson"
assert_contains "$WORK/err" "migration 0001_init is pending: run 'load-timescale migrate'" \
	"--no-migrate names the pending migration"
assert_eq f "$(sql -d "$db" -c "SELECT to_regclass('companies') IS NOT NULL")" \
	"--no-migrate created no table"

# Two migrate runs at once apply the migration once.
new_db concurrent
load-timescale --dsn "dbname=$db" migrate 2>"$WORK/m1" &
load-timescale --dsn "dbname=$db" migrate 2>"$WORK/m2"
status2=$?
wait $!
status1=$?
assert_eq "0 0" "$status1 $status2" "concurrent migrate runs both succeed"
assert_eq 1 "$(cat "$WORK/m1" "$WORK/m2" | grep -c 'applied migration 0002_kinds')" \
	"concurrent migrate runs apply the migration once"

# A target beyond the newest file is a mistake, not "up to date".
assert_status 64 "migrate --to beyond the newest file is refused" -- \
	load-timescale migrate --to 99
assert_contains "$WORK/err" "--to 99: no such migration version" "the version is named"

finish
