# normalize: malformed lines and impossible facts are rejected with their
# file, line numbers and reasons, and every line is accounted for.
. "$TOP/tests/lib.sh"

input=$TOP/tests/fixtures/normalize/bad-lines.ndjson

# bad-lines.ndjson, line by line:
#    1 revenue FY2024 1000000              valid
#    2 truncated JSON                      json
#    3 a 0xff byte in the entity           utf8
#    4 "value":NaN                         json (JSON has no NaN)
#    5 end 2025-02-30                      sec_fact
#    6 no accn                             sec_fact
#    7 a concept name of 2008 bytes        line-length (limit 1000)
#    8 cik as the number 101               sec_fact
#    9 value "NaN" as a string             sec_fact
#   10 [1,2]                               json (not an object)
#   11 no "kind"                           kind
#   12 value 1e999                         number
#   13 start after end                     sec_fact
#   14 no unit and filed "yesterday"       sec_fact, twice
#   15 diluted EPS FY2024 0.5              valid
assert_status 0 "rejects and goes on" -- \
	normalize --max-line-bytes 1000 --rejects "$WORK/rejects" "$input"

assert_eq 3 "$(lines "$WORK/out")" "company and two metric records"
assert_contains "$WORK/out" '"metric":"revenue","value":1000000,' "line 1 normalized"
assert_contains "$WORK/out" '"metric":"eps_diluted","value":0.5,' "line 15 normalized"

# 15 lines = 2 metric records + 0 skipped + 0 passed through + 13 rejected.
assert_contains "$WORK/err" "15 lines: 2 metric records out, 0 skipped, 0 passed through, 13 rejected; company records out: 1" \
	"summary reconciles"

assert_eq 13 "$(lines "$WORK/rejects")" "thirteen rejects"
reject_line() {	# LINE RULE: the reject of input line LINE names RULE first
	checks=$((checks + 1))
	if grep -q "^{\"kind\":\"reject\",\"tool\":\"normalize\",\"line\":$1,\"file\":\"$input\",\"file_line\":$1,\"errors\":\[{\"rule\":\"$2\"" "$WORK/rejects"; then
		ok "line $1 rejected as $2"
	else
		fail "line $1 not rejected as $2"
	fi
}
reject_line 2 json
reject_line 3 utf8
reject_line 4 json
reject_line 5 sec_fact
reject_line 6 sec_fact
reject_line 7 line-length
reject_line 8 sec_fact
reject_line 9 sec_fact
reject_line 10 json
reject_line 11 kind
reject_line 12 number
reject_line 13 sec_fact
reject_line 14 sec_fact

assert_contains "$WORK/rejects" 'member \"end\" is \"2025-02-30\", expected a valid date YYYY-MM-DD' \
	"impossible date named"
assert_contains "$WORK/rejects" 'missing member \"accn\"' "missing member named"
assert_contains "$WORK/rejects" 'member \"cik\" is 101, expected a 10-digit string' \
	"numeric cik named"
assert_contains "$WORK/rejects" 'member \"value\" is \"NaN\", expected a number' \
	"string value named"
assert_contains "$WORK/rejects" 'member \"start\" 2025-01-01 is after \"end\" 2024-12-28' \
	"reversed period named"
assert_contains "$WORK/rejects" '{"rule":"sec_fact","reason":"missing member \"unit\": a sec_fact needs a non-empty string"},{"rule":"sec_fact","reason":"member \"filed\" is \"yesterday\", expected a valid date YYYY-MM-DD"}' \
	"line 14 names both problems"
assert_contains "$WORK/rejects" 'line longer than 1000 bytes' "overlong line named"
# The reject keeps the input, with the invalid byte replaced by U+FFFD.
assert_contains "$WORK/rejects" '"entity\":\"Sample Tutoring'"$(printf '\357\277\275')"'\"' \
	"invalid byte replaced in the reject"

