#!/bin/sh
# Throughput of fetch-sec, normalize and validate-quality against the jq programs a
# user would otherwise write, measured side by side on the same input in
# one run.  Prints records per second and the ratio; asserts nothing.
#
# Input: the recorded companyfacts documents in ../shared/data when
# present, else the project's sample set, repeated to a measurable size.

set -eu
: "${BUILD:?run through make bench}" "${TOP:?run through make bench}"
PATH="$BUILD/bin:$PATH"
export CORPINTEL_SCHEMA_DIR="${CORPINTEL_SCHEMA_DIR:-$TOP/schemas}"
command -v jq >/dev/null || { echo "bench: jq not installed" >&2; exit 69; }

work=$(mktemp -d "${TMPDIR:-/tmp}/corpintel-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

data="$TOP/../shared/data/sec/companyfacts"
[ -d "$data" ] || data="$TOP/tests/fixtures/demo/companyfacts"
repeat=${BENCH_REPEAT:-10}

now() {
	date +%s.%N
}

# Runs a command with stdin and stdout redirected; prints seconds.
timed() {	# input output command...
	input=$1 output=$2
	shift 2
	start=$(now)
	"$@" <"$input" >"$output"
	end=$(now)
	echo "$end - $start" | bc -l
}

report() {	# label records ours theirs
	printf '%-34s %9d records  corpintel %8.0f/s  jq %8.0f/s  ratio %5.1fx\n' \
	    "$1" "$2" "$(echo "$2 / $3" | bc -l)" "$(echo "$2 / $4" | bc -l)" \
	    "$(echo "$4 / $3" | bc -l)"
}

# companyfacts documents to sec_fact lines: fetch-sec against a jq program
# that flattens the same members.
# Each document repeats in a row, so that normalize sees every company as
# one group, as fetch-sec writes it.
files=""
: >"$work/docs.json"
for f in "$data"/*.json; do
	i=0
	while [ "$i" -lt "$repeat" ]; do
		files="$files $f"
		cat "$f" >>"$work/docs.json"
		i=$((i + 1))
	done
done
ours=$(timed /dev/null "$work/facts.ndjson" sh -c "fetch-sec -q $files")
theirs=$(timed "$work/docs.json" "$work/facts-jq.ndjson" jq -c '
	.cik as $cik | .entityName as $entity
	| .facts | to_entries[] | .key as $taxonomy | .value | to_entries[]
	| .key as $concept | .value.units | to_entries[] | .key as $unit
	| .value[] | {kind: "sec_fact", cik: $cik, entity: $entity,
	  taxonomy: $taxonomy, concept: $concept, unit: $unit, value: .val,
	  start, end: .end, fy, fp, form, filed, accn, frame}')
report "companyfacts -> sec_fact" "$(wc -l <"$work/facts.ndjson")" "$ours" "$theirs"

# sec_fact lines to metric records, against the mapping step alone in jq
# (concept lookup, no period selection): jq does less work here.
ours=$(timed "$work/facts.ndjson" "$work/metrics.ndjson" normalize -q)
theirs=$(timed "$work/facts.ndjson" "$work/metrics-jq.ndjson" jq -c '
	select(.kind == "sec_fact")
	| select(.concept as $concept
	  | ["RevenueFromContractWithCustomerExcludingAssessedTax",
	  "Revenues", "SalesRevenueNet", "CostOfRevenue", "GrossProfit",
	  "OperatingIncomeLoss", "NetIncomeLoss", "EarningsPerShareDiluted",
	  "Assets", "Liabilities", "StockholdersEquity",
	  "CashAndCashEquivalentsAtCarryingValue",
	  "NetCashProvidedByUsedInOperatingActivities"] | index($concept))
	| {kind: "metric", cik, concept, value, period_end: .end}')
report "sec_fact -> metric (normalize)" "$(wc -l <"$work/facts.ndjson")" "$ours" "$theirs"

# Record checks: validate-quality with the project's rules against a jq
# filter that checks the required members and the revenue range only.
# The input repeats, so validate-quality also rejects duplicate keys.
i=0
: >"$work/many-metrics.ndjson"
while [ "$i" -lt 20 ]; do
	cat "$work/metrics.ndjson" >>"$work/many-metrics.ndjson"
	i=$((i + 1))
done
grep '"kind":"metric"' "$work/many-metrics.ndjson" >"$work/checked.ndjson"
ours=$(timed "$work/checked.ndjson" "$work/valid.ndjson" \
	validate-quality -q --rejects /dev/null --max-reject-ratio 1)
theirs=$(timed "$work/checked.ndjson" "$work/valid-jq.ndjson" jq -c '
	select(.cik != null and .metric != null and .value != null
	  and .unit != null and .period_type != null and .period_end != null
	  and (.metric != "revenue" or .value >= 0))')
report "metric checks (validate-quality)" "$(wc -l <"$work/checked.ndjson")" "$ours" "$theirs"
