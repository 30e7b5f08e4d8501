# validate-quality on the recorded SEC company facts: every record that
# fetch-sec and normalize make from them passes unchanged, and broken
# copies of a few of those records are caught by the expected rules.
. "$TOP/tests/lib.sh"

FACTS=$SHARED_DATA/sec/companyfacts
[ -d "$FACTS" ] || skip "no recorded company facts in $FACTS"
command -v fetch-sec >/dev/null && command -v normalize >/dev/null ||
    skip "fetch-sec and normalize are not built"

# change LINE JQ-FILTER FILE: rewrites line LINE of FILE with jq.
change() {
	awk -v n="$1" 'NR == n' "$3" | jq -c "$2" >"$WORK/changed"
	awk -v n="$1" -v f="$WORK/changed" \
	    'NR == n { getline line <f; print line; next } { print }' \
	    "$3" >"$WORK/changed-file"
	mv "$WORK/changed-file" "$3"
}

for file in "$FACTS"/*.json; do
	name=$(basename "$file" .json)
	fetch-sec -q "$file" | normalize -q >"$WORK/records"
	total=$(lines "$WORK/records")

	assert_status 0 "$name: exit status" -- validate-quality \
	    --rejects "$WORK/rejects" --report "$WORK/report.json" "$WORK/records"
	assert_files_equal "$WORK/records" "$WORK/out" "$name: every record passed unchanged"
	assert_eq 0 "$(lines "$WORK/rejects")" "$name: no reject"
	assert_eq "$total $total 0" "$(jq -r '"\(.lines) \(.passed) \(.rejected)"' "$WORK/report.json")" \
	    "$name: report counts"

	# Seed errors into copies of real records.
	cp "$WORK/records" "$WORK/broken"
	revenue=$(grep -n '"metric":"revenue"' "$WORK/broken" | head -n 1 | cut -d: -f1)
	assets=$(grep -n '"metric":"total_assets"' "$WORK/broken" | head -n 1 | cut -d: -f1)
	company=$(grep -n '"kind":"company"' "$WORK/broken" | head -n 1 | cut -d: -f1)
	change "$revenue" '.value = -.value - 1' "$WORK/broken"
	change "$company" '.cik = (.cik | ltrimstr("000"))' "$WORK/broken"
	awk -v n="$assets" 'NR == n' "$WORK/records" >>"$WORK/broken"
	duplicate=$((total + 1))

	assert_status 65 "$name: broken copy: exit status" -- validate-quality \
	    --rejects "$WORK/rejects" "$WORK/broken"
	assert_eq $((total - 2)) "$(lines "$WORK/out")" "$name: broken copy: lines passed"
	assert_eq "$(printf '%s\n' "$company company-pattern" "$revenue nonnegative-amount" "$duplicate metric-duplicate" | sort -n)" \
	    "$(jq -r '"\(.line) \([.errors[].rule] | join(","))"' "$WORK/rejects" | sort -n)" \
	    "$name: broken copy: the seeded lines caught by their rules"
	assert_contains "$WORK/rejects" "first seen on $WORK/broken:$assets" \
	    "$name: broken copy: duplicate names the first line"
done

finish
