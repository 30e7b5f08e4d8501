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
# copy has keys of its own and no record is a duplicate.  The first line
# runs the rules of schemas/quality.yaml that look at one record at a
# time, as the jq filter does; the second runs every rule for metrics,
# the cross-record ones included; the last states whether each meets
# the target.

. "$TOP/scripts/bench-lib.inc"
require_jq
make_work

data=$(companyfacts_folder)
copies=${BENCH_COPIES:-100}

rate() {	# records seconds
	echo "$1 / $2" | bc -l
}

# Prints a line of rates: wall time and CPU time (per core) of ours,
# CPU time of jq's, and the ratio of the CPU times.
report_cpu() {	# label records wall cpu jq_cpu
	printf '%-34s %8d records  corpintel %8.0f/s wall %8.0f/s per core' \
	    "$1" "$2" "$(rate "$2" "$3")" "$(rate "$2" "$4")"
	printf '  jq %6.0f/s per core  ratio %5.1fx\n' "$(rate "$2" "$5")" \
	    "$(echo "$5 / $4" | bc -l)"
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

# The rules that need no other record: they check what the jq filter
# checks, and more (period lengths, for one).  The four cross-record rules (duplicate keys, jumps
# and two identities), which jq cannot run on a stream and which keep
# keys of the whole input, are switched off in a copy of the rules.  The
# copy names the schema files by absolute path, since they are found
# beside the rules file.
schemas=$(cd "$CORPINTEL_SCHEMA_DIR" && pwd)
sed -e '/^    - name: metric-duplicate$/a\      enabled: false' \
    -e '/^    - name: metric-jump$/a\      enabled: false' \
    -e '/^    - name: gross-profit-identity$/a\      enabled: false' \
    -e '/^    - name: balance-sheet-identity$/a\      enabled: false' \
    -e "s|^vocabulary: |vocabulary: $schemas/|" \
    -e "s|^\\( *file: \\)|\\1$schemas/|" \
    "$schemas/quality.yaml" >"$work/single.yaml"
measure "$work/metrics.ndjson" "$work/single.ndjson" \
	validate-quality -q --rules "$work/single.yaml" --rejects /dev/null \
	--max-reject-ratio 1
single_wall=$seconds single_cpu=$cpu
measure "$work/metrics.ndjson" "$work/theirs.ndjson" jq -c "$jqfilter"
theirs_cpu=$cpu
report_cpu "metric records, one-record rules" "$records" "$single_wall" \
    "$single_cpu" "$theirs_cpu"

# Every rule, the cross-record ones included: more than jq does.
measure "$work/metrics.ndjson" "$work/ours.ndjson" \
	validate-quality -q --rejects /dev/null --max-reject-ratio 1
ours_cpu=$cpu
report_cpu "  all rules, cross-record too" "$records" "$seconds" "$cpu" \
    "$theirs_cpu"

printf '%-34s %8d bytes (%d a record), %d passed, jq passed %d; %s cores\n' \
    "input" "$bytes" "$((bytes / records))" "$(wc -l <"$work/ours.ndjson")" \
    "$(wc -l <"$work/theirs.ndjson")" "$(nproc 2>/dev/null || echo '?')"

# Whether a CPU time gives the target rate of a million records a second.
verdict() {	# cpu
	if [ "$(echo "$records / $1 >= 1000000" | bc -l)" = 1 ]; then
		echo "meets it"
	else
		echo "is below it"
	fi
}

printf '%-34s %8d records/s per core: one-record rules %s, all rules %s\n' \
    "target" 1000000 "$(verdict "$single_cpu")" "$(verdict "$ours_cpu")"
