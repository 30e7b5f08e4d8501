# fetch-sec --what submissions against the loopback mock: the company
# profile, every filing of the recent columns and of the older page the
# document lists, the form and date filters, and the requests they cause.
. "$TOP/tests/lib.sh"
. "$TOP/tests/mock.sh"

UA="Jane Analyst jane@example.com"
ROOT=$WORK/root
SUBS=$ROOT/submissions
unset SEC_USER_AGENT
cp -R "$TOP/tests/fixtures/sec" "$ROOT"
mock_start "$ROOT" --require-user-agent-contact || exit 1

fetch() {
	fetch-sec --user-agent "$UA" --base-url "$MOCK_URL" "$@"
}

# The filings of the fixtures as jq reads them: one line per filing,
# recent columns first, then the older page.
fixture_filings() {	# main-document [page]
	for f in "$@"; do
		jq -c '(if .filings then .filings.recent else . end) as $c
			| range(0; $c.accessionNumber | length) as $i
			| [$c.accessionNumber[$i], $c.form[$i], $c.filingDate[$i],
			   ($c.reportDate[$i] | if . == "" then null else . end),
			   $c.acceptanceDateTime[$i], $c.primaryDocument[$i],
			   ($c.primaryDocDescription[$i] | if . == "" then null else . end),
			   ($c.items[$i] | if . == "" then null else . end),
			   $c.size[$i], ($c.isXBRL[$i] == 1)]' "$f"
	done
}

assert_status 0 "submissions of two CIKs" -- \
    fetch --what submissions --cik 999001,999002
cp "$WORK/out" "$WORK/subs.ndjson"
cp "$WORK/err" "$WORK/subs.err"
assert_eq "/submissions/CIK0000999001.json
/submissions/CIK0000999001-submissions-001.json
/submissions/CIK0000999002.json" "$(cut -f 3 "$MOCK_LOG")" \
    "the older page listed in filings.files is fetched after its document"

fixture_filings "$SUBS/CIK0000999001.json" "$SUBS/CIK0000999001-submissions-001.json" \
    "$SUBS/CIK0000999002.json" >"$WORK/expected.jsonl"
jq -c 'select(.kind == "sec_filing") | [.accession, .form, .filed, .report_date,
	.accepted, .primary_document, .primary_doc_description, .items, .size, .is_xbrl]' \
    "$WORK/subs.ndjson" >"$WORK/actual.jsonl"
assert_files_equal "$WORK/expected.jsonl" "$WORK/actual.jsonl" \
    "every filing matches the fixtures, in order"
assert_eq "kind,cik,accession,form,filed,report_date,accepted,primary_document,primary_doc_description,items,size,is_xbrl" \
    "$(jq -r 'select(.kind == "sec_filing") | keys_unsorted | join(",")' "$WORK/subs.ndjson" | sort -u)" \
    "sec_filing members in the contract's order"
assert_eq "0000999001 9
0000999002 2" "$(jq -r 'select(.kind == "sec_filing") | .cik' "$WORK/subs.ndjson" | uniq -c | awk '{print $2, $1}')" \
    "filings of the older page carry the CIK of their document"
assert_eq null "$(jq -r 'select(.accession == "0000950170-24-000301") | .report_date' "$WORK/subs.ndjson")" \
    "an empty reportDate is null"
assert_contains "$WORK/subs.err" "profiles: 2 out; filings: 11 out, 0 skipped" "the summary counts profiles and filings"

# The profile, member by member against the fixture.
profile() {	# cik jq-path
	jq -c --arg c "$1" "select(.kind == \"sec_company\" and .cik == \$c) | $2" "$WORK/subs.ndjson"
}
f1=$SUBS/CIK0000999001.json
assert_eq "$(jq -c .name "$f1")" "$(profile 0000999001 .name)" "profile name"
assert_eq "$(jq -c .sic "$f1")" "$(profile 0000999001 .sic)" "profile SIC code"
assert_eq "$(jq -c .sicDescription "$f1")" "$(profile 0000999001 .sic_description)" "profile SIC description"
assert_eq "$(jq -c .fiscalYearEnd "$f1")" "$(profile 0000999001 .fiscal_year_end)" "profile fiscal year end"
assert_eq "$(jq -c .exchanges "$f1")" "$(profile 0000999001 .exchanges)" "profile exchanges in ticker order"
assert_eq "$(jq -c .tickers "$f1")" "$(profile 0000999001 .tickers)" "profile tickers"
assert_eq '"EXLC"' "$(profile 0000999001 .ticker)" "the first ticker names the company"
assert_eq "$(jq -c '[.formerNames[] | {name, from: .from[0:10], to: .to[0:10]}]' "$f1")" \
    "$(profile 0000999001 .former_names)" "former names with their dates"
assert_eq '[]' "$(profile 0000999002 .former_names)" "no former names is an empty array"

