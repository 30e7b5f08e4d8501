# fetch-yahoo: dividends, splits and capital gains from a hand-written
# chart response, dated in the exchange's calendar.
. "$TOP/tests/lib.sh"

chart=$TOP/tests/fixtures/fetch-yahoo/v8/finance/chart

# DEMO-B is a fictional NYSE class B share.  Its events are keyed by the
# bars' 09:30 New York timestamps (EST, UTC-5):
#   1704724200 = 2024-01-08 14:30 UTC: dividend 0.25
#   1704810600 = 2024-01-09 14:30 UTC: 3:2 split, and a dividend without
#                an amount, which is skipped and counted
#   1704897000 = 2024-01-10 14:30 UTC: capital gain 0.12
cat >"$WORK/expected-events" <<'JSON'
{"kind":"yahoo_event","symbol":"DEMO-B","date":"2024-01-08","type":"dividend","amount":0.25,"numerator":null,"denominator":null,"currency":"USD","exchange":"NYQ","timezone":"America/New_York"}
{"kind":"yahoo_event","symbol":"DEMO-B","date":"2024-01-09","type":"split","amount":null,"numerator":3,"denominator":2,"currency":"USD","exchange":"NYQ","timezone":"America/New_York"}
{"kind":"yahoo_event","symbol":"DEMO-B","date":"2024-01-10","type":"capital_gain","amount":0.12,"numerator":null,"denominator":null,"currency":"USD","exchange":"NYQ","timezone":"America/New_York"}
JSON

assert_status 0 "chart with events" -- \
	fetch-yahoo --metrics-file "$WORK/metrics.prom" --input "$chart/DEMO-B"
grep '"kind":"yahoo_event"' "$WORK/out" >"$WORK/events"
assert_files_equal "$WORK/expected-events" "$WORK/events" "three events"
assert_eq 3 "$(grep -c '"kind":"yahoo_bar"' "$WORK/out")" "three bars"
assert_contains "$WORK/out" '{"kind":"yahoo_bar","symbol":"DEMO-B","date":"2024-01-10","interval":"1d","open":41,"high":41.5,"low":40.9,"close":41.2,"adjclose":41.2,"volume":1100000,' \
	"last bar with its adjusted close"
assert_contains "$WORK/err" "DEMO-B: dividend event '1704810600' skipped: no amount" \
	"event without an amount named"
# 4 events in the response = 3 written + 1 skipped.
assert_contains "$WORK/err" "3 bars out, 0 null bars skipped; 3 events out, 1 skipped" \
	"events reconcile"
assert_contains "$WORK/metrics.prom" 'corpintel_records_out_total{tool="fetch-yahoo",kind="yahoo_event"} 3' \
	"metrics file: events"
assert_contains "$WORK/metrics.prom" 'corpintel_skipped_total{tool="fetch-yahoo",reason="bad-event"} 1' \
	"metrics file: skipped event"

finish
