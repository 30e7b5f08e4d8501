# fetch-yahoo: quoteSummary with Yahoo's cookie-and-crumb handshake,
# emulated by the mock server (mockhttp --crumb), and the values Yahoo
# marks as missing.
. "$TOP/tests/lib.sh"
. "$TOP/tests/mock.sh"

fixtures=$TOP/tests/fixtures/fetch-yahoo
root=$WORK/root
mkdir -p "$root"
cp -R "$fixtures"/. "$root"/
summary=$root/v10/finance/quoteSummary

# DEMO-B's regularMarketTime 1704920401 is 2024-01-10 16:00:01 in New
# York.  trailingPE is {} and earningsGrowth is {}: no value.
# priceToBook is raw 0 with fmt null, Yahoo's mark of a missing value.
# fullTimeEmployees is absent.  freeCashflow is raw 0 with fmt "0": a
# real zero.  market cap and forward P/E come from summaryDetail
# (2060000000 and 18.5), not from price or defaultKeyStatistics.
cat >"$WORK/expected" <<'JSON'
{"kind":"yahoo_quote","symbol":"DEMO-B","date":"2024-01-10","name":"Demo Learning Corp.","currency":"USD","financial_currency":"USD","exchange":"NYQ","timezone":"America/New_York","price":41.2,"market_cap":2060000000,"pe_trailing":null,"pe_forward":18.5,"price_to_book":null,"return_on_equity":-0.031,"profit_margin":-0.0165,"earnings_growth":null,"revenue_growth":0.072,"free_cash_flow":0,"employees":null,"sector":"Consumer Defensive","industry":"Education & Training Services"}
JSON

assert_status 0 "saved quoteSummary" -- fetch-yahoo --input "$summary/DEMO-B"
assert_files_equal "$WORK/expected" "$WORK/out" "quote from the file"

mock_start "$root" --crumb 'c7/Xq.9z' || { fail "mock server did not start"; finish; }
yahoo() {
	fetch-yahoo --base-url "$MOCK_URL" --cookie-url "$MOCK_URL/cookie" \
	    --retries 0 --data quote "$@"
}
requests() {
	cut -f 3,4 "$MOCK_LOG" | sed 's/?.*crumb=\([^&	]*\)/?...crumb=\1/' | sed "s/	/ /"
}

# The handshake: the cookie page sets the cookie, getcrumb returns the
# crumb, and quoteSummary gets both.  The crumb's '/' is escaped.
assert_status 0 "quote over HTTP" -- yahoo -vv DEMO-B
assert_files_equal "$WORK/expected" "$WORK/out" "quote over HTTP"
cat >"$WORK/expected-requests" <<'EOF2'
/cookie 404
/v1/test/getcrumb 200
/v10/finance/quoteSummary/DEMO-B?...crumb=c7%2FXq.9z 200
EOF2
requests >"$WORK/requests"
assert_files_equal "$WORK/expected-requests" "$WORK/requests" "cookie, crumb, then the quote"
assert_contains "$MOCK_LOG" "modules=price,summaryDetail,defaultKeyStatistics,financialData,assetProfile,quoteType&crumb=" \
	"default modules"
assert_contains "$WORK/err" "crumb=hidden" "crumb hidden in the debug log"
assert_eq 0 "$(grep -c 'c7' "$WORK/err")" "crumb value never logged"

# Yahoo rejects the crumb once: a new session, and the quote on the
# second try.
: >"$MOCK_LOG"
echo '401 @errors/invalid-crumb.json' >"$summary/DEMO-B.fault"
assert_status 0 "crumb rejected once" -- yahoo DEMO-B
assert_files_equal "$WORK/expected" "$WORK/out" "quote after a new crumb"
cat >"$WORK/expected-requests" <<'EOF2'
/cookie 404
/v1/test/getcrumb 200
/v10/finance/quoteSummary/DEMO-B?...crumb=c7%2FXq.9z 401
/cookie 404
/v1/test/getcrumb 200
/v10/finance/quoteSummary/DEMO-B?...crumb=c7%2FXq.9z 200
EOF2
requests >"$WORK/requests"
assert_files_equal "$WORK/expected-requests" "$WORK/requests" "one new handshake, one more try"
assert_contains "$WORK/err" "DEMO-B: Yahoo rejected the crumb; getting a new one" "rejection reported"

# Rejected twice: the symbol fails with one error, exit status 69.
printf '401 @errors/invalid-crumb.json\n401 @errors/invalid-crumb.json\n' >"$summary/DEMO-B.fault"
assert_status 69 "crumb rejected twice" -- yahoo DEMO-B
assert_eq 0 "$(lines "$WORK/out")" "no record"
assert_contains "$WORK/err" "DEMO-B: Yahoo rejected the crumb twice (HTTP 401 Invalid Crumb)" \
	"second rejection named"
rm "$summary/DEMO-B.fault"

# An unknown symbol: Yahoo's 404 body, one diagnostic; the other symbol
# is still fetched, in the same session.
: >"$MOCK_LOG"
echo '404 @errors/quote-not-found.json' >"$summary/NOPE.fault"
assert_status 69 "unknown symbol" -- yahoo NOPE DEMO-B
assert_files_equal "$WORK/expected" "$WORK/out" "other symbol fetched"
assert_contains "$WORK/err" 'NOPE: Yahoo error "Not Found": Quote not found for ticker symbol: NOPE (HTTP 404)' \
	"unknown symbol named"
assert_eq 1 "$(grep -c NOPE "$WORK/err")" "one diagnostic for the symbol"
assert_eq 1 "$(grep -c getcrumb "$MOCK_LOG")" "one handshake for the run"

# A cookie page that sets no cookie: getcrumb refuses, every quote fails
# with one line each, and the handshake is not tried again per symbol.
: >"$MOCK_LOG"
assert_status 69 "no session cookie" -- fetch-yahoo --base-url "$MOCK_URL" \
	--cookie-url "$MOCK_URL/no-cookie-here" --retries 0 --data quote DEMO-B EXA.AX
assert_contains "$WORK/err" "quoteSummary session: getcrumb returned HTTP 401 without a crumb" \
	"handshake failure named"
assert_contains "$WORK/err" "EXA.AX: quoteSummary not fetched: no session crumb" "each symbol told"
assert_eq 1 "$(grep -c getcrumb "$MOCK_LOG")" "getcrumb asked once"
assert_eq 0 "$(grep -c quoteSummary "$MOCK_LOG")" "no quote without a crumb"

finish
