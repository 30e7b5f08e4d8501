# fetch-sec against the loopback mock with the hand-written fixtures:
# every fact of a companyfacts document comes out once, with its values,
# ten-digit CIKs, tickers from either tickers format, skipped facts
# counted by reason, and the User-Agent sent to the server.
. "$TOP/tests/lib.sh"
. "$TOP/tests/mock.sh"

FIXTURES=$TOP/tests/fixtures/sec
FACTS=$FIXTURES/api/xbrl/companyfacts
UA="Jane Analyst jane@example.com"
unset SEC_USER_AGENT

mock_start "$FIXTURES" --require-user-agent-contact || exit 1

# facts_in FILE: the number of facts in a companyfacts document.
facts_in() {
	jq '[.facts[][].units[][]] | length' "$1"
}

# The fact of a concept with a given end date and accession, from our
# output and from the fixture, as jq prints the numbers.
out_value() {	# concept end accn
	jq -r --arg c "$1" --arg e "$2" --arg a "$3" \
	    'select(.concept == $c and .end == $e and .accn == $a) | .value' \
	    "$WORK/facts.ndjson"
}
fixture_value() {	# file concept end accn
	jq -r --arg c "$2" --arg e "$3" --arg a "$4" \
	    '.facts[][$c].units[]?[] | select(.end == $e and .accn == $a) | .val' "$1"
}

assert_status 0 "two CIKs fetched" -- \
    fetch-sec --user-agent "$UA" --base-url "$MOCK_URL" --cik 999001 --cik 0000999002
cp "$WORK/out" "$WORK/facts.ndjson"
cp "$WORK/err" "$WORK/facts.err"

expected=$(( $(facts_in "$FACTS/CIK0000999001.json") + $(facts_in "$FACTS/CIK0000999002.json") ))
assert_eq "$expected" "$(lines "$WORK/facts.ndjson")" "one record per fixture fact"
assert_eq 12 "$(jq -s 'map(select(.cik == "0000999001")) | length' "$WORK/facts.ndjson")" \
    "numeric cik 999001 is written as 0000999001"
assert_eq 3 "$(jq -s 'map(select(.cik == "0000999002")) | length' "$WORK/facts.ndjson")" \
    "string cik \"0000999002\" stays 0000999002"
assert_eq sec_fact "$(jq -r .kind "$WORK/facts.ndjson" | sort -u)" "every record is a sec_fact"
assert_eq "kind,cik,ticker,entity,taxonomy,concept,unit,value,start,end,fy,fp,form,filed,accn,frame" \
    "$(jq -r 'keys_unsorted | join(",")' "$WORK/facts.ndjson" | sort -u)" \
    "every record has all members in the contract's order"
assert_eq "$(fixture_value "$FACTS/CIK0000999001.json" Revenues 2023-12-31 0000999001-24-000008)" \
    "$(out_value Revenues 2023-12-31 0000999001-24-000008)" "EXLC FY2023 revenue matches the fixture"
assert_eq "$(fixture_value "$FACTS/CIK0000999001.json" NetIncomeLoss 2022-12-31 0000999001-24-000008)" \
    "$(out_value NetIncomeLoss 2022-12-31 0000999001-24-000008)" "EXLC 2022 net loss keeps its sign"
assert_eq "$(fixture_value "$FACTS/CIK0000999001.json" EarningsPerShareDiluted 2023-12-31 0000999001-24-000008)" \
    "$(out_value EarningsPerShareDiluted 2023-12-31 0000999001-24-000008)" "EXLC diluted EPS matches the fixture"
assert_eq "$(fixture_value "$FACTS/CIK0000999002.json" StockholdersEquity 2024-06-30 0000999002-24-000041)" \
    "$(out_value StockholdersEquity 2024-06-30 0000999002-24-000041)" "SMPT equity matches the fixture"

# The 8-K fact has fy and fp null and no frame; instants have no start.
eightk=$(jq -c 'select(.form == "8-K") | [.fy, .fp, .frame, .start, .end]' "$WORK/facts.ndjson")
assert_eq '[null,null,null,"2023-01-01","2023-12-31"]' "$eightk" "absent fy, fp and frame are null"
assert_eq null "$(jq -r 'select(.concept == "Assets" and .end == "2023-12-31") | .start' "$WORK/facts.ndjson")" \
    "an instant fact has a null start"
assert_eq "Example Learning Corp" \
    "$(jq -r 'select(.cik == "0000999001") | .entity' "$WORK/facts.ndjson" | sort -u)" "entity from entityName"
