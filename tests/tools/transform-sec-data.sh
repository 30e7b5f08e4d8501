# transform on real data: the recorded SEC company facts through
# fetch-sec and normalize, then the derived metrics and the marts of a
# universe of those companies, checked against values read from the
# source documents by independent jq programs.
. "$TOP/tests/lib.sh"

facts_dir="$SHARED_DATA/sec/companyfacts"
tickers="$SHARED_DATA/sec/tickers/company_tickers-2025-08.json"
[ -d "$facts_dir" ] || skip "$facts_dir not found: recorded SEC data absent"
command -v jq >/dev/null || skip "jq not installed (scripts/install-deps installs it)"
universe=$TOP/tests/fixtures/transform/universe-real.yaml
apple=$facts_dir/CIK0000320193-apple.json
microsoft=$facts_dir/CIK0000789019-microsoft-june-FY.json
nvidia=$facts_dir/CIK0001045810-nvidia-52-53-week-FY.json
alphabet=$facts_dir/CIK0001652044-alphabet.json

# Without the metrics of the first two stages nothing below can pass:
# stop at the stage that failed.
fetch-sec -q --tickers-file "$tickers" "$facts_dir"/*.json >"$WORK/facts.ndjson"
assert_eq 0 $? "fetch-sec reads the recordings"
[ "$check_failures" -eq 0 ] || finish
normalize -q <"$WORK/facts.ndjson" >"$WORK/metrics.ndjson"
assert_eq 0 $? "normalize succeeds"
[ "$check_failures" -eq 0 ] || finish

# The one value of a duration fact in USD (or USD/shares) for a period,
# from the source document; "ambiguous" when filings disagree.
fact() {	# file concept start end [unit]
	jq -r --arg c "$2" --arg s "$3" --arg e "$4" --arg u "${5:-USD}" '
		[.facts["us-gaap"][$c].units[$u][]
		 | select(.start == $s and .end == $e) | .val] | unique
		| if length == 1 then .[0] else "ambiguous" end' "$1"
}

# Compares two numbers to a relative 1e-12: the derivations divide the
# same doubles, so only the last bit may differ.
assert_close() {	# expected actual description
	checks=$((checks + 1))
	if awk -v e="$1" -v a="$2" 'BEGIN {
		d = e - a; if (d < 0) d = -d; m = e < 0 ? -e : e;
		exit !(d <= 1e-12 * m || d == 0) }'; then
		ok "$3"
	else
		fail "$3: expected $1, got $2"
	fi
}

ratio() {	# numerator denominator
	awk -v n="$1" -v d="$2" 'BEGIN { printf "%.17g\n", n / d }'
}

growth() {	# current prior
	awk -v c="$1" -v p="$2" 'BEGIN { printf "%.17g\n", (c - p) / p }'
}

# Apple's fiscal 2023 (52 weeks to 2023-09-30) against fiscal 2022.
rev23=$(fact "$apple" RevenueFromContractWithCustomerExcludingAssessedTax 2022-09-25 2023-09-30)
rev22=$(fact "$apple" RevenueFromContractWithCustomerExcludingAssessedTax 2021-09-26 2022-09-24)
gross23=$(fact "$apple" GrossProfit 2022-09-25 2023-09-30)
opinc23=$(fact "$apple" OperatingIncomeLoss 2022-09-25 2023-09-30)
net23=$(fact "$apple" NetIncomeLoss 2022-09-25 2023-09-30)
cash23=$(fact "$apple" NetCashProvidedByUsedInOperatingActivities 2022-09-25 2023-09-30)
capex23=$(fact "$apple" PaymentsToAcquirePropertyPlantAndEquipment 2022-09-25 2023-09-30)
eps23=$(fact "$apple" EarningsPerShareDiluted 2022-09-25 2023-09-30 USD/shares)
eps22=$(fact "$apple" EarningsPerShareDiluted 2021-09-26 2022-09-24 USD/shares)
assert_eq 383285000000 "$rev23" "Apple FY2023 revenue in the document"

transform --universe "$universe" --as-of 2023-10-31 "$WORK/metrics.ndjson" \
	>"$WORK/out.ndjson" 2>"$WORK/err"
assert_eq 0 $? "transform on the normalized facts"

derived() {	# cik metric period_end
	jq -r --arg c "$1" --arg m "$2" --arg e "$3" '
		select(.kind == "metric" and .cik == $c and .metric == $m and
		       .period_type == "annual" and .period_end == $e) | .value' \
		"$WORK/out.ndjson"
}
a=0000320193
assert_close "$(growth "$rev23" "$rev22")" "$(derived $a revenue_growth_yoy 2023-09-30)" \
	"Apple FY2023 revenue growth"
assert_close "$(ratio "$gross23" "$rev23")" "$(derived $a gross_margin 2023-09-30)" \
	"Apple FY2023 gross margin"
assert_close "$(ratio "$opinc23" "$rev23")" "$(derived $a operating_margin 2023-09-30)" \
	"Apple FY2023 operating margin"
assert_close "$(ratio "$net23" "$rev23")" "$(derived $a net_margin 2023-09-30)" \
	"Apple FY2023 net margin"
# 110,543 - 10,959 = 99,584 million.
assert_eq "$((cash23 - capex23))" "$(derived $a free_cash_flow 2023-09-30)" \
	"Apple FY2023 free cash flow"
assert_close "$(ratio "$((cash23 - capex23))" "$rev23")" \
	"$(derived $a free_cash_flow_margin 2023-09-30)" "Apple FY2023 free-cash-flow margin"
# Diluted EPS 6.13 against 6.11.
assert_close "$(growth "$eps23" "$eps22")" "$(derived $a eps_growth_yoy 2023-09-30)" \
	"Apple FY2023 EPS growth"

# Apple's row as of 2023-10-31: the twelve months are fiscal 2023
# (its next quarter ends 2023-12-30, after the as-of date).
row() {	# ticker member
	jq -r --arg t "$1" --arg k "$2" '
		select(.kind == "mart_company_performance" and .ticker == $t)
		| .[$k] | tostring' "$WORK/out.ndjson"
}
assert_eq "$rev23" "$(row AAPL revenue_annual)" "Apple row: annual revenue"
assert_close "$(growth "$rev23" "$rev22")" "$(row AAPL revenue_growth_yoy)" \
	"Apple row: growth"
assert_close "$(ratio "$gross23" "$rev23")" "$(row AAPL gross_margin)" \
	"Apple row: gross margin"
assert_eq 2023-09-30 "$(row AAPL latest_period_end)" "Apple row: latest period"
assert_eq 31 "$(row AAPL data_age_days)" "Apple row: 31 days old on 2023-10-31"
assert_eq USD "$(row AAPL unit)" "Apple row: unit"
assert_eq TWD "$(row TSM unit)" "TSMC row: unit"
assert_eq null "$(row TSM rank_overall)" "TSMC in TWD: not ranked"
assert_contains "$WORK/err" "TSM (Taiwan Semiconductor Manufacturing Company Limited): revenue in TWD, not ranked" \
	"TSMC's currency reported"

# Ranks and concentration from annual records alone, where every
# company's twelve months are its latest fiscal year as of 2023-10-31:
#   Apple FY2023 (to 2023-09-30)      383,285 million
#   Alphabet FY2022 (to 2022-12-31)   282,836 million
#   Microsoft FY2023 (to 2023-06-30)  211,915 million
#   NVIDIA FY2023 (to 2023-01-29)      26,974 million
# so overall Apple 1, Alphabet 2, Microsoft 3, NVIDIA 4.  "devices and
# software" contains Apple and Microsoft: total 595,200 million,
# HHI = 10000 * (383285^2 + 211915^2) / 595200^2 = 5414.49, top three 1.
msft23=$(fact "$microsoft" RevenueFromContractWithCustomerExcludingAssessedTax 2022-07-01 2023-06-30)
nvda23=$(fact "$nvidia" Revenues 2022-01-31 2023-01-29)
googl22=$(fact "$alphabet" RevenueFromContractWithCustomerExcludingAssessedTax 2022-01-01 2022-12-31)
assert_eq 211915000000 "$msft23" "Microsoft FY2023 revenue in the document"
assert_eq 26974000000 "$nvda23" "NVIDIA FY2023 revenue in the document"
assert_eq 282836000000 "$googl22" "Alphabet FY2022 revenue in the document"

jq -c 'select(.period_type == "annual")' "$WORK/metrics.ndjson" >"$WORK/annual.ndjson"
transform --universe "$universe" --as-of 2023-10-31 "$WORK/annual.ndjson" \
	>"$WORK/annual-out.ndjson" 2>/dev/null
assert_eq 0 $? "transform on annual records"
ranks=$(jq -r 'select(.kind == "mart_company_performance" and .unit == "USD")
	| "\(.ticker):\(.revenue_annual):\(.rank_overall):\(.rank_in_category)"' \
	"$WORK/annual-out.ndjson" | tr '\n' ' ')
assert_eq "AAPL:$rev23:1:1 MSFT:$msft23:3:2 NVDA:$nvda23:4:1 GOOGL:$googl22:2:1 " \
	"$ranks" "ranks by twelve-month revenue"
hhi=$(awk -v a="$rev23" -v m="$msft23" \
	'BEGIN { t = a + m; printf "%.17g\n", 10000 * (a * a + m * m) / (t * t) }')
assert_close "$hhi" "$(jq -r 'select(.kind == "mart_competitive_landscape" and
	.category == "devices and software") | .hhi' "$WORK/annual-out.ndjson")" \
	"HHI of Apple and Microsoft"
assert_eq "$((rev23 + msft23)) 2 1" "$(jq -r 'select(.kind == "mart_competitive_landscape" and
	.category == "devices and software") | "\(.total_revenue) \(.companies) \(.top3_share)"' \
	"$WORK/annual-out.ndjson")" "total, companies and top-3 share"

finish
