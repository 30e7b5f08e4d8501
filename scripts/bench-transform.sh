#!/bin/sh
# Throughput of transform against a jq program that derives the three
# margins from the same metric records, side by side in one run.  Then
# transform's peak memory on the input once and repeated, which should
# stay flat because a repeated key replaces the stored record.  Prints
# the numbers and asserts nothing.
#
# Input: the recorded companyfacts documents in ../shared/data when
# present, else the project's sample set, through fetch-sec and normalize.

set -eu
: "${BUILD:?run through make bench}" "${TOP:?run through make bench}"
PATH="$BUILD/bin:$PATH"
export CORPINTEL_SCHEMA_DIR="${CORPINTEL_SCHEMA_DIR:-$TOP/schemas}"
command -v jq >/dev/null || { echo "bench: jq not installed" >&2; exit 69; }

work=$(mktemp -d "${TMPDIR:-/tmp}/corpintel-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

data="$TOP/../shared/data/sec/companyfacts"
[ -d "$data" ] || data="$TOP/tests/fixtures/demo/companyfacts"
repeat=${BENCH_REPEAT:-20}

now() {
	date +%s.%N
}

fetch-sec -q "$data"/*.json | normalize -q >"$work/once.ndjson"
: >"$work/metrics.ndjson"
i=0
while [ "$i" -lt "$repeat" ]; do
	cat "$work/once.ndjson" >>"$work/metrics.ndjson"
	i=$((i + 1))
done
records=$(wc -l <"$work/metrics.ndjson" | tr -d ' ')

start=$(now)
transform -q "$work/metrics.ndjson" >"$work/ours.ndjson"
end=$(now)
ours=$(echo "$end - $start" | bc -l)

# The same margins in jq: the last record of each key wins, then one
# group per (cik, period_type, period_end) divides by its revenue.
start=$(now)
jq -c -n '
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
	"$work/metrics.ndjson" >"$work/theirs.ndjson"
end=$(now)
theirs=$(echo "$end - $start" | bc -l)

printf '%-34s %9d records  corpintel %8.0f/s  jq %8.0f/s  ratio %5.1fx\n' \
    "transform (jq: margins only)" "$records" "$(echo "$records / $ours" | bc -l)" \
    "$(echo "$records / $theirs" | bc -l)" "$(echo "$theirs / $ours" | bc -l)"

# Peak resident memory, once and repeated: GNU time's %M, in KiB.
if [ -x /usr/bin/time ]; then
	once=$(/usr/bin/time -f %M transform -q "$work/once.ndjson" 2>&1 >/dev/null | tail -n 1)
	many=$(/usr/bin/time -f %M transform -q "$work/metrics.ndjson" 2>&1 >/dev/null | tail -n 1)
	printf 'transform peak memory: %s KiB on the input once, %s KiB repeated %d times\n' \
	    "$once" "$many" "$repeat"
else
	echo "transform peak memory: /usr/bin/time not installed, not measured"
fi
