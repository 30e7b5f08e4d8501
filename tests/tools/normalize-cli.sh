# normalize: the command line, the mapping and universe files, and input
# that is not grouped by company.
. "$TOP/tests/lib.sh"

fixtures=$TOP/tests/fixtures/normalize

assert_status 0 "--help" -- normalize --help
assert_contains "$WORK/out" "usage: normalize [options] [FILE...]" "usage line"
assert_contains "$WORK/out" "--mapping=FILE" "mapping option listed"
assert_contains "$WORK/out" "Exit status:" "exit statuses listed"

assert_status 0 "--version" -- normalize --version
assert_contains "$WORK/out" "normalize (corpintel) " "version line"

assert_status 64 "bad option" -- normalize --no-such-option
assert_contains "$WORK/err" "Try 'normalize --help'" "hint after a bad option"
assert_status 64 "ratio above 1" -- normalize --max-reject-ratio 2
assert_contains "$WORK/err" "invalid --max-reject-ratio '2'" "bad ratio named"
assert_status 64 "zero line limit" -- normalize --max-line-bytes 0
assert_contains "$WORK/err" "invalid --max-line-bytes '0'" "bad limit named"

# A missing input file is reported; the other files are still read.
assert_status 66 "missing input file" -- \
	normalize "$WORK/no-such-file" "$fixtures/facts.ndjson"
assert_contains "$WORK/err" "no-such-file: No such file or directory" \
	"missing file named"
assert_contains "$WORK/err" "31 lines: 15 metric records out" "other file read"

# The mapping file.
assert_status 66 "missing mapping" -- \
	normalize --mapping "$WORK/none.yaml" "$fixtures/facts.ndjson"
assert_contains "$WORK/err" "none.yaml: cannot read mapping file" "missing mapping named"
assert_eq 0 "$(lines "$WORK/out")" "nothing written without a mapping"

cat >"$WORK/bad-kind.yaml" <<'EOF'
metrics:
  - name: revenue
    kind: flows
    unit_kind: currency
    concepts: [us-gaap:Revenues]
EOF
assert_status 78 "invalid metric kind" -- \
	normalize --mapping "$WORK/bad-kind.yaml" "$fixtures/facts.ndjson"
assert_contains "$WORK/err" "bad-kind.yaml:2: metric 'revenue': kind must be flow or instant" \
	"bad kind named with its line"

cat >"$WORK/twice.yaml" <<'EOF'
metrics:
  - name: revenue
    kind: flow
    unit_kind: currency
    concepts: [us-gaap:Revenues]
  - name: sales
    kind: flow
    unit_kind: currency
    concepts: [us-gaap:Revenues]
EOF
assert_status 78 "concept listed twice" -- \
	normalize --mapping "$WORK/twice.yaml" "$fixtures/facts.ndjson"
assert_contains "$WORK/err" "concept us-gaap:Revenues is listed twice" \
	"duplicate concept named"

cat >"$WORK/no-colon.yaml" <<'EOF'
metrics:
  - name: revenue
    kind: flow
    unit_kind: currency
    concepts:
      - Revenues
EOF
assert_status 78 "concept without taxonomy" -- \
	normalize --mapping "$WORK/no-colon.yaml" "$fixtures/facts.ndjson"
assert_contains "$WORK/err" "no-colon.yaml:6: metric 'revenue': a concept must be written taxonomy:Concept" \
	"bare concept named with its line"

# A smaller mapping: only Revenues maps, so the ASC 606 concept is
# unmapped and fiscal 2025 revenue comes from the 10-K/A.
cat >"$WORK/revenues-only.yaml" <<'EOF'
metrics:
  - name: revenue
    kind: flow
    unit_kind: currency
    concepts: [us-gaap:Revenues]
  - name: revenue_growth_yoy
    kind: flow
    unit_kind: pure
    derived: true
    derivation: revenue / revenue a year earlier - 1
EOF
assert_status 0 "custom mapping" -- \
	normalize --mapping "$WORK/revenues-only.yaml" "$fixtures/facts.ndjson"
assert_contains "$WORK/out" '"metric":"revenue","value":1999999,' \
	"only listed concepts map"
