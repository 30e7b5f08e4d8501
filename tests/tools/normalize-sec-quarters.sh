# normalize: quarterly revenue of Apple, Microsoft and NVIDIA for two
# fiscal years each, and TSMC's annual revenue, from the recorded
# companyfacts.  The expected values were read from the raw companyfacts
# JSON with jq (us-gaap RevenueFromContractWithCustomerExcludingAssessedTax
# for Apple and Microsoft, us-gaap Revenues for NVIDIA) and are written
# here with the accession of the filing that reports them.  A fourth
# quarter is never reported alone: it is the annual figure of the 10-K
# less the nine months of the third-quarter 10-Q, computed by hand below.
. "$TOP/tests/lib.sh"

facts_dir=$SHARED_DATA/sec/companyfacts
[ -d "$facts_dir" ] || skip "no recorded companyfacts in $facts_dir"
command -v jq >/dev/null 2>&1 || skip "jq is not installed (scripts/install-deps installs it)"
[ -x "$BUILD/bin/fetch-sec" ] || skip "fetch-sec is not built"

assert_status 0 "fetch-sec reads the saved files" -- fetch-sec "$facts_dir"/*.json
mv "$WORK/out" "$WORK/facts.ndjson"
assert_status 0 "normalize the recorded facts" -- normalize "$WORK/facts.ndjson"
mv "$WORK/out" "$WORK/latest.ndjson"
mv "$WORK/err" "$WORK/latest.err"
assert_status 0 "normalize --as-reported" -- normalize --as-reported "$WORK/facts.ndjson"
mv "$WORK/out" "$WORK/first.ndjson"

quarter() {	# FILE CIK PERIOD_END: "value source_ref derivation" of a revenue quarter
	jq -r --arg cik "$2" --arg period_end "$3" 'select(.kind == "metric"
	    and .cik == $cik and .metric == "revenue" and .period_type == "quarter"
	    and .period_end == $period_end)
	    | "\(.fiscal_year) \(.fiscal_period) \(.value) \(.source_ref) \(.derivation)"' "$1"
}

check() {	# CIK PERIOD_END EXPECTED: the latest-filed record of a quarter
	assert_eq "$3" "$(quarter "$WORK/latest.ndjson" "$1" "$2")" "$1 quarter to $2"
}

# Apple (CIK 320193), fiscal 2023: 53 weeks to 2023-09-30.
# Q1-Q3 from the 10-Qs of fiscal 2023, repeated unchanged as comparatives in
# the 10-Qs of fiscal 2024, which are the latest filings that report them.
check 0000320193 2022-12-31 "2023 Q1 117154000000 0000320193-24-000006 null"
check 0000320193 2023-04-01 "2023 Q2 94836000000 0000320193-24-000069 null"
check 0000320193 2023-07-01 "2023 Q3 81797000000 0000320193-24-000081 null"
# Q4: 383,285 million (10-K, latest in 0000320193-25-000079) less nine
# months of 293,787 million (0000320193-24-000081) = 89,498 million.
check 0000320193 2023-09-30 "2023 Q4 89498000000 0000320193-25-000079;0000320193-24-000081 annual - 9M"
# Fiscal 2024: 119,575 + 90,753 + 85,777 reported; Q4 = 391,035 - 296,105.
check 0000320193 2023-12-30 "2024 Q1 119575000000 0000320193-25-000008 null"
check 0000320193 2024-03-30 "2024 Q2 90753000000 0000320193-25-000057 null"
check 0000320193 2024-06-29 "2024 Q3 85777000000 0000320193-25-000073 null"
check 0000320193 2024-09-28 "2024 Q4 94930000000 0000320193-25-000079;0000320193-25-000073 annual - 9M"

# --as-reported names the 10-Qs that first reported each quarter.
assert_eq "2023 Q1 117154000000 0000320193-23-000006 null" \
	"$(quarter "$WORK/first.ndjson" 0000320193 2022-12-31)" "Apple Q1 2023 as first reported"
assert_eq "2023 Q4 89498000000 0000320193-23-000106;0000320193-23-000077 annual - 9M" \
	"$(quarter "$WORK/first.ndjson" 0000320193 2023-09-30)" \
	"Apple Q4 2023 from the first 10-K and 10-Q"

# Microsoft (CIK 789019), fiscal years ending June 30.
# Fiscal 2023: Q4 = 211,915 (10-K, latest 0000950170-25-100235) - 155,726
# (nine months, 0000950170-24-048288) = 56,189 million.
check 0000789019 2022-09-30 "2023 Q1 50122000000 0000950170-23-054855 null"
check 0000789019 2022-12-31 "2023 Q2 52747000000 0000950170-24-008814 null"
check 0000789019 2023-03-31 "2023 Q3 52857000000 0000950170-24-048288 null"
check 0000789019 2023-06-30 "2023 Q4 56189000000 0000950170-25-100235;0000950170-24-048288 annual - 9M"
# Fiscal 2024: Q4 = 245,122 - 180,395 = 64,727 million.
check 0000789019 2023-09-30 "2024 Q1 56517000000 0000950170-24-118967 null"
check 0000789019 2023-12-31 "2024 Q2 62020000000 0000950170-25-010491 null"
check 0000789019 2024-03-31 "2024 Q3 61858000000 0000950170-25-061046 null"
check 0000789019 2024-06-30 "2024 Q4 64727000000 0000950170-25-100235;0000950170-25-061046 annual - 9M"

# NVIDIA (CIK 1045810), 52/53-week years ending on the last Sunday of
# January.  Fiscal 2024: Q4 = 60,922 (10-K, latest 0001045810-26-000021)
# - 38,819 (0001045810-24-000316) = 22,103 million.
check 0001045810 2023-04-30 "2024 Q1 7192000000 0001045810-24-000124 null"
check 0001045810 2023-07-30 "2024 Q2 13507000000 0001045810-24-000264 null"
check 0001045810 2023-10-29 "2024 Q3 18120000000 0001045810-24-000316 null"
check 0001045810 2024-01-28 "2024 Q4 22103000000 0001045810-26-000021;0001045810-24-000316 annual - 9M"
# Fiscal 2025: Q4 = 130,497 - 91,166 = 39,331 million.
check 0001045810 2024-04-28 "2025 Q1 26044000000 0001045810-25-000116 null"
check 0001045810 2024-07-28 "2025 Q2 30040000000 0001045810-25-000209 null"
check 0001045810 2024-10-27 "2025 Q3 35082000000 0001045810-25-000230 null"
check 0001045810 2025-01-26 "2025 Q4 39331000000 0001045810-26-000021;0001045810-25-000230 annual - 9M"

annual() {	# CIK PERIOD_END: the annual revenue
	jq -r --arg cik "$1" --arg period_end "$2" 'select(.kind == "metric"
	    and .cik == $cik and .metric == "revenue" and .period_type == "annual"
	    and .period_end == $period_end) | .value' "$WORK/latest.ndjson"
}

# Where a 10-K reports all four quarters (the unaudited quarterly table),
# they add up to the year, and none is derived:
# Apple fiscal 2019 (0000320193-19-000119): 84,310 + 58,015 + 53,809 +
# 64,040 = 260,174 million.
assert_eq 260174000000 "$(annual 0000320193 2019-09-28)" "Apple fiscal 2019"
assert_eq "2019 Q4 64040000000 0000320193-20-000096 null" \
	"$(quarter "$WORK/latest.ndjson" 0000320193 2019-09-28)" "Apple Q4 2019 reported"
# Microsoft fiscal 2018 (0001564590-18-019062): 24,538 + 28,918 + 26,819 +
# 30,085 = 110,360 million.
assert_eq 110360000000 "$(annual 0000789019 2018-06-30)" "Microsoft fiscal 2018"
# NVIDIA fiscal 2018 (0001045810-19-000023): 1,937 + 2,230 + 2,636 + 2,911
# = 9,714 million.
assert_eq 9714000000 "$(annual 0001045810 2018-01-28)" "NVIDIA fiscal 2018"
for key in "0000320193 2019-09-28" "0000789019 2018-06-30" "0001045810 2018-01-28"; do
	set -- $key
	assert_eq "$(annual "$1" "$2")" "$(jq -s --arg cik "$1" --arg period_end "$2" '
	    [.[] | select(.kind == "metric" and .cik == $cik and .metric == "revenue"
	        and .period_type == "ttm" and .period_end == $period_end)] | .[0].value' \
	    "$WORK/latest.ndjson")" "$1: annual = sum of the four quarters to $2"
done

# TTM: Apple's twelve months to 2024-06-29 = Q4 2023 + Q1-Q3 2024 =
# 89,498 + 119,575 + 90,753 + 85,777 = 385,603 million.
assert_eq "385603000000 sum of 4 quarters TTM" "$(jq -r 'select(.kind == "metric"
	and .cik == "0000320193" and .metric == "revenue" and .period_type == "ttm"
	and .period_end == "2024-06-29") | "\(.value) \(.derivation) \(.fiscal_period)"' \
	"$WORK/latest.ndjson")" "Apple TTM to 2024-06-29"

# TSMC (CIK 1046179) files 20-F in ifrs-full, in TWD: 2,161,735.8 million
# for 2023 and 2,894,307.7 million for 2024, latest in the 20-F
# 0001193125-25-083423 (filed 2025-04-17).
tsmc=$(jq -r 'select(.kind == "metric" and .cik == "0001046179"
	and .metric == "revenue" and .period_type == "annual"
	and (.period_end == "2023-12-31" or .period_end == "2024-12-31"))
	| "\(.value) \(.unit) \(.concept) \(.source_ref)"' "$WORK/latest.ndjson" | tr '\n' ' ')
assert_eq "2161735800000 TWD ifrs-full:Revenue 0001193125-25-083423 2894307700000 TWD ifrs-full:Revenue 0001193125-25-083423 " \
	"$tsmc" "TSMC revenue 2023 and 2024 in TWD"
assert_eq 0 "$(jq -s '[.[] | select(.kind == "metric" and .cik == "0001046179"
	and .period_type == "quarter")] | length' "$WORK/latest.ndjson")" \
	"no TSMC quarter: a 20-F filer reports no quarters to derive from"
assert_contains "$WORK/latest.err" "cik 0001046179 (" "TSMC's TWD records flagged"

# Every derived quarter equals its formula over the records it names, and
# per-share and balance sheet metrics are never derived.
assert_eq "" "$(jq -s -r '
	[.[] | select(.kind == "metric")] as $all
	| ($all | map(select(.derivation == null))
	   | INDEX("\(.cik) \(.metric) \(.period_type) \(.period_end)")) as $reported
	| $all[] | select(.derivation != null and .derivation != "sum of 4 quarters")
	| select(.derivation | test("^(annual|9M|H1) - ") | not)
	| "\(.cik) \(.metric) \(.period_end) \(.derivation)"' "$WORK/latest.ndjson" | head -n 3)" \
	"derived quarters start from a cumulative period"
assert_eq "" "$(jq -r 'select(.kind == "metric" and .derivation != null
	and (.metric == "eps_diluted" or .metric == "total_assets"
	or .metric == "cash" or .metric == "shares_outstanding"))
	| "\(.cik) \(.metric) \(.period_end)"' "$WORK/latest.ndjson" | head -n 3)" \
	"no derived per-share or instant records"

finish
