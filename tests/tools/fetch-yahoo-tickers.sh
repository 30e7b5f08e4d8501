# fetch-yahoo: where the symbols come from: arguments, --tickers-file
# (plain lines or company records, - for standard input) and a universe
# file.  The requests logged by the mock server tell which were asked.
. "$TOP/tests/lib.sh"
. "$TOP/tests/mock.sh"

fixtures=$TOP/tests/fixtures/fetch-yahoo
mock_start "$fixtures" || { fail "mock server did not start"; finish; }
asked() {
	cut -f 3 "$MOCK_LOG" | sed 's|^/v8/finance/chart/||; s|?.*||' | paste -sd ' ' -
}

# Plain lines: blanks and comments skipped, spaces trimmed, a symbol
# named twice asked once, in the order first named.
printf '# tickers\nEXA.AX\n\n  DEMO-B  \r\nEXA.AX\n' >"$WORK/tickers.txt"
assert_status 0 "tickers file" -- fetch-yahoo --base-url "$MOCK_URL" \
	--tickers-file "$WORK/tickers.txt" DEMO-B
assert_eq "DEMO-B EXA.AX" "$(asked)" "arguments first, then the file, each once"

# Company records on standard input, as normalize writes them; other
# kinds are ignored, a company without a ticker gets one line.
: >"$MOCK_LOG"
cat >"$WORK/companies.ndjson" <<'JSON'
{"kind":"company","cik":"0000999101","ticker":"DEMO-B","name":"Demo Learning Corp.","category":null,"source":"sec"}
{"kind":"metric","cik":"0000999101","ticker":"DEMO-B","metric":"revenue"}
{"kind":"company","cik":"0000999104","ticker":null,"name":"Unlisted Tutors LLC","category":null,"source":"sec"}
{"kind":"company","cik":"0000999102","ticker":"EXA.AX","name":"Example Education Ltd","category":null,"source":"sec"}
JSON
fetch-yahoo --base-url "$MOCK_URL" --tickers-file - <"$WORK/companies.ndjson" \
	>"$WORK/out" 2>"$WORK/err"
assert_eq 0 $? "company records on standard input"
assert_eq "DEMO-B EXA.AX" "$(asked)" "the companies' tickers"
assert_contains "$WORK/err" "standard input:3: company 0000999104 has no ticker: skipped" \
	"company without a ticker named"

# Bad lines: an invalid symbol and malformed JSON are named with their
# line; the others are still fetched; exit status 65.
: >"$MOCK_LOG"
printf 'DEMO-B\nA/B\n{"kind":\n' >"$WORK/bad.txt"
assert_status 65 "bad ticker lines" -- fetch-yahoo --base-url "$MOCK_URL" \
	--tickers-file "$WORK/bad.txt"
assert_contains "$WORK/err" "bad.txt:2: invalid symbol 'A/B'" "invalid symbol named with its line"
assert_contains "$WORK/err" "bad.txt:3: json: invalid JSON" "malformed line named"
assert_contains "$WORK/err" "2 ticker lines named no symbol" "bad lines counted"
assert_eq "DEMO-B" "$(asked)" "the good line fetched"

# The universe: listed companies only, one line for each that is not.
: >"$MOCK_LOG"
assert_status 0 "universe" -- fetch-yahoo --base-url "$MOCK_URL" \
	--universe "$fixtures/universe.yaml"
assert_eq "DEMO-B EXA.AX" "$(asked)" "listed companies fetched"
assert_contains "$WORK/err" "OLDCO: not fetched: listed: false in $fixtures/universe.yaml" \
	"unlisted company named"
assert_contains "$WORK/err" "universe.yaml:7: company without a valid ticker: skipped" \
	"company without a ticker named"
assert_eq 0 "$(grep -c OLDCO "$MOCK_LOG")" "OLDCO not asked"

# The project's universe parses, and its unlisted companies are the
# only ones left out.
if [ -f "$TOP/pipelines/universe/edtech.yaml" ]; then
	: >"$MOCK_LOG"
	fetch-yahoo --base-url "$MOCK_URL" --retries 0 --rate 0 \
		--universe "$TOP/pipelines/universe/edtech.yaml" >/dev/null 2>"$WORK/err"
	listed=$(grep -c 'listed: true' "$TOP/pipelines/universe/edtech.yaml")
	assert_eq "$listed" "$(lines "$MOCK_LOG")" "edtech: one request per listed company"
fi

finish
