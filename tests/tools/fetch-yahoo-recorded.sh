# fetch-yahoo: real recorded chart responses.  Every expected value is
# read from the raw file with jq, or computed from its timestamps with
# date(1), independently of fetch-yahoo.
. "$TOP/tests/lib.sh"
. "$TOP/tests/mock.sh"

charts=$SHARED_DATA/yahoo/chart
errors=$SHARED_DATA/yahoo/errors
[ -d "$charts" ] || skip "no recorded Yahoo chart responses in $charts"
command -v jq >/dev/null || skip "jq is needed to read the recorded files"

# Bars expected from a chart file: entries with a timestamp and a close.
expected_bars() {
	jq '.chart.result[0] as $r | [range(0; ($r.timestamp // []) | length)
	    | select($r.timestamp[.] != null
	        and $r.indicators.quote[0].close[.] != null)] | length' "$1"
}

# Every recorded chart: bars out = non-null closes; bars + skipped =
# timestamps.
for file in "$charts"/*.json; do
	name=$(basename "$file")
	timestamps=$(jq '.chart.result[0].timestamp // [] | length' "$file")
	bars=$(expected_bars "$file")
	fetch-yahoo --input "$file" >"$WORK/out" 2>"$WORK/err"
	assert_eq 0 $? "$name: exit status"
	assert_eq "$bars" "$(grep -c '"kind":"yahoo_bar"' "$WORK/out")" "$name: $bars bars"
	events=$(jq '[.chart.result[0].events // {} | .[] | keys[]] | length' "$file")
	assert_eq "$events" "$(grep -c '"kind":"yahoo_event"' "$WORK/out")" "$name: $events events"
	assert_contains "$WORK/err" "$bars bars out, $((timestamps - bars)) null bars skipped" \
		"$name: bars and null bars reconcile"
done

# BTC-USD over 2020: 370 timestamps, 4 of them with null prices.
btc=$charts/BTC-USD-1d-2020-01-01-to-2021-01-04-with-nulls.json
fetch-yahoo --input "$btc" >"$WORK/btc" 2>/dev/null
assert_eq 366 "$(expected_bars "$btc")" "BTC-USD: jq finds 366 non-null bars"
assert_eq 366 "$(lines "$WORK/btc")" "BTC-USD: 366 bars written"
assert_eq 0 "$(grep -c '"close":0,' "$WORK/btc")" "BTC-USD: no null turned into zero"
# The null bars' dates (the zone is UTC) do not appear.
for ts in $(jq -r '.chart.result[0] as $r | range(0; $r.timestamp | length)
    | select($r.indicators.quote[0].close[.] == null) | $r.timestamp[.]' "$btc"); do
	day=$(TZ=UTC date -d "@$ts" +%F)
	assert_eq 0 "$(grep -c "\"date\":\"$day\"" "$WORK/btc")" "BTC-USD: null bar of $day skipped"
done
assert_eq "$(jq '.chart.result[0].indicators.quote[0].close[0]' "$btc")" \
	"$(jq -s '.[0].close' "$WORK/btc")" "BTC-USD: first close as recorded"
assert_eq "2020-01-01" "$(jq -rs '.[0].date' "$WORK/btc")" "BTC-USD: first date"

# WSU.DE on XETRA: dates in Europe/Berlin, prices in EUR.
wsu=$charts/WSU.DE-1d-2023-08-04-to-2023-08-09-EUR.json
fetch-yahoo --input "$wsu" >"$WORK/wsu" 2>/dev/null
i=0
for ts in $(jq -r '.chart.result[0].timestamp[]' "$wsu"); do
	assert_eq "$(TZ=Europe/Berlin date -d "@$ts" +%F)" \
		"$(jq -rs ".[$i].date" "$WORK/wsu")" "WSU.DE: bar $i local date"
	assert_eq "$(jq ".chart.result[0].indicators.quote[0].close[$i]" "$wsu")" \
		"$(jq -s ".[$i].close" "$WORK/wsu")" "WSU.DE: bar $i close"
	assert_eq "$(jq ".chart.result[0].indicators.adjclose[0].adjclose[$i]" "$wsu")" \
		"$(jq -s ".[$i].adjclose" "$WORK/wsu")" "WSU.DE: bar $i adjclose"
	i=$((i + 1))
done
assert_eq 3 "$(grep -c '"currency":"EUR","exchange":"GER","timezone":"Europe/Berlin"' "$WORK/wsu")" \
	"WSU.DE: currency, exchange and zone"

# AAPL around its 4:1 split of 2020-08-31: the first bar is the split day
# (1598880600 = 09:30 in New York), with the split-adjusted close.
aapl=$charts/AAPL-1d-2020-08-31-to-2020-11-07-div-split.json
fetch-yahoo --input "$aapl" 2>/dev/null | grep '"kind":"yahoo_bar"' >"$WORK/aapl"
assert_eq 49 "$(lines "$WORK/aapl")" "AAPL: 49 bars"
assert_eq "$(TZ=America/New_York date -d @1598880600 +%F)" \
	"$(jq -rs '.[0].date' "$WORK/aapl")" "AAPL: split day date"
assert_eq "2020-08-31" "$(jq -rs '.[0].date' "$WORK/aapl")" "AAPL: split day is 2020-08-31"
assert_eq "$(jq '.chart.result[0].indicators.quote[0].close[0]' "$aapl")" \
	"$(jq -s '.[0].close' "$WORK/aapl")" "AAPL: split day close"
last_ts=$(jq '.chart.result[0].timestamp[-1]' "$aapl")
assert_eq "$(TZ=America/New_York date -d "@$last_ts" +%F)" \
	"$(jq -rs '.[-1].date' "$WORK/aapl")" "AAPL: last bar date"
assert_eq "$(jq '.chart.result[0].indicators.quote[0].volume[-1]' "$aapl")" \
	"$(jq -s '.[-1].volume' "$WORK/aapl")" "AAPL: last bar volume"

# The mutual fund reports volume 0: a real zero, kept.
fund=$charts/0P0000XTS7-mutualfund-1d-2024-09-12-to-2024-09-16.json
fetch-yahoo --input "$fund" >"$WORK/fund" 2>/dev/null
assert_eq 2 "$(grep -c '"volume":0,' "$WORK/fund")" "mutual fund: volume 0 kept"

# Events: AAPL's 4:1 split on 2020-08-31 and its 0.205 dividend on
# 2020-11-06 (timestamps at 09:30 New York), NVDA's 4:1 split, MSFT's
# four dividends.
fetch-yahoo --input "$aapl" 2>/dev/null | grep '"kind":"yahoo_event"' >"$WORK/aapl-events"
split_ts=$(jq -r '.chart.result[0].events.splits | keys[0]' "$aapl")
assert_eq "$(TZ=America/New_York date -d "@$split_ts" +%F)" \
	"$(jq -r 'select(.type == "split") | .date' "$WORK/aapl-events")" "AAPL: split date"
assert_eq "$(jq -r '.chart.result[0].events.splits[] | "\(.numerator):\(.denominator)"' "$aapl")" \
	"$(jq -r 'select(.type == "split") | "\(.numerator):\(.denominator)"' "$WORK/aapl-events")" \
	"AAPL: split ratio as recorded"
assert_eq "4:1" "$(jq -r '.chart.result[0].events.splits[].splitRatio' "$aapl")" "AAPL: recorded splitRatio is 4:1"
assert_eq "$(jq '.chart.result[0].events.dividends[].amount' "$aapl")" \
	"$(jq 'select(.type == "dividend") | .amount' "$WORK/aapl-events")" "AAPL: dividend amount"
assert_eq "2020-11-06" "$(jq -r 'select(.type == "dividend") | .date' "$WORK/aapl-events")" \
	"AAPL: dividend date"
msft=$charts/MSFT-1d-2021-02-01-to-2022-01-31-dividends.json
assert_eq "$(jq -c '[.chart.result[0].events.dividends[].amount]' "$msft")" \
	"$(fetch-yahoo --input "$msft" 2>/dev/null | jq -sc '[.[] | select(.kind == "yahoo_event") | .amount]')" \
	"MSFT: the four dividend amounts in order"

# Fundamentals: every point with a value is written; points + null
# points = entries; a quarterly revenue and the NOK currency.
series=$SHARED_DATA/yahoo/timeseries
[ -d "$series" ] || skip "no recorded time series in $series"
for file in "$series"/*.json; do
	name=$(basename "$file")
	points=$(jq '[.timeseries.result[] | to_entries[]
	    | select(.key != "meta" and .key != "timestamp") | .value[]
	    | select(. != null and .reportedValue.raw != null)] | length' "$file")
	fetch-yahoo --input "$file" >"$WORK/out" 2>"$WORK/err"
	assert_eq 0 $? "$name: exit status"
	assert_eq "$points" "$(lines "$WORK/out")" "$name: $points points"
done
quarterly=$series/AAPL-financials-quarterly-2024.json
fetch-yahoo --input "$quarterly" >"$WORK/q" 2>/dev/null
for date in $(jq -r '.timeseries.result[] | select(.meta.type[0] == "quarterlyTotalRevenue")
    | .quarterlyTotalRevenue[].asOfDate' "$quarterly"); do
	assert_eq "$(jq ".timeseries.result[] | select(.meta.type[0] == \"quarterlyTotalRevenue\")
	    | .quarterlyTotalRevenue[] | select(.asOfDate == \"$date\") | .reportedValue.raw" "$quarterly")" \
		"$(jq "select(.type == \"quarterlyTotalRevenue\" and .as_of_date == \"$date\") | .value" "$WORK/q")" \
		"AAPL: quarterly revenue of $date"
done
nok=$series/AZT.OL-financials-quarterly-NOK.json
fetch-yahoo --input "$nok" >"$WORK/nok" 2>/dev/null
assert_eq "$(lines "$WORK/nok")" "$(grep -c '"currency":"NOK"' "$WORK/nok")" "AZT.OL: every point in NOK"
empty=$series/BTC-USD-financials-quarterly-all-empty.json
assert_status 0 "all-empty series" -- fetch-yahoo --input "$empty"
assert_eq 0 "$(lines "$WORK/out")" "BTC-USD: no point"
assert_contains "$WORK/err" "0 fundamentals out, 0 null points skipped, $(jq '.timeseries.result | length' "$empty") empty series" \
	"BTC-USD: every series counted empty"

# quoteSummary: values as recorded, and nothing where Yahoo has nothing.
summaries=$SHARED_DATA/yahoo/quotesummary
[ -d "$summaries" ] || skip "no recorded quoteSummary responses in $summaries"
aapl_all=$summaries/AAPL-all-modules.json
fetch-yahoo --input "$aapl_all" >"$WORK/quote" 2>/dev/null
r='.quoteSummary.result[0]'
for pair in market_cap:summaryDetail.marketCap pe_trailing:summaryDetail.trailingPE \
    pe_forward:summaryDetail.forwardPE price_to_book:defaultKeyStatistics.priceToBook \
    return_on_equity:financialData.returnOnEquity profit_margin:financialData.profitMargins \
    earnings_growth:financialData.earningsGrowth free_cash_flow:financialData.freeCashflow \
    employees:assetProfile.fullTimeEmployees sector:assetProfile.sector; do
	assert_eq "$(jq "$r.${pair#*:}" "$aapl_all")" "$(jq ".${pair%%:*}" "$WORK/quote")" \
		"AAPL quote: ${pair%%:*}"
done
assert_eq "$(TZ=America/New_York date -d "@$(jq "$r.price.regularMarketTime" "$aapl_all")" +%F)" \
	"$(jq -r .date "$WORK/quote")" "AAPL quote: date of the market time in New York"
fetch-yahoo --input "$summaries/BTC-USD-all-modules-crypto.json" >"$WORK/btc-quote" 2>/dev/null
assert_eq "null null null" "$(jq -r '[.pe_trailing, .employees, .sector] | map(tostring) | join(" ")' "$WORK/btc-quote")" \
	"BTC-USD quote: no P/E, employees or sector"
assert_eq "CNY" "$(fetch-yahoo --input "$summaries/BABA-all-modules.json" 2>/dev/null | jq -r .financial_currency)" \
	"BABA quote: financial currency CNY"

# The recorded bodies served by the mock with Yahoo's statuses: the
# delisted symbol's 404 body, a time series and a quote through the
# crumb handshake; then the same run replayed offline, byte for byte.
[ -f "$errors/chart-MDLY-404-no-data-delisted.json" ] ||
	skip "no recorded Yahoo error bodies in $errors"
root=$WORK/root
mkdir -p "$root/v8/finance/chart" "$root/errors" "$root/v10/finance/quoteSummary" \
	"$root/ws/fundamentals-timeseries/v1/finance/timeseries"
cp "$errors/chart-MDLY-404-no-data-delisted.json" "$root/errors/MDLY.json"
echo '404 @errors/MDLY.json' >"$root/v8/finance/chart/MDLY.fault"
cp "$wsu" "$root/v8/finance/chart/WSU.DE"
cp "$aapl" "$root/v8/finance/chart/AAPL"
cp "$quarterly" "$root/ws/fundamentals-timeseries/v1/finance/timeseries/AAPL"
cp "$aapl_all" "$root/v10/finance/quoteSummary/AAPL"
mock_start "$root" --crumb recorded-run || { fail "mock server did not start"; finish; }
assert_status 69 "delisted symbol" -- \
	fetch-yahoo --base-url "$MOCK_URL" --retries 0 MDLY WSU.DE
assert_contains "$WORK/err" "MDLY: Yahoo error \"Not Found\": No data found, symbol may be delisted (HTTP 404)" \
	"delisted diagnostic"
assert_eq 3 "$(lines "$WORK/out")" "WSU.DE still fetched"
assert_contains "$WORK/err" "2 sources: 1 ok, 1 failed; 3 bars out" "summary"

assert_status 0 "recorded bodies over HTTP into the cache" -- fetch-yahoo \
	--base-url "$MOCK_URL" --cookie-url "$MOCK_URL/cookie" --cache-dir "$WORK/cache" \
	--data chart,fundamentals,quote --range 3mo AAPL
cp "$WORK/out" "$WORK/online"
grep '"kind":"yahoo_bar"' "$WORK/online" >"$WORK/online-bars"
assert_files_equal "$WORK/aapl" "$WORK/online-bars" "AAPL bars over HTTP as from the file"
grep '"kind":"yahoo_quote"' "$WORK/online" >"$WORK/online-quote"
assert_files_equal "$WORK/quote" "$WORK/online-quote" "AAPL quote over HTTP as from the file"
mock_stop
assert_status 0 "offline replay of the recorded bodies" -- fetch-yahoo \
	--base-url "$MOCK_URL" --cache-dir "$WORK/cache" --offline \
	--data chart,fundamentals,quote --range 3mo AAPL
assert_files_equal "$WORK/online" "$WORK/out" "replay byte for byte"
for f in "$aapl" "$quarterly" "$aapl_all"; do
	found=no
	for c in "$WORK/cache"/*; do cmp -s "$f" "$c" && found=yes; done
	assert_eq yes "$found" "$(basename "$f") cached as recorded"
done

finish
