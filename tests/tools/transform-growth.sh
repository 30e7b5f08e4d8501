# transform: TTM sums, quarter-over-quarter, TTM and EPS growth, free
# cash flow and its margin on hand-written metrics, with every expected
# value worked out by hand below.
. "$TOP/tests/lib.sh"

command -v jq >/dev/null || skip "jq not installed (scripts/install-deps installs it)"
fixtures=$TOP/tests/fixtures/transform

# The fixture contains four companies, calendar quarters ending on
# 03-31, 06-30, 09-30 and 12-31 (90 to 92 days apart):
#   0000000010 QTR: revenue 100, 110, 120, 130 in the quarters of 2022
#     and 125, 140, 150, 160 in 2023; a TTM revenue of its own at
#     2023-06-30; diluted EPS 0.1 in each quarter of 2022.
#   0000000011 FCF: annual revenue 800 (FY2022) and 1000 (FY2023),
#     operating cash flow 200 and 300, capital expenditure 120 in FY2023
#     only; diluted EPS -0.5 (FY2021), 1.5 (FY2022), 2.25 (FY2023).
#   0000000012 GAPQ: revenue 100 (2022 Q1), 120 (Q2), 130 (Q4: Q3 is
#     missing), 140 (2023 Q1).
#   0000000013 CUR: revenue 10 in each quarter of 2022, Q3 in EUR, the
#     others in USD.
#
# Expected records (cik, metric, period_type, period_end, value), in the
# output order of cik, metric, period_type, period_end:
#   QTR TTM sums of four consecutive quarters (none at 2023-06-30, where
#   the input has its own):
#     2022-12-31  100 + 110 + 120 + 130 = 460
#     2023-03-31  110 + 120 + 130 + 125 = 485
#     2023-09-30  130 + 125 + 140 + 150 = 545
#     2023-12-31  125 + 140 + 150 + 160 = 575
#   QTR quarter over quarter, (current - prior) / prior:
#     2022-06-30  10 / 100 = 0.1
#     2022-09-30  10 / 110 = 0.09090909090909091
#     2022-12-31  10 / 120 = 0.08333333333333333
#     2023-03-31  -5 / 130 = -0.038461538461538464
#     2023-06-30  15 / 125 = 0.12
#     2023-09-30  10 / 140 = 0.07142857142857142
#     2023-12-31  10 / 150 = 0.06666666666666667
#   QTR year over year, quarters:
#     2023-03-31  25 / 100 = 0.25
#     2023-06-30  30 / 110 = 0.2727272727272727
#     2023-09-30  30 / 120 = 0.25
#     2023-12-31  30 / 130 = 0.23076923076923078
#   QTR TTM growth: 2023-12-31 over 2022-12-31, (575 - 460) / 460 = 0.25
#   (the other TTM periods have no TTM a year before)
#   FCF eps_growth_yoy FY2023  (2.25 - 1.5) / 1.5 = 0.5 (FY2022 is over
#     a negative EPS: left out)
#   FCF free_cash_flow FY2023  300 - 120 = 180 (FY2022: no capex)
#   FCF free_cash_flow_margin FY2023  180 / 1000 = 0.18
#   FCF revenue_growth_yoy FY2023  200 / 800 = 0.25
#   GAPQ qoq 2022-06-30  20 / 100 = 0.2; 2022-12-31 none (184 days after
#     Q2: a gap); 2023-03-31  10 / 130 = 0.07692307692307693
#   GAPQ yoy 2023-03-31  40 / 100 = 0.4; and no TTM (the gap)
#   CUR qoq 2022-06-30  0 / 10 = 0; none at Q3 and Q4 (currency change);
#     no TTM (four quarters, not in one currency)
# The decimals are the doubles nearest to the fractions, as printed in
# their shortest form.
cat >"$WORK/expected" <<'EOF'
0000000010 revenue ttm 2022-12-31 460 USD
0000000010 revenue ttm 2023-03-31 485 USD
0000000010 revenue ttm 2023-09-30 545 USD
0000000010 revenue ttm 2023-12-31 575 USD
0000000010 revenue_growth_qoq quarter 2022-06-30 0.1 pure
0000000010 revenue_growth_qoq quarter 2022-09-30 0.09090909090909091 pure
0000000010 revenue_growth_qoq quarter 2022-12-31 0.08333333333333333 pure
0000000010 revenue_growth_qoq quarter 2023-03-31 -0.038461538461538464 pure
0000000010 revenue_growth_qoq quarter 2023-06-30 0.12 pure
0000000010 revenue_growth_qoq quarter 2023-09-30 0.07142857142857142 pure
0000000010 revenue_growth_qoq quarter 2023-12-31 0.06666666666666667 pure
0000000010 revenue_growth_yoy quarter 2023-03-31 0.25 pure
0000000010 revenue_growth_yoy quarter 2023-06-30 0.2727272727272727 pure
0000000010 revenue_growth_yoy quarter 2023-09-30 0.25 pure
0000000010 revenue_growth_yoy quarter 2023-12-31 0.23076923076923078 pure
0000000010 revenue_growth_yoy ttm 2023-12-31 0.25 pure
0000000011 eps_growth_yoy annual 2023-12-31 0.5 pure
0000000011 free_cash_flow annual 2023-12-31 180 USD
0000000011 free_cash_flow_margin annual 2023-12-31 0.18 pure
0000000011 revenue_growth_yoy annual 2023-12-31 0.25 pure
0000000012 revenue_growth_qoq quarter 2022-06-30 0.2 pure
0000000012 revenue_growth_qoq quarter 2023-03-31 0.07692307692307693 pure
0000000012 revenue_growth_yoy quarter 2023-03-31 0.4 pure
0000000013 revenue_growth_qoq quarter 2022-06-30 0 pure
EOF

