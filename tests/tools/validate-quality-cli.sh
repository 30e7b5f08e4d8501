# validate-quality: the command line: --help, --version, bad options and
# values, the rules file (default location, missing, invalid) and files
# that cannot be read or written.
. "$TOP/tests/lib.sh"

FIX=$TOP/tests/fixtures/quality
mkdir "$WORK/schemas"
cp "$TOP/schemas/quality.yaml" "$TOP"/schemas/*.schema.json "$FIX/metrics.yaml" "$WORK/schemas/"
RULES=$WORK/schemas/quality.yaml
export CORPINTEL_TODAY=2024-06-30

assert_status 0 "--help: exit status" -- validate-quality --help
assert_contains "$WORK/out" "usage: validate-quality [--rules FILE]" "--help: usage on stdout"
assert_contains "$WORK/out" "--max-reject-ratio" "--help: tool options listed"
assert_contains "$WORK/out" "--metrics-file" "--help: shared options listed"
assert_eq 0 "$(lines "$WORK/err")" "--help: nothing on stderr"

assert_status 0 "--version: exit status" -- validate-quality --version
assert_contains "$WORK/out" "validate-quality (corpintel) " "--version: name and version"

assert_status 64 "bad option: exit status" -- validate-quality --no-such-option
assert_contains "$WORK/err" "Try 'validate-quality --help'" "bad option: hint"
assert_eq 0 "$(lines "$WORK/out")" "bad option: nothing on stdout"

for ratio in 2 -0.1 abc "" nan 0.5x; do
	assert_status 64 "--max-reject-ratio '$ratio': exit status" -- \
	    validate-quality --rules "$RULES" --max-reject-ratio "$ratio"
done
assert_contains "$WORK/err" "invalid --max-reject-ratio '0.5x': use a number from 0 to 1" \
    "bad ratio: message names the value"
for bytes in 0 -5 12k ""; do
	assert_status 64 "--max-line-bytes '$bytes': exit status" -- \
	    validate-quality --rules "$RULES" --max-line-bytes "$bytes"
done
assert_contains "$WORK/err" "invalid --max-line-bytes '': use a positive number of bytes" \
    "bad line limit: message names the value"

# Without --rules, quality.yaml is read from the schema folder.
assert_status 65 "default rules: exit status" -- sh -c \
    'printf "%s\n" "{\"kind\":\"company\",\"cik\":\"1\",\"name\":\"x\"}" |
    CORPINTEL_SCHEMA_DIR="$1" validate-quality' sh "$WORK/schemas"
assert_contains "$WORK/err" 'cik "1" does not match the pattern' "default rules: applied"
assert_status 66 "default rules missing: exit status" -- sh -c \
    'CORPINTEL_SCHEMA_DIR="$1" validate-quality </dev/null' sh "$WORK/nowhere"
assert_contains "$WORK/err" "$WORK/nowhere/quality.yaml: cannot read rules file: No such file or directory" \
    "default rules missing: path named"

# The rules shipped in schemas/ load with the vocabulary shipped beside
# them, once that file exists.
if [ -f "$TOP/schemas/metrics.yaml" ]; then
	assert_status 0 "shipped rules and vocabulary: exit status" -- \
	    validate-quality --rules "$TOP/schemas/quality.yaml" "$FIX/valid.ndjson"
	assert_files_equal "$FIX/valid.ndjson" "$WORK/out" \
	    "shipped rules and vocabulary: valid records passed"
fi

assert_status 66 "missing rules file: exit status" -- \
    validate-quality --rules "$WORK/absent.yaml"
assert_contains "$WORK/err" "$WORK/absent.yaml: cannot read rules file" \
    "missing rules file: path named"

cat >"$WORK/bad.yaml" <<'RULES'
kinds:
  metric:
    - name: revenue-range
      check: range
      member: value
      minimum: zero
RULES
assert_status 78 "invalid rules file: exit status" -- \
    validate-quality --rules "$WORK/bad.yaml" </dev/null
assert_contains "$WORK/err" "invalid rules file: $WORK/bad.yaml:6: rule revenue-range: minimum is not a number" \
    "invalid rules file: file, line and rule named"

printf 'kinds: [\n' >"$WORK/broken.yaml"
assert_status 78 "broken YAML: exit status" -- \
    validate-quality --rules "$WORK/broken.yaml" </dev/null
assert_contains "$WORK/err" "$WORK/broken.yaml:" "broken YAML: file named"

sed 's/vocabulary: metrics.yaml/vocabulary: nowhere.yaml/' "$RULES" >"$WORK/novocab.yaml"
assert_status 78 "missing vocabulary: exit status" -- \
    validate-quality --rules "$WORK/novocab.yaml" </dev/null
assert_contains "$WORK/err" "nowhere.yaml" "missing vocabulary: file named"

assert_status 66 "missing input file: exit status" -- \
    validate-quality --rules "$RULES" "$WORK/absent.ndjson"
assert_contains "$WORK/err" "$WORK/absent.ndjson: No such file or directory" \
    "missing input file: path named"

assert_status 74 "reject file not writable: exit status" -- \
    validate-quality --rules "$RULES" --rejects "$WORK/no/such/dir/rejects" </dev/null
assert_contains "$WORK/err" "$WORK/no/such/dir/rejects: cannot open reject file" \
    "reject file not writable: path named"

assert_status 74 "report not writable: exit status" -- \
    validate-quality --rules "$RULES" --report "$WORK/no/such/dir/report.json" \
    "$FIX/valid.ndjson"
assert_files_equal "$FIX/valid.ndjson" "$WORK/out" "report not writable: records still passed"
assert_contains "$WORK/err" "$WORK/no/such/dir/report.json: cannot write report" \
    "report not writable: path named"

# Option defaults from the validate-quality section of --config; the
# command line takes precedence.
printf '%s\n' "$(sed -n 2p "$FIX/valid.ndjson")" |
    jq -c '.value = -1' >"$WORK/negative"
cat "$FIX/valid.ndjson" "$WORK/negative" >"$WORK/in"	# 1 of 13 rejected
cat >"$WORK/config.yaml" <<CONFIG
transform:
  pass-through: true
validate-quality:
  rules: $RULES
  rejects: $WORK/config-rejects
  max-reject-ratio: 0.1
  reject-unknown-kinds: true
CONFIG
assert_status 0 "config: exit status" -- \
    validate-quality --config "$WORK/config.yaml" "$WORK/in"
assert_eq 13 "$(jq .line "$WORK/config-rejects")" "config: reject file from config"
assert_status 65 "config: command line takes precedence" -- \
    validate-quality --config "$WORK/config.yaml" --max-reject-ratio 0.05 "$WORK/in"
printf '%s\n' '{"kind":"price"}' >"$WORK/price"
assert_status 65 "config: reject-unknown-kinds applied" -- \
    validate-quality --config "$WORK/config.yaml" "$WORK/price"
printf 'validate-quality:\n  max-reject-ratio: 2\n' >"$WORK/bad-config.yaml"
assert_status 78 "config: invalid value: exit status" -- \
    validate-quality --config "$WORK/bad-config.yaml" --rules "$RULES" </dev/null
assert_contains "$WORK/err" "$WORK/bad-config.yaml:2: invalid value for 'max-reject-ratio'" \
    "config: invalid value: file, line and key named"
printf 'validate-quality:\n  ruls: x\n' >"$WORK/bad-config.yaml"
assert_status 78 "config: unknown key: exit status" -- \
    validate-quality --config "$WORK/bad-config.yaml" --rules "$RULES" </dev/null
assert_status 78 "config: missing file: exit status" -- \
    validate-quality --config "$WORK/absent-config.yaml" --rules "$RULES" </dev/null

# A reader that stops early ends the run quietly: 16384 company lines
# are more than a pipe holds, so the writes after head exits fail.
head -n 1 "$FIX/valid.ndjson" >"$WORK/one"
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14; do
	cat "$WORK/one" "$WORK/one" >"$WORK/two"
	mv "$WORK/two" "$WORK/one"
done
assert_eq 16384 "$(lines "$WORK/one")" "closed pipe: input size"
{ validate-quality --rules "$RULES" "$WORK/one" 2>"$WORK/pipe-err"; echo $? >"$WORK/status"; } |
    head -n 1 >/dev/null
assert_eq 0 "$(cat "$WORK/status")" "closed pipe: exit status"
assert_eq "" "$(grep 'write error' "$WORK/pipe-err")" "closed pipe: no write error"

finish
