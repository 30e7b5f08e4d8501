# validate-quality: the checks over several records (jumps from the
# previous period, accounting identities), warnings annotated in place or
# written to their own stream, rules switched off or lowered per company,
# period lengths, and the contracts of the kinds beside metric.
# The figures are Apple's fiscal 2023 10-K (accession 0000320193-23-000106):
# revenue 383285, cost of sales 214137, gross margin 169148; total assets
# 352583, total liabilities 290437, shareholders' equity 62146 (millions).
. "$TOP/tests/lib.sh"

FIX=$TOP/tests/fixtures/quality
cp "$TOP/schemas/quality.yaml" "$TOP"/schemas/*.schema.json "$FIX/metrics.yaml" "$WORK/"
RULES=$WORK/quality.yaml
export CORPINTEL_TODAY=2024-06-30

metric=$(sed -n 2p "$FIX/valid.ndjson")	# revenue, fiscal 2023
annual() {	# METRIC VALUE
	printf '%s\n' "$metric" | jq -c --arg m "$1" --argjson v "$2" '.metric = $m | .value = $v'
}
instant() {	# METRIC VALUE
	printf '%s\n' "$metric" | jq -c --arg m "$1" --argjson v "$2" \
	    '.metric = $m | .value = $v | .period_type = "instant" | .period_start = null | .fiscal_period = "Q4"'
}

# Identities that hold: no warning.
{
	annual revenue 383285000000
	annual cost_of_revenue 214137000000
	annual gross_profit 169148000000
	instant total_assets 352583000000
	instant total_liabilities 290437000000
	instant stockholders_equity 62146000000
} >"$WORK/in"
assert_status 0 "identities hold: exit status" -- validate-quality --rules "$RULES" \
    --warnings "$WORK/warnings" --report "$WORK/report.json" "$WORK/in"
assert_files_equal "$WORK/in" "$WORK/out" "identities hold: all passed"
assert_eq 0 "$(lines "$WORK/warnings")" "identities hold: no warning"
assert_eq "1 0 1 0" "$(jq -r '[.rules[] | select(.check == "identity") | .checked, .failed] | map(tostring) | join(" ")' \
    "$WORK/report.json")" "identities hold: each checked once"

# A gross profit off by 5 billion (1.3% of revenue, beyond 0.5%) breaks
# the identity:
# the records pass (they were written before the end of the input) and
# the warning names the three lines.
{
	annual revenue 383285000000
	annual cost_of_revenue 214137000000
	annual gross_profit 174148000000
} >"$WORK/in"
assert_status 0 "identity broken: exit status" -- validate-quality --rules "$RULES" \
    --warnings "$WORK/warnings" --report "$WORK/report.json" "$WORK/in"
assert_files_equal "$WORK/in" "$WORK/out" "identity broken: records still passed"
assert_eq '{"kind":"quality_warning","tool":"validate-quality","line":3,"file":"'"$WORK/in"'","file_line":3,"warnings":[{"rule":"gross-profit-identity","reason":"gross_profit 174148000000 ('"$WORK/in"':3) is not revenue 383285000000 ('"$WORK/in"':1) - cost_of_revenue 214137000000 ('"$WORK/in"':2) = 169148000000: off by 5000000000, beyond the tolerance 0.005 of the largest term"}]}' \
    "$(cat "$WORK/warnings")" "identity broken: warning with the lines"
assert_eq "1 1" "$(jq -r '"\(.late_warnings) \(.rules[] | select(.rule == "gross-profit-identity") | .failed)"' \
    "$WORK/report.json")" "identity broken: counted"
# Without --warnings, the warning goes to the log.
assert_status 0 "identity broken, no stream: exit status" -- validate-quality \
    --rules "$RULES" "$WORK/in"
assert_contains "$WORK/err" "warning: $WORK/in:3: gross-profit-identity: gross_profit 174148000000" \
    "identity broken, no stream: logged"

# A balance sheet whose parts do not add up.
{
	instant total_assets 352583000000
	instant total_liabilities 290437000000
	instant stockholders_equity 72146000000
} >"$WORK/in"
assert_status 0 "balance sheet: exit status" -- validate-quality --rules "$RULES" \
    --warnings "$WORK/warnings" "$WORK/in"
assert_eq "balance-sheet-identity 1" "$(jq -r '"\(.warnings[0].rule) \(.line)"' "$WORK/warnings")" \
    "balance sheet: warned on the total's line"

# A jump: revenue of fiscal 2023 more than ten times that of fiscal 2022
# (a scale error) warns, annotated in place.
fy2022=$(sed -n 3p "$FIX/valid.ndjson")
{
	printf '%s\n' "$fy2022"
	annual revenue 3832850000000
} >"$WORK/in"
assert_status 0 "jump: exit status" -- validate-quality --rules "$RULES" --annotate \
    --report "$WORK/report.json" "$WORK/in"
assert_eq "$fy2022" "$(sed -n 1p "$WORK/out")" "jump: first record unchanged"
assert_eq "$(sed -n 2p "$WORK/in")" "$(sed -n 2p "$WORK/out")" \
    "jump: 9.7 times is below the factor 10"
{
	printf '%s\n' "$fy2022"
	annual revenue 7886560000000
} >"$WORK/in"
assert_status 0 "jump beyond: exit status" -- validate-quality --rules "$RULES" --annotate \
    --report "$WORK/report.json" "$WORK/in"
assert_eq '[{"rule":"metric-jump","reason":"revenue value 7886560000000 for period_end 2023-09-30 is 20 times the previous period'"'"'s 394328000000 (period_end 2022-09-24, '"$WORK/in"':1), beyond the factor 10"}]' \
    "$(sed -n 2p "$WORK/out" | jq -c .quality_warnings)" "jump beyond: annotated"
assert_eq "$(sed -n 2p "$WORK/in")" "$(sed -n 2p "$WORK/out" | jq -c 'del(.quality_warnings)')" \
    "jump beyond: the rest of the record unchanged"
assert_eq "1 1" "$(jq -r '"\(.warned) \(.rules[] | select(.rule == "metric-jump") | .failed)"' "$WORK/report.json")" \
    "jump beyond: counted as a warning"

# Per company: the jump switched off for Apple, the negative revenue
# lowered to a warning.
cat "$RULES" >"$WORK/company.yaml"
cat >>"$WORK/company.yaml" <<'YAML'

companies:
  "0000320193":
    disable: [metric-jump]
    warn: [nonnegative-amount]
YAML
{
	printf '%s\n' "$fy2022"
	annual revenue 7886560000000
	printf '%s\n' "$metric" | jq -c '.period_type = "ttm" | .value = -1'
	printf '%s\n' "$metric" | jq -c '.cik = "0000789019" | .value = -1'
} >"$WORK/in"
assert_status 65 "company overrides: exit status" -- validate-quality \
    --rules "$WORK/company.yaml" --rejects "$WORK/rejects" --warnings "$WORK/warnings" "$WORK/in"
assert_eq 3 "$(lines "$WORK/out")" "company overrides: Apple's records passed"
assert_eq "4 nonnegative-amount" "$(jq -r '"\(.line) \(.errors[0].rule)"' "$WORK/rejects")" \
    "company overrides: another company still rejected"
assert_eq "3 nonnegative-amount" "$(jq -r '"\(.line) \(.warnings[0].rule)"' "$WORK/warnings")" \
    "company overrides: lowered to a warning, jump not checked"
printf 'companies:\n  "0000320193":\n    disable: [no-such-rule]\n' >>"$RULES.bad"
cat "$RULES" "$RULES.bad" >"$WORK/bad.yaml"
assert_status 78 "company overrides: unknown rule: exit status" -- validate-quality \
    --rules "$WORK/bad.yaml" "$WORK/in"
assert_contains "$WORK/err" "company 0000320193: no rule named no-such-rule" \
    "company overrides: unknown rule named"

# Quarter lengths: Apple's fiscal 2023 third quarter is 91 days, a
# 13-week quarter; a quarter of 120 days is not one.
q3=$(sed -n 4p "$FIX/valid.ndjson")
printf '%s\n' "$q3" | jq -c '.period_start = "2023-03-04"' >"$WORK/in"
assert_status 65 "quarter length: exit status" -- validate-quality --rules "$RULES" \
    --rejects "$WORK/rejects" "$WORK/in"
assert_eq "quarter-length: period_start 2023-03-04 to period_end 2023-07-01 spans 120 days, more than the maximum 98" \
    "$(jq -r '.errors[] | "\(.rule): \(.reason)"' "$WORK/rejects")" "quarter length: reason"
printf '%s\n' "$q3" >"$WORK/in"
assert_status 0 "quarter length 91 days: exit status" -- validate-quality --rules "$RULES" "$WORK/in"

# The other kinds follow their JSON Schemas.
filing='{"kind":"filing","cik":"0000320193","accession":"0000320193-23-000106","form":"10-K","filed":"2023-11-03","report_date":"2023-09-30","accepted":"2023-11-02T18:08:27.000Z","primary_document":"aapl-20230930.htm","source":"sec"}'
price='{"kind":"price","ticker":"AAPL","cik":"0000320193","date":"2024-01-02","interval":"1d","open":187.15,"high":188.44,"low":183.89,"close":185.64,"adjclose":184.94,"volume":82488700,"currency":"USD","source":"yahoo","source_ref":"chart/AAPL?interval=1d"}'
{
	printf '%s\n' "$filing" "$price"
	printf '%s\n' "$filing" | jq -c '.accession = "0000320193-23-106" | .accession = .accession'
	printf '%s\n' "$price" | jq -c '.interval = "1h" | .close = -1 | .date = "2024-01-03"'
	printf '%s\n' "$price"
} >"$WORK/in"
assert_status 65 "other kinds: exit status" -- validate-quality --rules "$RULES" \
    --rejects "$WORK/rejects" "$WORK/in"
assert_eq 2 "$(lines "$WORK/out")" "other kinds: the valid ones passed"
assert_eq '3 filing-pattern
4 price-enum,price-range
5 price-duplicate' "$(jq -r '"\(.line) \([.errors[].rule] | join(","))"' "$WORK/rejects")" \
    "other kinds: rules from the schemas"
assert_eq 'interval "1h" is not one of 1d, 1wk, 1mo' \
    "$(jq -r 'select(.line == 4) | .errors[0].reason' "$WORK/rejects")" "other kinds: enum reason"

# Lines cJSON would take but RFC 8259 does not, and a member given twice.
{
	printf '%s\n' "$metric" | sed 's/"fiscal_year":2023/"fiscal_year":02023/'
	printf '{"kind":"company","cik":"0000320193","ticker":null,"name":"Apple\tInc.","category":null,"source":"sec"}\n'
	printf '%s\n' "$metric" | sed 's/"unit":"USD"/"unit":"USD","unit":"EUR"/'
} >"$WORK/in"
assert_status 65 "strict JSON: exit status" -- validate-quality --rules "$RULES" \
    --rejects "$WORK/rejects" "$WORK/in"
assert_eq 3 "$(lines "$WORK/rejects")" "strict JSON: all rejected"
assert_eq 'json json json' "$(jq -r '.errors[0].rule' "$WORK/rejects" | tr '\n' ' ' | sed 's/ $//')" \
    "strict JSON: rules"
assert_eq 'member "unit" appears twice: keep one' "$(jq -r 'select(.line == 3) | .errors[0].reason' "$WORK/rejects")" \
    "strict JSON: duplicate member named"

finish