assert_status 0 "derives from the fixture" -- \
	transform "$fixtures/growth.ndjson"
cp "$WORK/out" "$WORK/derived"
cp "$WORK/err" "$WORK/summary"
jq -r '[.cik, .metric, .period_type, .period_end, .value, .unit] | join(" ")' \
	"$WORK/derived" >"$WORK/actual"
assert_files_equal "$WORK/expected" "$WORK/actual" "derived values"

# A computed TTM sum: its period starts with the first quarter, its
# references are the four quarters' in order, and its derivation names
# the formula.
jq -c 'select(.metric == "revenue" and .period_end == "2022-12-31")
	| [.period_start, .fiscal_period, .source, .source_ref, .derivation]' \
	"$WORK/derived" >"$WORK/ttm"
assert_eq '["2022-01-01","TTM","transform","0000000010-22-03;0000000010-22-06;0000000010-22-09;0000000010-22-12","sum of 4 consecutive quarters"]' \
	"$(cat "$WORK/ttm")" "TTM sum record"
assert_eq 0 "$(grep -c '"metric":"eps_diluted"' "$WORK/derived")" \
	"no TTM sum of EPS"
assert_eq '"operating_cash_flow - capital_expenditure"' \
	"$(jq 'select(.metric == "free_cash_flow") | .derivation' "$WORK/derived")" \
	"free cash flow formula"

# Reconciliation: 29 metric lines, all read by a derivation.
assert_contains "$WORK/summary" "29 lines: 29 metric records (29 used, of which 0 replaced by a later line with the same key; 0 not needed), 0 other kinds, 0 rejected, 0 blank; 24 derived records out" \
	"summary reconciles"
# Left out, no prior period (25): QTR revenue yoy for the four quarters
# of 2022 (4), qoq for 2022 Q1 (1), TTM yoy at 2022-12-31, 2023-03-31,
# 2023-06-30 and 2023-09-30 (4), EPS yoy for the four quarters of 2022
# (4); FCF revenue FY2022 and EPS FY2021 (2); GAPQ yoy for 2022 Q1, Q2,
# Q4 (3) and qoq for Q1 and Q4 (2); CUR yoy for four quarters (4) and
# qoq for Q1 (1).  Unit change (2): CUR qoq at Q3 and Q4.  Prior not
# positive (1): FCF EPS FY2022 over -0.5.  No capital expenditure (1):
# FCF FY2022.
assert_contains "$WORK/summary" "derivations left out: no-prior-period 25, unit-change 2, prior-not-positive 1, no-capital-expenditure 1" \
	"absences counted by reason"

# A rerun on the stored history, which contains the derived records of the
# first run next to the reported ones, derives the same records: the
# TTM sums from transform are computed again, not taken as reported.
cat "$fixtures/growth.ndjson" "$WORK/derived" >"$WORK/history.ndjson"
assert_status 0 "rerun on the history" -- transform "$WORK/history.ndjson"
assert_files_equal "$WORK/derived" "$WORK/out" "rerun derives the same records"

finish
