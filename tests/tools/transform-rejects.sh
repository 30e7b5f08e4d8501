# transform: malformed lines are rejected with their file and line
# numbers, and every line is accounted for.
. "$TOP/tests/lib.sh"

input=$TOP/tests/fixtures/transform/bad-lines.ndjson

# bad-lines.ndjson, line by line:
#    1 revenue FY2022 100               valid
#    2 truncated JSON                   json
#    3 empty                            blank
#    4 [1,2]                            json (not an object)
#    5 no "kind"                        kind
#    6 no period_end, value "100"       required + type
#    7 period_end 2023-02-30            date
#    8 a 0xff byte in the ticker        utf8
#    9 gross profit FY2022 40           valid
#   10 a line of 446 bytes              line-length (limit 400)
#   11 fiscal_year "2022"               type
#   12 value 1e999                      number
#   13 a yahoo_bar                      other kind
assert_status 0 "rejects and goes on" -- \
	transform --max-line-bytes 400 --rejects "$WORK/rejects" "$input"

# The one derivation left: 40 / 100 = 0.4.
assert_eq 1 "$(lines "$WORK/out")" "one derived record"
assert_contains "$WORK/out" '"metric":"gross_margin","value":0.4,' "margin from valid lines"

# 13 lines = 2 metric records + 1 other kind + 9 rejected + 1 blank.
assert_contains "$WORK/err" "13 lines: 2 metric records (2 used, of which 0 replaced by a later line with the same key; 0 not needed), 1 other kinds, 9 rejected, 1 blank; 1 derived records out" \
	"summary reconciles"

assert_eq 9 "$(lines "$WORK/rejects")" "nine rejects"
reject_line() {	# LINE RULE: the reject of input line LINE names RULE
	checks=$((checks + 1))
	if grep -q "^{\"kind\":\"reject\",\"tool\":\"transform\",\"line\":$1,\"file\":\"$input\",\"file_line\":$1,\"errors\":\[{\"rule\":\"$2\"" "$WORK/rejects"; then
		ok "line $1 rejected as $2"
	else
		fail "line $1 not rejected as $2"
	fi
}
reject_line 2 json
reject_line 4 json
reject_line 5 kind
reject_line 6 required
reject_line 7 date
reject_line 8 utf8
reject_line 10 line-length
reject_line 11 type
reject_line 12 number
assert_contains "$WORK/rejects" '{"rule":"type","reason":"\"value\" is \"100\", expected a number"}' \
	"line 6 names its second problem"
assert_contains "$WORK/rejects" '"period_end\" is \"2023-02-30\", not a valid YYYY-MM-DD date' \
	"impossible date named"

# Without --rejects, each reject is a warning naming FILE:LINE.
assert_status 0 "warnings on stderr" -- transform --max-line-bytes 400 "$input"
assert_contains "$WORK/err" "transform: warning: $input:7: date: \"period_end\" is \"2023-02-30\"" \
	"warning names the file and line"
# One warning per problem: 10, as line 6 has two.
assert_eq 10 "$(grep -c "warning: $input:[0-9]*: " "$WORK/err")" "one warning per problem"

# From standard input the file is null and warnings name the line alone.
assert_status 0 "rejects from standard input" -- \
	sh -c 'transform --max-line-bytes 400 --rejects "$1" <"$2"' sh "$WORK/rejects-stdin" "$input"
assert_contains "$WORK/rejects-stdin" '"line":7,"file":null,"file_line":7,"errors":[{"rule":"date"' \
	"standard input reject has a null file"
assert_status 0 "warnings from standard input" -- \
	sh -c 'transform --max-line-bytes 400 <"$1"' sh "$input"
assert_contains "$WORK/err" "transform: warning: line 7: date: " "standard input warning names the line"
assert_status 0 "warnings from a file and standard input" -- \
	sh -c 'transform --max-line-bytes 400 "$1" - <"$1"' sh "$input"
assert_contains "$WORK/err" "transform: warning: stdin:7: date: " \
	"standard input among files warns as stdin:LINE"

# 9 of 13 lines rejected is a ratio of 0.69: above 0.5 fails, 0.7 passes.
assert_status 65 "reject ratio exceeded" -- \
	transform --max-line-bytes 400 --max-reject-ratio 0.5 "$input"
assert_contains "$WORK/err" "9 of 13 lines rejected, more than --max-reject-ratio 0.5" \
	"ratio error message"
assert_status 0 "reject ratio within limit" -- \
	transform --max-line-bytes 400 --max-reject-ratio 0.7 "$input"

# Line numbers continue across files, as if they were concatenated, and
# each reject also names its file and its line in that file.
assert_status 0 "two files" -- \
	transform --max-line-bytes 400 --rejects "$WORK/rejects2" "$input" "$input"
assert_eq 18 "$(lines "$WORK/rejects2")" "rejects from both files"
assert_contains "$WORK/rejects2" '"line":20,"file":"'"$input"'","file_line":7,"errors":[{"rule":"date"' \
	"second file's line 7 is line 20"

# A missing file stops the run before anything is written.
assert_status 66 "missing input file" -- \
	transform --max-line-bytes 400 "$input" "$WORK/absent.ndjson"
assert_contains "$WORK/err" "absent.ndjson: No such file or directory" "missing file named"
assert_eq 0 "$(lines "$WORK/out")" "nothing written for a missing file"

finish
