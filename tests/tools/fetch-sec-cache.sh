# fetch-sec's raw-response cache: a run with --cache-dir replays
# byte for byte with --offline and no server at all.
. "$TOP/tests/lib.sh"
. "$TOP/tests/mock.sh"

UA="Jane Analyst jane@example.com"
FIXTURES=$TOP/tests/fixtures/sec
unset SEC_USER_AGENT
mock_start "$FIXTURES" || exit 1

assert_status 0 "online run fills the cache" -- \
    fetch-sec --user-agent "$UA" --base-url "$MOCK_URL" --cache-dir "$WORK/cache" \
    --tickers-url "$MOCK_URL/files/company_tickers.json" --ticker EXLC --cik 999002
cp "$WORK/out" "$WORK/online.ndjson"
assert_eq 15 "$(lines "$WORK/online.ndjson")" "online run emits both companies"
assert_eq 3 "$(ls "$WORK/cache" | wc -l | tr -d ' ')" "tickers and two documents cached"
for f in "$WORK"/cache/*CIK0000999001.json; do
	assert_files_equal "$FIXTURES/api/xbrl/companyfacts/CIK0000999001.json" "$f" \
	    "the cached body is the server's bytes"
done

mock_stop
assert_status 0 "offline replay without a server or User-Agent" -- \
    fetch-sec --base-url "$MOCK_URL" --cache-dir "$WORK/cache" --offline \
    --tickers-url "$MOCK_URL/files/company_tickers.json" --ticker EXLC --cik 999002
assert_files_equal "$WORK/online.ndjson" "$WORK/out" "offline output is byte-identical"

assert_status 66 "offline without a cached copy exits 66" -- \
    fetch-sec --base-url "$MOCK_URL" --cache-dir "$WORK/cache" --offline --cik 999001,999003
assert_contains "$WORK/err" "CIK 0000999003: GET $MOCK_URL/api/xbrl/companyfacts/CIK0000999003.json: not in the cache" \
    "the missing cache entry names the CIK and URL"
assert_eq 12 "$(lines "$WORK/out")" "the cached company is still emitted"

finish
