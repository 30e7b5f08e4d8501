# fetch-sec on real companyfacts documents recorded from SEC: every fact
# comes out, with the same values and members as jq reads from the file.
. "$TOP/tests/lib.sh"

DIR=$SHARED_DATA/sec/companyfacts
TICKERS=$SHARED_DATA/sec/tickers/company_tickers-2025-08.json
[ -d "$DIR" ] || skip "no recorded companyfacts in $DIR"
unset SEC_USER_AGENT

assert_status 0 "saved files need no network and no User-Agent" -- \
    fetch-sec --tickers-file "$TICKERS" "$DIR"/*.json
mv "$WORK/out" "$WORK/facts.ndjson"
mv "$WORK/err" "$WORK/facts.err"

expected=0
for f in "$DIR"/*.json; do
	expected=$((expected + $(jq '[.facts[][].units[][]] | length' "$f")))
done
assert_eq "$expected" "$(lines "$WORK/facts.ndjson")" "one record per fact in the files"
assert_contains "$WORK/facts.err" "facts: $expected out, 0 skipped" "the summary reconciles"

# Every fact, member by member and in document order, against jq's
# reading of the source files.
for f in "$DIR"/*.json; do
	jq -c '(.cik | tostring | ("0000000000" + .)[-10:]) as $cik
		| .facts | to_entries[] | .key as $t | .value | to_entries[]
		| .key as $c | .value.units | to_entries[] | .key as $u | .value[]
		| [$cik, $t, $c, $u, .val, .start, .end, .fy, .fp, .form, .filed, .accn, .frame]' "$f"
done >"$WORK/expected.jsonl"
jq -c '[.cik, .taxonomy, .concept, .unit, .value, .start, .end, .fy, .fp, .form, .filed, .accn, .frame]' \
    "$WORK/facts.ndjson" >"$WORK/actual.jsonl"
assert_files_equal "$WORK/expected.jsonl" "$WORK/actual.jsonl" "every fact matches the source files"

# Apple's FY2023 10-K revenue, looked up directly.
apple=$DIR/CIK0000320193-apple.json
if [ -f "$apple" ]; then
	concept=RevenueFromContractWithCustomerExcludingAssessedTax
	expected_value=$(jq --arg c "$concept" '.facts["us-gaap"][$c].units.USD[]
		| select(.form == "10-K" and .fy == 2023 and .start == "2022-09-25" and .end == "2023-09-30") | .val' "$apple")
	actual_value=$(jq --arg c "$concept" 'select(.cik == "0000320193" and .concept == $c
		and .form == "10-K" and .fy == 2023 and .start == "2022-09-25" and .end == "2023-09-30") | .value' \
	    "$WORK/facts.ndjson")
	assert_eq "$expected_value" "$actual_value" "Apple FY2023 revenue matches the file"
	assert_eq 1 "$(echo "$actual_value" | wc -l | tr -d ' ')" "one Apple FY2023 10-K revenue fact"
	assert_eq AAPL "$(jq -r 'select(.cik == "0000320193") | .ticker' "$WORK/facts.ndjson" | sort -u)" \
	    "Apple's ticker from the tickers file"
	assert_eq "$(jq '[.facts[][].units[][] | select(.fy == null and .fp == null)] | length' "$apple")" \
	    "$(jq -s 'map(select(.cik == "0000320193" and .fy == null and .fp == null)) | length' \
	    "$WORK/facts.ndjson")" "Apple facts with null fy and fp stay null"
fi

tsmc=$DIR/CIK0001046179-tsmc-ifrs-full-TWD.json
if [ -f "$tsmc" ]; then
	assert_eq "0001046179 TSM" "$(jq -r 'select(.entity | test("Taiwan Semiconductor")) | "\(.cik) \(.ticker)"' \
	    "$WORK/facts.ndjson" | sort -u)" "TSMC's cik is zero-padded, ticker TSM"
	assert_eq "$(jq -r '.facts | keys | join(",")' "$tsmc")" \
	    "$(jq -r 'select(.cik == "0001046179") | .taxonomy' "$WORK/facts.ndjson" | uniq | paste -sd, -)" \
	    "TSMC's taxonomies as in the file"
fi

finish
