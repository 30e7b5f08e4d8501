# normalize's Yahoo mapping (lib/yahoo_map.c): fetch-yahoo's records to
# price, price_event and metric, with the cik from the universe file.
. "$TOP/tests/lib.sh"

fixtures=$TOP/tests/fixtures/fetch-yahoo
universe=$fixtures/universe.yaml
{
	fetch-yahoo --input "$fixtures/v8/finance/chart/DEMO-B"
	fetch-yahoo --input "$fixtures/ws/fundamentals-timeseries/v1/finance/timeseries/DEMO-B"
	fetch-yahoo --input "$fixtures/v10/finance/quoteSummary/DEMO-B"
} >"$WORK/yahoo.ndjson" 2>/dev/null
# 3 bars + 3 events + 5 points + 1 quote.
assert_eq 12 "$(lines "$WORK/yahoo.ndjson")" "twelve records from fetch-yahoo"

assert_status 0 "normalize with the universe" -- normalize --universe "$universe" \
	--rejects "$WORK/rejects" --metrics-file "$WORK/metrics.prom" "$WORK/yahoo.ndjson"
out=$WORK/out

# Bars and events keep their values; the cik comes from the universe.
assert_contains "$out" '{"kind":"price","ticker":"DEMO-B","cik":"0000999101","date":"2024-01-10","interval":"1d","open":41,"high":41.5,"low":40.9,"close":41.2,"adjclose":41.2,"volume":1100000,"currency":"USD","source":"yahoo","source_ref":"v8/finance/chart/DEMO-B?interval=1d"}' \
	"price record"
assert_contains "$out" '{"kind":"price_event","ticker":"DEMO-B","cik":"0000999101","date":"2024-01-09","type":"split","amount":null,"numerator":3,"denominator":2,"currency":"USD","source":"yahoo","source_ref":"v8/finance/chart/DEMO-B?events=div|split|capitalGain"}' \
	"split event"
assert_eq 3 "$(grep -c '"kind":"price"' "$out")" "three prices"
assert_eq 3 "$(grep -c '"kind":"price_event"' "$out")" "three events"

# Series: quarterly revenue is a quarter ending on as_of_date; the
# trailing revenue a ttm; total assets a balance (instant); the dates
# and values as in the fixture.
assert_contains "$out" '{"kind":"metric","cik":"0000999101","ticker":"DEMO-B","metric":"revenue","value":131250000,"unit":"USD","period_type":"quarter","period_start":null,"period_end":"2023-12-31","fiscal_year":null,"fiscal_period":null,"source":"yahoo","source_ref":"ws/fundamentals-timeseries/v1/finance/timeseries/DEMO-B?type=quarterlyTotalRevenue","filed":null,"revised":false,"concept":"yahoo:quarterlyTotalRevenue","derivation":null}' \
	"quarterly revenue"
assert_contains "$out" '"metric":"net_income","value":-8200000,"unit":"USD","period_type":"annual","period_start":null,"period_end":"2023-12-31"' \
	"annual net income"
assert_contains "$out" '"metric":"revenue","value":498000000,"unit":"USD","period_type":"ttm","period_start":null,"period_end":"2023-12-31","fiscal_year":null,"fiscal_period":"TTM"' \
	"trailing revenue"
assert_contains "$out" '"metric":"total_assets","value":902000000,"unit":"USD","period_type":"instant"' \
	"total assets as a balance"

# The quote: one metric per figure that has a value, on the quote's
# day: market cap 2060000000 USD, forward P/E 18.5, ROE -0.031, profit
# margin -0.0165; no trailing P/E, price to book, earnings growth or
# employees, which are missing in the fixture.
assert_contains "$out" '{"kind":"metric","cik":"0000999101","ticker":"DEMO-B","metric":"market_cap","value":2060000000,"unit":"USD","period_type":"day","period_start":"2024-01-10","period_end":"2024-01-10","fiscal_year":null,"fiscal_period":null,"source":"yahoo","source_ref":"v10/finance/quoteSummary/DEMO-B","filed":null,"revised":false,"concept":"yahoo:marketCap","derivation":null}' \
	"market cap"
assert_contains "$out" '"metric":"pe_forward","value":18.5,"unit":"pure","period_type":"day"' "forward P/E"
assert_contains "$out" '"metric":"return_on_equity","value":-0.031,"unit":"pure"' "return on equity"
assert_contains "$out" '"metric":"profit_margin","value":-0.0165,"unit":"pure"' "profit margin"
assert_eq 4 "$(grep -c '"period_type":"day"' "$out")" "four quote metrics"
for m in pe_trailing price_to_book earnings_growth employees; do
	assert_eq 0 "$(grep -c "\"metric\":\"$m\"" "$out")" "no $m: missing in the quote"
done

# 12 lines = 12 handled by the Yahoo mapping; none rejected.
assert_contains "$WORK/err" "yahoo: 12 lines: 12 mapped, 0 skipped (unmapped series or no figure), 0 rejected; 3 price, 3 price_event, 9 metric records out" \
	"Yahoo summary reconciles"
