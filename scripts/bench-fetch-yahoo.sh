#!/bin/sh
# Throughput of fetch-yahoo reading saved chart responses, and of
# normalize mapping its bars to price records, against the jq programs a
# user would otherwise write, side by side on the same input in one run.
# Prints records per second and the ratio; asserts nothing.
#
# Input: the recorded TSLA daily history (13 years) in ../shared/data
# when present, else the project's hand-written chart fixture, repeated
# to a measurable size.

. "$TOP/scripts/bench-lib.inc"
require_jq
make_work

chart="$TOP/../shared/data/yahoo/chart/TSLA-1d-2010-2023-events-div.json"
[ -f "$chart" ] || chart="$TOP/tests/fixtures/fetch-yahoo/v8/finance/chart/DEMO-B"
repeat=${BENCH_REPEAT:-50}

inputs=""
: >"$work/charts.json"
i=0
while [ "$i" -lt "$repeat" ]; do
	inputs="$inputs --input $chart"
	cat "$chart" >>"$work/charts.json"
	i=$((i + 1))
done

# Chart responses to bars.  The jq program dates bars in UTC, which is
# less than fetch-yahoo does (the exchange's calendar), so the ratio
# flatters jq.
ours=$(timed /dev/null "$work/bars.ndjson" sh -c "fetch-yahoo -q $inputs")
theirs=$(timed "$work/charts.json" "$work/bars-jq.ndjson" jq -c '
	.chart.result[0] as $r | $r.indicators.quote[0] as $q
	| range(0; $r.timestamp | length) as $i | select($q.close[$i] != null)
	| {kind: "yahoo_bar", symbol: $r.meta.symbol,
	   date: ($r.timestamp[$i] | strftime("%Y-%m-%d")),
	   interval: $r.meta.dataGranularity, open: $q.open[$i],
	   high: $q.high[$i], low: $q.low[$i], close: $q.close[$i],
	   adjclose: $r.indicators.adjclose[0].adjclose[$i],
	   volume: $q.volume[$i], currency: $r.meta.currency,
	   exchange: $r.meta.exchangeName,
	   timezone: $r.meta.exchangeTimezoneName}')
report "fetch-yahoo charts to bars" "$(wc -l <"$work/bars.ndjson")" "$ours" "$theirs"

# Bars to price records.
ours=$(timed "$work/bars.ndjson" "$work/prices.ndjson" normalize -q)
theirs=$(timed "$work/bars.ndjson" "$work/prices-jq.ndjson" jq -c '
	select(.kind == "yahoo_bar")
	| {kind: "price", ticker: .symbol, cik: null, date, interval, open,
	   high, low, close, adjclose, volume, currency, source: "yahoo",
	   source_ref: "v8/finance/chart/\(.symbol)?interval=\(.interval)"}')
report "normalize bars to prices" "$(wc -l <"$work/prices.ndjson")" "$ours" "$theirs"
