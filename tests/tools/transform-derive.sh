# transform: margins and year-over-year growth on hand-written metrics,
# with every expected value worked out by hand below.
. "$TOP/tests/lib.sh"

fixtures=$TOP/tests/fixtures/transform

# The fixture contains three companies:
#   0000000001 EXA: annual revenue FY2021 200 (restated from 180 by a later
#     line with the same key), FY2022 250, FY2023 300; FY2022 gross profit
#     100, operating income 50, net income 25; FY2023 gross profit 90 from
#     another filing; Q1 2022 revenue 60, Q1 2023 revenue 75 and net income
#     25; an H1 (ytd) revenue and an instant total_assets that no
#     derivation reads.
#   0000000002 GAP: revenue FY2019 100 USD, FY2021 150 USD (FY2020
#     missing), FY2022 180 EUR.
#   0000000003: revenue 0 in FY2022 and FY2023, FY2023 gross profit 10.
#
# Expected records, in order of cik, metric, period_type, period_end:
#   EXA gross_margin FY2022      100 / 250 = 0.4
#   EXA gross_margin FY2023       90 / 300 = 0.3, refs of both filings,
#                                 filed = later of 2024-03-01, 2024-02-09
#   EXA net_margin FY2022         25 / 250 = 0.1
#   EXA net_margin Q1 2023        25 / 75 = 1/3 = 0.3333333333333333
#                                 (the double nearest 1/3, 16 digits)
#   EXA operating_margin FY2022   50 / 250 = 0.2
#   EXA revenue_growth FY2022    250 / 200 - 1 = 0.25 (200, not 180:
#                                 the last line of a key wins)
#   EXA revenue_growth FY2023    300 / 250 - 1 = 0.2
#   EXA revenue_growth Q1 2023    75 / 60 - 1 = 0.25
# and nothing for FY2021 and Q1 2022 of EXA (no prior period), for GAP
# (FY2019 has no prior year, FY2021 follows a gap of 731 days, FY2022
# changes currency), for 0000000003 (no margin over revenue 0, no
# growth over a prior revenue of 0).
cat >"$WORK/expected" <<'EOF'
{"kind":"metric","cik":"0000000001","ticker":"EXA","metric":"gross_margin","value":0.4,"unit":"pure","period_type":"annual","period_start":"2022-01-01","period_end":"2022-12-31","fiscal_year":2022,"fiscal_period":"FY","source":"transform","source_ref":"0000000001-23-000001","filed":"2023-02-10","revised":false,"concept":null,"derivation":"gross_profit / revenue"}
{"kind":"metric","cik":"0000000001","ticker":"EXA","metric":"gross_margin","value":0.3,"unit":"pure","period_type":"annual","period_start":"2023-01-01","period_end":"2023-12-31","fiscal_year":2023,"fiscal_period":"FY","source":"transform","source_ref":"0000000001-24-000007;0000000001-24-000001","filed":"2024-03-01","revised":false,"concept":null,"derivation":"gross_profit / revenue"}
{"kind":"metric","cik":"0000000001","ticker":"EXA","metric":"net_margin","value":0.1,"unit":"pure","period_type":"annual","period_start":"2022-01-01","period_end":"2022-12-31","fiscal_year":2022,"fiscal_period":"FY","source":"transform","source_ref":"0000000001-23-000001","filed":"2023-02-10","revised":false,"concept":null,"derivation":"net_income / revenue"}
{"kind":"metric","cik":"0000000001","ticker":"EXA","metric":"net_margin","value":0.3333333333333333,"unit":"pure","period_type":"quarter","period_start":"2023-01-01","period_end":"2023-03-31","fiscal_year":2023,"fiscal_period":"Q1","source":"transform","source_ref":"0000000001-23-000002","filed":"2023-05-01","revised":false,"concept":null,"derivation":"net_income / revenue"}
{"kind":"metric","cik":"0000000001","ticker":"EXA","metric":"operating_margin","value":0.2,"unit":"pure","period_type":"annual","period_start":"2022-01-01","period_end":"2022-12-31","fiscal_year":2022,"fiscal_period":"FY","source":"transform","source_ref":"0000000001-23-000001","filed":"2023-02-10","revised":false,"concept":null,"derivation":"operating_income / revenue"}
{"kind":"metric","cik":"0000000001","ticker":"EXA","metric":"revenue_growth_yoy","value":0.25,"unit":"pure","period_type":"annual","period_start":"2022-01-01","period_end":"2022-12-31","fiscal_year":2022,"fiscal_period":"FY","source":"transform","source_ref":"0000000001-23-000001","filed":"2023-02-10","revised":false,"concept":null,"derivation":"revenue / revenue[prior year] - 1"}
{"kind":"metric","cik":"0000000001","ticker":"EXA","metric":"revenue_growth_yoy","value":0.2,"unit":"pure","period_type":"annual","period_start":"2023-01-01","period_end":"2023-12-31","fiscal_year":2023,"fiscal_period":"FY","source":"transform","source_ref":"0000000001-24-000001;0000000001-23-000001","filed":"2024-02-09","revised":false,"concept":null,"derivation":"revenue / revenue[prior year] - 1"}
{"kind":"metric","cik":"0000000001","ticker":"EXA","metric":"revenue_growth_yoy","value":0.25,"unit":"pure","period_type":"quarter","period_start":"2023-01-01","period_end":"2023-03-31","fiscal_year":2023,"fiscal_period":"Q1","source":"transform","source_ref":"0000000001-23-000002;0000000001-22-000002","filed":"2023-05-01","revised":false,"concept":null,"derivation":"revenue / revenue[prior year] - 1"}
EOF

