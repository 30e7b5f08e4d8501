# normalize: the rules on hand-written facts of two fictional companies,
# checked against an expected output written by hand, record by record.
. "$TOP/tests/lib.sh"

fixtures=$TOP/tests/fixtures/normalize

# facts.ndjson, line by line (SMPL: 52/53-week year ending on the Saturday
# nearest December 31; fiscal 2025 ran 53 weeks to 2026-01-03):
#    1 dei shares outstanding at 2026-02-10       instant, no fiscal period
#    2 Assets at 2024-12-28                       instant FY 2024
#    3 Assets at 2026-01-03                       instant FY 2025
#    4 Assets at 2025-03-29                       instant Q1 2025
#    5 Assets over a quarter                      period-mismatch
#    6 a price record (a canonical kind)         passed through
#    7 cash at 2025-06-28                         instant Q2 2025
#    8 diluted EPS fiscal 2025 in USD/shares      annual
#    9 diluted EPS in USD                         unit-mismatch
#   10 research and development expense          unmapped
#   11 Revenues FY2024, 10-K filed 2025-02-20     superseded by line 12
#   12 Revenues FY2024, 10-K filed 2026-02-19     annual FY 2024, wins
#   13 empty                                      blank
#   14 Revenues FY2024, 10-K/A filed 2025-06-16   superseded by line 12
#   15 Revenues FY2025, 10-K/A filed 2026-05-01   superseded by line 19
#   16 Revenues over 58 days                      unclassified-period
#   17 Revenues in shares                         unit-mismatch
#   18 Revenues as an instant                     period-mismatch
#   19 RevenueFromContract... FY2025 (370 days)   annual FY 2025
#   20 RevenueFromContract... Q1 (90 days)        quarter Q1 2025
#   21 RevenueFromContract... 6 months            ytd H1 2025
#   22 RevenueFromContract... 9 months            ytd 9M 2025
#   23 RevenueFromContract... Q4 (97 days)        quarter Q4 2025
#   24 RevenueFromContract... second half         unclassified-period
#   25 a kind normalize does not know             passed through
#   26 RevenueFromContract... FY2025 in EUR       other-currency
#   27 Revenues Q1                                superseded by line 20
#  derived: Q2 = H1 - Q1 = 590000 - 280000 = 310000,
#           Q3 = 9M - H1 = 900000 - 590000 = 310000,
#           TTM to 2026-01-03 = 280000 + 310000 + 310000 + 300000 = 1200000
# EXSG (ifrs-full, GBP, calendar year, no ticker in its facts):
#   28 Equity at 2024-12-31                       instant FY 2024
#   29 Revenue 2024                               annual FY 2024
#   30 Revenue first half of 2024                 ytd H1 2024
#   31 Revenue 2024 in USD                        other-currency
assert_status 0 "fixture normalized" -- normalize \
	--universe "$fixtures/universe.yaml" --metrics-file "$WORK/metrics.prom" \
	"$fixtures/facts.ndjson"
assert_files_equal "$fixtures/expected.ndjson" "$WORK/out" "output as expected"
cp "$WORK/out" "$WORK/normalized"

# 31 lines = 15 metric records + 14 skipped + 2 passed through + 0 rejected;
# 3 more records are derived (2 quarters, 1 TTM) and 3 are in GBP.
assert_contains "$WORK/err" "31 lines: 15 metric records out, 14 skipped (blank 1, unmapped 1, unit-mismatch 2, period-mismatch 2, unclassified-period 2, other-currency 2, superseded 4), 2 passed through, 0 rejected; company records out: 2; derived records out: 3 (quarters 2, ttm 1); records not in USD: 3" \
	"summary reconciles"
assert_eq 18 "$(grep -c '"kind":"metric"' "$WORK/normalized")" "15 reported + 3 derived metric records"
assert_contains "$WORK/err" "cik 0000000202 (Example Study Group plc (fictional)): 3 metric records in GBP, not USD" \
	"GBP records flagged"
assert_eq 2 "$(grep -c '"kind":"company"' "$WORK/normalized")" "2 company records"

prom() {	# SAMPLE: the value of one sample of the metrics file
	grep -F "$1 " "$WORK/metrics.prom" | sed 's/.* //'
}
assert_eq 31 "$(prom 'corpintel_lines_total{tool="normalize"}')" "metrics: lines"
assert_eq 15 "$(prom 'corpintel_records_out_total{tool="normalize",kind="metric"}')" \
	"metrics: metric records"
assert_eq 4 "$(prom 'corpintel_skipped_total{tool="normalize",reason="superseded"}')" \
	"metrics: superseded"
assert_eq 0 "$(prom 'corpintel_rejects_total{tool="normalize"}')" "metrics: rejects"
assert_eq 2 "$(prom 'corpintel_derived_records_total{tool="normalize",period_type="quarter"}')" \
	"metrics: derived quarters"
assert_eq 1 "$(prom 'corpintel_derived_records_total{tool="normalize",period_type="ttm"}')" \
	"metrics: ttm"

# The checks below repeat single rules of the expected file, so that a
# failure names the rule that broke.
record() {	# METRIC PERIOD_TYPE PERIOD_END: the metric record of SMPL for that key
	grep "\"cik\":\"0000000101\".*\"metric\":\"$1\".*\"period_type\":\"$2\".*\"period_end\":\"$3\"" \
	    "$WORK/normalized"
}

# The same fact in three filings: the latest filing's value, 1010000.
assert_eq 1 "$(record revenue annual 2024-12-28 | wc -l | tr -d ' ')" \
	"one record for a fact in three filings"
assert_contains "$WORK/normalized" '"value":1010000,"unit":"USD","period_type":"annual","period_start":"2023-12-31","period_end":"2024-12-28"' \
	"latest filing wins"
