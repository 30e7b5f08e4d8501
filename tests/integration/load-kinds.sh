# Every stored kind: filings, prices, price events and both marts load
# into their tables with the values of the input, a second load changes
# nothing, a changed value updates one row, and --export writes each kind
# back line for line.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/load-db.inc"

new_db main
PGDATABASE=$db
export PGDATABASE
kinds=$FIXTURES/kinds.ndjson

assert_status 0 "load every kind" -- load-timescale "$kinds"
assert_contains "$WORK/err" "12 lines: 12 records, 0 skipped (empty 0, unknown kind 0), 0 rejected" \
	"summary accounts for every line"
assert_contains "$WORK/err" "sec_filings: 2 inserted, 0 updated, 0 unchanged, 0 superseded, 0 rejected" \
	"filings inserted"
assert_contains "$WORK/err" "stock_prices: 3 inserted, 0 updated, 0 unchanged, 0 superseded, 0 rejected" \
	"prices inserted"
assert_contains "$WORK/err" "price_events: 2 inserted, 0 updated, 0 unchanged, 0 superseded, 0 rejected" \
	"price events inserted"
assert_contains "$WORK/err" "mart_company_performance: 2 inserted, 0 updated, 0 unchanged, 0 superseded, 0 rejected" \
	"company performance rows inserted"
assert_contains "$WORK/err" "mart_competitive_landscape: 2 inserted, 0 updated, 0 unchanged, 0 superseded, 0 rejected" \
	"landscape rows inserted"

# Stored values, column by column, as the fixture writes them.
assert_eq "3571|Electronic Computers|0928|{Nasdaq}|t" \
	"$(sql -c "SELECT sic, sic_description, fiscal_year_end, exchanges, listed FROM companies")" \
	"company SEC attributes stored"
assert_eq "0000320193|10-K|2023-11-03|2023-09-30|2023-11-02 22:08:27+00|aapl-20230930.htm|sec" \
	"$(sql -c "SET TIME ZONE 'UTC'; SELECT cik, form, filed, report_date, accepted, primary_document, source
		FROM sec_filings WHERE accession = '0000320193-23-000106'")" \
	"10-K filing stored with its acceptance time"
assert_eq "187.15|188.44|183.89|185.64|184.94|82488700|USD" \
	"$(sql -c "SELECT open, high, low, close, adjclose, volume, currency FROM stock_prices
		WHERE ticker = 'AAPL' AND \"interval\" = '1d' AND \"date\" = '2024-01-02'")" \
	"daily bar stored"
assert_eq "||||||" \
	"$(sql -c "SELECT open, high, low, close, adjclose, volume, cik FROM stock_prices WHERE ticker = 'COUR'")" \
	"absent prices stay null"
assert_eq "|4|1" \
	"$(sql -c "SELECT amount, numerator, denominator FROM price_events WHERE type = 'split'")" \
	"split stored as 4 for 1"
assert_eq "383285000000|0.4566|1|73.25|healthy|92" \
	"$(sql -c "SELECT revenue_annual, gross_margin, rank_overall, overall_score, health, data_age_days
		FROM mart_company_performance WHERE cik = '0000320193'")" \
	"company performance stored"
assert_eq "635800000|1|10000" \
	"$(sql -c "SELECT total_revenue, companies, hhi FROM mart_competitive_landscape
		WHERE category = 'online learning'")" \
	"landscape stored"

# A second load changes nothing, not even the load timestamps.
sql -c "SELECT ticker, \"interval\", \"date\", loaded_at FROM stock_prices ORDER BY 1, 2, 3" >"$WORK/stamps-before"
assert_status 0 "second load" -- load-timescale "$kinds"
assert_contains "$WORK/err" "stock_prices: 0 inserted, 0 updated, 3 unchanged" "prices unchanged"
assert_contains "$WORK/err" "sec_filings: 0 inserted, 0 updated, 2 unchanged" "filings unchanged"
assert_contains "$WORK/err" "mart_competitive_landscape: 0 inserted, 0 updated, 2 unchanged" \
	"landscape unchanged"
