# pipelines/sec-nightly.sh end to end: EDGAR's feed, submissions and
# companyfacts from the loopback mock, normalize, validate-quality and
# load-timescale into a real PostgreSQL.  Only the universe companies
# with new filings are fetched, filings land in sec_filings by
# accession, the state file moves on, and a second run adds nothing.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/load-db.inc"
. "$TOP/tests/mock.sh"

ROOT=$WORK/root
FEED=$ROOT/cgi-bin/browse-edgar
QUERY='&company=&dateb=&owner=include&start=0&count=100&output=atom'
cp -R "$TOP/tests/fixtures/sec" "$ROOT"
# The fixtures have 10-K and 10-Q pages; the 20-F and 40-F pages are empty.
for form in 20-F 40-F; do
	printf '<?xml version="1.0" encoding="ISO-8859-1" ?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n<title>Latest Filings</title>\n</feed>\n' \
	    >"$FEED?action=getcurrent&type=$form$QUERY"
done
mock_start "$ROOT" --require-user-agent-contact || exit 1

new_db nightly
PGDATABASE=$db
export PGDATABASE

# EXLC by CIK and SMPT by ticker changed; DSAI filed only a 10-K/A
# (included) and a fourth company nothing.
cat >"$WORK/universe.yaml" <<'YAML'
companies:
  - {ticker: EXLC, name: "Example Learning Corp", category: online learning, cik: "0000999001", listed: true}
  - {ticker: SMPT, name: "Sample Tutoring Inc.", category: tutoring, listed: true}
  - {ticker: QUIET, name: "Quiet Schools Inc.", category: k-12, cik: "0000999009", listed: true}
YAML
cat >"$WORK/config.yaml" <<YAML
base-url: $MOCK_URL
feed-url: $MOCK_URL/cgi-bin/browse-edgar
tickers-url: $MOCK_URL/files/company_tickers.json
YAML
mkdir -p "$WORK/state"
echo 2024-02-25 >"$WORK/state/sec-nightly.last"

nightly() {
	env SEC_USER_AGENT="Jane Analyst jane@example.com" \
	    CORPINTEL_UNIVERSE="$WORK/universe.yaml" CORPINTEL_CONFIG="$WORK/config.yaml" \
	    CORPINTEL_STATE_DIR="$WORK/state" CORPINTEL_CACHE_DIR="$WORK/cache" \
	    CORPINTEL_SCHEMA_DIR="$TOP/schemas" \
	    sh "$TOP/pipelines/sec-nightly.sh"
}

assert_status 0 "nightly run" -- nightly
assert_eq "$(date -u +%Y-%m-%d)" "$(cat "$WORK/state/sec-nightly.last")" "the state file moves to today"
assert_eq "/api/xbrl/companyfacts/CIK0000999001.json
/api/xbrl/companyfacts/CIK0000999002.json
/submissions/CIK0000999001-submissions-001.json
/submissions/CIK0000999001.json
/submissions/CIK0000999002.json" \
    "$(cut -f 3 "$MOCK_LOG" | grep -v -e browse-edgar -e company_tickers | sort)" \
    "documents of the two changed companies only"
run=$(ls -d "$WORK"/state/runs/sec-* | head -n 1)
assert_eq yes "$([ -s "$run/sec.ndjson" ] && [ -s "$run/valid.ndjson" ] && echo yes)" "each step's output is kept"

# The filings the fixtures list for the forms the pipeline selects.
want=$(for f in "$ROOT"/submissions/CIK*.json; do
	jq -r '(if .filings then .filings.recent else . end) as $c
		| range(0; $c.accessionNumber | length) as $i
		| select($c.form[$i] | test("^(10-K|10-Q|20-F|40-F)(/A)?$"))
		| $c.accessionNumber[$i]' "$f"
done | sort)
assert_eq "$want" "$(sql -c 'SELECT accession FROM sec_filings ORDER BY accession')" \
    "sec_filings holds every selected filing, keyed by accession"
assert_eq "10-K|2024-03-01|2023-12-31|exlc-20231231.htm|sec" \
    "$(sql -c "SELECT form, filed, report_date, primary_document, source FROM sec_filings WHERE accession = '0000999001-24-000008'")" \
    "one filing as in the fixture"
assert_eq "0000999001|EXLC|online learning
0000999002|SMPT|tutoring" \
    "$(sql -c 'SELECT cik, ticker, category FROM companies ORDER BY cik')" \
    "companies with the universe's categories"
assert_eq '"0000999001" "8200" "1231"
"0000999002" "8200" "0630"' \
    "$(jq -r 'select(.kind == "company" and .sic != null) | [.cik, .sic, .fiscal_year_end] | map(tojson) | join(" ")' "$run/valid.ndjson")" \
    "the profiles' company records carry SIC and fiscal year end"
# normalize also writes a company record without SIC for the same CIK
# when it flushes the company's facts; the load keeps the SIC and fiscal
# year end that the profile's record gave.
assert_eq "0000999001|8200|1231
0000999002|8200|0630" \
    "$(sql -c 'SELECT cik, sic, fiscal_year_end FROM companies ORDER BY cik')" \
    "SIC and fiscal year end reach the companies table"
assert_eq yes "$([ "$(sql -c 'SELECT count(*) FROM financial_metrics')" -gt 0 ] && echo yes)" "metrics loaded"

# A second run on the same day adds nothing and changes nothing.
before=$(sql -c 'SELECT count(*) FROM sec_filings')
echo 2024-02-25 >"$WORK/state/sec-nightly.last"
assert_status 0 "second run" -- nightly
assert_eq "$before" "$(sql -c 'SELECT count(*) FROM sec_filings')" "no filing added twice"

# Without SEC_USER_AGENT the pipeline stops before any request.
: >"$MOCK_LOG"
assert_status 64 "no User-Agent" -- env -u SEC_USER_AGENT CORPINTEL_UNIVERSE="$WORK/universe.yaml" \
    CORPINTEL_STATE_DIR="$WORK/state" sh "$TOP/pipelines/sec-nightly.sh"
assert_contains "$WORK/err" "SEC_USER_AGENT" "the missing variable is named"
assert_eq 0 "$(lines "$MOCK_LOG")" "no request was sent"

# A temporary failure keeps the state file, so the next run retries.
echo 2024-02-25 >"$WORK/state/sec-nightly.last"
printf '429 Retry-After: 1\n429 Retry-After: 1\n' >"$FEED.fault"
printf '503\n503\n503\n503\n503\n' >"$ROOT/submissions/CIK0000999002.json.fault"
assert_status 69 "SEC fails for one company" -- nightly
assert_eq 2024-02-25 "$(cat "$WORK/state/sec-nightly.last")" "the state file stays"

finish
