# fetch-sec's records and normalize's records made from them fit their
# JSON Schemas: sec_fact, sec_company and sec_filing from the fixtures,
# the recorded SEC documents and an XBRL instance, and filing from
# normalize.
. "$TOP/tests/lib.sh"

# Debian's interpreter, which has python3-jsonschema, before any other on PATH.
python=/usr/bin/python3
[ -x "$python" ] || python=python3

"$python" -c 'import jsonschema' 2>/dev/null || skip "python3 jsonschema not installed"
SCHEMAS=${CORPINTEL_SCHEMA_DIR:-$TOP/schemas}
export CORPINTEL_SCHEMA_DIR=$SCHEMAS
FIXTURES=$TOP/tests/fixtures/sec
unset SEC_USER_AGENT

# validate KIND FILE: the number of records of KIND that break the
# schema, with the first few reasons on stderr.
validate() {
	"$python" - "$SCHEMAS/$1.schema.json" "$1" "$2" <<'PY'
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

fetch-sec --bulk-dir "$FIXTURES/submissions" "$FIXTURES"/api/xbrl/companyfacts/CIK*.json >"$WORK/records" 2>/dev/null
DIR=$SHARED_DATA/sec
if [ -d "$DIR/submissions" ]; then
	fetch-sec "$DIR"/submissions/CIK*.json >>"$WORK/records" 2>/dev/null
	fetch-sec --xbrl-instance "$DIR/xml/aapl-20230701-10-Q-xbrl-instance.xml" \
	    --accession 0000320193-23-000077 --filed 2023-08-04 >>"$WORK/records" 2>/dev/null
fi
for kind in sec_fact sec_company sec_filing; do
	n=$(grep -c "\"kind\":\"$kind\"" "$WORK/records")
	assert_eq yes "$([ "$n" -gt 0 ] && echo yes || echo no)" "$kind: $n records to check"
	assert_eq 0 "$(validate "$kind" "$WORK/records")" "$kind: every record fits the schema"
done

normalize "$WORK/records" >"$WORK/canonical" 2>/dev/null
assert_eq 0 "$(validate filing "$WORK/canonical")" "filing: every record fits the schema"

# The schemas reject what the tools must never write.
printf '%s\n' '{"kind":"sec_filing","cik":"999001","accession":"0000999001-24-000012","form":"10-Q","filed":"2024-05-09","report_date":null,"accepted":null,"primary_document":null,"primary_doc_description":null,"items":null,"size":null,"is_xbrl":null}' >"$WORK/bad"
assert_eq 1 "$(validate sec_filing "$WORK/bad" 2>/dev/null)" "a short CIK breaks the sec_filing schema"

finish
