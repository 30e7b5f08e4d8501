# transform: the command line: help, version, bad options, missing
# files, --config.
. "$TOP/tests/lib.sh"

fixtures=$TOP/tests/fixtures/transform

assert_status 0 "--help" -- transform --help
assert_contains "$WORK/out" "usage: transform [options] [FILE...]" "help shows usage"
assert_contains "$WORK/out" "--pass-through" "help lists --pass-through"
assert_contains "$WORK/out" "--max-reject-ratio" "help lists --max-reject-ratio"

assert_status 0 "--version" -- transform --version
assert_contains "$WORK/out" "transform (corpintel) " "version line"

assert_status 64 "unknown option" -- transform --no-such-option
assert_contains "$WORK/err" "Try 'transform --help'" "hint after a bad option"

assert_status 64 "bad ratio" -- transform --max-reject-ratio 2
assert_contains "$WORK/err" "invalid --max-reject-ratio '2': use a number from 0 to 1" \
	"ratio message"
assert_status 64 "bad line limit" -- transform --max-line-bytes 0
assert_status 64 "bad log format" -- transform --log-format xml

assert_status 66 "missing input file" -- \
	transform "$fixtures/metrics.ndjson" "$WORK/absent.ndjson"
assert_contains "$WORK/err" "absent.ndjson: No such file or directory" \
	"missing file named"
assert_eq 0 "$(lines "$WORK/out")" "nothing written before the check"

# Empty input: no records, a summary of zeros.
assert_status 0 "empty input" -- transform /dev/null
assert_eq 0 "$(lines "$WORK/out")" "no output for empty input"
assert_contains "$WORK/err" "0 lines: 0 metric records" "empty summary"

# --config sets defaults; the command line wins over it.
cat >"$WORK/config.yaml" <<'YAML'
transform:
  pass-through: true
  max-reject-ratio: 0.1
YAML
assert_status 0 "config pass-through" -- \
	transform --config "$WORK/config.yaml" "$fixtures/metrics.ndjson"
assert_eq 28 "$(lines "$WORK/out")" "config turns on pass-through"
assert_status 65 "config reject ratio" -- \
	transform --config "$WORK/config.yaml" "$fixtures/bad-lines.ndjson"
assert_status 0 "command line over config" -- \
	transform --config "$WORK/config.yaml" --max-reject-ratio 1 \
	"$fixtures/bad-lines.ndjson"

printf 'transform:\n  colour: blue\n' >"$WORK/unknown.yaml"
assert_status 78 "unknown config key" -- transform --config "$WORK/unknown.yaml" /dev/null
assert_contains "$WORK/err" "unknown.yaml:2: unknown transform option 'colour'" \
	"unknown key named with its line"

# JSON logs for collectors.
assert_status 0 "json log format" -- \
	transform --log-format json "$fixtures/metrics.ndjson"
assert_contains "$WORK/err" '"level":"info","tool":"transform","message":"20 lines:' \
	"summary as a JSON log line"

# A closed pipe is a normal end.
transform --pass-through "$fixtures/metrics.ndjson" 2>"$WORK/pipe-err" | head -n 1 >/dev/null
assert_eq 0 "$(grep -c 'write error' "$WORK/pipe-err")" "no error on a closed pipe"

finish
