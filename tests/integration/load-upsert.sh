# Loading company and metric records: stored values equal the fixture's,
# a second load changes no row, a changed value updates one row, and a
# key repeated inside a batch keeps its last line.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/load-db.inc"

new_db main
PGDATABASE=$db
export PGDATABASE
basic=$FIXTURES/basic.ndjson

assert_status 0 "first load" -- load-timescale --metrics-file "$WORK/first.prom" "$basic"
assert_contains "$WORK/err" "10 lines: 10 records, 0 skipped (empty 0, unknown kind 0), 0 rejected" \
	"summary accounts for every line"
assert_contains "$WORK/err" "companies: 2 inserted, 0 updated, 0 unchanged, 0 superseded, 0 rejected" \
	"two companies inserted"
assert_contains "$WORK/err" "financial_metrics: 8 inserted, 0 updated, 0 unchanged, 0 superseded, 0 rejected" \
	"eight metrics inserted"
assert_contains "$WORK/first.prom" 'corpintel_rows_total{tool="load-timescale",table="financial_metrics",result="inserted"} 8' \
	"metrics file counts inserted metrics"
assert_contains "$WORK/first.prom" 'corpintel_lines_total{tool="load-timescale"} 10' \
	"metrics file counts lines"

# Values as written in the fixture.
assert_eq 2 "$(sql -c 'SELECT count(*) FROM companies')" "companies rows"
assert_eq 8 "$(sql -c 'SELECT count(*) FROM financial_metrics')" "financial_metrics rows"
assert_eq "EXA|Example Learning Inc.|online learning|sec" \
	"$(sql -c "SELECT ticker, name, category, source FROM companies WHERE cik = '0000000001'")" \
	"company 1 as in the fixture"
assert_eq "$(printf 'Beispiel "Lernen"\tAG \\ Zürich')" \
	"$(sql -F '|' -c "SELECT name FROM companies WHERE cik = '0000000002'")" \
	"quote, tab, backslash and UTF-8 survive COPY"
assert_eq t "$(sql -c "SELECT ticker IS NULL AND category IS NULL FROM companies WHERE cik = '0000000002'")" \
	"null ticker and category stay null"
assert_eq "1250000000|USD|2023-01-01|2023|FY|sec|0000000001-24-000010|2024-02-20|us-gaap:Revenues" \
	"$(sql -c "SELECT value, unit, period_start, fiscal_year, fiscal_period, source, source_ref, filed, concept
		FROM financial_metrics WHERE cik = '0000000001' AND metric = 'revenue'
		AND period_type = 'annual' AND period_end = '2023-12-31'")" \
	"revenue 2023 as in the fixture"
assert_eq "300000000|Q1" \
	"$(sql -c "SELECT value, fiscal_period FROM financial_metrics WHERE cik = '0000000001'
		AND metric = 'revenue' AND period_type = 'quarter' AND period_end = '2023-03-31'")" \
	"revenue Q1 2023 as in the fixture"
assert_eq "-0.37" "$(sql -c "SELECT value FROM financial_metrics WHERE metric = 'eps_diluted'")" \
	"negative decimal EPS kept exactly"
assert_eq "-45000000" "$(sql -c "SELECT value FROM financial_metrics WHERE metric = 'net_income'")" \
	"net loss kept"
assert_eq "t|2400000000" "$(sql -c "SELECT period_start IS NULL, value FROM financial_metrics WHERE metric = 'total_assets'")" \
	"instant has no period start"
assert_eq "0.4125|pure|transform|gross_profit / revenue|t" \
	"$(sql -c "SELECT value, unit, source, derivation, concept IS NULL FROM financial_metrics WHERE metric = 'gross_margin'")" \
	"derived ratio with its derivation"
assert_eq "1|ok|8|2" \
	"$(sql -c "SELECT count(*), min(status), min((counts->'metric'->>'inserted')::int), min((counts->'company'->>'inserted')::int) FROM load_audit")" \
	"one audit row with the counts"
assert_eq "$PGUSER|$basic|10" "$(sql -c 'SELECT db_user, input, lines FROM load_audit')" \
	"audit row names the user, the input and the lines"

# The same input again: nothing changes, not even loaded_at or updated_at.
dump_metrics "$WORK/metrics-1"
dump_companies "$WORK/companies-1"
assert_status 0 "second load" -- load-timescale "$basic"
assert_contains "$WORK/err" "companies: 0 inserted, 0 updated, 2 unchanged, 0 superseded, 0 rejected" \
	"second load leaves companies unchanged"