# Without --rejects, each problem is a warning naming FILE:LINE.
assert_status 0 "warnings on stderr" -- normalize --max-line-bytes 1000 "$input"
assert_contains "$WORK/err" "normalize: warning: $input:5: sec_fact: member \"end\" is \"2025-02-30\"" \
	"warning names the file and line"
assert_eq 14 "$(grep -c "warning: $input:[0-9]*: " "$WORK/err")" "one warning per problem"

# 13 of 15 lines rejected is a ratio of 0.87: 0.8 fails, 0.9 passes.
assert_status 65 "reject ratio exceeded" -- \
	normalize --max-line-bytes 1000 --max-reject-ratio 0.8 "$input"
assert_contains "$WORK/err" "13 of 15 lines rejected, more than --max-reject-ratio 0.8" \
	"ratio error message"
assert_eq 3 "$(lines "$WORK/out")" "records still written when the ratio fails"
assert_status 0 "reject ratio within limit" -- \
	normalize --max-line-bytes 1000 --max-reject-ratio 0.9 "$input"

# Line numbers continue across files, as if they were concatenated, and
# each reject names its file and its line there.
assert_status 0 "two files" -- normalize --max-line-bytes 1000 \
	--rejects "$WORK/rejects2" "$input" "$input"
assert_eq 26 "$(lines "$WORK/rejects2")" "rejects from both files"
assert_contains "$WORK/rejects2" '"line":20,"file":"'"$input"'","file_line":5,"errors":[{"rule":"sec_fact","reason":"member \"end\"' \
	"second file's line 5 is line 20"
assert_contains "$WORK/err" "30 lines: 2 metric records out, 2 skipped (superseded 2), 0 passed through, 26 rejected" \
	"the repeated facts are superseded"

# The default line limit lets the long line through as an unmapped fact.
assert_status 0 "default line limit" -- normalize "$input"
assert_contains "$WORK/err" "15 lines: 2 metric records out, 1 skipped (unmapped 1), 0 passed through, 12 rejected" \
	"long concept is unmapped"

# A kind that is not a string is named with its value.
printf '{"kind":42}\n{"cik":"1"}\n' >"$WORK/kinds.ndjson"
assert_status 0 "kinds of the wrong type" -- normalize --rejects "$WORK/kind-rejects" "$WORK/kinds.ndjson"
assert_contains "$WORK/kind-rejects" '"rule":"kind","reason":"member \"kind\" is 42, not a string: every record names its kind, such as \"metric\""' \
	"numeric kind named with its value"
assert_contains "$WORK/kind-rejects" '"rule":"kind","reason":"missing member \"kind\": every record names its kind' \
	"missing kind named"

# An escaped NUL cannot be kept in a string, so the line is rejected
# rather than cut short.  An escaped backslash before "u0000" is text.
printf '%s\n' '{"kind":"x\u0000y"}' '{"kind":"a\\u0000"}' >"$WORK/nul.ndjson"
assert_status 0 "escaped NUL" -- normalize --rejects "$WORK/nul-rejects" "$WORK/nul.ndjson"
assert_eq 1 "$(lines "$WORK/nul-rejects")" "only the escaped NUL rejected"
assert_eq 'json: invalid JSON at byte 11: \u0000, a NUL character, cannot be kept in a string; remove it' \
	"$(jq -r '"\(.errors[0].rule): \(.errors[0].reason)"' "$WORK/nul-rejects")" \
	"escaped NUL named with its byte"
assert_eq '{"kind":"a\\u0000"}' "$(cat "$WORK/out")" "escaped backslash passes through"
assert_status 65 "escaped NUL in validate-quality" -- \
	validate-quality --rejects "$WORK/nul-rejects2" "$WORK/nul.ndjson"
assert_eq "$(jq -r '.errors[0].reason' "$WORK/nul-rejects")" \
	"$(jq -r 'select(.line == 1) | .errors[0].reason' "$WORK/nul-rejects2")" \
	"validate-quality gives the same reason"

finish
