# validate-quality: exit status against --max-reject-ratio, --strict,
# the --report document, the --metrics-file counters, several input
# files and the reject warnings without --rejects.
. "$TOP/tests/lib.sh"

FIX=$TOP/tests/fixtures/quality
cp "$TOP/schemas/quality.yaml" "$TOP"/schemas/*.schema.json "$FIX/metrics.yaml" "$WORK/"
RULES=$WORK/quality.yaml
export CORPINTEL_TODAY=2024-06-30

# Lines 2, 4, 5, 7 and 9 have a negative revenue; 1, 3, 6 and 8 are valid.
i=0
while [ $i -lt 9 ]; do
	i=$((i + 1))
	case $i in
	2|4|5|7|9) value=-$i ;;
	*) value=$i ;;
	esac
	sed -n 2p "$FIX/valid.ndjson" |
	    jq -c --argjson v "$value" --arg period_end "2010-01-0$i" \
	    --arg period_start "2009-01-0$i" \
	    '.value = $v | .period_start = $period_start | .period_end = $period_end'
done >"$WORK/in"

assert_status 65 "ratio 0: exit status" -- validate-quality --rules "$RULES" \
    --rejects "$WORK/rejects" --report "$WORK/report.json" \
    --metrics-file "$WORK/metrics.prom" "$WORK/in"
assert_eq 4 "$(lines "$WORK/out")" "ratio 0: lines passed"
assert_eq 5 "$(lines "$WORK/rejects")" "ratio 0: lines rejected"
assert_contains "$WORK/err" "5 of 9 lines rejected (ratio 0.5556), above --max-reject-ratio 0" \
    "ratio 0: reason for the status"
assert_contains "$WORK/err" "rule failures: nonnegative-amount 5" "ratio 0: failures per rule"

# The report.
assert_eq "false 9 4 5 0 0 0" \
    "$(jq -r '[.success, .lines, .passed, .rejected, .blank, .warned, .unchecked] | map(tostring) | join(" ")' "$WORK/report.json")" \
    "report: counts"
assert_eq '{"rule":"nonnegative-amount","kind":"metric","check":"range","severity":"error","enabled":true,"checked":9,"failed":5,"examples":[2,4,5],"success":false,"failed_percent":55.55555555555556}' \
    "$(jq -c '.rules[] | select(.rule == "nonnegative-amount")' "$WORK/report.json")" \
    "report: rule entry with the first three example lines"
assert_eq '{"rule":"metric-duplicate","kind":"metric","check":"unique","severity":"error","enabled":true,"checked":9,"failed":0,"examples":[],"success":true,"failed_percent":0}' \
    "$(jq -c '.rules[] | select(.rule == "metric-duplicate")' "$WORK/report.json")" \
    "report: rule that never failed"
# Great Expectations' statistics: the enabled rules, and those no line broke.
assert_eq "true true" "$(jq -r '[(.statistics.evaluated_rules == ([.rules[] | select(.enabled)] | length)),
    (.statistics.unsuccessful_rules == ([.rules[] | select(.enabled and .failed > 0)] | length))] | map(tostring) | join(" ")' \
    "$WORK/report.json")" "report: statistics count the rules"

# The metrics file.
assert_contains "$WORK/metrics.prom" 'corpintel_lines_total{tool="validate-quality"} 9' "metrics: lines"
assert_contains "$WORK/metrics.prom" 'corpintel_records_out_total{tool="validate-quality"} 4' "metrics: records out"
assert_contains "$WORK/metrics.prom" 'corpintel_rejects_total{tool="validate-quality"} 5' "metrics: rejects"
assert_contains "$WORK/metrics.prom" 'corpintel_skipped_total{tool="validate-quality",reason="blank"} 0' "metrics: skipped"
assert_contains "$WORK/metrics.prom" \
    'corpintel_quality_failed_total{tool="validate-quality",rule="nonnegative-amount",severity="error"} 5' \
    "metrics: failures per rule"
assert_contains "$WORK/metrics.prom" \
    'corpintel_quality_checked_total{tool="validate-quality",rule="nonnegative-amount",severity="error"} 9' \
    "metrics: checks per rule"

# The ratio is rejected lines over lines read; equal to the limit passes.
assert_status 65 "ratio 0.5: exit status" -- validate-quality --rules "$RULES" \
    --max-reject-ratio 0.5 "$WORK/in"
assert_status 0 "ratio 0.6: exit status" -- validate-quality --rules "$RULES" \
    --max-reject-ratio 0.6 --report "$WORK/report.json" "$WORK/in"
assert_eq 4 "$(lines "$WORK/out")" "ratio 0.6: lines passed"
assert_eq true "$(jq .success "$WORK/report.json")" "ratio 0.6: report success"
head -n 4 "$WORK/in" >"$WORK/four"	# 2 of 4 rejected
assert_status 0 "ratio at the limit: exit status" -- validate-quality \
    --rules "$RULES" --max-reject-ratio 0.5 "$WORK/four"

# --strict stops at the first reject, with the reject written.
assert_status 65 "strict: exit status" -- validate-quality --rules "$RULES" \
    --rejects "$WORK/rejects" --report "$WORK/report.json" --strict \
    --max-reject-ratio 1 "$WORK/in"
assert_eq "$(head -n 1 "$WORK/in")" "$(cat "$WORK/out")" "strict: lines before the reject passed"
assert_eq 2 "$(jq .line "$WORK/rejects")" "strict: the reject written"
assert_eq "2 1 1 true" "$(jq -r '"\(.lines) \(.passed) \(.rejected) \(.stopped)"' "$WORK/report.json")" \
    "strict: report counts the lines read"
assert_contains "$WORK/err" "$WORK/in:2 rejected: stopping (--strict)" "strict: reason for stopping"
assert_status 0 "strict without rejects: exit status" -- validate-quality \
    --rules "$RULES" --strict "$FIX/valid.ndjson"

# Several files: line numbers continue from one file to the next, and a
# missing file is reported while the others are still read.
head -n 3 "$WORK/in" >"$WORK/a"
tail -n 6 "$WORK/in" >"$WORK/b"
assert_status 66 "two files and a missing one: exit status" -- validate-quality \
    --rules "$RULES" --rejects "$WORK/rejects" "$WORK/a" "$WORK/absent" "$WORK/b"
assert_eq "2 4 5 7 9" "$(jq -r .line "$WORK/rejects" | tr '\n' ' ' | sed 's/ $//')" \
    "two files: line numbers as if concatenated"
assert_eq "a:2 b:1 b:2 b:4 b:6" \
    "$(jq -r '"\(.file | sub(".*/"; "")):\(.file_line)"' "$WORK/rejects" | tr '\n' ' ' | sed 's/ $//')" \
    "two files: each reject names its file and line"
