# fetch-sec when SEC responds with errors: 404 for one CIK, 429 with
# Retry-After, 5xx, dropped connections, 403; and saved files that are
# missing or not companyfacts documents.
. "$TOP/tests/lib.sh"
. "$TOP/tests/mock.sh"

UA="Jane Analyst jane@example.com"
ROOT=$WORK/root
FACTS=$ROOT/api/xbrl/companyfacts
unset SEC_USER_AGENT
cp -R "$TOP/tests/fixtures/sec" "$ROOT"
mock_start "$ROOT" || exit 1

fetch() {
	fetch-sec --user-agent "$UA" --base-url "$MOCK_URL" "$@"
}

# requests_for PATH-SUFFIX: the log lines of the requests for one path.
requests_for() {
	grep -F "/CIK$1.json	" "$MOCK_LOG"
}

# A missing CIK is one clear error; the other CIKs are still emitted.
assert_status 69 "404 for one CIK exits 69" -- fetch --cik 999001,999404,999002
assert_contains "$WORK/err" "CIK 0000999404: GET $MOCK_URL/api/xbrl/companyfacts/CIK0000999404.json: HTTP 404" \
    "the error names the CIK and the URL"
assert_eq 1 "$(grep -c 999404 "$WORK/err")" "one error line for the missing CIK"
assert_eq 15 "$(lines "$WORK/out")" "the other CIKs are emitted"
assert_contains "$WORK/err" "companies: 2 ok, 1 failed (not-found 1)" "the summary counts the failure"
assert_eq 1 "$(requests_for 0000999404 | wc -l | tr -d ' ')" "a 404 is not retried"

# 429 with Retry-After: 1, then the document: the retry waits a second.
: >"$MOCK_LOG"
echo "429 Retry-After: 1" >"$FACTS/CIK0000999001.json.fault"
assert_status 0 "429 then 200 succeeds" -- fetch --cik 999001
assert_eq 12 "$(lines "$WORK/out")" "all facts after the retry"
assert_eq "429 200" "$(requests_for 0000999001 | cut -f 4 | tr '\n' ' ' | sed 's/ $//')" \
    "the server saw the 429 and the retry"
gap=$(requests_for 0000999001 | cut -f 1 | awk 'NR == 1 { first = $1 } END { print $1 - first }')
assert_eq yes "$([ "$gap" -ge 1000 ] && echo yes || echo "no: $gap ms")" \
    "the retry waited the Retry-After second"
assert_contains "$WORK/err" "HTTP 429; retry 1 of 4" "the retry is logged"

# 503 twice, then the document.
rm -f "$FACTS/CIK0000999001.json.fault"
printf '503\n503\n' >"$FACTS/CIK0000999002.json.fault"
assert_status 0 "5xx is retried" -- fetch --cik 999002
assert_eq 3 "$(lines "$WORK/out")" "all facts after two 503s"

# Still 429 after the retries: a temporary failure, exit 75.
printf '429 Retry-After: 1\n429 Retry-After: 1\n' >"$FACTS/CIK0000999003.json.fault"
assert_status 75 "429 after the retries exits 75" -- fetch --cik 999003 --retries 1
assert_contains "$WORK/err" "HTTP 429" "the 429 is reported"
assert_contains "$WORK/err" "failed (rate-limited 1)" "counted as rate-limited"

# Connections closed without a response: network errors, exit 75.
printf 'drop\ndrop\n' >"$FACTS/CIK0000999001.json.fault"
assert_status 75 "dropped connections exit 75" -- fetch --cik 999001 --retries 1
assert_contains "$WORK/err" "CIK 0000999001: GET $MOCK_URL/api/xbrl/companyfacts/CIK0000999001.json:" \
    "the network error names the CIK and URL"
assert_contains "$WORK/err" "failed (network 1)" "counted as a network failure"

# A 404 and a 429 in one run: the permanent failure decides (69).
printf '429\n429\n' >"$FACTS/CIK0000999002.json.fault"
assert_status 69 "404 wins over 429 for the exit status" -- \
    fetch --cik 999404,999002 --retries 0

# A document for another company than the one requested is emitted
# under its own CIK, with a warning.
cp "$FACTS/CIK0000999001.json" "$FACTS/CIK0000999009.json"
rm -f "$FACTS/CIK0000999001.json.fault"
assert_status 0 "a document for another CIK is still read" -- fetch --cik 999009
assert_contains "$WORK/err" "the document is for CIK 0000999001, not the requested 0000999009" \
    "the CIK mismatch is reported"
assert_eq 0000999001 "$(jq -r .cik "$WORK/out" | sort -u)" "facts keep the document's CIK"

# 403: a hint about the User-Agent.
echo 403 >"$FACTS/CIK0000999003.json.fault"
mock_start "$ROOT" || exit 1
assert_status 69 "403 exits 69" -- fetch --cik 999003
assert_contains "$WORK/err" "HTTP 403" "the 403 is reported"
assert_contains "$WORK/err" "hint: SEC returns 403" "the 403 gets a User-Agent hint"

# Saved files: missing (66), not companyfacts (65), good ones still read.
printf '{"cik":999005,"entityName":"No Facts Corp"}\n' >"$WORK/nofacts.json"
printf '{"cik":999005,"facts":{' >"$WORK/truncated.json"
assert_status 66 "missing saved file exits 66" -- \
    fetch-sec "$WORK/absent.json" "$FACTS/CIK0000999002.json"
assert_contains "$WORK/err" "$WORK/absent.json: No such file or directory" "the missing file is named"
assert_eq 3 "$(lines "$WORK/out")" "the readable file is still emitted"
assert_status 65 "a document without facts exits 65" -- fetch-sec "$WORK/nofacts.json"
assert_contains "$WORK/err" "nofacts.json: not a companyfacts document: no \"facts\" object" \
    "the missing facts object is named"
assert_status 65 "truncated JSON exits 65" -- fetch-sec "$WORK/truncated.json"
assert_contains "$WORK/err" "truncated.json: not a companyfacts document: invalid JSON" \
    "invalid JSON is named"
printf '{"cik":999005,"entityName":"Bad \377 Bytes","facts":{}}' >"$WORK/latin1.json"
assert_status 65 "invalid UTF-8 exits 65" -- fetch-sec "$WORK/latin1.json"
assert_contains "$WORK/err" "invalid UTF-8 at byte" "invalid UTF-8 is named"
xml_error=$SHARED_DATA/sec/submissions/CIK-000000001-404-NoSuchKey.xml
if [ -f "$xml_error" ]; then
    assert_status 65 "an XML error body is not a companyfacts document" -- \
        fetch-sec "$xml_error"
else
    echo "note: $xml_error absent: XML error body not checked"
fi

finish
