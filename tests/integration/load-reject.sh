# Bad lines are rejected with their line number and reason while the good
# ones load, unknown kinds are rejected (or counted with --skip-unknown),
# and the counts reconcile.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/load-db.inc"

new_db main
PGDATABASE=$db
export PGDATABASE
bad=$FIXTURES/bad.ndjson

# bad.ndjson, line by line: 1 company, 2 metric, 3 empty, 4 sec_fact,
# 5 truncated JSON, 6 metric without period_end, 7 cik "12345",
# 8 period_end 2023-02-30, 9 value as a string, 10 metric of a company
# not loaded, 11 company with a null name, 12 metric.
assert_status 0 "load with bad lines" -- load-timescale --skip-unknown \
	--rejects "$WORK/rejects.ndjson" "$bad"
assert_contains "$WORK/err" "12 lines: 3 records, 2 skipped (empty 1, unknown kind 1), 7 rejected" \
	"summary counts records, skips and rejects"
set -- $(summary_numbers "$WORK/err")
assert_eq "$1" "$(($2 + $3 + $4))" "lines = records + skipped + rejected"
assert_eq 12 "$(lines "$bad")" "summary counts every line of the file"
assert_contains "$WORK/err" "companies: 1 inserted, 0 updated, 0 unchanged, 0 superseded, 1 rejected" \
	"company counts"
assert_contains "$WORK/err" "financial_metrics: 2 inserted, 0 updated, 0 unchanged, 0 superseded, 5 rejected" \
	"metric counts"
assert_eq 7 "$(lines "$WORK/rejects.ndjson")" "one reject per rejected line"
assert_eq "5 6 7 8 9 10 11" \
	"$(sed 's/.*"line":\([0-9]*\),.*/\1/' "$WORK/rejects.ndjson" | sort -n | tr '\n' ' ' | sed 's/ $//')" \
	"rejects carry the input line numbers"

reject_of() {	# line number
	grep "\"line\":$1," "$WORK/rejects.ndjson"
}
reject_of 5 >"$WORK/r5"
assert_contains "$WORK/r5" '"rule":"json"' "truncated JSON is a json reject"
reject_of 6 >"$WORK/r6"
assert_contains "$WORK/r6" '"rule":"required","reason":"member \"period_end\": missing or null"' \
	"missing period_end is named"
reject_of 7 >"$WORK/r7"
assert_contains "$WORK/r7" 'invalid CIK \"12345\"' "short CIK is named"
reject_of 8 >"$WORK/r8"
assert_contains "$WORK/r8" 'invalid date \"2023-02-30\"' "impossible date is named"
reject_of 9 >"$WORK/r9"
assert_contains "$WORK/r9" '"rule":"type","reason":"member \"value\": not a number"' "string value is named"
reject_of 10 >"$WORK/r10"
assert_contains "$WORK/r10" 'no company with cik 0000000099' "metric of an unknown company is named"
reject_of 11 >"$WORK/r11"
assert_contains "$WORK/r11" 'member \"name\": missing or null' "company without name is named"
assert_eq "$(sed -n 9p "$bad")" "$(reject_of 9 | jq -r .input)" "reject keeps the original line"
assert_eq "load-timescale" "$(reject_of 9 | jq -r .tool)" "reject names the tool"

assert_eq "0000000003" "$(sql -c 'SELECT cik FROM companies')" "only the valid company stored"
assert_eq "net_income|-3500000
revenue|52000000" "$(sql -c 'SELECT metric, value FROM financial_metrics ORDER BY metric')" \
	"only the valid metrics stored"
assert_eq "12|2|7|ok" "$(sql -c 'SELECT lines, skipped, rejected, status FROM load_audit')" \
	"audit row has the reconciled counts"

# Without --rejects, each reject is a warning naming FILE:LINE.
new_db warn
assert_status 0 "load without a reject file" -- load-timescale --dsn "dbname=$db" \
	--skip-unknown "$bad"
