# fetch-sec --xbrl-instance on real XBRL instance documents: the facts of
# Apple's 10-Q for the quarter ended 2023-07-01 are exactly those that
# Apple's companyfacts document lists for the same accession number.
. "$TOP/tests/lib.sh"

XML=$SHARED_DATA/sec/xml
FACTS=$SHARED_DATA/sec/companyfacts
unset SEC_USER_AGENT

assert_status 64 "an instance without --accession" -- \
    fetch-sec --xbrl-instance "$WORK/absent.xml" --filed 2023-08-04
assert_contains "$WORK/err" "--xbrl-instance needs --accession and --filed" "the missing options are named"
assert_status 64 "an invalid accession" -- \
    fetch-sec --xbrl-instance "$WORK/absent.xml" --accession 320193-23-77 --filed 2023-08-04
assert_status 64 "--filed without an instance" -- fetch-sec --filed 2023-08-04 --cik 320193
assert_status 66 "a missing instance" -- \
    fetch-sec --xbrl-instance "$WORK/absent.xml" --accession 0000320193-23-000077 --filed 2023-08-04
printf '<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom"/>\n' >"$WORK/feed.xml"
assert_status 65 "a document that is not an instance" -- \
    fetch-sec --xbrl-instance "$WORK/feed.xml" --accession 0000320193-23-000077 --filed 2023-08-04
assert_contains "$WORK/err" "not an XBRL instance" "the problem is named"

[ -f "$XML/aapl-20230701-10-Q-xbrl-instance.xml" ] || skip "no recorded XBRL instances in $XML"

accn=0000320193-23-000077
assert_status 0 "Apple's 10-Q instance" -- \
    fetch-sec --xbrl-instance "$XML/aapl-20230701-10-Q-xbrl-instance.xml" --accession "$accn" \
    --filed 2023-08-04 --tickers-file "$SHARED_DATA/sec/tickers/company_tickers-2025-08.json"
mv "$WORK/out" "$WORK/instance.ndjson"
assert_eq "kind,cik,ticker,entity,taxonomy,concept,unit,value,start,end,fy,fp,form,filed,accn,frame" \
    "$(jq -r 'keys_unsorted | join(",")' "$WORK/instance.ndjson" | sort -u)" "sec_fact members in the contract's order"
assert_eq "0000320193 AAPL Apple Inc." "$(jq -r '"\(.cik) \(.ticker) \(.entity)"' "$WORK/instance.ndjson" | sort -u)" \
    "CIK, ticker and entity of every fact"
if [ -f "$FACTS/CIK0000320193-apple.json" ]; then
	jq -c --arg a "$accn" '.facts | to_entries[] | .key as $t | .value | to_entries[]
		| .key as $c | .value.units | to_entries[] | .key as $u | .value[]
		| select(.accn == $a) | [$t, $c, $u, .start, .end, .val, .fy, .fp, .form, .filed]' \
	    "$FACTS/CIK0000320193-apple.json" | sort >"$WORK/expected"
	jq -c '[.taxonomy, .concept, .unit, .start, .end, .value, .fy, .fp, .form, .filed]' \
	    "$WORK/instance.ndjson" | sort >"$WORK/actual"
	assert_files_equal "$WORK/expected" "$WORK/actual" "the facts companyfacts lists for the filing, no more, no less"
fi
assert_contains "$WORK/err" "instance facts: $(lines "$WORK/instance.ndjson") out" "the summary counts them"
dimensional=$(grep -c '<xbrldi:explicitMember' "$XML/aapl-20230701-10-Q-xbrl-instance.xml")
assert_eq yes "$([ "$dimensional" -gt 0 ] && grep -q 'dimensional [1-9]' "$WORK/err" && echo yes)" \
    "facts of contexts with dimensions are counted, not written"

# A 2010 instance with the us-gaap 2009 namespace of xbrl.us: a cash
# balance against the raw document.
nflx=$XML/nflx-20100930-10-Q-xbrl-instance.xml
if [ -f "$nflx" ] && command -v xmllint >/dev/null; then
	assert_status 0 "Netflix's 2010 instance" -- \
	    fetch-sec --xbrl-instance "$nflx" --accession 0001193125-10-235513 --filed 2010-10-25
	contexts="//*[local-name() = 'context'][*[local-name() = 'period']/*[local-name() = 'instant'] = '2010-09-30'
		and not(.//*[local-name() = 'segment']) and not(*[local-name() = 'scenario'])]/@id"
	raw=$(xmllint --xpath "string(//*[local-name() = 'CashAndCashEquivalentsAtCarryingValue'
		and namespace-uri() = 'http://xbrl.us/us-gaap/2009-01-31'][@contextRef = $contexts])" "$nflx")
	assert_eq "$raw" "$(jq -r 'select(.concept == "CashAndCashEquivalentsAtCarryingValue" and .end == "2010-09-30") | .value' "$WORK/out")" \
	    "cash on 2010-09-30 as in the raw document"
	assert_eq "us-gaap" "$(jq -r 'select(.concept == "CashAndCashEquivalentsAtCarryingValue") | .taxonomy' "$WORK/out" | sort -u)" \
	    "the xbrl.us namespace is us-gaap"
	assert_eq 0 "$(jq -r 'select(.taxonomy != "us-gaap" and .taxonomy != "dei")' "$WORK/out" | wc -l | tr -d ' ')" \
	    "the filer's own nflx: elements and negated labels are left out"
fi

# An 8-K cover page has text facts only: nothing numeric to write.
assert_status 0 "an 8-K cover page" -- \
    fetch-sec --xbrl-instance "$XML/waters-8-K-xbrl-instance.xml" --accession 0001000697-24-000003 --filed 2024-01-08
assert_eq "$(grep -c 'unitRef' "$XML/waters-8-K-xbrl-instance.xml")" "$(lines "$WORK/out")" "one record per numeric fact (none)"

finish
