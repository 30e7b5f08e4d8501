# normalize on fetch-sec's submissions records: each sec_filing becomes a
# filing record and each sec_company a company record (with the
# universe's category), members checked against the fixtures.  Invalid
# records are rejected with every reason, and every line is accounted for.
. "$TOP/tests/lib.sh"

SUBS=$TOP/tests/fixtures/sec/submissions
export CORPINTEL_SCHEMA_DIR="${CORPINTEL_SCHEMA_DIR:-$TOP/schemas}"
unset SEC_USER_AGENT

fetch-sec --bulk-dir "$SUBS" >"$WORK/sec.ndjson" 2>/dev/null
cat >"$WORK/universe.yaml" <<'YAML'
companies:
  - {ticker: EXLC, name: "Example Learning Corp", category: online learning, cik: "0000999001", listed: true}
YAML

assert_status 0 "submissions records mapped" -- \
    normalize --universe "$WORK/universe.yaml" --metrics-file "$WORK/metrics.prom" "$WORK/sec.ndjson"
cp "$WORK/out" "$WORK/canonical.ndjson"
assert_eq "$(grep -c '"kind":"sec_filing"' "$WORK/sec.ndjson")" \
    "$(grep -c '"kind":"filing"' "$WORK/canonical.ndjson")" "one filing per sec_filing"
assert_eq "kind,cik,accession,form,filed,report_date,accepted,primary_document,source" \
    "$(jq -r 'select(.kind == "filing") | keys_unsorted | join(",")' "$WORK/canonical.ndjson" | sort -u)" \
    "filing members in the contract's order"
assert_eq "$(jq -c 'select(.kind == "sec_filing") | [.cik, .accession, .form, .filed, .report_date, .accepted, .primary_document]' "$WORK/sec.ndjson")" \
    "$(jq -c 'select(.kind == "filing") | [.cik, .accession, .form, .filed, .report_date, .accepted, .primary_document]' "$WORK/canonical.ndjson")" \
    "filing values unchanged, in input order"
assert_eq sec "$(jq -r 'select(.kind == "filing") | .source' "$WORK/canonical.ndjson" | sort -u)" "source sec"

assert_eq "kind,cik,ticker,name,category,sic,sic_description,fiscal_year_end,exchanges,listed,source" \
    "$(jq -r 'select(.kind == "company") | keys_unsorted | join(",")' "$WORK/canonical.ndjson" | sort -u)" \
    "company members in the contract's order"
f1=$SUBS/CIK0000999001.json
assert_eq "$(jq -c '["0000999001", .tickers[0], .name, "online learning", .sic, .sicDescription, .fiscalYearEnd, .exchanges, true, "sec"]' "$f1")" \
    "$(jq -c 'select(.kind == "company" and .cik == "0000999001") | [.cik, .ticker, .name, .category, .sic, .sic_description, .fiscal_year_end, .exchanges, .listed, .source]' "$WORK/canonical.ndjson")" \
    "EXLC's company record: profile, universe category, listed on Nasdaq"
assert_eq 'null' "$(jq -c 'select(.kind == "company" and .cik == "0000999002") | .category' "$WORK/canonical.ndjson")" \
    "no category outside the universe"
assert_contains "$WORK/err" "submissions records: 11 filing and 2 company records out, 0 rejected" \
    "the summary counts the mapped records"
assert_contains "$WORK/err" "13 lines:" "every line is read"
assert_contains "$WORK/metrics.prom" 'corpintel_records_out_total{tool="normalize",kind="filing"} 11' "metrics: filings"
assert_contains "$WORK/metrics.prom" 'corpintel_company_hints_total{tool="normalize"} 2' "metrics: company hints"

# Invalid records: every broken rule is named, with the line number.
{
	head -n 2 "$WORK/sec.ndjson"
	echo '{"kind":"sec_filing","cik":"999001","accession":"0000999001-24-000012","form":"10-Q","filed":"2024-02-30","report_date":null,"accepted":null,"primary_document":null}'
	echo '{"kind":"sec_company","cik":"0000999001","ticker":null,"name":"","exchanges":{"a":1}}'
} >"$WORK/bad.ndjson"
assert_status 0 "invalid records are rejected, not fatal" -- \
    normalize --rejects "$WORK/rejects.ndjson" "$WORK/bad.ndjson"
assert_eq 2 "$(lines "$WORK/out")" "the two valid records are mapped"
assert_eq "3 4" "$(jq -r .line "$WORK/rejects.ndjson" | tr '\n' ' ' | sed 's/ $//')" "rejects carry their line numbers"
assert_eq 2 "$(jq 'select(.line == 3) | .errors | length' "$WORK/rejects.ndjson")" "the filing breaks two rules"
assert_contains "$WORK/rejects.ndjson" 'member \"filed\" is \"2024-02-30\", expected a valid date YYYY-MM-DD' \
    "the impossible date is named"
assert_contains "$WORK/rejects.ndjson" 'member \"exchanges\" is of type object' "the bad exchanges are named"
assert_contains "$WORK/err" "4 lines:" "lines read"
assert_contains "$WORK/err" "2 rejected" "lines rejected"
assert_status 65 "--max-reject-ratio applies" -- \
    normalize --rejects "$WORK/rejects.ndjson" --max-reject-ratio 0.25 "$WORK/bad.ndjson"

# Real data: Tesla's whole filing index through normalize.
DIR=$SHARED_DATA/sec/submissions
if [ -f "$DIR/CIK0001318605-tesla.json" ]; then
	fetch-sec --what submissions "$DIR/CIK0001318605-tesla.json" >"$WORK/tesla.ndjson" 2>/dev/null
	assert_status 0 "Tesla's recent filings" -- normalize "$WORK/tesla.ndjson"
	assert_eq "$(jq '.filings.recent.accessionNumber | length' "$DIR/CIK0001318605-tesla.json")" \
	    "$(grep -c '"kind":"filing"' "$WORK/out")" "one filing per accession number"
	assert_eq "$(jq -r '.filings.recent.accessionNumber | unique | length' "$DIR/CIK0001318605-tesla.json")" \
	    "$(jq -r 'select(.kind == "filing") | .accession' "$WORK/out" | sort -u | wc -l | tr -d ' ')" \
	    "accession numbers are unique, as the sec_filings key needs"
	assert_eq '["Tesla, Inc.","3711","1231",true]' \
	    "$(jq -c 'select(.kind == "company") | [.name, .sic, .fiscal_year_end, .listed]' "$WORK/out")" \
	    "Tesla's company record from the raw profile"
fi

finish
