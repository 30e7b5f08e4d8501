# fetch-sec on real submissions documents recorded from SEC: every
# filing of the recent columns and of Tesla's older page, and every
# profile member, against jq's reading of the raw files.
. "$TOP/tests/lib.sh"

DIR=$SHARED_DATA/sec/submissions
[ -d "$DIR" ] || skip "no recorded submissions in $DIR"
unset SEC_USER_AGENT

# SEC names an older page after its company; the recorded copy has a
# longer name, so a folder of links gives both files SEC's names.
mkdir "$WORK/tesla"
ln -s "$DIR/CIK0001318605-tesla.json" "$WORK/tesla/CIK0001318605.json"
ln -s "$DIR/CIK0001318605-submissions-001-tesla-older-page.json" \
    "$WORK/tesla/CIK0001318605-submissions-001.json"

assert_status 0 "Tesla with its older page, no network" -- fetch-sec --bulk-dir "$WORK/tesla"
mv "$WORK/out" "$WORK/subs.ndjson"
cp "$WORK/err" "$WORK/tesla.err"

# The other recordings list older pages that were not recorded: each of
# those companies fails with the missing page named, after its recent
# filings were written.
MAIN=$(ls "$DIR"/CIK*.json | grep -v -e submissions-001 -e tesla)
with_pages=$(for f in $MAIN; do jq 'select(.filings.files | length > 0) | .cik' "$f"; done | wc -l)
assert_status 66 "recordings whose older pages are missing" -- fetch-sec $MAIN
cat "$WORK/out" >>"$WORK/subs.ndjson"
cat "$WORK/tesla.err" "$WORK/err" >"$WORK/subs.err"
assert_contains "$WORK/err" "failed (missing-file $with_pages)" "one failure per company with unrecorded pages"
assert_contains "$WORK/err" "CIK0000320193-submissions-001.json: older filings page listed in $DIR/CIK0000320193-apple.json" \
    "the missing page and the document listing it are named"

# jq's reading: per company, the recent columns then the older page.
columns='range(0; .accessionNumber | length) as $i
	| [.accessionNumber[$i], .form[$i], .filingDate[$i],
	   (.reportDate[$i] | if . == "" then null else . end),
	   (.acceptanceDateTime[$i] | if . == "" then null else . end),
	   (.primaryDocument[$i] | if . == "" then null else . end),
	   (.primaryDocDescription[$i] | if . == "" then null else . end),
	   (.items[$i] | if . == "" then null else . end),
	   .size[$i], (.isXBRL[$i] == 1)]'
{
	jq -c ".cik as \$cik | .filings.recent | $columns | [\$cik] + ." "$DIR/CIK0001318605-tesla.json"
	jq -c "$columns | [\"0001318605\"] + ." "$DIR/CIK0001318605-submissions-001-tesla-older-page.json"
	for f in $MAIN; do
		jq -c ".cik as \$cik | .filings.recent | $columns | [\$cik] + ." "$f"
	done
} >"$WORK/expected.jsonl"
jq -c 'select(.kind == "sec_filing") | [.cik, .accession, .form, .filed, .report_date, .accepted,
	.primary_document, .primary_doc_description, .items, .size, .is_xbrl]' \
    "$WORK/subs.ndjson" >"$WORK/actual.jsonl"
assert_eq "$(lines "$WORK/expected.jsonl")" "$(lines "$WORK/actual.jsonl")" "one record per filing"
assert_files_equal "$WORK/expected.jsonl" "$WORK/actual.jsonl" "every filing matches the raw files"
assert_eq "$(lines "$WORK/expected.jsonl")" "$(sed -n 's/.*filings: \([0-9]*\) out, 0 skipped.*/\1/p' "$WORK/subs.err" | awk '{ n += $1 } END { print n }')" \
    "the summaries reconcile with the raw files"
assert_eq "$(jq '(.filings.recent.accessionNumber | length) + .filings.files[0].filingCount' "$DIR/CIK0001318605-tesla.json")" \
    "$(jq -s 'map(select(.kind == "sec_filing" and .cik == "0001318605")) | length' "$WORK/subs.ndjson")" \
    "Tesla: the recent filings plus the older page's filingCount"

# Profiles against the raw members.
for f in "$DIR/CIK0001318605-tesla.json" $MAIN; do
	jq -c '[.cik, (.tickers[0] // null), .tickers, .name, .entityType,
		(.sic | if . == "" then null else . end),
		(.sicDescription | if . == "" then null else . end),
		(.category | if . == "" then null else . end),
		(.fiscalYearEnd | if . == "" then null else . end), .exchanges,
		(.stateOfIncorporation | if . == "" then null else . end),
		[.formerNames[] | {name, from: .from[0:10], to: (.to // null | if . then .[0:10] else null end)}]]' "$f"
done >"$WORK/profiles-expected.jsonl"
jq -c 'select(.kind == "sec_company") | [.cik, .ticker, .tickers, .name, .entity_type, .sic,
	.sic_description, .filer_category, .fiscal_year_end, .exchanges, .state_of_incorporation,
	.former_names]' "$WORK/subs.ndjson" >"$WORK/profiles-actual.jsonl"
assert_files_equal "$WORK/profiles-expected.jsonl" "$WORK/profiles-actual.jsonl" "every profile matches the raw files"

apple=$(jq -c 'select(.kind == "sec_company" and .cik == "0000320193") | [.ticker, .fiscal_year_end, .sic]' "$WORK/subs.ndjson")
assert_eq '["AAPL","0926","3571"]' "$apple" "Apple: ticker, late-September year end, SIC 3571"
assert_eq 16 "$(jq 'select(.kind == "sec_company" and .cik == "0000310522") | .tickers | length' "$WORK/subs.ndjson")" \
    "Fannie Mae keeps all 16 tickers"

# Filters on real data: Apple's 10-K filings with amendments since the
# end of its older page, which therefore is not needed.
since=$(jq -r '.filings.files[0].filingTo' "$DIR/CIK0000320193-apple.json")
since=$(date -u -d "$since + 1 day" +%Y-%m-%d)
assert_status 0 "Apple's annual reports" -- \
    fetch-sec --form 10-K --amendments --since "$since" "$DIR/CIK0000320193-apple.json"
assert_eq "$(jq --arg s "$since" '[.filings.recent | range(0; .form | length) as $i
	| select((.form[$i] == "10-K" or .form[$i] == "10-K/A") and .filingDate[$i] >= $s)] | length' \
	"$DIR/CIK0000320193-apple.json")" \
    "$(jq -s 'map(select(.kind == "sec_filing")) | length' "$WORK/out")" "as many as the raw columns list"
assert_contains "$WORK/err" "older pages: 0 read, 1 outside the dates" "the older page is not needed"

# The XML error body SEC returns for an unknown CIK is not a document.
assert_status 65 "the NoSuchKey body" -- fetch-sec --what submissions "$DIR/CIK-000000001-404-NoSuchKey.xml"

finish
