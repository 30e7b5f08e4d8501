# fetch-yahoo --cache-dir keeps the raw responses, and --offline replays
# a run from them byte for byte, with the server gone.  The session
# requests (cookie page, crumb) are never cached, and the crumb is left
# out of the cache's file names.
. "$TOP/tests/lib.sh"
. "$TOP/tests/mock.sh"

fixtures=$TOP/tests/fixtures/fetch-yahoo
cache=$WORK/cache
mock_start "$fixtures" --crumb 'run-1-crumb' || { fail "mock server did not start"; finish; }
run() {
	fetch-yahoo --base-url "$MOCK_URL" --cookie-url "$MOCK_URL/cookie" \
	    --cache-dir "$cache" --start 2024-01-08 --end 2024-01-10 "$@"
}

assert_status 0 "online run into the cache" -- run --data chart,fundamentals,quote DEMO-B
cp "$WORK/out" "$WORK/online"
assert_eq "3 3 5 1" "$(for k in bar event fundamental quote; do
	grep -c "\"kind\":\"yahoo_$k\"" "$WORK/online"; done | paste -sd ' ' -)" \
	"bars, events, points and the quote"
assert_status 0 "second symbol" -- run EXA.AX
cat "$WORK/out" >>"$WORK/online"

# Three responses of DEMO-B and one of EXA.AX, each the server's bytes.
assert_eq 4 "$(ls "$cache" | wc -l | tr -d ' ')" "four files: no cookie page, no crumb"
assert_eq 0 "$(grep -l 'run-1-crumb' "$cache"/* | wc -l | tr -d ' ')" "crumb in no cached body"
assert_eq 0 "$(ls "$cache" | grep -c crumb)" "crumb in no file name"
for f in v8/finance/chart/DEMO-B ws/fundamentals-timeseries/v1/finance/timeseries/DEMO-B \
    v10/finance/quoteSummary/DEMO-B v8/finance/chart/EXA.AX; do
	found=no
	for c in "$cache"/*; do
		cmp -s "$fixtures/$f" "$c" && found=yes
	done
	assert_eq yes "$found" "$f cached byte for byte"
done

# Offline, with the server stopped: the same records, byte for byte.
mock_stop
assert_status 0 "offline replay" -- run --offline --data chart,fundamentals,quote DEMO-B
cp "$WORK/out" "$WORK/offline"
assert_status 0 "offline replay, second symbol" -- run --offline EXA.AX
cat "$WORK/out" >>"$WORK/offline"
assert_files_equal "$WORK/online" "$WORK/offline" "replay identical to the online run"

# A request the cache does not have fails that symbol only.
assert_status 69 "offline miss" -- run --offline --interval 1wk DEMO-B
assert_contains "$WORK/err" "DEMO-B: GET $MOCK_URL/v8/finance/chart/DEMO-B?period1=1704672000&period2=1704931200&interval=1wk" \
	"missing request named"
assert_contains "$WORK/err" "not in the cache $cache (offline)" "cache named"

finish
