# transform --universe: the mart rows of a small universe, with every
# column worked out by hand below.
. "$TOP/tests/lib.sh"

command -v jq >/dev/null || skip "jq not installed (scripts/install-deps installs it)"
fixtures=$TOP/tests/fixtures/transform

# The universe (universe.yaml): online learning AAA, BBB, CCC, DDD (no
# data), OLD (no longer listed); China CNY1 (reports in CNY), USD1;
# K-12 NOC (no cik, no longer listed).  As of 2024-06-30:
#
# AAA: annual revenue 400 (FY2022) and 500 (FY2023), FY2023 gross profit
#   300, operating income 50, net income 30; quarter revenue 130 at
#   2024-03-31 and 999 at 2024-09-30 (after the as-of date: ignored);
#   market cap 4000 (2024-05-31), 5000 (2024-06-28), 7777 (2024-07-01,
#   ignored); trailing P/E 20 (2024-06-28).  No TTM (one quarter), so
#   the twelve-month period is FY2023:
#     growth (500 - 400) / 400 = 0.25, gross 300 / 500 = 0.6,
#     operating 50 / 500 = 0.1, net 30 / 500 = 0.06
#     growth_score (0.25 + 0.20) / 0.60 * 100 = 75
#     margin_score 0.6 / 0.8 * 100 = 75
#     profitability_score (0.06 + 0.20) / 0.40 * 100 = 65
#     overall (75 + 75 + 65) / 3 = 71.67 -> 72: strong (>= 70)
#     latest period 2024-03-31, age 2024-06-30 - 2024-03-31 = 91 days
# BBB: annual revenue 1000 (FY2022), 900 (FY2023); quarter revenue
#   240, 250, 260, 210 (2022-06-30 .. 2023-03-31) and 220, 230, 240, 250
#   (2023-06-30 .. 2024-03-31); net income 22, 23, 24, 25 in the last
#   four quarters.  TTM at 2024-03-31: 220 + 230 + 240 + 250 = 940, newer
#   than FY2023, so the twelve-month period is that TTM:
#     TTM a year before: 240 + 250 + 260 + 210 = 960
#     growth (940 - 960) / 960 = -0.020833333333333332
#     net margin (22 + 23 + 24 + 25) / 940 = 94 / 940 = 0.1
#     growth_score (-0.0208 + 0.20) / 0.60 * 100 = 29.86 -> 30
#     profitability_score (0.1 + 0.2) / 0.4 * 100 = 75
#     overall (30 + 75) / 2 = 52.5 -> 53 (half away from zero): stable
#     age 91 days
# CCC: annual revenue 80 (FY2022), 100 (FY2023), gross profit 20, net
#   income -30:
#     growth 0.25 -> 75, gross 0.2 -> 25, net -0.3 -> clamped to 0
#     overall (75 + 25 + 0) / 3 = 33.33 -> 33: weak (>= 30)
#     latest 2023-12-31, age 182 days (2024 is a leap year: 31+29+31+30
#     +31+30 = 182)
# DDD: no records: nulls everywhere.
# OLD: revenue 50 in FY2021 only: no growth, no margins, no scores; age
#   from 2021-12-31: 365 + 365 + 182 = 912 days.
# CNY1: revenue 6000 and 7000 CNY: growth 1000 / 6000 = 0.16666666666666666,
#   score (0.1667 + 0.2) / 0.6 * 100 = 61.1 -> 61: stable; not ranked
#   (CNY, ranking in USD).
# USD1: revenue 800 and 1000: growth 0.25 -> 75, strong; market cap
#   3000 from a quote record that names the company by ticker only.
#
# Ranks by twelve-month revenue in USD: USD1 1000, BBB 940, AAA 500,
# CCC 100, OLD 50, so overall USD1 1, BBB 2, AAA 3, CCC 4, OLD 5; in
# online learning BBB 1, AAA 2, CCC 3, OLD 4; in China USD1 1.
cat >"$WORK/expected-companies" <<'EOF'
AAA USD 130 500 null 0.25 0.6 0.1 0.06 5000 20 2 3 75 75 65 72 strong 2024-03-31 91
BBB USD 250 900 940 -0.020833333333333332 null null 0.1 null null 1 2 30 null 75 53 stable 2024-03-31 91
CCC USD null 100 null 0.25 0.2 null -0.3 null null 3 4 75 25 0 33 weak 2023-12-31 182
DDD null null null null null null null null null null null null null null null null null null null
OLD USD null 50 null null null null null null null 4 5 null null null null null 2021-12-31 912
CNY1 CNY null 7000 null 0.16666666666666666 null null null null null null null 61 null null 61 stable 2023-12-31 182
USD1 USD null 1000 null 0.25 null null null 3000 null 1 1 75 null null 75 strong 2023-12-31 182
EOF