assert_eq 0 "$(lines "$WORK/rejects")" "no reject"
assert_contains "$WORK/metrics.prom" 'corpintel_records_out_total{tool="normalize",kind="price"} 3' \
	"metrics file: prices"

# Without the universe: prices and events have no cik; every metric
# line is rejected with the ticker and the fix; unmapped series and a
# quote without figures are skipped.
printf '%s\n' \
	'{"kind":"yahoo_fundamental","symbol":"DEMO-B","type":"quarterlyTaxRateForCalcs","period_type":"quarterly","as_of_date":"2023-12-31","value":0.21,"currency":"USD","reported_value_fmt":"0.21"}' \
	'{"kind":"yahoo_bar","symbol":"DEMO-B","date":"2024-13-01","interval":"1d","open":1,"high":1,"low":1,"close":1,"adjclose":1,"volume":1,"currency":"USD","exchange":"NYQ","timezone":"America/New_York"}' \
	'{"kind":"yahoo_bar","symbol":"DEMO-B","date":"2024-01-02","interval":"1d","open":1,"high":1,"low":1,"close":null,"adjclose":1,"volume":1,"currency":"USD","exchange":"NYQ","timezone":"America/New_York"}' \
	>>"$WORK/yahoo.ndjson"
assert_status 0 "normalize without a universe" -- normalize --rejects "$WORK/rejects" "$WORK/yahoo.ndjson"
assert_eq 3 "$(grep -c '"kind":"price","ticker":"DEMO-B","cik":null' "$out")" "prices without a cik"
assert_eq 0 "$(grep -c '"kind":"metric"' "$out")" "no metric without a cik"
# Rejected: the 5 points and the quote (no cik), and the 2 bad bars.
assert_eq 8 "$(lines "$WORK/rejects")" "six metric lines and two bad bars rejected"
assert_contains "$WORK/rejects" '"rule":"cik","reason":"no cik for ticker '"'"'DEMO-B'"'"': add the company with its cik to the universe file given with --universe"' \
	"missing cik named with the fix"
assert_contains "$WORK/rejects" '"reason":"'"'"'date'"'"' is not a valid date YYYY-MM-DD: '"'"'2024-13-01'"'"'"' \
	"impossible date named"
assert_contains "$WORK/rejects" '"reason":"'"'"'close'"'"' must be a number"' "null close named"
# 15 lines = 6 mapped (3 bars, 3 events) + 1 skipped (the tax rate
# series) + 8 rejected.
assert_contains "$WORK/err" "yahoo: 15 lines: 6 mapped, 1 skipped (unmapped series or no figure), 8 rejected" \
	"counts without a universe"
# The first summary line adds up too: 8 rejected + 7 Yahoo lines mapped
# or skipped = 15.
assert_contains "$WORK/err" "normalize: 15 lines: 0 metric records out, 0 skipped, 0 passed through, 8 rejected, 7 Yahoo lines;" \
	"first summary line reconciles"

# Real recorded responses: AAPL's quarterly revenue and its quote, with
# Apple's cik from SEC's tickers file (320193).
series=$SHARED_DATA/yahoo/timeseries/AAPL-financials-quarterly-2024.json
quote=$SHARED_DATA/yahoo/quotesummary/AAPL-all-modules.json
[ -f "$series" ] && [ -f "$quote" ] || skip "no recorded AAPL responses in $SHARED_DATA/yahoo"
command -v jq >/dev/null || skip "jq is needed to read the recorded files"
printf 'companies:\n  - {ticker: AAPL, cik: "320193"}\n' >"$WORK/aapl.yaml"
{ fetch-yahoo --input "$series"; fetch-yahoo --input "$quote"; } 2>/dev/null |
	normalize --universe "$WORK/aapl.yaml" >"$WORK/aapl" 2>"$WORK/aapl-err"
assert_eq 0 $? "AAPL: normalize"
for date in $(jq -r '.timeseries.result[] | select(.meta.type[0] == "quarterlyTotalRevenue")
    | .quarterlyTotalRevenue[].asOfDate' "$series"); do
	assert_eq "$(jq ".timeseries.result[] | select(.meta.type[0] == \"quarterlyTotalRevenue\")
	    | .quarterlyTotalRevenue[] | select(.asOfDate == \"$date\") | .reportedValue.raw" "$series")" \
		"$(jq "select(.metric == \"revenue\" and .period_type == \"quarter\" and .period_end == \"$date\") | .value" "$WORK/aapl")" \
		"AAPL: revenue of the quarter ending $date"
done
assert_eq "$(jq '.quoteSummary.result[0].summaryDetail.trailingPE' "$quote")" \
	"$(jq 'select(.metric == "pe_trailing") | .value' "$WORK/aapl")" "AAPL: trailing P/E"
assert_eq "$(jq '.quoteSummary.result[0].assetProfile.fullTimeEmployees' "$quote")" \
	"$(jq 'select(.metric == "employees") | .value' "$WORK/aapl")" "AAPL: employees"
assert_eq "0000320193" "$(jq -r 'select(.metric == "market_cap") | .cik' "$WORK/aapl")" "AAPL: padded cik"

finish
