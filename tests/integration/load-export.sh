# --export writes stored rows back as records in the contract's format,
# ordered by key, and loading an export changes nothing.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/load-db.inc"

new_db main
PGDATABASE=$db
export PGDATABASE
basic=$FIXTURES/basic.ndjson

assert_status 78 "export before migrate exits 78" -- load-timescale --export metric
assert_status 0 "load the fixture" -- load-timescale "$basic"

# The fixture lists its records in key order with every member in the
# contract's order, so an export must reproduce its lines byte for byte.
assert_status 0 "export metric" -- load-timescale --export metric
grep '"kind":"metric"' "$basic" >"$WORK/expected-metrics"
assert_files_equal "$WORK/expected-metrics" "$WORK/out" "exported metrics equal the input lines"
assert_contains "$WORK/err" "8 metric records written" "export counts its records"
cp "$WORK/out" "$WORK/exported-metrics"

assert_status 0 "export company" -- load-timescale --export company
grep '"kind":"company"' "$basic" >"$WORK/expected-companies"
assert_files_equal "$WORK/expected-companies" "$WORK/out" "exported companies equal the input lines"

assert_status 0 "export metrics (plural)" -- load-timescale --export metrics
assert_files_equal "$WORK/expected-metrics" "$WORK/out" "plural kind name exports the same"

# export | load is a no-op.
dump_metrics "$WORK/before"
load-timescale --export metric | load-timescale 2>"$WORK/roundtrip.err"
assert_eq 0 $? "export piped into load succeeds"
assert_contains "$WORK/roundtrip.err" "financial_metrics: 0 inserted, 0 updated, 8 unchanged, 0 superseded, 0 rejected" \
	"round trip changes no metric"
dump_metrics "$WORK/after"
assert_files_equal "$WORK/before" "$WORK/after" "round trip leaves every row as it was"

# More rows than one FETCH: the cursor delivers all of them, in key order.
new_db bulk
awk 'BEGIN {
	print "{\"kind\":\"company\",\"cik\":\"0000000009\",\"ticker\":\"BULK\",\"name\":\"Bulk Sample Co.\",\"category\":null,\"source\":\"sec\"}"
	for (i = 0; i < 25000; i++)
		printf "{\"kind\":\"metric\",\"cik\":\"0000000009\",\"ticker\":\"BULK\",\"metric\":\"m%05d\",\"value\":%d,\"unit\":\"USD\",\"period_type\":\"annual\",\"period_start\":null,\"period_end\":\"2023-12-31\",\"fiscal_year\":2023,\"fiscal_period\":\"FY\",\"source\":\"sec\",\"source_ref\":null,\"filed\":null,\"revised\":false,\"concept\":null,\"derivation\":null}\n", i, i * 7
}' >"$WORK/bulk.ndjson"
assert_status 0 "load 25000 metrics" -- load-timescale --dsn "dbname=$db" "$WORK/bulk.ndjson"
assert_contains "$WORK/err" "financial_metrics: 25000 inserted" "bulk metrics inserted"
assert_status 0 "export 25000 metrics" -- load-timescale --dsn "dbname=$db" --export metric
grep '"kind":"metric"' "$WORK/bulk.ndjson" >"$WORK/bulk-expected"
assert_files_equal "$WORK/bulk-expected" "$WORK/out" "export across several fetches equals the input"

finish
