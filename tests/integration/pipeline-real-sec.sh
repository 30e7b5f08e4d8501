# The main job end to end on every recorded companyfacts document:
# fetch-sec | normalize | validate-quality | load-timescale, then
# transform on the stored metrics.  Asserts that the counts reconcile at
# every stage, that loading again changes no row, and that each
# company's latest annual revenue in the database equals the value read
# from the source document by an independent jq program.

. "$TOP/tests/lib.sh"

facts_dir="$SHARED_DATA/sec/companyfacts"
tickers="$SHARED_DATA/sec/tickers/company_tickers-2025-08.json"
[ -d "$facts_dir" ] || skip "$facts_dir not found: recorded SEC data absent"
command -v jq >/dev/null || skip "jq not installed (scripts/install-deps installs it)"

eval "$(sh "$TOP/scripts/pg-start")" || skip "PostgreSQL could not be started"
PGDATABASE=pipeline_real_$$
export PGDATABASE
createdb "$PGDATABASE" || { fail "createdb $PGDATABASE"; finish; }
trap 'dropdb --if-exists "$PGDATABASE" >/dev/null 2>&1; rm -rf "$WORK"' EXIT

# Reads one counter from a Prometheus text file: metric name and labels
# after tool="..." (or none); sums the samples that match.
counter() {	# file name label-filter
	awk -v name="$2" -v filter="$3" '
		index($1, name "{") == 1 && index($1, filter) > 0 { sum += $2 }
		END { printf "%d\n", sum }' "$1"
}

sql() {
	psql -X -At -v ON_ERROR_STOP=1 "$@"
}

