# normalize: one hand-written fictional company per period rule in
# tests/fixtures/normalize/rules.ndjson (35 facts), each expected value
# worked out by hand from the facts below.
#   301 a restated first quarter (100, then 105 a year later) and a second
#       quarter repeated unchanged (200 twice)
#   302 revenue concept switch: SalesRevenueNet for 2017 and 2018, the
#       ASC 606 concept for 2018 (as a comparative) and 2019
#   303 a 53-week fiscal year to the Saturday 2021-01-02
#   304 operating cash flow reported only as year to date, diluted EPS,
#       total assets
#   305 an ifrs-full filer in EUR with three quarters and a year
#   306 nine months starting a week after the year (a gap), Q1 and Q3 only
#   307 year-to-date figures in USD, the years in EUR (a change of units)
. "$TOP/tests/lib.sh"

fixture=$TOP/tests/fixtures/normalize/rules.ndjson
command -v jq >/dev/null 2>&1 || skip "jq is not installed (scripts/install-deps installs it)"

assert_status 0 "rules normalized" -- normalize --metrics-file "$WORK/metrics.prom" "$fixture"
mv "$WORK/out" "$WORK/latest"
mv "$WORK/err" "$WORK/latest.err"
assert_status 0 "rules normalized --as-reported" -- normalize --as-reported "$fixture"
mv "$WORK/out" "$WORK/first"

rec() {	# FILE CIK METRIC PERIOD_TYPE PERIOD_END: the members that matter
	jq -r --arg cik "$2" --arg metric "$3" --arg type "$4" --arg period_end "$5" '
	    select(.kind == "metric" and .cik == $cik and .metric == $metric
	        and .period_type == $type and .period_end == $period_end)
	    | "\(.period_start) \(.fiscal_year) \(.fiscal_period) \(.value) \(.unit) \(.source_ref) \(.revised) \(.concept) \(.derivation)"' "$1"
}
count() {	# CIK METRIC PERIOD_TYPE: records of the latest run
	jq -s --arg cik "$1" --arg metric "$2" --arg type "$3" '[.[] |
	    select(.kind == "metric" and .cik == $cik and .metric == $metric
	        and .period_type == $type)] | length' "$WORK/latest"
}
R=us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax

# 35 lines = 32 used + 3 superseded (301 twice, 302 SalesRevenueNet 2018);
# derived: 304 Q2-Q4 and 305 Q4 and 307 Q2-Q3 (7 quarters), 2 TTM.
assert_contains "$WORK/latest.err" "35 lines: 32 metric records out, 3 skipped (superseded 3), 0 passed through, 0 rejected; company records out: 7; derived records out: 9 (quarters 7, ttm 2)" \
	"summary reconciles"

# Restatement: latest filing wins and marks the period as revised; the
# quarter filed twice with the same value is not revised.
assert_eq "2024-01-01 2024 Q1 105 USD 0000000301-25-000010 true $R null" \
	"$(rec "$WORK/latest" 0000000301 revenue quarter 2024-03-31)" "restated value wins"
assert_eq "2024-04-01 2024 Q2 200 USD 0000000301-25-000020 false $R null" \
	"$(rec "$WORK/latest" 0000000301 revenue quarter 2024-06-30)" "same value twice: not revised"
# --as-reported keeps the first filing, and still marks that a later one differs.
assert_eq "2024-01-01 2024 Q1 100 USD 0000000301-24-000010 true $R null" \
	"$(rec "$WORK/first" 0000000301 revenue quarter 2024-03-31)" "--as-reported: first value"
assert_eq "2024-04-01 2024 Q2 200 USD 0000000301-24-000020 false $R null" \
	"$(rec "$WORK/first" 0000000301 revenue quarter 2024-06-30)" "--as-reported: first filing"

# Concept switch: the concept listed first reports 2018 (610, not 600),
# the older concept still supplies 2017; no year is lost.
assert_eq "2017-01-01 2017 FY 500 USD 0000000302-18-000005 false us-gaap:SalesRevenueNet null" \
	"$(rec "$WORK/latest" 0000000302 revenue annual 2017-12-31)" "2017 from the old concept"
assert_eq "2018-01-01 2018 FY 610 USD 0000000302-20-000005 false $R null" \
	"$(rec "$WORK/latest" 0000000302 revenue annual 2018-12-31)" "2018 from the new concept"
assert_eq 3 "$(count 0000000302 revenue annual)" "three continuous years"

# 53-week year: 2019-12-29 to 2021-01-02 (370 days) is fiscal 2020; its
# fourth quarter of 14 weeks = 1060 - 760 = 300.
assert_eq "2019-12-29 2020 FY 1060 USD 0000000303-21-000004 false $R null" \
	"$(rec "$WORK/latest" 0000000303 revenue annual 2021-01-02)" "53-week year"
