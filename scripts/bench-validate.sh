#!/bin/sh
# Throughput of validate-quality against a jq filter that checks the same
# things a user would write by hand, side by side on the same input in
# one run.  Prints records per second of wall time and per core (of the
# user and system CPU time the program took), and the ratio; asserts
# nothing.  The target is a million simple records per second per
# core.
#
# Input: simple records, that is flat metric records of about 380 bytes
# with 17 members, as fetch-sec and normalize make them from the
# recorded companyfacts in ../shared/data (else the project's sample
# set), copied with the first digits of the CIK changed so that every
# copy has keys of its own and no record is a duplicate.  Every rule of
# schemas/quality.yaml for metrics runs on them, the cross-record ones
# included.

set -eu
: "${BUILD:?run through make bench}" "${TOP:?run through make bench}"
PATH="$BUILD/bin:$PATH"
export CORPINTEL_SCHEMA_DIR="${CORPINTEL_SCHEMA_DIR:-$TOP/schemas}"
command -v jq >/dev/null || { echo "bench: jq not installed" >&2; exit 69; }

work=$(mktemp -d "${TMPDIR:-/tmp}/corpintel-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

data="$TOP/../shared/data/sec/companyfacts"
[ -d "$data" ] || data="$TOP/tests/fixtures/demo/companyfacts"
copies=${BENCH_COPIES:-100}

now() {
	date +%s.%N
}

seconds() {	# 1m2.5s -> 62.5
	echo "$1" | sed 's/^\([0-9]*\)m\([0-9.]*\)s$/\1 * 60 + \2/' | bc -l
}

# Runs a command and prints its wall time and the CPU time (user plus
# system) it took, in seconds.  "times" in a subshell counts the command
# alone.
timed() {	# input output command...
	input=$1 output=$2
	shift 2
	start=$(now)
	cpu=$( ( "$@" <"$input" >"$output"; times ) | sed -n 2p)
	end=$(now)
	echo "$(echo "$end - $start" | bc -l)" \
	    "$(echo "$(seconds "${cpu% *}") + $(seconds "${cpu#* }")" | bc -l)"
}

rate() {	# records seconds
	echo "$1 / $2" | bc -l
}

report() {	# label records "wall cpu" of ours, of theirs
	set -- "$1" "$2" ${3} ${4}
	printf '%-34s %8d records  corpintel %8.0f/s wall %8.0f/s per core' \
	    "$1" "$2" "$(rate "$2" "$3")" "$(rate "$2" "$4")"
	printf '  jq %6.0f/s per core  ratio %5.1fx\n' "$(rate "$2" "$6")" \
	    "$(echo "$6 / $4" | bc -l)"
}

for f in "$data"/*.json; do
	fetch-sec -q "$f"
done | normalize -q | grep '"kind":"metric"' >"$work/one.ndjson"
i=1
: >"$work/metrics.ndjson"
while [ "$i" -le "$copies" ]; do
	sed "s/\"cik\":\"000/\"cik\":\"$(printf %03d "$i")/" "$work/one.ndjson" \
	    >>"$work/metrics.ndjson"
	i=$((i + 1))
done
records=$(wc -l <"$work/metrics.ndjson")
bytes=$(wc -c <"$work/metrics.ndjson")

# The jq filter checks what the project's rules check for a metric,
# single-record rules only: required members, types, the CIK pattern,
# the enumerations, the vocabulary, the ranges, dates and their order.
# It has no duplicate, jump or identity check, which jq cannot do in a
# stream.
jqfilter='
def date: type == "string" and test("^[0-9]{4}-[0-9]{2}-[0-9]{2}$");
select(.kind == "metric"
  and (.cik | type == "string" and test("^[0-9]{10}$"))
  and (.metric | IN("revenue","cost_of_revenue","gross_profit",
    "operating_income","net_income","eps_diluted","total_assets",
    "total_liabilities","stockholders_equity","cash","operating_cash_flow",
    "shares_outstanding","capital_expenditure","gross_margin",
    "operating_margin","net_margin","revenue_growth_yoy"))
  and (.value | type == "number") and (.unit | type == "string")
  and (.period_type | IN("instant","quarter","ytd","annual","ttm","day"))
  and (.fiscal_period | IN("FY","Q1","Q2","Q3","Q4","H1","9M","TTM",null))
  and (.period_end | date) and (.period_start == null or (.period_start | date))
  and (.filed | date) and (.revised | type == "boolean")
  and (.source | type == "string") and (.source_ref | type == "string")
  and (.period_end >= "1993-01-01") and (.filed >= .period_end)
  and (.period_start == null or .period_start < .period_end)
  and (((.metric | IN("revenue","cost_of_revenue","total_assets",
    "total_liabilities","cash")) | not) or .value >= 0))'

ours=$(timed "$work/metrics.ndjson" "$work/ours.ndjson" \
	validate-quality -q --rejects /dev/null --max-reject-ratio 1)
theirs=$(timed "$work/metrics.ndjson" "$work/theirs.ndjson" jq -c "$jqfilter")
report "metric records (validate-quality)" "$records" "$ours" "$theirs"
printf '%-34s %8d bytes (%d a record), %d passed, jq passed %d; %s cores\n' \
    "input" "$bytes" "$((bytes / records))" "$(wc -l <"$work/ours.ndjson")" \
    "$(wc -l <"$work/theirs.ndjson")" "$(nproc 2>/dev/null || echo '?')"
printf '%-34s %8d records/s per core\n' "target" 1000000
