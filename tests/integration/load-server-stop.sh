# The server stops (pg_ctl stop -m fast) in the middle of a load.  The
# loader exits 75 naming the line to load again from, and once the server
# is back, loading from there gives exactly the rows of one clean load.
# The test runs its own cluster, so stopping it disturbs no other test.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/load-db.inc"

# PostgreSQL runs as the postgres user under root and must reach the
# cluster's folder inside $WORK.
chmod 755 "$WORK"
CORPINTEL_PGDIR=$WORK/pg
export CORPINTEL_PGDIR
stop_private() {
	sh "$TOP/scripts/pg-stop" --remove >/dev/null 2>&1
	drop_test_databases
}
trap stop_private EXIT
pg_env=$(sh "$TOP/scripts/pg-start" 2>"$WORK/pg-start.err") ||
	{ cat "$WORK/pg-start.err"; echo "private cluster did not start"; exit 1; }
eval "$pg_env"
assert_eq "$WORK/pg" "$PGHOST" "the test has a private cluster"

gen_metrics 60000 "$WORK/big.ndjson"
half=30100
head -n $half "$WORK/big.ndjson" >"$WORK/part1"
tail -n +$((half + 1)) "$WORK/big.ndjson" >"$WORK/part2"

createdb clean && createdb stopped || { echo "createdb failed"; exit 1; }
PGDATABASE=clean
export PGDATABASE
assert_status 0 "clean load" -- load-timescale --batch-size 1000 "$WORK/big.ndjson"
dump_state "$WORK/clean.dump"

PGDATABASE=stopped
assert_status 0 "migrate" -- load-timescale migrate
mkfifo "$WORK/input"
load-timescale --batch-size 1000 <"$WORK/input" 2>"$WORK/stop.err" &
loader=$!
exec 8>"$WORK/input"
cat "$WORK/part1" >&8
wait_rows financial_metrics 1000
sh "$TOP/scripts/pg-stop" 2>"$WORK/pg-stop.err"
assert_eq 0 $? "server stopped with pg_ctl stop -m fast"
cat "$WORK/part2" >&8 2>/dev/null
exec 8>&-
wait $loader
assert_eq 75 $? "a stopped server exits 75"
assert_contains "$WORK/stop.err" "connection to the database lost, so this batch was rolled back" \
	"the lost batch is named"
resume=$(sed -n 's/.*load again from line \([0-9]*\).*/\1/p' "$WORK/stop.err")
assert_eq t "$([ -n "$resume" ] && [ "$resume" -le $((half + 1)) ] && echo t)" \
	"the line to resume from is named"
assert_contains "$WORK/stop.err" "when the database is back, load again from line $resume" \
	"the message says when to load again"

# The same command exits 75 at once while the server is down.
assert_status 75 "load with the server down exits 75" -- load-timescale "$WORK/part2"

eval "$(sh "$TOP/scripts/pg-start" 2>/dev/null)"
PGDATABASE=stopped
tail -n +"${resume:-1}" "$WORK/big.ndjson" >"$WORK/rest.ndjson"
assert_status 0 "resume once the server is back" -- load-timescale --batch-size 1000 "$WORK/rest.ndjson"
dump_state "$WORK/resumed.dump"
assert_files_equal "$WORK/clean.dump" "$WORK/resumed.dump" "resumed load equals a clean load"

finish
