# Metrics from several sources under one key (cik, metric, period type,
# period end).  A filing's value (source sec) is never replaced by a
# derived one (transform), and neither by a vendor's (yahoo), whichever
# comes last, in one batch or across loads.  A vendor's value fills a key
# that no filing gives, and a later filing replaces it.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/load-db.inc"

new_db main
PGDATABASE=$db
export PGDATABASE
sources=$FIXTURES/sources.ndjson

# value_of METRIC PERIOD_TYPE PERIOD_END: "value|source" of the stored row.
value_of() {
	sql -c "SELECT value, source FROM financial_metrics WHERE cik = '0000000003'
		AND metric = '$1' AND period_type = '$2' AND period_end = '$3'"
}

# One batch: the Yahoo revenue line comes after the SEC one, the
# transform free cash flow after the Yahoo one.
assert_status 0 "load in one batch" -- load-timescale "$sources"
assert_eq "500000000|sec" "$(value_of revenue annual 2023-12-31)" \
	"filing beats a later Yahoo line in the batch"
assert_eq "40000000|transform" "$(value_of free_cash_flow annual 2023-12-31)" \
	"derived value beats a Yahoo line in the batch"
assert_eq "120000000|yahoo" "$(value_of revenue quarter 2023-03-31)" \
	"Yahoo fills a quarter no filing gives"
assert_contains "$WORK/err" "financial_metrics: 3 inserted, 0 updated, 0 unchanged, 2 superseded, 0 rejected" \
	"the outranked lines count as superseded"

# Across loads: the Yahoo lines alone, in a later run, change nothing.
grep '"source":"yahoo"' "$sources" >"$WORK/yahoo.ndjson"
assert_status 0 "Yahoo loaded again alone" -- load-timescale "$WORK/yahoo.ndjson"
assert_eq "500000000|sec" "$(value_of revenue annual 2023-12-31)" \
	"filing kept against a later Yahoo run"
assert_eq "40000000|transform" "$(value_of free_cash_flow annual 2023-12-31)" \
	"derived value kept against a later Yahoo run"
assert_contains "$WORK/err" "financial_metrics: 0 inserted, 0 updated, 3 unchanged, 0 superseded, 0 rejected" \
	"the outranked rows stay unchanged"

# A filing for the quarter Yahoo filled replaces Yahoo's value.
sed -e 's/"value":120000000/"value":121500000/' -e 's/"source":"yahoo"/"source":"sec"/' \
	"$WORK/yahoo.ndjson" | grep '"period_type":"quarter"' >"$WORK/filing.ndjson"
assert_status 0 "filing for the quarter" -- load-timescale "$WORK/filing.ndjson"
assert_eq "121500000|sec" "$(value_of revenue quarter 2023-03-31)" \
	"filing replaces the Yahoo quarter"
assert_contains "$WORK/err" "financial_metrics: 0 inserted, 1 updated, 0 unchanged, 0 superseded, 0 rejected" \
	"the replaced row counts as updated"

# A source outside the ranking is rejected, by the loader and by
# validate-quality, rather than ranked below all the others.
sed -e 's/"source":"sec"/"source":"SEC"/' "$WORK/filing.ndjson" >"$WORK/unknown-source.ndjson"
assert_status 0 "unknown source loaded" -- \
	load-timescale --rejects "$WORK/source-rejects.ndjson" "$WORK/unknown-source.ndjson"
assert_contains "$WORK/source-rejects.ndjson" 'member \"source\": invalid value \"SEC\": use sec, transform or yahoo' \
	"loader names the allowed sources"
assert_eq "121500000|sec" "$(value_of revenue quarter 2023-03-31)" \
	"unknown source leaves the row alone"
assert_status 65 "validate-quality on an unknown source" -- \
	validate-quality --rejects "$WORK/vq-rejects.ndjson" "$WORK/unknown-source.ndjson"
assert_contains "$WORK/vq-rejects.ndjson" '"rule":"metric-enum","reason":"source \"SEC\" is not one of sec, transform, yahoo"' \
	"validate-quality rejects the unknown source"

finish