sql -c "SELECT ticker, \"interval\", \"date\", loaded_at FROM stock_prices ORDER BY 1, 2, 3" >"$WORK/stamps-after"
assert_files_equal "$WORK/stamps-before" "$WORK/stamps-after" "unchanged rows keep loaded_at"

# One changed close price updates that row alone.
sed 's/"close":184.25/"close":184.3/' "$kinds" >"$WORK/changed.ndjson"
assert_status 0 "load a changed close" -- load-timescale "$WORK/changed.ndjson"
assert_contains "$WORK/err" "stock_prices: 0 inserted, 1 updated, 2 unchanged" "one price updated"
assert_eq 184.3 "$(sql -c "SELECT close FROM stock_prices WHERE \"date\" = '2024-01-03'")" \
	"updated close stored"
load-timescale -q "$kinds"

# --export writes each kind back as the fixture's lines (they are in key
# order), and the export of every kind loads as unchanged.
for kind in company filing price price_event mart_company_performance \
    mart_competitive_landscape; do
	assert_status 0 "export $kind" -- load-timescale --export "$kind"
	grep "\"kind\":\"$kind\"" "$kinds" >"$WORK/expected-$kind"
	assert_files_equal "$WORK/expected-$kind" "$WORK/out" "$kind export equals the input lines"
	cp "$WORK/out" "$WORK/exported-$kind"
done
assert_status 0 "export by table name" -- load-timescale --export stock_prices
assert_files_equal "$WORK/expected-price" "$WORK/out" "table name exports the same kind"
cat "$WORK"/exported-* >"$WORK/exported.ndjson"
assert_status 0 "load the exports" -- load-timescale "$WORK/exported.ndjson"
assert_contains "$WORK/err" "12 lines: 12 records, 0 skipped (empty 0, unknown kind 0), 0 rejected" \
	"export holds every record"
assert_contains "$WORK/err" "price_events: 0 inserted, 0 updated, 2 unchanged" "exports load as unchanged"
assert_status 64 "unknown export kind exits 64" -- load-timescale --export sec_fact
assert_contains "$WORK/err" "use company, metric, filing, price, price_event, mart_company_performance or mart_competitive_landscape" \
	"unknown export kind lists the kinds"

# Rules checked before the database: the value lists of the contract.
printf '%s\n' \
	'{"kind":"price","ticker":"AAPL","cik":null,"date":"2024-01-04","interval":"2d","open":1,"high":1,"low":1,"close":1,"adjclose":1,"volume":1,"currency":"USD","source":"yahoo","source_ref":null}' \
	'{"kind":"price_event","ticker":"AAPL","cik":null,"date":"2024-01-04","type":"bonus","amount":1,"numerator":null,"denominator":null,"currency":"USD","source":"yahoo","source_ref":null}' \
	'{"kind":"company","cik":"0000320193","ticker":"AAPL","name":"Apple Inc.","category":null,"sic":null,"sic_description":null,"fiscal_year_end":null,"exchanges":["Nasdaq",3],"listed":"yes","source":"sec"}' \
	'{"kind":"filing","cik":"0000320193","accession":null,"form":"10-Q","filed":"2024-02-30","report_date":null,"accepted":null,"primary_document":null,"source":"sec"}' \
	>"$WORK/bad-kinds.ndjson"
assert_status 0 "load records that break the contract" -- \
	load-timescale --rejects "$WORK/rejects.ndjson" "$WORK/bad-kinds.ndjson"
assert_eq 4 "$(lines "$WORK/rejects.ndjson")" "one reject per broken line"
assert_contains "$WORK/rejects.ndjson" 'member \"interval\": invalid value \"2d\": use 1d, 1wk or 1mo' \
	"unknown interval named"
assert_contains "$WORK/rejects.ndjson" 'member \"type\": invalid value \"bonus\": use dividend, split or capital_gain' \
	"unknown event type named"
assert_contains "$WORK/rejects.ndjson" 'member \"exchanges\": not an array of strings' "bad exchanges named"
assert_contains "$WORK/rejects.ndjson" 'member \"listed\": not true or false' "bad listed named"
assert_contains "$WORK/rejects.ndjson" 'member \"accession\": missing or null' "missing accession named"
assert_contains "$WORK/rejects.ndjson" 'invalid date \"2024-02-30\"' "impossible filing date named"

finish
