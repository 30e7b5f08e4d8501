# fetch-yahoo: a hand-written chart response, read from a file and served
# by the loopback mock server.
. "$TOP/tests/lib.sh"
. "$TOP/tests/mock.sh"

fixtures=$TOP/tests/fixtures/fetch-yahoo
chart=$fixtures/v8/finance/chart

# EXA.AX is a fictional ASX listing.  Its three daily timestamps are
# 10:00 in Sydney (UTC+11 in January):
#   1704322800 = 2024-01-03 23:00 UTC = 2024-01-04 10:00 AEDT
#   1704409200 = 2024-01-04 23:00 UTC = 2024-01-05 10:00 AEDT (all null)
#   1704668400 = 2024-01-07 23:00 UTC = 2024-01-08 10:00 AEDT
# so the bars are dated 2024-01-04 and 2024-01-08, not by their UTC
# dates, and the null bar is skipped.  The response has no adjclose.
cat >"$WORK/expected" <<'JSON'
{"kind":"yahoo_bar","symbol":"EXA.AX","date":"2024-01-04","interval":"1d","open":2.41,"high":2.46,"low":2.4,"close":2.45,"adjclose":null,"volume":120500,"currency":"AUD","exchange":"ASX","timezone":"Australia/Sydney"}
{"kind":"yahoo_bar","symbol":"EXA.AX","date":"2024-01-08","interval":"1d","open":2.47,"high":2.52,"low":2.45,"close":2.5,"adjclose":null,"volume":98000,"currency":"AUD","exchange":"ASX","timezone":"Australia/Sydney"}
JSON

assert_status 0 "saved response" -- \
	fetch-yahoo --metrics-file "$WORK/metrics.prom" --input "$chart/EXA.AX"
assert_files_equal "$WORK/expected" "$WORK/out" "bars from the file"
# 3 timestamps = 2 bars + 1 null bar.
assert_contains "$WORK/err" "1 sources: 1 ok, 0 failed; 2 bars out, 1 null bars skipped" \
	"summary reconciles"
assert_contains "$WORK/metrics.prom" 'corpintel_records_out_total{tool="fetch-yahoo",kind="yahoo_bar"} 2' \
	"metrics file: bars"
assert_contains "$WORK/metrics.prom" 'corpintel_skipped_total{tool="fetch-yahoo",reason="null-bar"} 1' \
	"metrics file: null bars"

# With the zone database out of reach, meta.gmtoffset (+39600 s, AEDT)
# dates the bars, with a warning; here it gives the same dates.
TZDIR=$WORK/no-zoneinfo fetch-yahoo --input "$chart/EXA.AX" \
	>"$WORK/offset-out" 2>"$WORK/offset-err"
assert_files_equal "$WORK/expected" "$WORK/offset-out" "dated by gmtoffset"
assert_contains "$WORK/offset-err" "time zone 'Australia/Sydney' not installed: dating with the response's offset 39600 s" \
	"gmtoffset fallback reported"

# A saved error body is one diagnostic and exit status 69.
assert_status 69 "saved error body" -- fetch-yahoo --input "$chart/GONE"
assert_contains "$WORK/err" "GONE: Yahoo error \"Not Found\": No data found, symbol may be delisted" \
	"error body reported"

mock_start "$fixtures" || { fail "mock server did not start"; finish; }

assert_status 0 "fetch over HTTP" -- fetch-yahoo --base-url "$MOCK_URL" EXA.AX
assert_files_equal "$WORK/expected" "$WORK/out" "bars over HTTP"
assert_eq "/v8/finance/chart/EXA.AX?range=1mo&interval=1d&events=div%7Csplit%7CcapitalGain" \
	"$(cut -f 3 "$MOCK_LOG" | tail -n 1)" "default request"

# --start/--end: period1 is 2024-01-04 00:00 UTC = 1704326400 and period2,
# exclusive, 2024-01-09 00:00 UTC = 1704326400 + 5 * 86400 = 1704758400.
assert_status 0 "date range" -- fetch-yahoo --base-url "$MOCK_URL" \
	--start 2024-01-04 --end 2024-01-08 --interval 1wk EXA.AX
assert_eq "/v8/finance/chart/EXA.AX?period1=1704326400&period2=1704758400&interval=1wk&events=div%7Csplit%7CcapitalGain" \
	"$(cut -f 3 "$MOCK_LOG" | tail -n 1)" "period request"

# One failing symbol does not stop the others: GONE returns Yahoo's
# error body, NOPE is not on the server (HTTP 404), and EXA.AX still gives
# its two bars.  Exit status 69.
assert_status 69 "failed symbols" -- \
	fetch-yahoo --base-url "$MOCK_URL" --retries 0 --tickers GONE,NOPE EXA.AX
assert_files_equal "$WORK/expected" "$WORK/out" "other symbol still fetched"
assert_contains "$WORK/err" "GONE: Yahoo error \"Not Found\": No data found, symbol may be delisted" \
	"Yahoo error named"
assert_contains "$WORK/err" "NOPE: HTTP 404 from Yahoo" "HTTP error named"
assert_contains "$WORK/err" "3 sources: 1 ok, 2 failed; 2 bars out" "failure summary"
assert_eq 1 "$(grep -c 'GONE' "$WORK/err")" "one diagnostic per symbol"

# Symbols with ^ and = are escaped in the path.
assert_status 69 "escaped symbol" -- \
	fetch-yahoo --base-url "$MOCK_URL" --retries 0 '^GSPC' 'EURUSD=X'
assert_contains "$MOCK_LOG" "/v8/finance/chart/%5EGSPC?" "caret escaped"
assert_contains "$MOCK_LOG" "/v8/finance/chart/EURUSD%3DX?" "equals sign escaped"

finish