assert_eq 3 "$(grep -c '"kind":"metric"' "$WORK/out")" "three revenue records"

printf 'metrics:\n  - name: net_margin\n    derived: true\n' >"$WORK/no-formula.yaml"
assert_status 78 "derived metric without formula" -- \
	normalize --mapping "$WORK/no-formula.yaml" "$fixtures/facts.ndjson"
assert_contains "$WORK/err" "no-formula.yaml:2: metric 'net_margin': a derived metric needs its derivation formula" \
	"missing formula named"

# The schema folder supplies the default mapping.
assert_status 66 "default mapping from the schema folder" -- \
	env CORPINTEL_SCHEMA_DIR="$WORK/empty" normalize "$fixtures/facts.ndjson"
assert_contains "$WORK/err" "$WORK/empty/metrics.yaml: cannot read mapping file" \
	"default mapping path"

# The universe file.
assert_status 66 "missing universe" -- \
	normalize --universe "$WORK/none.yaml" "$fixtures/facts.ndjson"
assert_contains "$WORK/err" "none.yaml: cannot read universe file" "missing universe named"
printf 'companies:\n  - name: No Ticker\n    category: x\n' >"$WORK/bad-universe.yaml"
assert_status 78 "universe entry without ticker or cik" -- \
	normalize --universe "$WORK/bad-universe.yaml" "$fixtures/facts.ndjson"
assert_contains "$WORK/err" "bad-universe.yaml:2: each company needs a ticker or a cik" \
	"bad universe entry named"
printf 'companies:\n  - ticker: X\n    cik: 12345678901\n' >"$WORK/long-cik.yaml"
assert_status 78 "universe cik too long" -- \
	normalize --universe "$WORK/long-cik.yaml" "$fixtures/facts.ndjson"
assert_contains "$WORK/err" "invalid cik '12345678901'" "long cik named"

# Option defaults from --config; the command line wins over them.
cat >"$WORK/config.yaml" <<EOF
normalize:
  universe: $fixtures/universe.yaml
  max-reject-ratio: 0.5
EOF
assert_status 0 "universe from --config" -- \
	normalize --config "$WORK/config.yaml" "$fixtures/facts.ndjson"
assert_contains "$WORK/out" '"category":"online learning"' "config universe used"
printf 'normalize:\n  mapping-file: x\n' >"$WORK/bad-config.yaml"
assert_status 78 "unknown config option" -- \
	normalize --config "$WORK/bad-config.yaml" "$fixtures/facts.ndjson"
assert_contains "$WORK/err" "unknown normalize option 'mapping-file'" "config option named"

# A company whose facts come back after another company's: each run is
# normalized on its own, with a warning, so the key repeats.
sed -n '11p' "$fixtures/facts.ndjson" >"$WORK/split.ndjson"
sed -n '29p' "$fixtures/facts.ndjson" >>"$WORK/split.ndjson"
sed -n '12p' "$fixtures/facts.ndjson" >>"$WORK/split.ndjson"
assert_status 0 "company split in two runs" -- normalize "$WORK/split.ndjson"
assert_contains "$WORK/err" "$WORK/split.ndjson:3: cik 0000000101 appears again after other companies" \
	"split company warned"
assert_eq 2 "$(grep -c '"kind":"company","cik":"0000000101"' "$WORK/out")" \
	"one company record per run"
assert_contains "$WORK/err" "3 lines: 3 metric records out, 0 skipped" \
	"split runs reconcile"

# A universe that lists a ticker twice is ambiguous about which company it means.
printf 'companies:\n  - {ticker: AAA, cik: "1"}\n  - {ticker: AAA, cik: "2"}\n' \
	>"$WORK/repeated.yaml"
assert_status 78 "universe with a repeated ticker is refused" -- \
	normalize --universe "$WORK/repeated.yaml" /dev/null
assert_contains "$WORK/err" "repeated.yaml:3: AAA repeats the ticker of line 2" \
	"the repeated ticker and both lines are named"
assert_status 64 "unknown option" -- normalize --bogus
assert_contains "$WORK/err" "normalize: unrecognized option '--bogus'" \
	"getopt's message names the tool, not its path"

finish
