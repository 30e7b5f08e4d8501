#!/bin/sh
# Throughput of transform against a jq program that derives the three
# margins from the same metric records, side by side in one run.  Then
# transform's peak memory on the input once and repeated, which should
# stay flat because a repeated key replaces the stored record.  Prints
# the numbers and asserts nothing.
#
# Input: the recorded companyfacts documents in ../shared/data when
# present, else the project's sample set, through fetch-sec and normalize.

. "$TOP/scripts/bench-lib.inc"
require_jq
make_work

data=$(companyfacts_folder)
repeat=${BENCH_REPEAT:-20}

fetch-sec -q "$data"/*.json | normalize -q >"$work/once.ndjson"
: >"$work/metrics.ndjson"
i=0
while [ "$i" -lt "$repeat" ]; do
	cat "$work/once.ndjson" >>"$work/metrics.ndjson"
	i=$((i + 1))
done
records=$(wc -l <"$work/metrics.ndjson" | tr -d ' ')

ours=$(timed /dev/null "$work/ours.ndjson" transform -q "$work/metrics.ndjson")

# The same margins in jq: the last record of each key wins, then one
# group per (cik, period_type, period_end) divides by its revenue.
theirs=$(timed /dev/null "$work/theirs.ndjson" jq -c -n '
	[inputs | select(.kind == "metric"
	    and (.period_type == "annual" or .period_type == "quarter"))]
	| map({key: "\(.cik) \(.metric) \(.period_type) \(.period_end)",
	    value: .}) | from_entries | [.[]]
	| group_by([.cik, .period_type, .period_end])[]
	| (map(select(.metric == "revenue"))[0]) as $r
	| select($r != null and $r.value > 0)
	| .[] | select(.metric == "gross_profit" or
	    .metric == "operating_income" or .metric == "net_income")
	| select(.unit == $r.unit)
	| {cik, metric, period_end, value: (.value / $r.value)}' \
	"$work/metrics.ndjson")

report "transform (jq: margins only)" "$records" "$ours" "$theirs"

# Peak resident memory, once and repeated: GNU time's %M, in KiB.
if [ -x /usr/bin/time ]; then
	once=$(/usr/bin/time -f %M transform -q "$work/once.ndjson" 2>&1 >/dev/null | tail -n 1)
	many=$(/usr/bin/time -f %M transform -q "$work/metrics.ndjson" 2>&1 >/dev/null | tail -n 1)
	printf 'transform peak memory: %s KiB on the input once, %s KiB repeated %d times\n' \
	    "$once" "$many" "$repeat"
else
	echo "transform peak memory: /usr/bin/time not installed, not measured"
fi