assert_contains "$WORK/err" "financial_metrics: 0 inserted, 0 updated, 8 unchanged, 0 superseded, 0 rejected" \
	"second load leaves metrics unchanged"
dump_metrics "$WORK/metrics-2"
dump_companies "$WORK/companies-2"
assert_files_equal "$WORK/metrics-1" "$WORK/metrics-2" "second load changes no metric row"
assert_files_equal "$WORK/companies-1" "$WORK/companies-2" "second load changes no company row"
assert_eq 2 "$(sql -c 'SELECT count(*) FROM load_audit')" "one audit row per run"

# One changed value: one row updated, the others untouched.
sed 's/"value":1250000000,/"value":1262500000,/' "$basic" >"$WORK/changed.ndjson"
assert_status 0 "load with one changed value" -- load-timescale "$WORK/changed.ndjson"
assert_contains "$WORK/err" "financial_metrics: 0 inserted, 1 updated, 7 unchanged, 0 superseded, 0 rejected" \
	"one metric updated"
assert_eq 1262500000 "$(sql -c "SELECT value FROM financial_metrics WHERE cik = '0000000001' AND metric = 'revenue'
	AND period_type = 'annual' AND period_end = '2023-12-31'")" "updated value stored"
dump_metrics "$WORK/metrics-3"
assert_eq 1 "$(diff "$WORK/metrics-1" "$WORK/metrics-3" | grep -c '^>')" \
	"only the changed row differs, loaded_at included"

# A null category in a later company record keeps the stored category.
printf '%s\n' '{"kind":"company","cik":"0000000001","ticker":null,"name":"Example Learning Inc.","category":null,"source":"sec"}' \
	>"$WORK/no-category.ndjson"
assert_status 0 "company without category" -- load-timescale "$WORK/no-category.ndjson"
assert_contains "$WORK/err" "companies: 0 inserted, 0 updated, 1 unchanged" "null members change nothing"
assert_eq "EXA|online learning" "$(sql -c "SELECT ticker, category FROM companies WHERE cik = '0000000001'")" \
	"stored ticker and category kept"

# The same key twice in one batch: the later line wins.
grep '"metric":"net_income"' "$basic" >"$WORK/dup.ndjson"
sed 's/"value":-45000000,/"value":-44000000,/' "$WORK/dup.ndjson" >>"$WORK/dup.ndjson"
grep '"metric":"net_income"' "$basic" | sed 's/"value":-45000000,/"value":-43000000,/' >>"$WORK/dup.ndjson"
assert_status 0 "load with a key three times" -- load-timescale "$WORK/dup.ndjson"
assert_contains "$WORK/err" "financial_metrics: 0 inserted, 1 updated, 0 unchanged, 2 superseded, 0 rejected" \
	"earlier lines of the key are superseded"
assert_eq -43000000 "$(sql -c "SELECT value FROM financial_metrics WHERE metric = 'net_income'")" \
	"last line of the batch wins"

# Across batches the last line wins as well, one batch at a time.
assert_status 0 "load in batches of one line" -- load-timescale --batch-size 1 "$WORK/dup.ndjson"
assert_contains "$WORK/err" "financial_metrics: 0 inserted, 3 updated, 0 unchanged, 0 superseded, 0 rejected" \
	"each one-line batch updates the row"
assert_eq -43000000 "$(sql -c "SELECT value FROM financial_metrics WHERE metric = 'net_income'")" \
	"last batch wins"

# Batch size changes how the work is split, never the result.
columns="cik, metric, period_type, period_end, period_start, value, unit,
	fiscal_year, fiscal_period, source, source_ref, filed, concept, derivation"
for size in 1 3 5000; do
	new_db "batch$size"
	assert_status 0 "load in batches of $size" -- \
		load-timescale --dsn "dbname=$db" --batch-size "$size" "$basic"
	assert_contains "$WORK/err" "financial_metrics: 8 inserted, 0 updated, 0 unchanged, 0 superseded, 0 rejected" \
		"batches of $size insert every metric"
	sql -d "$db" -c "SELECT $columns FROM financial_metrics ORDER BY 1, 2, 3, 4" >"$WORK/batch$size"
done
assert_files_equal "$WORK/batch5000" "$WORK/batch1" "batches of 1 store the same rows"
assert_files_equal "$WORK/batch5000" "$WORK/batch3" "batches of 3 store the same rows"

finish