assert_contains "$WORK/normalized" '"source_ref":"0000000101-26-000008","filed":"2026-02-19","revised":true,"concept":"us-gaap:Revenues"' \
	"record names the latest filing and says the value was revised"
# Its filing has fy 2025, but the period itself is fiscal 2024.
assert_contains "$WORK/normalized" '"period_end":"2024-12-28","fiscal_year":2024,"fiscal_period":"FY"' \
	"fiscal year from the period, not the filing"

# Concept switch: fiscal 2024 from Revenues, fiscal 2025 from the ASC 606
# concept, which wins over a later 10-K/A that used Revenues.
assert_contains "$WORK/normalized" '"value":1200000,"unit":"USD","period_type":"annual","period_start":"2024-12-29","period_end":"2026-01-03","fiscal_year":2025,"fiscal_period":"FY"' \
	"53-week year is annual fiscal 2025"
assert_eq us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax \
	"$(record revenue annual 2026-01-03 | sed 's/.*"concept":"\([^"]*\)".*/\1/')" \
	"concept priority per period"

# Classification by length.
assert_contains "$WORK/normalized" '"period_type":"quarter","period_start":"2024-12-29","period_end":"2025-03-29","fiscal_year":2025,"fiscal_period":"Q1"' \
	"90 days is a quarter"
assert_contains "$WORK/normalized" '"period_type":"quarter","period_start":"2025-09-28","period_end":"2026-01-03","fiscal_year":2025,"fiscal_period":"Q4"' \
	"97 days is a 14-week quarter"
assert_contains "$WORK/normalized" '"period_type":"ytd","period_start":"2024-12-29","period_end":"2025-06-28","fiscal_year":2025,"fiscal_period":"H1"' \
	"181 days is a first half"
assert_contains "$WORK/normalized" '"period_type":"ytd","period_start":"2024-12-29","period_end":"2025-09-27","fiscal_year":2025,"fiscal_period":"9M"' \
	"272 days is nine months"
assert_eq "" "$(grep '"period_end":"2025-02-28"' "$WORK/normalized")" \
	"58 days is not classified"
assert_eq "" "$(grep '"period_start":"2025-06-29","period_end":"2026-01-03"' "$WORK/normalized")" \
	"second half is not a year to date"

# Instants.
assert_contains "$WORK/normalized" '"metric":"total_assets","value":2900000,"unit":"USD","period_type":"instant","period_start":null,"period_end":"2026-01-03","fiscal_year":2025,"fiscal_period":"FY"' \
	"instant at the year end"
assert_contains "$WORK/normalized" '"metric":"shares_outstanding","value":5000000,"unit":"shares","period_type":"instant","period_start":null,"period_end":"2026-02-10","fiscal_year":2026,"fiscal_period":null' \
	"instant between quarter ends has no period"

# Units and currencies.
assert_eq "" "$(grep '"unit":"EUR"' "$WORK/normalized")" "EUR translation skipped"
assert_contains "$WORK/normalized" '"metric":"eps_diluted","value":0.21,"unit":"USD/shares"' \
	"per-share unit kept"
assert_contains "$WORK/normalized" '"metric":"revenue","value":5000000,"unit":"GBP"' \
	"ifrs-full filer in GBP"
assert_eq "" "$(grep '"value":6300000' "$WORK/normalized")" "USD translation of a GBP filer skipped"

# The universe: category by ticker, and ticker and category by cik.
assert_contains "$WORK/normalized" '{"kind":"company","cik":"0000000101","ticker":"SMPL","name":"Sample Tutoring Inc. (fictional)","category":"online learning","source":"sec"}' \
	"category found by ticker"
assert_contains "$WORK/normalized" '{"kind":"company","cik":"0000000202","ticker":"EXSG","name":"Example Study Group plc (fictional)","category":"test prep","source":"sec"}' \
	"ticker and category found by cik"

# No two metric records share a key.
assert_eq "" "$(grep '"kind":"metric"' "$WORK/normalized" |
	sed 's/.*"cik":"\([0-9]*\)".*"metric":"\([a-z_]*\)".*"period_type":"\([a-z]*\)".*"period_end":"\([0-9-]*\)".*/\1 \2 \3 \4/' |
	sort | uniq -d)" "keys unique"

# Without a universe, categories are null and the ticker stays unknown.
assert_status 0 "without a universe" -- normalize "$fixtures/facts.ndjson"
assert_contains "$WORK/out" '{"kind":"company","cik":"0000000202","ticker":null,"name":"Example Study Group plc (fictional)","category":null,"source":"sec"}' \
	"no universe, no category"

# The input order of a company's facts does not change the output.
grep -n '' "$fixtures/facts.ndjson" | sed -n '1,27p' | sort -t: -k1,1nr | cut -d: -f2- \
	>"$WORK/reversed.ndjson"
sed -n '28,31p' "$fixtures/facts.ndjson" >>"$WORK/reversed.ndjson"
assert_status 0 "facts in reverse order" -- normalize \
	--universe "$fixtures/universe.yaml" "$WORK/reversed.ndjson"
grep -v '"kind":"price"\|"kind":"mystery"' "$fixtures/expected.ndjson" >"$WORK/expected-records"
grep -v '"kind":"price"\|"kind":"mystery"' "$WORK/out" >"$WORK/reversed-records"
assert_files_equal "$WORK/expected-records" "$WORK/reversed-records" \
	"same records in any order"

# Reading standard input gives the same output as reading the file.
assert_status 0 "standard input" -- sh -c \
	"normalize --universe '$fixtures/universe.yaml' <'$fixtures/facts.ndjson'"
assert_files_equal "$fixtures/expected.ndjson" "$WORK/out" "stdin as the file"

finish