assert_eq "2020-09-27 2020 Q4 300 USD 0000000303-21-000004;0000000303-20-000030 false null annual - 9M" \
	"$(rec "$WORK/latest" 0000000303 revenue quarter 2021-01-02)" "14-week fourth quarter derived"

# Year-to-date cash flow: Q2 = 120 - 50 = 70, Q3 = 150 - 120 = 30,
# Q4 = 260 - 150 = 110; TTM = 50 + 70 + 30 + 110 = 260.
assert_eq "2024-04-01 2024 Q2 70 USD 0000000304-24-000020;0000000304-24-000010 false null H1 - Q1" \
	"$(rec "$WORK/latest" 0000000304 operating_cash_flow quarter 2024-06-30)" "Q2 = H1 - Q1"
assert_eq "2024-07-01 2024 Q3 30 USD 0000000304-24-000030;0000000304-24-000020 false null 9M - H1" \
	"$(rec "$WORK/latest" 0000000304 operating_cash_flow quarter 2024-09-30)" "Q3 = 9M - H1"
assert_eq "2024-10-01 2024 Q4 110 USD 0000000304-25-000004;0000000304-24-000030 false null annual - 9M" \
	"$(rec "$WORK/latest" 0000000304 operating_cash_flow quarter 2024-12-31)" "Q4 = annual - 9M"
assert_eq "2024-01-01 2024 TTM 260 USD 0000000304-24-000010;0000000304-24-000020;0000000304-24-000030;0000000304-25-000004 false null sum of 4 quarters" \
	"$(rec "$WORK/latest" 0000000304 operating_cash_flow ttm 2024-12-31)" "TTM of four quarters"
# Per-share amounts and balances are never derived: EPS Q1 0.5 and H1 1.1
# stay, with no Q2 of 0.6; the assets at two quarter ends give nothing.
assert_eq 1 "$(count 0000000304 eps_diluted quarter)" "EPS not derived"
assert_eq 0 "$(count 0000000304 eps_diluted ttm)" "no EPS TTM"
assert_eq 2 "$(count 0000000304 total_assets instant)" "instants only as reported"

# ifrs-full in EUR: Q4 = 4600 - 1000 - 1100 - 1200 = 1300 without a
# nine-month figure; the unit keeps its ISO code and is flagged.
assert_eq "2024-10-01 2024 Q4 1300 EUR 0000000305-25-000005;0000000305-24-000010;0000000305-24-000020;0000000305-24-000030 false null annual - Q1 - Q2 - Q3" \
	"$(rec "$WORK/latest" 0000000305 revenue quarter 2024-12-31)" "ifrs-full Q4 from three quarters"
assert_eq "2024-01-01 2024 FY 4600 EUR 0000000305-25-000005 false ifrs-full:Revenue null" \
	"$(rec "$WORK/latest" 0000000305 revenue annual 2024-12-31)" "ifrs-full annual"
assert_contains "$WORK/latest.err" "cik 0000000305 (Ifrs Learning SE (fictional)): 6 metric records in EUR, not USD" \
	"EUR flagged"

# Gap: the nine months start on 2024-01-08, the year on 2024-01-01, and
# no second quarter links Q1 to Q3, so no fourth quarter and no TTM.
assert_eq "" "$(rec "$WORK/latest" 0000000306 revenue quarter 2024-12-31)" "no Q4 across a gap"
assert_eq 2 "$(count 0000000306 revenue quarter)" "only the reported quarters"
assert_eq 0 "$(count 0000000306 revenue ttm)" "no TTM across a gap"

# Change of units: USD quarters derive among themselves (Q2 = 210 - 100,
# Q3 = 330 - 210), but the EUR year minus USD nine months is no quarter.
assert_eq "2024-07-01 2024 Q3 120 USD 0000000307-24-000030;0000000307-24-000020 false null 9M - H1" \
	"$(rec "$WORK/latest" 0000000307 revenue quarter 2024-09-30)" "same unit derives"
assert_eq "" "$(rec "$WORK/latest" 0000000307 revenue quarter 2024-12-31)" "no Q4 across units"
assert_eq "2024-01-01 2024 FY 410 EUR 0000000307-25-000005 false $R null" \
	"$(rec "$WORK/latest" 0000000307 revenue annual 2024-12-31)" \
	"a year reported only in EUR keeps EUR"

# Derived records carry no concept, are never revised, and their filing
# date is the latest of their sources.
assert_eq "" "$(jq -r 'select(.kind == "metric" and .derivation != null
	and (.concept != null or .revised != false)) | .period_end' "$WORK/latest")" \
	"derived: concept null, revised false"
assert_eq 2025-02-27 "$(jq -r 'select(.cik == "0000000304" and .period_type == "ttm") | .filed' \
	"$WORK/latest")" "TTM filed with its last source"

finish
