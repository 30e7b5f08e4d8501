# fetch-sec's ticker table in --cache-dir: reused while younger than
# --tickers-ttl, downloaded again after; tickers as SEC spells them;
# --all-companies; and the request rate across documents and pages.
. "$TOP/tests/lib.sh"
. "$TOP/tests/mock.sh"

UA="Jane Analyst jane@example.com"
FIXTURES=$TOP/tests/fixtures/sec
unset SEC_USER_AGENT
mock_start "$FIXTURES" || exit 1

fetch() {
	fetch-sec --user-agent "$UA" --base-url "$MOCK_URL" \
	    --tickers-url "$MOCK_URL/files/company_tickers.json" --cache-dir "$WORK/cache" "$@"
}
ticker_requests() {
	grep -c '/files/company_tickers.json' "$MOCK_LOG"
}

assert_status 0 "first run downloads the table" -- fetch --ticker exlc --list
assert_eq "0000999001	EXLC" "$(cat "$WORK/out")" "SEC's spelling and a ten-digit CIK"
assert_eq 1 "$(ticker_requests)" "one download"
assert_status 0 "second run within the time to live" -- fetch --ticker SMPT --list
assert_eq "0000999002	SMPT" "$(cat "$WORK/out")" "resolved from the cached table"
assert_eq 1 "$(ticker_requests)" "no second download"
assert_status 0 "--tickers-ttl 0 always downloads" -- fetch --ticker SMPT --list --tickers-ttl 0
assert_eq 2 "$(ticker_requests)" "downloaded again"
touch -d '2 hours ago' "$WORK"/cache/*company_tickers.json
assert_status 0 "an older copy than --tickers-ttl 1h" -- fetch --ticker SMPT --list --tickers-ttl 1h
assert_eq 3 "$(ticker_requests)" "downloaded again after the time to live"
assert_status 0 "a copy younger than --tickers-ttl 1d" -- fetch --ticker SMPT --list --tickers-ttl 1d
assert_eq 3 "$(ticker_requests)" "the refreshed copy is reused"
assert_status 64 "an invalid time to live" -- fetch --ticker SMPT --list --tickers-ttl 5w
assert_contains "$WORK/err" "invalid --tickers-ttl '5w'" "the value is named"

# --all-companies: every CIK of the table once, the first ticker of each.
assert_status 0 "every company of the table" -- fetch --all-companies --list
assert_eq "0000999001	EXLC
0000999002	SMPT
0000999003	DSAI" "$(cat "$WORK/out")" "three companies, EXLCP folded into EXLC"

# The rate limit applies across documents and older pages: --rate 4 for
# submissions (two requests for 999001) and companyfacts of three CIKs.
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
: >"$MOCK_LOG"
assert_status 69 "documents and pages at 4 requests per second" -- \
    fetch --rate 4 --what submissions,companyfacts --cik 999001,999002,999003
assert_eq 7 "$(lines "$MOCK_LOG")" "three submissions, one older page, three companyfacts"
assert_eq 4 "$(max_in_window "$MOCK_LOG")" "at most 4 requests in any second"

finish
