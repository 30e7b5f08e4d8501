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
for table in schema_migrations companies financial_metrics load_audit; do
	assert_eq t "$(sql -c "SELECT to_regclass('$table') IS NOT NULL")" "table $table exists"
done
assert_eq t "$(sql -c "SELECT to_regclass('financial_metrics_latest') IS NOT NULL")" \
	"index on (cik, metric, period_end desc) exists"
assert_eq "1|0001_init" "$(sql -c 'SELECT version, name FROM schema_migrations')" \
	"schema_migrations records version 1"
expected_sum=$(sha256sum "$migrations/0001_init.up.sql" | cut -d ' ' -f 1)
assert_eq "$expected_sum" "$(sql -c 'SELECT checksum FROM schema_migrations WHERE version = 1')" \
	"checksum is the SHA-256 of the up file"

# The server of the tests is Debian's PostgreSQL; with TimescaleDB the
# table must be a hypertable instead.
if [ "$(sql -c "SELECT count(*) FROM pg_available_extensions WHERE name = 'timescaledb'")" = 0 ]; then
	assert_contains "$WORK/err" "timescaledb extension not available on the server: the tables stay plain PostgreSQL tables" \
		"log says timescaledb is absent"
	assert_eq r "$(sql -c "SELECT relkind FROM pg_class WHERE relname = 'financial_metrics'")" \
		"financial_metrics is a plain table"
else
	assert_eq 1 "$(sql -c "SELECT count(*) FROM timescaledb_information.hypertables WHERE hypertable_name = 'financial_metrics'")" \
		"financial_metrics is a hypertable"
fi

# A second migrate changes nothing.
before=$(sql -c 'SELECT version, checksum, applied_at FROM schema_migrations')
assert_status 0 "second migrate" -- load-timescale migrate
assert_contains "$WORK/err" "database schema is up to date at version 1" "second migrate says up to date"
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
sql -c '\d+ financial_metrics' >"$WORK/table-before"
sql -f "$migrations/0001_init.down.sql" >/dev/null
assert_eq f "$(sql -c "SELECT to_regclass('financial_metrics') IS NOT NULL")" "down drops financial_metrics"
assert_eq f "$(sql -c "SELECT to_regclass('schema_migrations') IS NOT NULL")" "down drops schema_migrations"
assert_status 0 "migrate after down" -- load-timescale migrate
sql -c '\d+ financial_metrics' >"$WORK/table-after"
assert_files_equal "$WORK/table-before" "$WORK/table-after" "up after down gives the same table"

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
assert_eq 1 "$(cat "$WORK/m1" "$WORK/m2" | grep -c 'applied migration 0001_init')" \
	"concurrent migrate runs apply the migration once"

finish