# Landscape, over the companies ranked in USD:
#   online learning: BBB 940, AAA 500, CCC 100, OLD 50; total 1590;
#     growth of BBB, AAA, CCC (OLD has none): mean (-0.0208333 + 0.25 +
#     0.25) / 3 = 0.1597222, median 0.25;
#     HHI = 10000 * (940^2 + 500^2 + 100^2 + 50^2) / 1590^2
#         = 10000 * 1146100 / 2528100 = 4533.444088...
#     top3 = (940 + 500 + 100) / 1590 = 0.9685534...
#   China: USD1 alone (CNY1 is in CNY): total 1000, HHI 10000, top3 1.
#   K-12: NOC has no row: 0 companies, nulls.
# Fractions are compared rounded to six decimals.
cat >"$WORK/expected-landscape" <<'EOF'
online learning USD 1590 4 0.159722 0.25 4533.444088 0.968553
China USD 1000 1 0.25 0.25 10000 1
K-12 USD null 0 null null null null
EOF

assert_status 0 "marts from the fixture" -- \
	transform --universe "$fixtures/universe.yaml" --as-of 2024-06-30 \
	--metrics-file "$WORK/metrics.prom" "$fixtures/marts.ndjson"
cp "$WORK/out" "$WORK/all"
cp "$WORK/err" "$WORK/notes"

jq -r 'select(.kind == "mart_company_performance") | [.ticker, .unit,
	.revenue_quarter, .revenue_annual, .revenue_ttm, .revenue_growth_yoy,
	.gross_margin, .operating_margin, .net_margin, .market_cap, .pe_ratio,
	.rank_in_category, .rank_overall, .growth_score, .margin_score,
	.profitability_score, .overall_score, .health, .latest_period_end,
	.data_age_days] | map(if . == null then "null" else tostring end)
	| join(" ")' "$WORK/all" >"$WORK/companies"
assert_files_equal "$WORK/expected-companies" "$WORK/companies" \
	"company performance rows"

jq -r 'def r: if . == null then "null" else (. * 1e6 | round / 1e6 | tostring) end;
	select(.kind == "mart_competitive_landscape") | [.category, .unit,
	(.total_revenue | r), (.companies | tostring), (.average_growth | r),
	(.median_growth | r), (.hhi | r), (.top3_share | r)] | join(" ")' \
	"$WORK/all" >"$WORK/landscape"
assert_files_equal "$WORK/expected-landscape" "$WORK/landscape" \
	"competitive landscape rows"

# Every row carries the as-of date, the identity from the universe
# (escaped in JSON, not altered), and the members in contract order.
assert_eq 10 "$(grep -c '"as_of":"2024-06-30"' "$WORK/all")" "as_of on every mart row"
assert_contains "$WORK/all" '"cik":"0000000021","ticker":"AAA","name":"Alpha Learning & Co. <AAA>","category":"online learning"' \
	"identity from the universe"
assert_eq 'kind,as_of,cik,ticker,name,category,unit,revenue_quarter,revenue_annual,revenue_ttm,revenue_growth_yoy,gross_margin,operating_margin,net_margin,market_cap,pe_ratio,rank_in_category,rank_overall,growth_score,margin_score,profitability_score,overall_score,health,latest_period_end,data_age_days' \
	"$(jq -r 'select(.kind == "mart_company_performance") | keys_unsorted | join(",")' "$WORK/all" | sort -u)" \
	"company row members in order"
assert_eq 'kind,as_of,category,unit,total_revenue,companies,average_growth,median_growth,hhi,top3_share' \
	"$(jq -r 'select(.kind == "mart_competitive_landscape") | keys_unsorted | join(",")' "$WORK/all" | sort -u)" \
	"landscape row members in order"

# Mart rows come after the derived metrics.
assert_eq mart_competitive_landscape "$(tail -n 1 "$WORK/all" | jq -r .kind)" \
	"landscape rows last"
assert_eq 7 "$(grep -c '"kind":"mart_company_performance"' "$WORK/all")" \
	"one row per company with a cik"
assert_eq 0 "$(grep -c '"ticker":"NOC"' "$WORK/all")" "no row without a cik"
assert_eq 0 "$(grep '"cik":"0000000099"' "$WORK/all" | grep -c mart_)" \
	"company outside the universe has no mart row"

# Each company that needs a word gets one line on stderr.
assert_eq 1 "$(grep -c 'DDD (Delta Academy, Inc.): no metric records in the input, so its row has null values' "$WORK/notes")" \
	"company without data reported once"
assert_eq 1 "$(grep -c 'OLD (Old School, Inc.): no longer listed' "$WORK/notes")" \
	"delisted company reported once"
assert_eq 1 "$(grep -c 'NOC (No Cik Limited): no longer listed; no cik in the universe file, so no mart row' "$WORK/notes")" \
	"company without cik reported once"
assert_eq 1 "$(grep -c 'CNY1 (Yuan Education Group): revenue in CNY, not ranked' "$WORK/notes")" \
	"other currency reported once"
assert_contains "$WORK/notes" "10 mart rows out" "mart rows counted"
assert_contains "$WORK/metrics.prom" 'corpintel_mart_rows_total{tool="transform"} 10' \
	"metrics file: mart rows"