assert_eq 4 "$(lines "$WORK/out")" "two files: lines passed"
assert_contains "$WORK/err" "$WORK/absent: No such file or directory" "two files: missing file named"
assert_contains "$WORK/err" "9 lines: 4 passed" "two files: summary over both"

# "-" is standard input among the operands.
assert_status 65 "dash operand: exit status" -- sh -c \
    'validate-quality --rules "$1" --rejects "$2" "$3" - <"$4"' sh \
    "$RULES" "$WORK/rejects" "$WORK/a" "$WORK/b"
assert_eq "2 4 5 7 9" "$(jq -r .line "$WORK/rejects" | tr '\n' ' ' | sed 's/ $//')" \
    "dash operand: line numbers as if concatenated"
assert_eq "null:1 null:2 null:4 null:6" \
    "$(jq -r 'select(.line > 3) | "\(.file):\(.file_line)"' "$WORK/rejects" | tr '\n' ' ' | sed 's/ $//')" \
    "dash operand: standard input has a null file"

# Without --rejects each reject is a warning on stderr naming FILE:LINE.
assert_status 65 "rejects on stderr: exit status" -- validate-quality \
    --rules "$RULES" "$WORK/four"
assert_contains "$WORK/err" "warning: $WORK/four:2: nonnegative-amount: revenue value -2 is below the minimum 0" \
    "rejects on stderr: file, line and reason"
assert_contains "$WORK/err" "warning: $WORK/four:4: nonnegative-amount: revenue value -4 is below the minimum 0" \
    "rejects on stderr: second reject"

finish