assert_eq null "$(jq -r .ticker "$WORK/facts.ndjson" | sort -u)" "ticker is null without a tickers table"

# Document order: taxonomy, concept, unit, fact.
assert_eq "$(jq -r '.facts | to_entries[] | .key as $t | .value | to_entries[] | .key as $c
	| .value.units | to_entries[] | .key as $u | .value[] | [$t, $c, $u, .accn, .end] | join(" ")' \
	"$FACTS/CIK0000999001.json")" \
    "$(jq -r 'select(.cik == "0000999001") | [.taxonomy, .concept, .unit, .accn, .end] | join(" ")' \
	"$WORK/facts.ndjson")" "facts come out in document order"

assert_contains "$WORK/facts.err" "companies: 2 ok, 0 failed; facts: 15 out, 0 skipped" \
    "the summary reconciles"
assert_eq "$UA" "$(cut -f 5 "$MOCK_LOG" | sort -u)" "the server received the User-Agent"
assert_eq "/api/xbrl/companyfacts/CIK0000999001.json
/api/xbrl/companyfacts/CIK0000999002.json" "$(cut -f 3 "$MOCK_LOG")" "one request per CIK, ten-digit paths"

# Tickers, in both of SEC's formats; the first ticker of a CIK names it.
for table in company_tickers.json company_tickers_exchange.json; do
	assert_status 0 "tickers from $table" -- \
	    fetch-sec --user-agent "$UA" --base-url "$MOCK_URL" \
	    --tickers-file "$FIXTURES/files/$table" --ticker smpt,EXLC --cik 999001
	assert_eq "0000999002 SMPT
0000999001 EXLC" "$(jq -r '[.cik, .ticker] | join(" ")' "$WORK/out" | uniq)" \
	    "$table: tickers resolved, CIK given twice fetched once"
done

: >"$MOCK_LOG"
assert_status 0 "tickers file downloaded when not given" -- \
    fetch-sec --user-agent "$UA" --base-url "$MOCK_URL" \
    --tickers-url "$MOCK_URL/files/company_tickers.json" --ticker DSAI
assert_eq "/files/company_tickers.json
/api/xbrl/companyfacts/CIK0000999003.json" "$(cut -f 3 "$MOCK_LOG")" "tickers file, then companyfacts"
assert_eq DSAI "$(jq -r .ticker "$WORK/out" | sort -u)" "ticker from the downloaded table"

# Facts that cannot be emitted are counted by reason, and the counts
# reconcile with the fixture: out + skipped = facts in the document.
assert_status 0 "facts with missing members are skipped, not fatal" -- \
    fetch-sec --user-agent "$UA" --base-url "$MOCK_URL" --cik 999003 \
    --metrics-file "$WORK/metrics.prom"
total=$(facts_in "$FACTS/CIK0000999003.json")
numeric_complete=$(jq '[.facts[][].units[][] | select((.val | type) == "number"
	and .end != null and .accn != null and .filed != null)] | length' "$FACTS/CIK0000999003.json")
assert_eq "$numeric_complete" "$(lines "$WORK/out")" "only complete numeric facts are emitted"
assert_contains "$WORK/err" "facts: $numeric_complete out, $((total - numeric_complete)) skipped (non-numeric-value 1, missing-end 1, missing-accn 1, missing-filed 1)" \
    "skips are counted by reason and reconcile"
assert_contains "$WORK/metrics.prom" 'corpintel_records_out_total{tool="fetch-sec"} 2' "metrics: records out"
assert_contains "$WORK/metrics.prom" 'corpintel_skipped_total{tool="fetch-sec",reason="missing-end"} 1' \
    "metrics: skips by reason"
assert_contains "$WORK/metrics.prom" 'corpintel_companies_total{tool="fetch-sec",result="ok"} 1' \
    "metrics: companies"

# An unknown ticker is named with the table it is missing from; the
# others are still fetched.
assert_status 65 "unknown ticker exits 65" -- \
    fetch-sec --user-agent "$UA" --base-url "$MOCK_URL" \
    --tickers-file "$FIXTURES/files/company_tickers.json" --ticker NOPE,EXLC
assert_contains "$WORK/err" "ticker NOPE: not found in $FIXTURES/files/company_tickers.json" \
    "the unknown ticker and the tickers file are named"
assert_eq 12 "$(lines "$WORK/out")" "the known ticker is still fetched"
assert_contains "$WORK/err" "companies: 1 ok, 1 failed (unknown-ticker 1)" "the failure is counted"

finish