assert_contains "$WORK/err" "warning: $bad:8: " "warning names the file and line"
assert_eq 7 "$(grep -c "warning: $bad:[0-9]*: " "$WORK/err")" "one warning per reject"

# Two inputs: reject line numbers continue from one file to the next, as
# in the other tools, and each reject names its file and its line there.
# This holds for a line the reader rejects (line 8, an impossible date)
# and for one the database finds wrong (line 10, a company not loaded).
new_db two
cp "$bad" "$WORK/second.ndjson"
assert_status 0 "load two files with bad lines" -- load-timescale --dsn "dbname=$db" \
	--skip-unknown --rejects "$WORK/rejects-two.ndjson" "$bad" "$WORK/second.ndjson"
assert_eq "5 6 7 8 9 10 11 17 18 19 20 21 22 23" \
	"$(sed 's/.*"line":\([0-9]*\),.*/\1/' "$WORK/rejects-two.ndjson" | sort -n | tr '\n' ' ' | sed 's/ $//')" \
	"line numbers continue into the second file"
assert_contains "$WORK/rejects-two.ndjson" '"line":20,"file":"'"$WORK/second.ndjson"'","file_line":8,' \
	"reader reject names the second file"
assert_contains "$WORK/rejects-two.ndjson" '"line":22,"file":"'"$WORK/second.ndjson"'","file_line":10,' \
	"server refusal names the second file"
assert_contains "$WORK/rejects-two.ndjson" '"line":8,"file":"'"$bad"'","file_line":8,' \
	"first file's reject names it"

# By default (--reject-unknown) the sec_fact is a reject, not a skip.
new_db unknown
assert_status 0 "load rejecting unknown kinds" -- \
	load-timescale --dsn "dbname=$db" --rejects "$WORK/rejects2.ndjson" "$bad"
assert_contains "$WORK/err" "12 lines: 3 records, 1 skipped (empty 1, unknown kind 0), 8 rejected" \
	"unknown kind counted as rejected"
grep '"line":4,' "$WORK/rejects2.ndjson" >"$WORK/r4"
assert_contains "$WORK/r4" 'unknown kind \"sec_fact\"' "unknown kind reject names the kind"

# More rejects than allowed: everything valid still loads, and the exit status reports it.
new_db ratio
assert_status 65 "reject ratio above the limit exits 65" -- \
	load-timescale --dsn "dbname=$db" --max-reject-ratio 0.5 --rejects /dev/null "$bad"
assert_contains "$WORK/err" "8 of 12 lines rejected, more than --max-reject-ratio 0.5" \
	"ratio failure is explained"
assert_eq 2 "$(sql -d "$db" -c 'SELECT count(*) FROM financial_metrics')" \
	"valid metrics loaded despite the ratio"

# Overlong lines are rejected by length, the rest still loads.
new_db long
head -n 2 "$bad" >"$WORK/long.ndjson"
assert_status 0 "load with a line limit" -- load-timescale --dsn "dbname=$db" \
	--max-line-bytes 200 --rejects "$WORK/rejects3.ndjson" "$WORK/long.ndjson"
assert_contains "$WORK/rejects3.ndjson" '"rule":"line-length"' "long line rejected by length"
assert_contains "$WORK/rejects3.ndjson" '"line":2,' "long line reject names line 2"
assert_eq 1 "$(sql -d "$db" -c 'SELECT count(*) FROM companies')" "short line loaded"

# A missing input file: the others load, the status is 66.
new_db missing
assert_status 66 "missing input file exits 66" -- \
	load-timescale --dsn "dbname=$db" "$WORK/absent.ndjson" "$FIXTURES/basic.ndjson"
assert_contains "$WORK/err" "absent.ndjson: No such file or directory" "missing file is named"
assert_eq 8 "$(sql -d "$db" -c 'SELECT count(*) FROM financial_metrics')" "other file loaded"

finish
