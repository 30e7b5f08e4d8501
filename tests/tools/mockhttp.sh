# The loopback mock HTTP server itself: file mapping, content types,
# the NoSuchKey 404, path checks, the User-Agent rule, fault injection,
# the request log and a clean stop on SIGTERM.
. "$TOP/tests/lib.sh"
. "$TOP/tests/mock.sh"

command -v curl >/dev/null 2>&1 || skip "curl(1) is not installed"
ROOT=$WORK/root
mkdir -p "$ROOT/api" "$ROOT/feed"
echo '{"a":1}' >"$ROOT/api/doc.json"
echo '<x/>' >"$ROOT/feed/current.atom"
echo 'by query' >"$ROOT/api/q?range=1d"
mock_start "$ROOT" --require-user-agent-contact || exit 1

get() {	# PATH [USER-AGENT]: prints "STATUS CONTENT-TYPE", body in $WORK/body
	curl -s -o "$WORK/body" -w '%{http_code} %{content_type}' \
	    -A "${2:-Jane Analyst jane@example.com}" --path-as-is "$MOCK_URL$1"
}

assert_eq "127.0.0.1" "$(echo "$MOCK_URL" | sed 's|http://||; s|:.*||')" "listens on 127.0.0.1"
assert_eq "200 application/json" "$(get /api/doc.json)" "a .json file is served as JSON"
assert_files_equal "$ROOT/api/doc.json" "$WORK/body" "the body is the file's bytes"
assert_eq "200 application/atom+xml" "$(get /feed/current.atom)" "an .atom file is served as Atom"
assert_eq "200 text/plain" "$(get '/api/q?range=1d')" "a file named with the query wins"
assert_eq "by query" "$(cat "$WORK/body")" "the query file's body"
assert_eq "200 application/json" "$(get '/api/doc.json?unused=1')" "else the query is ignored"
assert_eq "404 application/xml" "$(get /api/missing.json)" "a missing file is 404 XML"
assert_contains "$WORK/body" "<Code>NoSuchKey</Code>" "404 body has the NoSuchKey code"
assert_contains "$WORK/body" "<Key>api/missing.json</Key>" "404 body names the key"
assert_eq "400 text/plain" "$(get /api/../../etc/passwd)" "a '..' segment is 400"
assert_eq "200 application/json" "$(get /api/%64oc.json)" "percent-escapes are decoded"
assert_eq "403 text/html" "$(get /api/doc.json 'python-requests/2.31')" \
    "a User-Agent without '@' is 403"

printf '429 Retry-After: 7\n# a comment\n\ndrop\n503\n' >"$ROOT/api/doc.json.fault"
assert_eq "429 text/plain" "$(get /api/doc.json)" "first request gets the first fault"
retry_after=$(curl -s -D - -o /dev/null -A "a b@c.de" "$MOCK_URL/api/doc.json" | tr -d '\r' |
    sed -n 's/^Retry-After: //p')
assert_eq "" "$retry_after" "second request is dropped, no header"
assert_eq "503 text/plain" "$(get /api/doc.json)" "third request gets 503"
assert_eq "200 application/json" "$(get /api/doc.json)" "then the file is served"
sleep 1
echo 500 >"$ROOT/api/doc.json.fault"
assert_eq "500 text/plain" "$(get /api/doc.json)" "a rewritten fault file starts again"

assert_eq "GET	/api/doc.json	200	Jane Analyst jane@example.com" \
    "$(sed -n 1p "$MOCK_LOG" | cut -f 2-)" "the log has method, target, status, User-Agent"
assert_eq 1 "$(cut -f 4 "$MOCK_LOG" | grep -c '^0$')" "one dropped request logged"

pid=$MOCK_PID
kill -TERM "$pid"
wait "$pid"
assert_eq 0 "$?" "SIGTERM stops the server with status 0"
MOCK_PID=

"$BUILD/tests/mockhttp" --root "$ROOT" --port-file "$WORK/port2" --max-seconds 1 2>"$WORK/stop.err"
assert_eq 0 "$?" "--max-seconds stops the server by itself"
assert_contains "$WORK/stop.err" "--max-seconds 1 reached" "the stop is reported"

finish
