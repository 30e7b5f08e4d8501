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
	assert_eq "$bars" "$(lines "$WORK/out")" "$name: $bars bars"
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
fetch-yahoo --input "$aapl" >"$WORK/aapl" 2>/dev/null
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

# The delisted symbol's recorded error body, served by the mock next to
# a symbol that works.  The body is copied into the server's folder for
# this run only.
[ -f "$errors/chart-MDLY-404-no-data-delisted.json" ] ||
	skip "no recorded Yahoo error bodies in $errors"
mkdir -p "$WORK/root/v8/finance/chart"
cp "$errors/chart-MDLY-404-no-data-delisted.json" "$WORK/root/v8/finance/chart/MDLY"
cp "$wsu" "$WORK/root/v8/finance/chart/WSU.DE"
# NOTE: mockhttp serves files with status 200, so this checks the body
# path; Yahoo sends this body with 404, and the HTTP 404 path is tested
# in fetch-yahoo-fixture.sh.
mock_start "$WORK/root" || { fail "mock server did not start"; finish; }
assert_status 69 "delisted symbol" -- \
	fetch-yahoo --base-url "$MOCK_URL" --retries 0 MDLY WSU.DE
assert_contains "$WORK/err" "MDLY: Yahoo error \"Not Found\": No data found, symbol may be delisted" \
	"delisted diagnostic"
assert_eq 3 "$(lines "$WORK/out")" "WSU.DE still fetched"
assert_contains "$WORK/err" "2 sources: 1 ok, 1 failed; 3 bars out" "summary"

finish
