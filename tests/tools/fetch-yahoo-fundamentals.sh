# fetch-yahoo: the fundamentals time series, from a hand-written response
# read from a file and served by the mock server.
. "$TOP/tests/lib.sh"
. "$TOP/tests/mock.sh"

fixtures=$TOP/tests/fixtures/fetch-yahoo
series=$fixtures/ws/fundamentals-timeseries/v1/finance/timeseries

# Six series: quarterlyTotalRevenue has a null entry and two points;
# quarterlyCostOfRevenue's only point is raw 0 without fmt, Yahoo's mark
# of a missing value; quarterlyGrossProfit has no data; annualNetIncome,
# trailingTotalRevenue and quarterlyTotalAssets have one point each.
cat >"$WORK/expected" <<'JSON'
{"kind":"yahoo_fundamental","symbol":"DEMO-B","type":"quarterlyTotalRevenue","period_type":"quarterly","as_of_date":"2023-09-30","value":125400000,"currency":"USD","reported_value_fmt":"125.4M"}
{"kind":"yahoo_fundamental","symbol":"DEMO-B","type":"quarterlyTotalRevenue","period_type":"quarterly","as_of_date":"2023-12-31","value":131250000,"currency":"USD","reported_value_fmt":"131.25M"}
{"kind":"yahoo_fundamental","symbol":"DEMO-B","type":"annualNetIncome","period_type":"annual","as_of_date":"2023-12-31","value":-8200000,"currency":"USD","reported_value_fmt":"-8.2M"}
{"kind":"yahoo_fundamental","symbol":"DEMO-B","type":"trailingTotalRevenue","period_type":"trailing","as_of_date":"2023-12-31","value":498000000,"currency":"USD","reported_value_fmt":"498M"}
{"kind":"yahoo_fundamental","symbol":"DEMO-B","type":"quarterlyTotalAssets","period_type":"quarterly","as_of_date":"2023-12-31","value":902000000,"currency":"USD","reported_value_fmt":"902M"}
JSON

assert_status 0 "saved time series" -- fetch-yahoo --input "$series/DEMO-B"
assert_files_equal "$WORK/expected" "$WORK/out" "points from the file"
# 7 entries = 5 written + 2 without a value; 1 series without data.
assert_contains "$WORK/err" "5 fundamentals out, 2 null points skipped, 1 empty series" \
	"points reconcile"
assert_eq 0 "$(grep -c '"value":0,' "$WORK/out")" "no missing value turned into 0"

mock_start "$fixtures" || { fail "mock server did not start"; finish; }

assert_status 0 "time series over HTTP" -- fetch-yahoo --base-url "$MOCK_URL" \
	--data fundamentals --types quarterlyTotalRevenue,annualNetIncome \
	--start 2023-01-01 --end 2023-12-31 DEMO-B
assert_files_equal "$WORK/expected" "$WORK/out" "points over HTTP"
# period1 = 2023-01-01 00:00 UTC = 1672531200; period2, exclusive,
# = 2024-01-01 00:00 UTC = 1704067200.
assert_eq "/ws/fundamentals-timeseries/v1/finance/timeseries/DEMO-B?type=quarterlyTotalRevenue,annualNetIncome&period1=1672531200&period2=1704067200" \
	"$(cut -f 3 "$MOCK_LOG" | tail -n 1)" "time series request"

# Both endpoints for one symbol: the chart first, then the series.
assert_status 0 "chart and fundamentals" -- fetch-yahoo --base-url "$MOCK_URL" \
	--data chart,fundamentals --start 2024-01-08 --end 2024-01-10 DEMO-B
assert_eq 3 "$(grep -c '"kind":"yahoo_bar"' "$WORK/out")" "bars"
assert_eq 5 "$(grep -c '"kind":"yahoo_fundamental"' "$WORK/out")" "points"
assert_eq "/v8/finance/chart/DEMO-B" "$(cut -f 3 "$MOCK_LOG" | tail -n 2 | head -n 1 | cut -d '?' -f 1)" \
	"chart requested first"

finish
