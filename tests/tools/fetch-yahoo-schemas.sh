# fetch-yahoo's records, from the fixtures and the recorded responses,
# against their JSON Schemas in schemas/.
. "$TOP/tests/lib.sh"

# Debian's interpreter, which has python3-jsonschema, before any other on PATH.
python=/usr/bin/python3
[ -x "$python" ] || python=python3

"$python" -c 'import jsonschema' 2>/dev/null ||
	skip "python3 with jsonschema (Debian python3-jsonschema) is needed"

fixtures=$TOP/tests/fixtures/fetch-yahoo
for f in "$fixtures"/v8/finance/chart/EXA.AX "$fixtures"/v8/finance/chart/DEMO-B \
    "$fixtures"/ws/fundamentals-timeseries/v1/finance/timeseries/DEMO-B \
    "$fixtures"/v10/finance/quoteSummary/DEMO-B; do
	fetch-yahoo --input "$f" 2>/dev/null
done >"$WORK/records"
if [ -d "$SHARED_DATA/yahoo" ]; then
	for f in "$SHARED_DATA"/yahoo/chart/*.json "$SHARED_DATA"/yahoo/timeseries/*.json \
	    "$SHARED_DATA"/yahoo/quotesummary/*-all-modules*.json; do
		fetch-yahoo --input "$f" 2>/dev/null
	done >>"$WORK/records"
fi

# validate KIND: the number of records of KIND that break its schema,
# with the first few reasons on stderr.
validate() {
	"$python" - "$CORPINTEL_SCHEMA_DIR/$1.schema.json" "$1" "$WORK/records" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
validator = jsonschema.Draft202012Validator(schema)
bad = 0
for line in open(sys.argv[3]):
    record = json.loads(line)
    if record["kind"] != sys.argv[2]:
        continue
    errors = list(validator.iter_errors(record))
    if errors:
        bad += 1
        if bad <= 3:
            print(errors[0].message, file=sys.stderr)
print(bad)
PY
}

for kind in yahoo_bar yahoo_event yahoo_fundamental yahoo_quote; do
	n=$(grep -c "\"kind\":\"$kind\"" "$WORK/records")
	assert_eq yes "$([ "$n" -gt 0 ] && echo yes || echo no)" "$kind: $n records to check"
	assert_eq 0 "$(validate "$kind")" "$kind: every record fits the schema"
done

# The schema rejects what the tool must never write.
printf '%s\n' '{"kind":"yahoo_event","symbol":"X","date":"2024-01-02","type":"split","amount":null,"numerator":0,"denominator":1,"currency":null,"exchange":null,"timezone":null}' >"$WORK/records"
assert_eq 1 "$(validate yahoo_event 2>/dev/null)" "a zero split numerator breaks the schema"

finish
