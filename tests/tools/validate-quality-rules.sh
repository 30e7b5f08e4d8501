# validate-quality: each rule of schemas/quality.yaml, failing and passing.
# The valid records are Apple's figures as filed with the SEC (the
# accession number is in source_ref) and ratios computed from them.
# The boundary records belong to a made-up company with CIK 0000000001.
. "$TOP/tests/lib.sh"

FIX=$TOP/tests/fixtures/quality
# The shipped rules with the test vocabulary beside them.
cp "$TOP/schemas/quality.yaml" "$TOP"/schemas/*.schema.json "$FIX/metrics.yaml" "$WORK/"
RULES=$WORK/quality.yaml
export CORPINTEL_TODAY=2024-06-30

metric=$(sed -n 2p "$FIX/valid.ndjson")	# revenue, fiscal 2023
company=$(sed -n 1p "$FIX/valid.ndjson")

# fails NAME FIRST BASE JQ-FILTER RULES REASONS
# Runs the valid line FIRST, then BASE changed by JQ-FILTER, which must
# be rejected by exactly RULES (comma-separated) with REASONS (" | ").
fails() {
	name=$1 first=$2 base=$3 filter=$4 rules=$5 reasons=$6
	bad=$(printf '%s\n' "$base" | jq -c "$filter")
	printf '%s\n%s\n' "$first" "$bad" >"$WORK/in"
	assert_status 65 "$name: exit status" -- \
	    validate-quality --rules "$RULES" --rejects "$WORK/rejects" "$WORK/in"
	assert_eq "$first" "$(cat "$WORK/out")" "$name: valid line passed"
	assert_eq 1 "$(lines "$WORK/rejects")" "$name: one reject"
	assert_eq 2 "$(jq '.line' "$WORK/rejects")" "$name: line number"
	assert_eq "$bad" "$(jq -r '.input' "$WORK/rejects")" "$name: original input"
	assert_eq "$rules" "$(jq -r '[.errors[].rule] | join(",")' "$WORK/rejects")" \
	    "$name: rules"
	assert_eq "$reasons" \
	    "$(jq -r '[.errors[].reason] | join(" | ")' "$WORK/rejects")" \
	    "$name: reasons"
}

fails "required value" "$company" "$metric" 'del(.value)' \
    metric-required 'missing member "value"'
fails "required unit" "$company" "$metric" '.unit = null' \
    metric-required 'member "unit" is null'
fails "type number" "$company" "$metric" '.value = "383285000000"' \
    metric-types 'value is a string ("383285000000"), expected a number'
fails "type integer" "$company" "$metric" '.fiscal_year = 2023.5' \
    metric-types 'fiscal_year 2023.5 is not an integer'
fails "cik pattern" "$company" "$metric" '.cik = "320193"' metric-pattern \
    'cik "320193" does not match the pattern ^[0-9]{10}$ (SEC Central Index Key, zero-padded to ten digits)'
fails "vocabulary" "$company" "$metric" '.metric = "revenues"' metric-vocabulary \
    'metric "revenues" is not in the vocabulary of metrics.yaml'
fails "period type" "$company" "$metric" '.period_type = "yearly"' metric-enum \
    'period_type "yearly" is not one of instant, quarter, ytd, annual, ttm, day'
fails "fiscal period" "$company" "$metric" '.fiscal_period = "FY2023"' metric-enum \
    'fiscal_period "FY2023" is not one of FY, Q1, Q2, Q3, Q4, H1, 9M, TTM or null'
fails "ratio unit" "$company" "$metric" \
    '.metric = "gross_margin" | .value = 0.44 | .unit = "percent"' ratio-unit \
    'unit "percent" is not one of pure'
fails "negative revenue" "$company" "$metric" '.value = -5' nonnegative-amount \
    'revenue value -5 is below the minimum 0'
fails "negative cash" "$company" "$metric" '.metric = "cash" | .value = -0.5' \
    nonnegative-amount 'cash value -0.5 is below the minimum 0'
fails "zero shares" "$company" "$metric" \
    '.metric = "shares_outstanding" | .unit = "shares" | .value = 0' \
    shares-positive 'shares_outstanding value 0 is not greater than 0'
fails "gross margin percent" "$company" "$metric" \
    '.metric = "gross_margin" | .unit = "pure" | .value = 44.13' \
    gross-margin-range 'gross_margin value 44.13 is above the maximum 1'
fails "gross margin low" "$company" "$metric" \
    '.metric = "gross_margin" | .unit = "pure" | .value = -10.5' \
    gross-margin-range 'gross_margin value -10.5 is below the minimum -10'
fails "growth below -1" "$company" "$metric" \
    '.metric = "revenue_growth_yoy" | .unit = "pure" | .value = -1.5' \
    revenue-growth-range 'revenue_growth_yoy value -1.5 is below the minimum -1'
fails "period end invalid" "$company" "$metric" '.period_end = "2023-02-29"' \
    period-end-date \
    'period_end "2023-02-29" is not a valid date in the form YYYY-MM-DD'
fails "period end future" "$company" "$metric" '.period_end = "2024-07-01"' \
    period-end-date,filed-after-period,annual-length \
    'period_end 2024-07-01 is in the future (today is 2024-06-30) | filed 2023-11-03 is before period_end 2024-07-01 | period_start 2022-09-25 to period_end 2024-07-01 spans 646 days, more than the maximum 372'
fails "period end before EDGAR" "$company" "$metric" \
    '.period_start = "1991-10-01" | .period_end = "1992-09-30"' \
    period-end-date \
    'period_end 1992-09-30 is before the earliest allowed date 1993-01-01'
fails "period start invalid" "$company" "$metric" '.period_start = "2022-13-01"' \
    period-start-date \
    'period_start "2022-13-01" is not a valid date in the form YYYY-MM-DD'
fails "filed future" "$company" "$metric" '.filed = "2024-07-01"' filed-date \
    'filed 2024-07-01 is in the future (today is 2024-06-30)'
fails "filed as number" "$company" "$metric" '.filed = 20231103' metric-types \
    'filed is a number (20231103), expected a string'
fails "period order" "$company" "$metric" '.period_start = "2023-09-30"' \
    period-order,annual-length \
    'period_start 2023-09-30 is not before period_end 2023-09-30 | period_start 2023-09-30 to period_end 2023-09-30 spans 1 days, fewer than the minimum 357'
fails "filed before end" "$company" "$metric" '.filed = "2023-09-29"' \
    filed-after-period 'filed 2023-09-29 is before period_end 2023-09-30'
fails "duplicate key" "$metric" "$metric" '.value = 1 | .source_ref = "other"' \
    metric-duplicate \
    "duplicate key (cik 0000320193, metric revenue, period_type annual, period_end 2023-09-30): first seen on $WORK/in:1"
fails "duplicate and negative" "$metric" "$metric" '.value = -5' \
    nonnegative-amount,metric-duplicate \
    "revenue value -5 is below the minimum 0 | duplicate key (cik 0000320193, metric revenue, period_type annual, period_end 2023-09-30): first seen on $WORK/in:1"
fails "several rules" "$company" "$metric" '.cik = "AAPL" | .value = -5 | del(.source)' \
    metric-required,metric-pattern,nonnegative-amount \
    'missing member "source" | cik "AAPL" does not match the pattern ^[0-9]{10}$ (SEC Central Index Key, zero-padded to ten digits) | revenue value -5 is below the minimum 0'
fails "company name" "$metric" "$company" 'del(.name)' company-required \
    'missing member "name"'
fails "company name type" "$metric" "$company" '.name = 5' company-types \
    'name is a number (5), expected a string'
fails "company cik" "$metric" "$company" '.cik = "0000320193 "' company-pattern \
    'cik "0000320193 " does not match the pattern ^[0-9]{10}$ (SEC Central Index Key, zero-padded to ten digits)'

# The same key in another period type or another company is no duplicate.
{
	printf '%s\n' "$metric"
	printf '%s\n' "$metric" | jq -c '.period_type = "ttm"'
	printf '%s\n' "$metric" | jq -c '.cik = "0000789019"'
} >"$WORK/in"
assert_status 0 "other keys: exit status" -- \
    validate-quality --rules "$RULES" "$WORK/in"
assert_files_equal "$WORK/in" "$WORK/out" "other keys: all passed"

# Every rule passes the valid and the boundary records, and the report
# shows that each rule was applied to some of them.
for fixture in valid boundaries; do
	assert_status 0 "$fixture: exit status" -- validate-quality \
	    --rules "$RULES" --report "$WORK/$fixture.json" "$FIX/$fixture.ndjson"
	assert_files_equal "$FIX/$fixture.ndjson" "$WORK/out" \
	    "$fixture: output equals input"
	assert_eq 0 "$(jq '[.rules[].failed] | add' "$WORK/$fixture.json")" \
	    "$fixture: no rule failed"
done
# The fixture has no six- or nine-month period, no complete identity and
# no record of the other kinds.
assert_eq "half-year-length,nine-months-length,gross-profit-identity,balance-sheet-identity" \
    "$(jq -r '[.rules[] | select((.kind == "metric" or .kind == "company") and .checked == 0) | .rule] | join(",")' \
    "$WORK/valid.json")" "valid: every other metric and company rule applied"
assert_eq 2 "$(jq '.rules[] | select(.rule == "gross-margin-range") | .checked' \
    "$WORK/boundaries.json")" "boundaries: both gross margin bounds checked"

# A warn rule passes the record and counts the failure.
printf '%s\n' "$metric" | jq -c '.metric = "net_margin" | .unit = "pure" | .value = 3.5' \
    >"$WORK/in"
assert_status 0 "warn rule: exit status" -- validate-quality --rules "$RULES" \
    --rejects "$WORK/rejects" --report "$WORK/report.json" -v "$WORK/in"
assert_files_equal "$WORK/in" "$WORK/out" "warn rule: record passed"
assert_eq 0 "$(lines "$WORK/rejects")" "warn rule: no reject"
assert_eq "1 1" "$(jq -r '[.warned, (.rules[] | select(.rule == "margin-plausible") | .failed)] | join(" ")' \
    "$WORK/report.json")" "warn rule: counted"
assert_contains "$WORK/err" \
    "$WORK/in:1: warning margin-plausible: net_margin value 3.5 is above the maximum 1" \
    "warn rule: reason logged with -v"

# A disabled rule is not applied.
sed '/name: nonnegative-amount/a\      enabled: false' "$RULES" >"$WORK/disabled.yaml"
printf '%s\n' "$metric" | jq -c '.value = -5' >"$WORK/in"
assert_status 0 "disabled rule: exit status" -- validate-quality \
    --rules "$WORK/disabled.yaml" --report "$WORK/report.json" "$WORK/in"
assert_files_equal "$WORK/in" "$WORK/out" "disabled rule: record passed"
assert_eq "false 0" "$(jq -r '.rules[] | select(.rule == "nonnegative-amount") | "\(.enabled) \(.checked)"' \
    "$WORK/report.json")" "disabled rule: reported as off"

finish