# Stage 1: fetch-sec emits one sec_fact per fact, or counts it skipped.
fetch-sec --tickers-file "$tickers" --metrics-file "$WORK/fetch.prom" \
	"$facts_dir"/*.json >"$WORK/facts.ndjson" 2>"$WORK/fetch.err"
assert_eq 0 $? "fetch-sec reads every recorded document"
expected_facts=0
for f in "$facts_dir"/*.json; do
	n=$(jq '[.facts[][] | .units[][]] | length' "$f")
	expected_facts=$((expected_facts + n))
done
fetched=$(lines "$WORK/facts.ndjson")
fetch_skipped=$(counter "$WORK/fetch.prom" corpintel_skipped_total 'tool=')
assert_eq "$expected_facts" "$((fetched + fetch_skipped))" \
	"facts in documents = sec_fact lines + skipped"

# Stage 2: normalize accounts for every sec_fact line.
normalize --metrics-file "$WORK/normalize.prom" \
	<"$WORK/facts.ndjson" >"$WORK/normalized.ndjson" 2>"$WORK/normalize.err"
assert_eq 0 $? "normalize succeeds"
p=$WORK/normalize.prom
read_lines=$(counter "$p" corpintel_lines_total 'tool=')
metrics_out=$(counter "$p" corpintel_records_out_total 'kind="metric"')
companies_out=$(counter "$p" corpintel_records_out_total 'kind="company"')
skipped=$(counter "$p" corpintel_skipped_total 'tool=')
passed=$(counter "$p" corpintel_passed_through_total 'tool=')
rejected=$(counter "$p" corpintel_rejects_total 'tool=')
assert_eq "$fetched" "$read_lines" "normalize reads every sec_fact line"
assert_eq "$read_lines" "$((metrics_out + skipped + passed + rejected))" \
	"normalize lines = metrics + skipped + passed + rejected"
# Derived quarters and trailing twelve months come from no input line and
# have their own counter.
derived_out=$(counter "$p" corpintel_derived_records_total 'tool=')
assert_eq "$((metrics_out + derived_out + companies_out))" "$(lines "$WORK/normalized.ndjson")" \
	"normalize output lines = metric + derived metric + company records"
files=$(ls "$facts_dir"/*.json | wc -l | tr -d ' ')
assert_eq "$files" "$companies_out" "one company record per document"
duplicates=$(jq -r 'select(.kind == "metric") |
	[.cik, .metric, .period_type, .period_end] | join(" ")' \
	"$WORK/normalized.ndjson" | sort | uniq -d | wc -l | tr -d ' ')
assert_eq 0 "$duplicates" "no two metric records share a key"

# Stage 3: validate-quality passes or rejects every line.
validate-quality --rejects "$WORK/rejects.ndjson" \
	<"$WORK/normalized.ndjson" >"$WORK/valid.ndjson" 2>"$WORK/validate.err"
assert_eq 0 $? "validate-quality accepts the real records"
assert_eq "$(lines "$WORK/normalized.ndjson")" \
	"$(($(lines "$WORK/valid.ndjson") + $(lines "$WORK/rejects.ndjson")))" \
	"validate lines in = valid + rejected"

# Stage 4: every valid record becomes one row.
load-timescale <"$WORK/valid.ndjson" >"$WORK/load.out" 2>"$WORK/load.err"
assert_eq 0 $? "load-timescale loads the valid records"
valid_metrics=$(grep -c '"kind":"metric"' "$WORK/valid.ndjson")
valid_companies=$(grep -c '"kind":"company"' "$WORK/valid.ndjson")
assert_eq "$valid_metrics" "$(sql -c 'SELECT count(*) FROM financial_metrics')" \
	"financial_metrics rows = valid metric records"
assert_eq "$valid_companies" "$(sql -c 'SELECT count(*) FROM companies')" \
	"companies rows = valid company records"

# Loading the same input again changes no row, not even its load time.
dump() {
	sql -c "SELECT * FROM financial_metrics ORDER BY cik, metric, period_type, period_end" >"$1"
	sql -c "SELECT * FROM companies ORDER BY cik" >>"$1"
}
dump "$WORK/before.txt"
load-timescale <"$WORK/valid.ndjson" >"$WORK/load2.out" 2>"$WORK/load2.err"
assert_eq 0 $? "second load succeeds"
dump "$WORK/after.txt"
assert_files_equal "$WORK/before.txt" "$WORK/after.txt" "second load changes no row"

# The latest annual revenue of each company, read from the source document
# by the rule the mapping states: annual periods (350 to 380 days), the
# reporting currency (the unit of most such facts), the latest period
# end, then the first concept in priority order that reports it, then the
# latest filing.
revenue_program='
def days($s; $e): (($e | strptime("%Y-%m-%d") | mktime) -
	($s | strptime("%Y-%m-%d") | mktime)) / 86400;
["us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax",
 "us-gaap:Revenues", "us-gaap:SalesRevenueNet",
 "us-gaap:RevenueFromContractWithCustomerIncludingAssessedTax",
 "us-gaap:SalesRevenueGoodsNet", "us-gaap:SalesRevenueServicesNet",
 "ifrs-full:Revenue"] as $order
| [.facts | to_entries[] | .key as $taxonomy | .value | to_entries[]
   | ($taxonomy + ":" + .key) as $concept
   | select($order | index($concept))
   | .value.units | to_entries[] | .key as $unit | .value[]
   | select(.start != null)
   | select(days(.start; .end) >= 350 and days(.start; .end) <= 380)
   | {rank: ($order | index($concept)), unit: $unit, end: .end, val, filed, accn}]
| (map(.unit) | group_by(.) | max_by(length) | .[0]) as $currency
| map(select(.unit == $currency))
| (map(.end) | max) as $latest
| map(select(.end == $latest))
| (map(.rank) | min) as $best
| map(select(.rank == $best)) | sort_by(.filed, .accn) | last
| "\(.end) \(.val) \(.unit)"'
for f in "$facts_dir"/*.json; do
	cik=$(jq -r '.cik | tostring | ("0000000000" + .)[-10:]' "$f")
	expected=$(jq -r "$revenue_program" "$f")
	actual=$(sql -v cik="$cik" <<'SQL'
SELECT period_end || ' ' || value || ' ' || unit
FROM financial_metrics
WHERE cik = :'cik' AND metric = 'revenue' AND period_type = 'annual'
ORDER BY period_end DESC LIMIT 1
SQL
)
	assert_eq "$expected" "$actual" "latest annual revenue of CIK $cik"
done

# Stage 5: derived metrics from the stored history, loaded back.
load-timescale --export metric >"$WORK/exported.ndjson" 2>"$WORK/export.err"
assert_eq 0 $? "export succeeds"
assert_eq "$valid_metrics" "$(lines "$WORK/exported.ndjson")" \
	"export writes every stored metric"
transform <"$WORK/exported.ndjson" >"$WORK/derived.ndjson" 2>"$WORK/transform.err"
assert_eq 0 $? "transform succeeds"
validate-quality --rejects "$WORK/derived-rejects.ndjson" \
	<"$WORK/derived.ndjson" >"$WORK/derived-valid.ndjson" 2>/dev/null
assert_eq 0 "$(lines "$WORK/derived-rejects.ndjson")" "derived records pass the rules"
load-timescale <"$WORK/derived-valid.ndjson" >/dev/null 2>"$WORK/load3.err"
assert_eq 0 $? "derived records load"
derived_rows=$(sql -c "SELECT count(*) FROM financial_metrics WHERE source = 'transform'")
assert_eq "$(lines "$WORK/derived.ndjson")" "$derived_rows" \
	"derived rows = transform output lines"

finish
