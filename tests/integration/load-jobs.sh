# --jobs N loads through N connections and stores exactly what one
# connection stores: every version of a key goes through the same
# connection in input order, so the later line still wins.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/load-db.inc"

gen_metrics 100000 "$WORK/big.ndjson"
total=$(lines "$WORK/big.ndjson")

new_db one
PGDATABASE=$db
export PGDATABASE
assert_status 0 "load with one connection" -- load-timescale --batch-size 1000 "$WORK/big.ndjson"
dump_state "$WORK/one.dump"

new_db three
PGDATABASE=$db
assert_status 0 "load with three connections" -- \
	load-timescale --jobs 3 --batch-size 1000 --metrics-file "$WORK/jobs.prom" "$WORK/big.ndjson"
assert_contains "$WORK/err" "$total lines: $total records, 0 skipped (empty 0, unknown kind 0), 0 rejected" \
	"--jobs 3 accounts for every line"
assert_contains "$WORK/err" "financial_metrics: 99900 inserted, 0 updated, 0 unchanged, 100 superseded, 0 rejected" \
	"--jobs 3 counts as one connection does"
dump_state "$WORK/three.dump"
assert_files_equal "$WORK/one.dump" "$WORK/three.dump" "--jobs 3 stores the same rows as --jobs 1"
assert_contains "$WORK/jobs.prom" 'table="financial_metrics",result="inserted"} 99900' \
	"metrics file sums the connections"

# Updates spread over the connections: every tenth value changes.
awk -F '"value":' 'NR > 100 && NR % 10 == 0 { sub(/\.25,/, ".5,", $2) } { print $1 (NF > 1 ? "\"value\":" $2 : "") }' \
	"$WORK/big.ndjson" >"$WORK/changed.ndjson"
changed=$(grep -c '\.5,"unit"' "$WORK/changed.ndjson")
assert_status 0 "reload changed values with three connections" -- \
	load-timescale --jobs 3 --batch-size 1000 "$WORK/changed.ndjson"
PGDATABASE=one
assert_status 0 "reload changed values with one connection" -- \
	load-timescale --dsn "dbname=corpintel_load_jobs_one_$$" --batch-size 1000 "$WORK/changed.ndjson"
updated=$(sed -n 's/.*financial_metrics: 0 inserted, \([0-9]*\) updated.*/\1/p' "$WORK/err")
assert_eq t "$([ -n "$updated" ] && [ "$updated" -gt 0 ] && [ "$updated" -le "$changed" ] && echo t)" \
	"changed values are updated"
PGDATABASE=corpintel_load_jobs_one_$$
dump_state "$WORK/one-changed.dump"
PGDATABASE=corpintel_load_jobs_three_$$
dump_state "$WORK/three-changed.dump"
assert_files_equal "$WORK/one-changed.dump" "$WORK/three-changed.dump" \
	"updates with --jobs 3 equal updates with --jobs 1"

# Refused rows are isolated on several connections too.  Companies 1 and
# 2 claim the same ticker on different connections, so which one the
# server refuses depends on timing (the order holds per key only); the
# counts reconcile either way.
new_db refused
assert_status 0 "refused rows with --jobs 4" -- load-timescale --dsn "dbname=$db" --jobs 4 \
	--rejects "$WORK/rejects.ndjson" "$FIXTURES/refused.ndjson"
set -- $(summary_numbers "$WORK/err")
assert_eq "13 0" "$1 $3" "--jobs 4 reads every line and skips none"
assert_eq 13 "$(($2 + $4))" "--jobs 4: records + rejected = lines"
assert_eq "$4" "$(lines "$WORK/rejects.ndjson")" "--jobs 4 writes one reject per refused row"
assert_eq 1 "$(sql -d "$db" -c "SELECT count(*) FROM companies WHERE ticker = 'EXA'")" \
	"one company holds the contested ticker"

assert_status 64 "--jobs 0 is a usage error" -- load-timescale --jobs 0 "$WORK/big.ndjson"
assert_status 64 "--jobs beyond 64 is a usage error" -- load-timescale --jobs 65 "$WORK/big.ndjson"

finish
