# fetch-yahoo --jobs: several symbols fetched at the same time, with the
# same output bytes as one at a time, one rate limit for all the
# workers, one quoteSummary session, and the per-symbol failures of a
# sequential run.
. "$TOP/tests/lib.sh"
. "$TOP/tests/mock.sh"

fixtures=$TOP/tests/fixtures/fetch-yahoo
root=$WORK/root
mkdir -p "$root"
cp -R "$fixtures"/. "$root"/
chart=$root/v8/finance/chart
series=$root/ws/fundamentals-timeseries/v1/finance/timeseries
summary=$root/v10/finance/quoteSummary

# More symbols than the fixtures have: DEMO-B's responses under other
# names, with the symbol inside renamed too, so that the output
# distinguishes each symbol's records.
for symbol in DEMO-C DEMO-D DEMO-E DEMO-F DEMO-G; do
	for dir in "$chart" "$series" "$summary"; do
		sed "s/DEMO-B/$symbol/g" "$dir/DEMO-B" >"$dir/$symbol"
	done
done

assert_status 64 "--jobs 0" -- fetch-yahoo --jobs 0 --input "$chart/DEMO-B"
assert_contains "$WORK/err" "invalid --jobs '0'" "--jobs 0 named"
assert_status 64 "--jobs 99" -- fetch-yahoo --jobs 99 --input "$chart/DEMO-B"
assert_status 64 "--jobs not a number" -- fetch-yahoo --jobs two --input "$chart/DEMO-B"

mock_start "$root" --crumb 'c7/Xq.9z' || { fail "mock server did not start"; finish; }
yahoo() {
	fetch-yahoo --base-url "$MOCK_URL" --cookie-url "$MOCK_URL/cookie" \
	    --retries 0 "$@"
}
# The symbols of the output, each once, in the order they come.
symbols_of() {
	sed 's/.*"symbol":"\([^"]*\)".*/\1/' "$1" | uniq | paste -sd ' ' -
}

# Charts in two time zones (EXA.AX trades in Sydney), in an order that
# is not alphabetical: the output keeps it.
order="DEMO-D DEMO-B EXA.AX DEMO-C DEMO-F DEMO-E"
# shellcheck disable=SC2086
assert_status 0 "charts, one job" -- yahoo --rate 0 $order
mv "$WORK/out" "$WORK/charts-1"
# shellcheck disable=SC2086
assert_status 0 "charts, three jobs" -- yahoo --rate 0 --jobs 3 $order
assert_files_equal "$WORK/charts-1" "$WORK/out" "charts: same bytes with three jobs"
assert_eq "$order" "$(symbols_of "$WORK/out")" "charts in the order of the symbols"
# From the fixture: 1704724200 is 2024-01-08 09:30 in New York, where
# DEMO-B closed at 40.8; 3 bars and 3 events per DEMO symbol.
assert_contains "$WORK/out" '{"kind":"yahoo_bar","symbol":"DEMO-F","date":"2024-01-08","interval":"1d","open":40.5,"high":41,"low":40.2,"close":40.8,' \
	"a bar of a renamed symbol"
assert_eq 3 "$(grep -c '"kind":"yahoo_bar","symbol":"DEMO-E"' "$WORK/out")" "DEMO-E bars"
assert_contains "$WORK/err" "6 sources: 6 ok, 0 failed" "summary over all the workers"

# Charts, fundamentals and quotes, with the crumb handshake: once for
# all the workers.
: >"$MOCK_LOG"
order="DEMO-E DEMO-B DEMO-D DEMO-C"
# shellcheck disable=SC2086
assert_status 0 "all data, one job" -- yahoo --rate 0 --data chart,fundamentals,quote $order
mv "$WORK/out" "$WORK/all-1"
: >"$MOCK_LOG"
# shellcheck disable=SC2086
assert_status 0 "all data, three jobs" -- yahoo --rate 0 --jobs 3 --data chart,fundamentals,quote $order
assert_files_equal "$WORK/all-1" "$WORK/out" "all data: same bytes with three jobs"
assert_eq 4 "$(grep -c '"kind":"yahoo_quote"' "$WORK/out")" "one quote per symbol"
assert_eq 1 "$(grep -c '/cookie	' "$MOCK_LOG")" "one cookie page for all the workers"
assert_eq 1 "$(grep -c '/v1/test/getcrumb	' "$MOCK_LOG")" "one crumb for all the workers"
assert_eq 0 "$(grep '/quoteSummary/' "$MOCK_LOG" | grep -vc 'crumb=c7%2FXq.9z')" \
	"every quote carries the crumb"