# Form filters: listed forms only; amendments with --amendments.
assert_status 0 "only 10-K" -- fetch --what submissions --cik 999001 --form 10-K
assert_eq "10-K 10-K" "$(jq -r 'select(.kind == "sec_filing") | .form' "$WORK/out" | tr '\n' ' ' | sed 's/ $//')" \
    "10-K without its amendment"
assert_contains "$WORK/err" "filings: 2 out, 7 skipped (other-form 7)" "other forms are counted"
assert_status 0 "10-K with amendments" -- fetch --what submissions --cik 999001 --form 10-k --amendments
assert_eq "10-K/A 10-K 10-K" "$(jq -r 'select(.kind == "sec_filing") | .form' "$WORK/out" | tr '\n' ' ' | sed 's/ $//')" \
    "10-K/A comes with --amendments, forms in any case"
assert_status 0 "an amendment listed by name" -- fetch --what submissions --cik 999001 --form 10-K/A,8-K
assert_eq "10-K/A 8-K" "$(jq -r 'select(.kind == "sec_filing") | .form' "$WORK/out" | tr '\n' ' ' | sed 's/ $//')" \
    "10-K/A and 8-K only"

# Date filters: the older page ends 2023-05-09, so --since after it
# saves the request.
: >"$MOCK_LOG"
assert_status 0 "--since after the older page" -- \
    fetch --what submissions --cik 999001 --since 2023-08-08 --until 2024-04-02
assert_eq "2024-04-02 2024-03-01 2024-02-14 2023-11-08 2023-08-08" \
    "$(jq -r 'select(.kind == "sec_filing") | .filed' "$WORK/out" | tr '\n' ' ' | sed 's/ $//')" \
    "filings from --since to --until, both included"
assert_eq "/submissions/CIK0000999001.json" "$(cut -f 3 "$MOCK_LOG")" "the older page is not requested"
assert_contains "$WORK/err" "older pages: 0 read, 1 outside the dates" "the page left out is counted"

# Both documents: profile and filings first, then the facts.
assert_status 0 "submissions and companyfacts" -- fetch --what companyfacts,submissions --ticker EXLC \
    --tickers-file "$ROOT/files/company_tickers.json"
assert_eq "sec_company sec_filing sec_fact" \
    "$(jq -r .kind "$WORK/out" | uniq | tr '\n' ' ' | sed 's/ $//')" "profile, filings, then facts"
assert_eq EXLC "$(jq -r 'select(.kind != "sec_filing") | .ticker' "$WORK/out" | sort -u)" \
    "the requested ticker names the profile and the facts"

# A missing older page fails the company but keeps what was read.
rm "$SUBS/CIK0000999001-submissions-001.json"
assert_status 69 "a missing older page exits 69" -- fetch --what submissions --cik 999001
assert_contains "$WORK/err" "CIK 0000999001: GET $MOCK_URL/submissions/CIK0000999001-submissions-001.json: HTTP 404" \
    "the missing page is named"
assert_eq 7 "$(lines "$WORK/out")" "the profile and the recent filings are still written"
assert_contains "$WORK/err" "companies: 0 ok, 1 failed (not-found 1)" "the company counts as failed"

# 429 with Retry-After on a submissions document is retried after the wait.
: >"$MOCK_LOG"
echo "429 Retry-After: 1" >"$SUBS/CIK0000999002.json.fault"
assert_status 0 "429 then 200" -- fetch --what submissions --cik 999002
assert_eq "429 200" "$(cut -f 4 "$MOCK_LOG" | tr '\n' ' ' | sed 's/ $//')" "one retry"
gap=$(awk 'NR == 1 { t = $1 } NR == 2 { print $1 - t }' "$MOCK_LOG")
assert_eq yes "$([ "$gap" -ge 1000 ] && echo yes || echo "no: $gap ms")" "the retry waits for Retry-After"

# A companyfacts document where submissions are expected is refused.
cp "$ROOT/api/xbrl/companyfacts/CIK0000999003.json" "$SUBS/CIK0000999003.json"
assert_status 65 "not a submissions document" -- fetch --what submissions --cik 999003
assert_contains "$WORK/err" "not a submissions document: no \"filings.recent\" object" "the problem is named"

# Bad options.
assert_status 64 "--what with an unknown document" -- fetch --what facts --cik 999001
assert_contains "$WORK/err" "invalid --what 'facts'" "the value is named"
assert_status 64 "--since after --until" -- fetch --cik 999001 --since 2024-02-01 --until 2024-01-01
assert_status 64 "an impossible date" -- fetch --cik 999001 --since 2023-02-29
assert_contains "$WORK/err" "invalid --since '2023-02-29'" "the date is named"
assert_status 64 "--amendments without --form" -- fetch --cik 999001 --amendments

finish
