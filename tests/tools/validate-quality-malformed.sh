# validate-quality: malformed lines are rejected with the reason and the
# line number, blank lines are counted, unknown kinds pass through, and
# every line read is accounted for.
. "$TOP/tests/lib.sh"

FIX=$TOP/tests/fixtures/quality
cp "$TOP/schemas/quality.yaml" "$TOP"/schemas/*.schema.json "$FIX/metrics.yaml" "$WORK/"
RULES=$WORK/quality.yaml
export CORPINTEL_TODAY=2024-06-30

metric=$(sed -n 2p "$FIX/valid.ndjson")
company=$(sed -n 1p "$FIX/valid.ndjson")
utf8_prefix='{"kind":"company","cik":"0000320193","ticker":null,"name":"Caf'
long=$(printf '%s\n' "$metric" | jq -c '.concept = ("us-gaap:" + ("X" * 700))')

{
	printf '%s\n' "$metric"						# 1 passes
	printf '%s\n' '{"kind":"metric","cik":'				# 2 json
	printf '%s\351","category":null,"source":"sec"}\n' "$utf8_prefix"	# 3 utf8
	printf '%s\n' "$metric" | sed 's/"value":383285000000/"value":NaN/'	# 4 json
	printf '%s\n' "$metric" | sed 's/"value":383285000000/"value":1e400/'	# 5 number
	printf '\n'							# 6 blank
	printf ' \t \n'							# 7 blank
	printf '%s\n' '{"kind":"weather","city":"Cupertino","celsius":18.5}'	# 8 unknown kind
	printf '%s\n' '{"kind":"metric","cik":"0000320193"}'		# 9 missing members
	printf '%s\n' '[1,2]'						# 10 json
	printf '%s\n' '{"cik":"0000320193"}'				# 11 kind
	printf '%s\n' "$long"						# 12 line-length
	printf '%s' "$company"						# 13 passes, no newline
} >"$WORK/in"

assert_status 65 "mixed input: exit status" -- validate-quality \
    --rules "$RULES" --rejects "$WORK/rejects" --report "$WORK/report.json" \
    --max-line-bytes 600 "$WORK/in"

# Reconciliation: 13 lines = 3 passed + 8 rejected + 2 blank.
assert_eq 3 "$(lines "$WORK/out")" "mixed input: lines passed"
assert_eq 8 "$(lines "$WORK/rejects")" "mixed input: lines rejected"
assert_eq "13 3 8 2" "$(jq -r '"\(.lines) \(.passed) \(.rejected) \(.blank)"' "$WORK/report.json")" \
    "mixed input: report counts"
assert_eq true "$(jq '.lines == .passed + .rejected + .blank' "$WORK/report.json")" \
    "mixed input: report reconciles"
assert_contains "$WORK/err" "13 lines: 3 passed (0 with warnings, 1 of a kind without rules), 8 rejected, 2 blank skipped" \
    "mixed input: summary reconciles"
assert_eq "2 3 4 5 9 10 11 12" "$(jq -r '.line' "$WORK/rejects" | tr '\n' ' ' | sed 's/ $//')" \
    "mixed input: rejected line numbers"

# Valid lines leave byte for byte; the last one gains its newline.
{ printf '%s\n' "$metric"; printf '%s\n' '{"kind":"weather","city":"Cupertino","celsius":18.5}'; printf '%s\n' "$company"; } \
    >"$WORK/expected"
assert_files_equal "$WORK/expected" "$WORK/out" "mixed input: passed lines unchanged"

reject() {	# LINE: rule and reason of the reject for LINE
	jq -r --argjson n "$1" 'select(.line == $n) | [.errors[] | "\(.rule): \(.reason)"] | join(" | ")' \
	    "$WORK/rejects"
}
input() {
	jq -r --argjson n "$1" 'select(.line == $n) | .input' "$WORK/rejects"
}

case $(reject 2) in
"json: invalid JSON at byte "*) ok "broken JSON: rule and reason" ;;
*) fail "broken JSON: got '$(reject 2)'" ;;
esac
checks=$((checks + 1))
assert_eq '{"kind":"metric","cik":' "$(input 2)" "broken JSON: original input"

assert_eq "utf8: invalid UTF-8 at byte $((${#utf8_prefix} + 1))" "$(reject 3)" \
    "invalid UTF-8: rule and reason"
assert_eq "$(printf '%s\357\277\275","category":null,"source":"sec"}' "$utf8_prefix")" \
    "$(input 3)" "invalid UTF-8: input with the bad byte replaced"

case $(reject 4) in
"json: invalid JSON at byte "*) ok "NaN: rejected as invalid JSON" ;;
*) fail "NaN: got '$(reject 4)'" ;;
esac
checks=$((checks + 1))
assert_eq "number: member \"value\" is a number out of the range of a double (about 1.8e308)" "$(reject 5)" \
    "1e400: rule and reason"
assert_contains "$WORK/rejects" '"value\":1e400' "1e400: original input kept"

# Every member of metric.schema.json's required list that is not there.
assert_eq 'metric-required: missing member "ticker" | metric-required: missing member "metric" | metric-required: missing member "value" | metric-required: missing member "unit" | metric-required: missing member "period_type" | metric-required: missing member "period_start" | metric-required: missing member "period_end" | metric-required: missing member "fiscal_year" | metric-required: missing member "fiscal_period" | metric-required: missing member "source" | metric-required: missing member "source_ref" | metric-required: missing member "filed" | metric-required: missing member "revised" | metric-required: missing member "concept" | metric-required: missing member "derivation"' \
    "$(reject 9)" "missing members: each one named"
assert_eq "json: not a JSON object" "$(reject 10)" "array line: rule and reason"
assert_eq 'kind: missing member "kind": every record names its kind, such as "metric"' \
    "$(reject 11)" "no kind: rule and reason"

# A kind that is not a string is named with its value, as normalize
# names it.
printf '%s\n' '{"kind":42}' >"$WORK/numeric-kind"
assert_status 65 "numeric kind: exit status" -- validate-quality --rules "$RULES" \
    --rejects "$WORK/kind-rejects" "$WORK/numeric-kind"
assert_eq 'member "kind" is 42, not a string: every record names its kind, such as "metric"' \
    "$(jq -r '.errors[0].reason' "$WORK/kind-rejects")" "numeric kind: reason"
assert_eq "$(printf '%s\n' '{"kind":42}' | normalize --rejects /dev/stdout 2>/dev/null | jq -r '.errors[0].reason')" \
    "$(jq -r '.errors[0].reason' "$WORK/kind-rejects")" "numeric kind: same reason as normalize"
assert_eq "line-length: line longer than 600 bytes (raise --max-line-bytes if such lines are expected)" \
    "$(reject 12)" "overlong line: rule and reason"
assert_eq "$(printf '%s' "$long" | head -c 256)" "$(input 12)" \
    "overlong line: first 256 bytes kept"

assert_eq "1 1 3 1 1 0" \
    "$(jq -r '[.rules[] | select(.kind == null) | .failed] | join(" ")' "$WORK/report.json")" \
    "mixed input: failures per input check (line-length utf8 json number kind unknown-kind)"
assert_eq "[12]" "$(jq -c '.rules[] | select(.rule == "line-length") | .examples' "$WORK/report.json")" \
    "overlong line: example line"
assert_eq "[2,4,10]" "$(jq -c '.rules[] | select(.rule == "json") | .examples' "$WORK/report.json")" \
    "broken JSON: example lines"

# With --reject-unknown-kinds the price record is rejected as well.
assert_status 65 "unknown kinds rejected: exit status" -- validate-quality \
    --rules "$RULES" --rejects "$WORK/rejects" --report "$WORK/report.json" \
    --max-line-bytes 600 --reject-unknown-kinds "$WORK/in"
assert_eq 2 "$(lines "$WORK/out")" "unknown kinds rejected: lines passed"
assert_eq 9 "$(lines "$WORK/rejects")" "unknown kinds rejected: lines rejected"
assert_eq "unknown-kind: kind \"weather\" has no rules in $RULES" "$(reject 8)" \
    "unknown kinds rejected: rule and reason"
assert_eq "true 1" "$(jq -r '.rules[] | select(.rule == "unknown-kind") | "\(.enabled) \(.failed)"' "$WORK/report.json")" \
    "unknown kinds rejected: reported"

# CRLF line ends: the record passes and leaves with a plain newline.
printf '%s\r\n' "$company" >"$WORK/crlf"
assert_status 0 "CRLF line: exit status" -- validate-quality --rules "$RULES" "$WORK/crlf"
assert_eq "$company" "$(cat "$WORK/out")" "CRLF line: passed without the CR"

# Records are passed as written, not re-encoded.
printf '%s\n' '{ "kind" : "company", "cik":"0000320193", "ticker": null, "name" : "Apple Inc.", "category":null, "source":"sec", "note":"caf\u00e9 \ud83d\udcc8" }' \
    >"$WORK/spaced"
assert_status 0 "spacing and escapes: exit status" -- validate-quality --rules "$RULES" "$WORK/spaced"
assert_files_equal "$WORK/spaced" "$WORK/out" "spacing and escapes: line unchanged"

# An empty input is fine and reconciles to zero.
assert_status 0 "empty input: exit status" -- validate-quality --rules "$RULES" \
    --report "$WORK/report.json" </dev/null
assert_eq "0 0 0 0" "$(jq -r '"\(.lines) \(.passed) \(.rejected) \(.blank)"' "$WORK/report.json")" \
    "empty input: report counts"

finish