# Yahoo rejects the crumb once, for DEMO-C: one new session, the quote
# once more, and the same output.
: >"$MOCK_LOG"
echo '401 @errors/invalid-crumb.json' >"$summary/DEMO-C.fault"
# shellcheck disable=SC2086
assert_status 0 "crumb rejected once, three jobs" -- yahoo --rate 0 --jobs 3 --data quote $order
grep '"kind":"yahoo_quote"' "$WORK/all-1" >"$WORK/quotes-1"
assert_files_equal "$WORK/quotes-1" "$WORK/out" "quotes after a new crumb"
assert_eq 2 "$(grep -c '/v1/test/getcrumb	' "$MOCK_LOG")" "one more crumb"
assert_eq 2 "$(grep -c '/quoteSummary/DEMO-C?' "$MOCK_LOG")" "DEMO-C asked twice"
rm "$summary/DEMO-C.fault"

# A failing symbol among good ones: its one diagnostic, exit 69, and
# the others written as with one job.
: >"$MOCK_LOG"
assert_status 69 "a failing symbol, one job" -- yahoo --rate 0 DEMO-B GONE DEMO-C DEMO-D
mv "$WORK/out" "$WORK/gone-1"
assert_status 69 "a failing symbol, three jobs" -- yahoo --rate 0 --jobs 3 DEMO-B GONE DEMO-C DEMO-D
assert_files_equal "$WORK/gone-1" "$WORK/out" "the others written as with one job"
assert_eq "DEMO-B DEMO-C DEMO-D" "$(symbols_of "$WORK/out")" "the good symbols, in order"
assert_eq 1 "$(grep -c 'GONE: Yahoo error "Not Found"' "$WORK/err")" "one diagnostic for GONE"
assert_contains "$WORK/err" "4 sources: 3 ok, 1 failed" "failure counted"

# Overlap.  The mock server serves one connection at a time, so its
# log cannot show two requests in progress; fetch-yahoo's debug log
# can.  Each chart takes 700 ms: with three jobs the three requests
# start before the first response, where one job waits for each response
# before the next request.
: >"$MOCK_LOG"
for symbol in DEMO-B DEMO-C DEMO-D; do
	echo 'slow 700' >"$chart/$symbol.fault"
done
# started_before_first_answer: chart requests started before the first
# response arrived, in the debug log on standard error.
started_before_first_answer() {
	awk '/: HTTP [0-9]+, [0-9]+ bytes$/ { exit }
	    /GET http:.*\/v8\/finance\/chart\// { n++ }
	    END { print n + 0 }' "$WORK/err"
}
assert_status 0 "slow charts, one job" -- yahoo -vv --rate 0 DEMO-B DEMO-C DEMO-D
assert_eq 1 "$(started_before_first_answer)" "one job: one request at a time"
mv "$WORK/out" "$WORK/slow-1"
for symbol in DEMO-B DEMO-C DEMO-D; do
	echo 'slow 700' >"$chart/$symbol.fault"
done
assert_status 0 "slow charts, three jobs" -- yahoo -vv --rate 0 --jobs 3 DEMO-B DEMO-C DEMO-D
assert_eq 3 "$(started_before_first_answer)" "three jobs: three requests at once"
assert_files_equal "$WORK/slow-1" "$WORK/out" "slow charts: same bytes"
rm "$chart/DEMO-B.fault" "$chart/DEMO-C.fault" "$chart/DEMO-D.fault"

# One rate limit for all the workers: with --rate 4, no 1-second
# span of the mock log has more than 4 requests.  The client spaces
# request starts 1.01 / rate apart (252.5 ms), so 4 starts span 757 ms
# and a fifth comes 1010 ms after the first.  The log counts whole
# milliseconds at arrival, and a request read late by the
# one-connection server on a busy machine shortens the gap after it;
# spans of 900 ms leave 110 ms for both.  Three workers without a
# shared limit would send about 11 requests in such a span.
: >"$MOCK_LOG"
assert_status 0 "rate limited, three jobs" -- yahoo --rate 4 --jobs 3 \
    --data chart,fundamentals DEMO-B DEMO-C DEMO-D DEMO-E DEMO-F DEMO-G
assert_eq 12 "$(lines "$MOCK_LOG")" "two requests per symbol"
busiest=$(awk '{ t[NR] = $1 }
    END {
	for (i = 1; i <= NR; i++) {
		n = 0
		for (j = i; j <= NR && t[j] - t[i] < 900; j++)
			n++
		if (n > max)
			max = n
	}
	print max + 0
    }' "$MOCK_LOG")
assert_eq yes "$([ "$busiest" -le 4 ] && echo yes || echo "no ($busiest)")" \
	"at most 4 requests in any second"

# The cache written by three jobs replays offline with three jobs.
: >"$MOCK_LOG"
assert_status 0 "cached, three jobs" -- yahoo --rate 0 --jobs 3 --cache-dir "$WORK/cache" \
    --data chart,fundamentals DEMO-B DEMO-C DEMO-D DEMO-E
mv "$WORK/out" "$WORK/cached"
assert_status 0 "offline, three jobs" -- yahoo --offline --jobs 3 --cache-dir "$WORK/cache" \
    --data chart,fundamentals DEMO-B DEMO-C DEMO-D DEMO-E
assert_files_equal "$WORK/cached" "$WORK/out" "offline replay, same bytes"
assert_eq 8 "$(lines "$MOCK_LOG")" "no request offline"

finish