# The as-of date moves the window: on 2024-01-31, AAA's 2024-03-31
# quarter and its quotes are in the future, so its latest period is
# FY2023 (age 31 days) and it has no valuation.
assert_status 0 "earlier as-of" -- \
	transform --universe "$fixtures/universe.yaml" --as-of 2024-01-31 \
	"$fixtures/marts.ndjson"
assert_eq 'null 500 null null 2023-12-31 31' \
	"$(jq -r 'select(.ticker == "AAA" and .kind == "mart_company_performance")
	| [.revenue_quarter, .revenue_annual, .market_cap, .pe_ratio,
	.latest_period_end, .data_age_days] | map(tostring) | join(" ")' "$WORK/out")" \
	"as-of leaves later periods out"

# The default as-of date is today, which CORPINTEL_TODAY fixes.
CORPINTEL_TODAY=2024-06-30 transform --universe "$fixtures/universe.yaml" \
	"$fixtures/marts.ndjson" >"$WORK/today" 2>/dev/null
assert_files_equal "$WORK/all" "$WORK/today" "as-of defaults to today"

# Ranking in another currency: CNY1 ranks alone.
assert_status 0 "rank currency" -- \
	transform --universe "$fixtures/universe.yaml" --as-of 2024-06-30 \
	--rank-currency CNY "$fixtures/marts.ndjson"
assert_eq '1 1' "$(jq -r 'select(.ticker == "CNY1" and .kind == "mart_company_performance")
	| "\(.rank_in_category) \(.rank_overall)"' "$WORK/out")" "ranked in CNY"
assert_eq 'null' "$(jq -r 'select(.ticker == "USD1" and .kind == "mart_company_performance")
	| .rank_overall' "$WORK/out")" "USD company not ranked in CNY"

# Repeated input: the same rows.
cat "$fixtures/marts.ndjson" "$fixtures/marts.ndjson" >"$WORK/twice.ndjson"
transform --universe "$fixtures/universe.yaml" --as-of 2024-06-30 \
	"$WORK/twice.ndjson" >"$WORK/twice" 2>/dev/null
assert_files_equal "$WORK/all" "$WORK/twice" "repeated input changes nothing"

# The education universe on empty input: a row of nulls per company with
# a cik (27 of 28: ARCE has none), a row per category (10), and one line
# each for 2U and Arco, which are no longer listed.
assert_status 0 "education universe" -- \
	transform --universe "$TOP/pipelines/universe/edtech.yaml" \
	--as-of 2024-06-30 /dev/null
assert_eq 27 "$(grep -c '"kind":"mart_company_performance"' "$WORK/out")" \
	"a row per company with a cik"
assert_eq 10 "$(grep -c '"kind":"mart_competitive_landscape"' "$WORK/out")" \
	"a row per category"
assert_eq 1 "$(grep -c 'TWOU (2U, Inc.): no longer listed; no metric records' "$WORK/err")" \
	"2U reported once"
assert_eq 1 "$(grep -c 'ARCE (Arco Platform Limited): no longer listed; no cik' "$WORK/err")" \
	"Arco reported once"
assert_eq 28 "$(grep -c 'transform: warning: ' "$WORK/err")" "one line per company"

# A cik written without its leading zeros is SEC's cik all the same, as
# in normalize's universe.  A cik of more than ten digits is an error.
printf 'companies:\n  - {ticker: X, name: "X", category: c, cik: 123}\n' >"$WORK/short-cik.yaml"
assert_status 0 "cik without leading zeros" -- \
	transform --universe "$WORK/short-cik.yaml" /dev/null
assert_contains "$WORK/out" '"cik":"0000000123","ticker":"X"' "short cik padded to ten digits"
printf 'companies:\n  - {ticker: X, name: "X", category: c, cik: 12345678901}\n' >"$WORK/bad-cik.yaml"
assert_status 78 "cik of eleven digits" -- \
	transform --universe "$WORK/bad-cik.yaml" /dev/null
assert_contains "$WORK/err" "bad-cik.yaml:2: invalid cik '12345678901': use 1 to 10 digits" \
	"bad cik named with its line"
printf 'companies:\n  - {ticker: X, category: c}\n' >"$WORK/no-name.yaml"
assert_status 78 "company without name" -- \
	transform --universe "$WORK/no-name.yaml" /dev/null
assert_contains "$WORK/err" 'no-name.yaml:2: company without "name"' \
	"missing member named"
assert_status 78 "universe not found" -- \
	transform --universe "$WORK/absent.yaml" /dev/null
assert_status 64 "invalid as-of" -- \
	transform --universe "$fixtures/universe.yaml" --as-of 2024-02-30 /dev/null
assert_contains "$WORK/err" "invalid --as-of '2024-02-30'" "as-of message"
assert_status 64 "invalid rank currency" -- \
	transform --universe "$fixtures/universe.yaml" --rank-currency usd /dev/null
assert_status 64 "report without universe" -- \
	transform --report "$WORK/r.html" /dev/null
assert_contains "$WORK/err" "--report needs --universe FILE" "report message"

finish
