# A connection lost in the middle of a load: the batch being written is
# rolled back, the run exits 75 naming the line to resume from, and
# resuming there gives the same rows as one clean load.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/load-db.inc"

new_db main
PGDATABASE=$db
export PGDATABASE
basic=$FIXTURES/basic.ndjson
assert_status 0 "migrate" -- load-timescale migrate

# The input: fixture lines 1-4 (two companies, two metrics), blank lines
# up to line 5000, then fixture lines 5-10 as lines 5001-5006.  Blank
# lines are skips that need no database, and their bulk (more than the
# reader's 64 KiB buffer) lets the loader commit lines 1-1000 and wait for
# input.  The test then ends the loader's server process and sends the
# rest: the batch of lines 5001-5006 is the first to meet the lost
# connection.
head -n 4 "$basic" >"$WORK/part1"
awk 'BEGIN { for (i = 5; i <= 5000; i++) printf "%40s\n", "" }' >>"$WORK/part1"
tail -n +5 "$basic" >"$WORK/part2"
mkfifo "$WORK/input"
load-timescale --batch-size 1000 <"$WORK/input" 2>"$WORK/lost.err" &
loader=$!
exec 8>"$WORK/input"
cat "$WORK/part1" >&8
tries=0
while [ "$(sql -c 'SELECT count(*) FROM financial_metrics')" != 2 ] && [ $tries -lt 100 ]; do
	sleep 0.1
	tries=$((tries + 1))
done
assert_eq 2 "$(sql -c 'SELECT count(*) FROM financial_metrics')" "first batch committed"
sql -v db="$db" >/dev/null <<'SQL'
SELECT pg_terminate_backend(pid) FROM pg_stat_activity
WHERE datname = :'db' AND application_name = 'load-timescale';
SQL
cat "$WORK/part2" >&8
exec 8>&-
wait $loader
assert_eq 75 $? "lost connection exits 75"
assert_contains "$WORK/lost.err" "stdin: lines 5001-5006: connection to the database lost, so this batch was rolled back" \
	"message names the batch that was rolled back"
assert_contains "$WORK/lost.err" "load again from line 5001" "message names the line to resume from"
assert_eq 2 "$(sql -c 'SELECT count(*) FROM financial_metrics')" "no row of the lost batch stored"
assert_eq running "$(sql -c 'SELECT status FROM load_audit')" \
	"audit row of the interrupted run stays running"

# Resume from the named line; the result equals a clean load elsewhere.
cat "$WORK/part1" "$WORK/part2" | tail -n +5001 | load-timescale 2>"$WORK/resume.err"
assert_eq 0 $? "resumed load succeeds"
assert_contains "$WORK/resume.err" "financial_metrics: 6 inserted, 0 updated, 0 unchanged" \
	"resume inserts the remaining metrics"
columns="cik, metric, period_type, period_end, period_start, value, unit,
	fiscal_year, fiscal_period, source, source_ref, filed, concept, derivation"
sql -c "SELECT $columns FROM financial_metrics ORDER BY 1, 2, 3, 4" >"$WORK/resumed"
new_db clean
load-timescale --dsn "dbname=$db" "$basic" 2>/dev/null
assert_eq 0 $? "clean load succeeds"
sql -d "$db" -c "SELECT $columns FROM financial_metrics ORDER BY 1, 2, 3, 4" >"$WORK/clean"
assert_files_equal "$WORK/clean" "$WORK/resumed" "interrupted and resumed load equals a clean load"

finish
