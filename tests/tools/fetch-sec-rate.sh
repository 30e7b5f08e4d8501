# fetch-sec's request rate as logged by the server: with --rate 5, no
# one-second window contains more than 5 requests, retries included.
. "$TOP/tests/lib.sh"
. "$TOP/tests/mock.sh"

UA="Jane Analyst jane@example.com"
ROOT=$WORK/root
unset SEC_USER_AGENT
cp -R "$TOP/tests/fixtures/sec" "$ROOT"
# One retry after a 503 makes a seventh request; it must be spaced too.
echo 503 >"$ROOT/api/xbrl/companyfacts/CIK0000999002.json.fault"
mock_start "$ROOT" || exit 1

# max_in_window FILE: the most requests logged in any 1000 ms window
# [t, t + 1000) that starts at a request.
max_in_window() {
	cut -f 1 "$1" | sort -n | awk '
		{ t[NR] = $1 }
		END {
			max = 0
			for (i = 1; i <= NR; i++) {
				n = 0
				for (j = i; j <= NR && t[j] < t[i] + 1000; j++)
					n++
				if (n > max)
					max = n
			}
			print max
		}'
}

assert_status 69 "six CIKs at 5 requests per second" -- \
    fetch-sec --user-agent "$UA" --base-url "$MOCK_URL" --rate 5 \
    --cik 999001,999002,999003,999004,999005,999006
assert_eq 7 "$(lines "$MOCK_LOG")" "six requests and one retry reached the server"
assert_eq 5 "$(max_in_window "$MOCK_LOG")" "at most 5 requests in any second"
assert_contains "$WORK/err" "companies: 3 ok, 3 failed (not-found 3)" "three fixtures, three 404s"

# The default, 10 per second: eleven requests cannot fit in one second.
: >"$MOCK_LOG"
assert_status 69 "eleven CIKs at the default rate" -- \
    fetch-sec --user-agent "$UA" --base-url "$MOCK_URL" \
    --cik 999001,999003,999010,999011,999012,999013,999014,999015,999016,999017,999018
assert_eq 11 "$(lines "$MOCK_LOG")" "eleven requests reached the server"
assert_eq 10 "$(max_in_window "$MOCK_LOG")" "at most 10 requests in any second"

finish
