# fetch-yahoo against a misbehaving server: 429 with Retry-After, 5xx,
# dropped connections, truncated and slow bodies, oversized responses,
# and the request rate, all as logged by the mock server.
. "$TOP/tests/lib.sh"
. "$TOP/tests/mock.sh"

root=$WORK/root
mkdir -p "$root"
cp -R "$TOP/tests/fixtures/fetch-yahoo"/. "$root"/
chart=$root/v8/finance/chart
mock_start "$root" || { fail "mock server did not start"; finish; }
yahoo() {
	fetch-yahoo --base-url "$MOCK_URL" "$@"
}
# gap N: milliseconds between request N - 1 and request N of the log.
gap() {
	awk -v n="$1" 'NR == n - 1 { a = $1 } NR == n { print $1 - a }' "$MOCK_LOG"
}

# EXA.AX gives two bars once it is served (see fetch-yahoo-fixture.sh).
# 429 with Retry-After: 2, then 503, then the file: two retries.
printf '429 Retry-After: 2\n503\n' >"$chart/EXA.AX.fault"
assert_status 0 "429 and 503, then the bars" -- yahoo --retries 3 EXA.AX
assert_eq 2 "$(lines "$WORK/out")" "bars after the retries"
assert_eq "429 503 200" "$(cut -f 4 "$MOCK_LOG" | paste -sd ' ' -)" "three tries"
gap2=$(gap 2)
assert_eq yes "$([ "$gap2" -ge 2000 ] && echo yes || echo "no ($gap2 ms)")" \
	"Retry-After: 2 waited for"
assert_contains "$WORK/err" "HTTP 429; retry 1 of 3" "retry reported"

# Still 429 after the retries, with Yahoo's plain-text body: exit 75,
# the temporary failure, and one line naming the symbol.
: >"$MOCK_LOG"
printf '429 @errors/too-many-requests.txt\n429 @errors/too-many-requests.txt\n' >"$chart/EXA.AX.fault"
assert_status 75 "rate limited after the retries" -- yahoo --retries 1 EXA.AX
assert_contains "$WORK/err" "EXA.AX: HTTP 429 from Yahoo: too many requests, still after the retries" \
	"rate limit named"
assert_eq 2 "$(lines "$MOCK_LOG")" "one try and one retry"

# 429 for one symbol, a Yahoo error for another: 69 wins over 75.
: >"$MOCK_LOG"
printf '429\n' >"$chart/EXA.AX.fault"
assert_status 69 "permanent and temporary failures" -- yahoo --retries 0 EXA.AX GONE

# 500 without retries.
printf '500\n' >"$chart/EXA.AX.fault"
assert_status 69 "HTTP 500" -- yahoo --retries 0 EXA.AX
assert_contains "$WORK/err" "EXA.AX: HTTP 500 from Yahoo" "500 named"

# A dropped connection and a truncated body are retried.
: >"$MOCK_LOG"
printf 'drop\ntruncate\n' >"$chart/EXA.AX.fault"
assert_status 0 "drop and truncate, then the bars" -- yahoo --retries 2 EXA.AX
assert_eq 2 "$(lines "$WORK/out")" "bars after a drop and a truncated body"
assert_eq 3 "$(lines "$MOCK_LOG")" "three tries"

printf 'truncate\n' >"$chart/EXA.AX.fault"
assert_status 69 "truncated body without retries" -- yahoo --retries 0 EXA.AX
assert_eq 0 "$(lines "$WORK/out")" "no record from half a body"
assert_contains "$WORK/err" "EXA.AX: GET $MOCK_URL/v8/finance/chart/EXA.AX" "truncation named with the URL"

# A response slower than --timeout is abandoned and retried.  The
# server handles one request at a time, so the delay stays short enough
# for it to be free again when the retry comes, 0.5 to 0.75 s later.
: >"$MOCK_LOG"
printf 'slow 1200\n' >"$chart/EXA.AX.fault"
assert_status 0 "slow response, then the bars" -- yahoo --timeout 1 --retries 1 EXA.AX
assert_eq 2 "$(lines "$WORK/out")" "bars on the second try"
assert_contains "$WORK/err" "retry 1 of 1" "timeout retried"

# A response larger than --max-response-bytes (EXA.AX has 961 bytes).
rm "$chart/EXA.AX.fault"
assert_status 69 "response too large" -- yahoo --max-response-bytes 500 EXA.AX
assert_contains "$WORK/err" "response larger than 500 bytes" "size limit named"

# --rate 4: the client starts requests 1.01 / 4 s = 252.5 ms apart.  The
# mock stamps each request when it accepts the connection, which the
# scheduler can shift by a few milliseconds on a busy machine, so the
# check allows 10 %: a client without the limit sends them within
# milliseconds of each other.
: >"$MOCK_LOG"
assert_status 69 "rate limit" -- yahoo --rate 4 --retries 0 DEMO-B EXA.AX GONE
assert_eq 3 "$(lines "$MOCK_LOG")" "three requests"
for n in 2 3; do
	g=$(gap $n)
	assert_eq yes "$([ "$g" -ge 225 ] && echo yes || echo "no ($g ms)")" \
		"request $n about 250 ms after the one before"
done

finish
