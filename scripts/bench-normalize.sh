#!/bin/sh
# Throughput of normalize against the same mapping written as a jq
# program, side by side on the same sec_fact input in one run.  Prints
# facts per second, MB per second, the ratio and the peak memory of each;
# asserts nothing.
#
# What the jq program does: for each sec_fact whose concept is in
# metrics.yaml, with a unit of the metric's kind and a period whose
# length fits (instant, 80-100, 170-190, 260-285 or 350-380 days), it
# keeps one fact per (cik, metric, period type, period end): the concept
# listed first, then the latest filing.  It does not place periods in the
# fiscal calendar, choose the reporting currency, set "revised", or
# derive quarters and trailing twelve months, so it does less work than
# normalize.  It keeps every key of the whole input in memory (a reduce
# over all inputs), where normalize keeps one company at a time.
#
# Input: the recorded companyfacts in ../shared/data (else the sample
# set), through fetch-sec, each document repeated BENCH_REPEAT times (10)
# under its own cik so that the input grows without repeating keys.

. "$TOP/scripts/bench-lib.inc"
require_jq
make_work

data=$(companyfacts_folder)
repeat=${BENCH_REPEAT:-10}

fetch-sec -q "$data"/*.json >"$work/one.ndjson"
: >"$work/facts.ndjson"
i=0
while [ "$i" -lt "$repeat" ]; do
	# A different first cik digit per copy keeps companies apart.
	sed "s/\"cik\":\"0/\"cik\":\"$i/" "$work/one.ndjson" >>"$work/facts.ndjson"
	i=$((i + 1))
done
facts=$(wc -l <"$work/facts.ndjson")
bytes=$(wc -c <"$work/facts.ndjson")

measure "$work/facts.ndjson" "$work/ours.ndjson" normalize -q
ours=$seconds ours_rss=$rss ours_cpu=$cpu
measure "$work/facts.ndjson" "$work/theirs.ndjson" jq -n -c '
def days($s; $e): (($e | strptime("%Y-%m-%d") | mktime)
	- ($s | strptime("%Y-%m-%d") | mktime)) / 86400;
def mapping: {
  "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax": ["revenue", 0, "flow", "currency"],
  "us-gaap:Revenues": ["revenue", 1, "flow", "currency"],
  "us-gaap:SalesRevenueNet": ["revenue", 2, "flow", "currency"],
  "us-gaap:RevenueFromContractWithCustomerIncludingAssessedTax": ["revenue", 3, "flow", "currency"],
  "us-gaap:SalesRevenueGoodsNet": ["revenue", 4, "flow", "currency"],
  "us-gaap:SalesRevenueServicesNet": ["revenue", 5, "flow", "currency"],
  "ifrs-full:Revenue": ["revenue", 6, "flow", "currency"],
  "us-gaap:CostOfRevenue": ["cost_of_revenue", 0, "flow", "currency"],
  "us-gaap:CostOfGoodsAndServicesSold": ["cost_of_revenue", 1, "flow", "currency"],
  "us-gaap:CostOfGoodsSold": ["cost_of_revenue", 2, "flow", "currency"],
  "us-gaap:CostOfServices": ["cost_of_revenue", 3, "flow", "currency"],
  "ifrs-full:CostOfSales": ["cost_of_revenue", 4, "flow", "currency"],
  "us-gaap:GrossProfit": ["gross_profit", 0, "flow", "currency"],
  "ifrs-full:GrossProfit": ["gross_profit", 1, "flow", "currency"],
  "us-gaap:OperatingIncomeLoss": ["operating_income", 0, "flow", "currency"],
  "ifrs-full:ProfitLossFromOperatingActivities": ["operating_income", 1, "flow", "currency"],
  "us-gaap:NetIncomeLoss": ["net_income", 0, "flow", "currency"],
  "ifrs-full:ProfitLossAttributableToOwnersOfParent": ["net_income", 1, "flow", "currency"],
  "us-gaap:ProfitLoss": ["net_income", 2, "flow", "currency"],
  "ifrs-full:ProfitLoss": ["net_income", 3, "flow", "currency"],
  "us-gaap:EarningsPerShareDiluted": ["eps_diluted", 0, "flow", "per-share"],
  "us-gaap:EarningsPerShareBasicAndDiluted": ["eps_diluted", 1, "flow", "per-share"],
  "ifrs-full:DilutedEarningsLossPerShare": ["eps_diluted", 2, "flow", "per-share"],
  "us-gaap:Assets": ["total_assets", 0, "instant", "currency"],
  "ifrs-full:Assets": ["total_assets", 1, "instant", "currency"],
  "us-gaap:Liabilities": ["total_liabilities", 0, "instant", "currency"],
  "ifrs-full:Liabilities": ["total_liabilities", 1, "instant", "currency"],
  "us-gaap:StockholdersEquity": ["stockholders_equity", 0, "instant", "currency"],
  "ifrs-full:EquityAttributableToOwnersOfParent": ["stockholders_equity", 1, "instant", "currency"],
  "us-gaap:StockholdersEquityIncludingPortionAttributableToNoncontrollingInterest": ["stockholders_equity", 2, "instant", "currency"],
  "ifrs-full:Equity": ["stockholders_equity", 3, "instant", "currency"],
  "us-gaap:CashAndCashEquivalentsAtCarryingValue": ["cash", 0, "instant", "currency"],
  "ifrs-full:CashAndCashEquivalents": ["cash", 1, "instant", "currency"],
  "us-gaap:NetCashProvidedByUsedInOperatingActivities": ["operating_cash_flow", 0, "flow", "currency"],
  "us-gaap:NetCashProvidedByUsedInOperatingActivitiesContinuingOperations": ["operating_cash_flow", 1, "flow", "currency"],
  "ifrs-full:CashFlowsFromUsedInOperatingActivities": ["operating_cash_flow", 2, "flow", "currency"],
  "dei:EntityCommonStockSharesOutstanding": ["shares_outstanding", 0, "instant", "shares"],
  "us-gaap:CommonStockSharesOutstanding": ["shares_outstanding", 1, "instant", "shares"]
};
def unit_fits($kind): if $kind == "currency" then test("^[A-Z]{3}$")
	elif $kind == "per-share" then test("^[A-Z]{3}/shares$")
	else . == "shares" end;
def period_type: if .start == null then "instant" else days(.start; .end) as $d
	| if $d >= 80 and $d <= 100 then "quarter"
	  elif ($d >= 170 and $d <= 190) or ($d >= 260 and $d <= 285) then "ytd"
	  elif $d >= 350 and $d <= 380 then "annual" else null end end;
mapping as $map
| reduce (inputs | select(.kind == "sec_fact")) as $f ({};
    ($map["\($f.taxonomy):\($f.concept)"]) as $m
    | if $m == null or ($f.unit | unit_fits($m[3]) | not) then .
      else ($f | period_type) as $type
      | if $type == null or (($type == "instant") != ($m[2] == "instant")) then .
        else "\($f.cik) \($m[0]) \($type) \($f.end)" as $key
        | if .[$key] == null or $m[1] < .[$key].p
             or ($m[1] == .[$key].p and $f.filed >= .[$key].filed)
          then .[$key] = {p: $m[1], filed: $f.filed, metric: $m[0],
            type: $type, cik: $f.cik, value: $f.value, unit: $f.unit,
            start: $f.start, end: $f.end, accn: $f.accn}
          else . end end end)
| .[] | {kind: "metric", cik, metric, value, unit, period_type: .type,
    period_start: .start, period_end: .end, source_ref: .accn}'
theirs=$seconds theirs_rss=$rss theirs_cpu=$cpu

mb=$(echo "$bytes / 1048576" | bc -l)
printf 'normalize on %d sec_fact lines (%.1f MB):\n' "$facts" "$mb"
printf '  %-10s %9.0f facts/s %7.1f MB/s  max RSS %s KiB  (%d records)\n' \
    normalize "$(echo "$facts / $ours" | bc -l)" "$(echo "$mb / $ours" | bc -l)" \
    "$ours_rss" "$(wc -l <"$work/ours.ndjson")"
printf '  %-10s %9.0f facts/s %7.1f MB/s  max RSS %s KiB  (%d records)\n' \
    jq "$(echo "$facts / $theirs" | bc -l)" "$(echo "$mb / $theirs" | bc -l)" \
    "$theirs_rss" "$(wc -l <"$work/theirs.ndjson")"
printf '  normalize is %.1fx faster than jq\n' "$(echo "$theirs / $ours" | bc -l)"
if [ "$(echo "$ours_cpu > 0" | bc)" = 1 ]; then
	printf '  CPU time: normalize %.2f s, jq %.2f s: %.1fx less\n' \
	    "$ours_cpu" "$theirs_cpu" "$(echo "$theirs_cpu / $ours_cpu" | bc -l)"
fi
