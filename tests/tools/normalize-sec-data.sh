# normalize: the recorded companyfacts of Apple, Microsoft, NVIDIA,
# Alphabet and TSMC, checked against values read from the same files with
# jq, independently of normalize.
. "$TOP/tests/lib.sh"

facts_dir=$SHARED_DATA/sec/companyfacts
[ -d "$facts_dir" ] || skip "no recorded companyfacts in $facts_dir"
command -v jq >/dev/null 2>&1 || skip "jq is not installed (scripts/install-deps installs it)"

apple=$facts_dir/CIK0000320193-apple.json
microsoft=$facts_dir/CIK0000789019-microsoft-june-FY.json
nvidia=$facts_dir/CIK0001045810-nvidia-52-53-week-FY.json
for file in "$apple" "$microsoft" "$nvidia"; do
	[ -f "$file" ] || skip "$file is missing"
done

# The sec_fact lines come from fetch-sec reading the saved files.  Where
# fetch-sec is not built, a jq program writes the same records.
if [ -x "$BUILD/bin/fetch-sec" ]; then
	assert_status 0 "fetch-sec reads the saved files" -- \
		fetch-sec "$facts_dir"/*.json
	mv "$WORK/out" "$WORK/facts.ndjson"
else
	echo "fetch-sec not built: writing sec_fact lines with jq"
	for file in "$facts_dir"/*.json; do
		jq -c '(.cik | tostring | ("0000000000" + .)[-10:]) as $cik
		    | .entityName as $entity
		    | .facts | to_entries[] | .key as $taxonomy
		    | .value | to_entries[] | .key as $concept
		    | .value.units | to_entries[] | .key as $unit
		    | .value[]
		    | {kind: "sec_fact", cik: $cik, ticker: null, entity: $entity,
		       taxonomy: $taxonomy, concept: $concept, unit: $unit,
		       value: .val, start: (.start // null), end: .end,
		       fy: (.fy // null), fp: (.fp // null), form: .form,
		       filed: .filed, accn: .accn, frame: (.frame // null)}' "$file"
	done >"$WORK/facts.ndjson"
fi
input_lines=$(lines "$WORK/facts.ndjson")

assert_status 0 "normalize the recorded facts" -- \
	normalize --metrics-file "$WORK/metrics.prom" "$WORK/facts.ndjson"
mv "$WORK/out" "$WORK/normalized"
mv "$WORK/err" "$WORK/summary"

# Every line accounted for: lines = records + skipped + passed + rejected.
prom() {	# SAMPLE: the value of one sample of the metrics file
	grep -F "$1 " "$WORK/metrics.prom" | sed 's/.* //'
}
lines_read=$(prom 'corpintel_lines_total{tool="normalize"}')
records=$(prom 'corpintel_records_out_total{tool="normalize",kind="metric"}')
skipped=$(grep -F 'corpintel_skipped_total{' "$WORK/metrics.prom" |
	awk '{ sum += $2 } END { print sum }')
passed=$(prom 'corpintel_passed_through_total{tool="normalize"}')
rejected=$(prom 'corpintel_rejects_total{tool="normalize"}')
assert_eq "$input_lines" "$lines_read" "every input line read"
assert_eq "$input_lines" "$((records + skipped + passed + rejected))" \
	"lines = records + skipped + passed through + rejected"
assert_eq 0 "$rejected" "no fact rejected"
# Derived quarters and twelve-month sums come from no input line and are
# counted apart from the reported records.
derived=$(grep -F 'corpintel_derived_records_total{' "$WORK/metrics.prom" |
	awk '{ sum += $2 } END { print sum }')
assert_eq "$records" "$(grep -c '"kind":"metric".*"derivation":null' "$WORK/normalized")" \
	"reported metric records counted"
assert_eq "$derived" "$(grep -c '"kind":"metric".*"derivation":"' "$WORK/normalized")" \
	"derived metric records counted"
assert_contains "$WORK/summary" "$input_lines lines: $records metric records out" \
	"summary line"

metric() {	# CIK METRIC PERIOD_TYPE PERIOD_END: one metric record
	jq -c --arg cik "$1" --arg metric "$2" --arg type "$3" --arg period_end "$4" \
	    'select(.kind == "metric" and .cik == $cik and .metric == $metric
	        and .period_type == $type and .period_end == $period_end)' \
	    "$WORK/normalized"
}

# Apple's revenue for the fiscal year ended 2023-09-30, as the latest 10-K
# that reports it gives it.
expected=$(jq -c '[.facts["us-gaap"].RevenueFromContractWithCustomerExcludingAssessedTax.units.USD[]
	| select(.start == "2022-09-25" and .end == "2023-09-30" and .form == "10-K")]
	| sort_by(.filed) | last | {value: .val, accn: .accn, filed: .filed}' "$apple")
record=$(metric 0000320193 revenue annual 2023-09-30)
assert_eq 1 "$(printf '%s\n' "$record" | grep -c .)" "one Apple FY2023 revenue record"
assert_eq "$(printf '%s' "$expected" | jq .value)" \
	"$(printf '%s' "$record" | jq .value)" "Apple FY2023 revenue"
assert_eq "$(printf '%s' "$expected" | jq -r .accn)" \
	"$(printf '%s' "$record" | jq -r .source_ref)" "Apple FY2023 revenue from the latest 10-K"
assert_eq "2023 FY 2022-09-25" \
	"$(printf '%s' "$record" | jq -r '"\(.fiscal_year) \(.fiscal_period) \(.period_start)"')" \
	"Apple FY2023 is fiscal 2023, 53 weeks"

# Microsoft's year ends June 30.
record=$(metric 0000789019 revenue annual 2023-06-30)
assert_eq "2023 FY" "$(printf '%s' "$record" | jq -r '"\(.fiscal_year) \(.fiscal_period)"')" \
	"Microsoft year to 2023-06-30 is fiscal 2023"
record=$(metric 0000789019 total_assets instant 2023-06-30)
assert_eq "2023 FY" "$(printf '%s' "$record" | jq -r '"\(.fiscal_year) \(.fiscal_period)"')" \
	"Microsoft balance at 2023-06-30 is fiscal 2023 year end"
record=$(metric 0000789019 revenue quarter 2023-09-30)
assert_eq "2024 Q1" "$(printf '%s' "$record" | jq -r '"\(.fiscal_year) \(.fiscal_period)"')" \
	"Microsoft quarter to 2023-09-30 is fiscal 2024 Q1"

# NVIDIA's year ends on the last Sunday of January and takes the number
# of the calendar year it ends in.
record=$(metric 0001045810 revenue quarter 2023-04-30)
assert_eq "2024 Q1" "$(printf '%s' "$record" | jq -r '"\(.fiscal_year) \(.fiscal_period)"')" \
	"NVIDIA quarter to 2023-04-30 is fiscal 2024 Q1"
expected=$(jq '[.facts["us-gaap"].Revenues.units.USD[]
	| select(.start == "2023-01-30" and .end == "2023-04-30")]
	| sort_by(.filed) | last | .val' "$nvidia")
assert_eq "$expected" "$(printf '%s' "$record" | jq .value)" "NVIDIA Q1 FY2024 revenue"
record=$(metric 0001045810 revenue annual 2024-01-28)
assert_eq "2024 FY" "$(printf '%s' "$record" | jq -r '"\(.fiscal_year) \(.fiscal_period)"')" \
	"NVIDIA year to 2024-01-28 is fiscal 2024"

# NVIDIA's revenue series keeps every year although the concept changed:
# one annual record for each annual Revenues or ASC 606 period.
expected=$(jq '[.facts["us-gaap"] | (.Revenues, .RevenueFromContractWithCustomerExcludingAssessedTax)
	| .units.USD[]? | select(.start != null)
	| select(((.end | strptime("%Y-%m-%d") | mktime) - (.start | strptime("%Y-%m-%d") | mktime)) / 86400
	    | . >= 350 and . <= 380) | .end] | unique | length' "$nvidia")
assert_eq "$expected" "$(jq -s '[.[] | select(.kind == "metric" and .cik == "0001045810"
	and .metric == "revenue" and .period_type == "annual")] | length' "$WORK/normalized")" \
	"NVIDIA annual revenue for every reported year"

# TSMC reports in TWD with a few USD convenience translations.
if [ -f "$facts_dir/CIK0001046179-tsmc-ifrs-full-TWD.json" ]; then
	assert_eq '["TWD","TWD/shares","shares"]' \
	    "$(jq -s -c '[.[] | select(.kind == "metric" and .cik == "0001046179") | .unit] | unique' \
	    "$WORK/normalized")" "TSMC in TWD only"
	assert_contains "$WORK/summary" "other-currency" "USD translations counted"
fi

# No two metric records share a key.
assert_eq "" "$(jq -r 'select(.kind == "metric")
	| [.cik, .metric, .period_type, .period_end] | @tsv' "$WORK/normalized" |
	sort | uniq -d | head -n 5)" "keys unique"

# Nothing invented: every reported record's value, period and filing is a
# fact of the input under the concept the record names (derived records
# are checked in normalize-sec-quarters.sh).
jq -r 'select(.kind == "sec_fact")
	| [.cik, "\(.taxonomy):\(.concept)", .unit, .accn, .start // "-", .end, .value] | @tsv' \
	"$WORK/facts.ndjson" | sort -u >"$WORK/fact-keys"
jq -r 'select(.kind == "metric" and .derivation == null)
	| [.cik, .concept, .unit, .source_ref, .period_start // "-", .period_end, .value] | @tsv' \
	"$WORK/normalized" | sort -u >"$WORK/record-keys"
assert_eq "" "$(comm -13 "$WORK/fact-keys" "$WORK/record-keys" | head -n 5)" \
	"every record is an input fact"

# The output does not depend on the run.
assert_status 0 "second run" -- normalize "$WORK/facts.ndjson"
assert_files_equal "$WORK/normalized" "$WORK/out" "same output twice"

finish