assert_status 0 "derives from the fixture" -- \
	transform --metrics-file "$WORK/metrics.prom" "$fixtures/metrics.ndjson"
cp "$WORK/out" "$WORK/derived"
cp "$WORK/err" "$WORK/summary"
assert_files_equal "$WORK/expected" "$WORK/derived" "derived records"

# Reconciliation: 20 lines = 19 metric records + 1 company.  Of the 19,
# 17 feed derivations (1 of them replaced by a later line) and 2 do not
# (the instant total_assets and the ytd revenue).
assert_contains "$WORK/summary" "20 lines: 19 metric records (17 used, of which 1 replaced by a later line with the same key; 2 not needed), 1 other kinds, 0 rejected, 0 blank; 8 derived records out, 0 lines passed through" \
	"summary reconciles"
# Left out: no prior year for EXA FY2021 and Q1 2022, GAP FY2019 and
# FY2021, and 0000000003 FY2022, and no prior quarter (quarter over
# quarter) for EXA Q1 2022 and Q1 2023, whose Q4s are not in the fixture
# (7); GAP FY2022 unit change (1); the 0000000003 FY2023 margin over
# revenue 0 (1) and its growth over 0 (1).
assert_contains "$WORK/summary" "derivations left out: revenue-not-positive 1, no-prior-period 7, unit-change 1, prior-not-positive 1" \
	"absences counted by reason"

assert_contains "$WORK/metrics.prom" 'corpintel_lines_total{tool="transform"} 20' \
	"metrics file: lines"
assert_contains "$WORK/metrics.prom" 'corpintel_records_out_total{tool="transform"} 8' \
	"metrics file: records out"
assert_contains "$WORK/metrics.prom" 'corpintel_skipped_total{tool="transform",reason="other-kind"} 1' \
	"metrics file: other kinds"
assert_contains "$WORK/metrics.prom" 'corpintel_derivations_absent_total{tool="transform",reason="unit-change"} 1' \
	"metrics file: unit change"

# Only derived records come out by default: no company, no input metric.
assert_eq 0 "$(grep -c '"source":"sec"' "$WORK/derived")" "inputs not echoed"
assert_eq 0 "$(grep -c '"kind":"company"' "$WORK/derived")" "other kinds not echoed"

# --pass-through: the 20 input lines as read, byte for byte, then the
# 8 derived records.
assert_status 0 "pass-through" -- transform --pass-through "$fixtures/metrics.ndjson"
assert_eq 28 "$(lines "$WORK/out")" "pass-through line count"
head -n 20 "$WORK/out" >"$WORK/head"
assert_files_equal "$fixtures/metrics.ndjson" "$WORK/head" "pass-through copies the input"
tail -n 8 "$WORK/out" >"$WORK/tail"
assert_files_equal "$WORK/expected" "$WORK/tail" "pass-through then derived records"
assert_contains "$WORK/err" "8 derived records out, 20 lines passed through" \
	"pass-through summary"

# Stdin gives the same result as a file argument.
transform <"$fixtures/metrics.ndjson" >"$WORK/stdin-out" 2>/dev/null
assert_files_equal "$WORK/expected" "$WORK/stdin-out" "stdin input"

# A gross profit in another unit than revenue gives no margin.
sed -e 's/"gross_profit","value":100,"unit":"USD"/"gross_profit","value":100,"unit":"EUR"/' \
	"$fixtures/metrics.ndjson" >"$WORK/units.ndjson"
assert_status 0 "unit mismatch" -- transform "$WORK/units.ndjson"
assert_eq 0 "$(grep -c '"gross_margin".*"period_end":"2022-12-31"' "$WORK/out")" \
	"no margin across units"
assert_contains "$WORK/err" "unit-mismatch 1" "unit mismatch counted"

finish
