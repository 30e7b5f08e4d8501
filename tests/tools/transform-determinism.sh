# transform: the output depends on the input records, not on their order
# or on the run.
. "$TOP/tests/lib.sh"

fixtures=$TOP/tests/fixtures/transform

# Two runs on the same input are byte-identical.
transform "$fixtures/metrics.ndjson" >"$WORK/first" 2>/dev/null
transform "$fixtures/metrics.ndjson" >"$WORK/second" 2>/dev/null
assert_files_equal "$WORK/first" "$WORK/second" "two runs identical"
assert_eq 8 "$(lines "$WORK/first")" "eight derived records"

# Shuffled input gives the same output.  The fixture's one repeated key
# (the FY2021 revenue of 180, replaced by 200) is dropped first, because
# there the order decides which value wins.
grep -v '"revenue","value":180,"unit":"USD"' "$fixtures/metrics.ndjson" >"$WORK/unique.ndjson"
assert_eq 19 "$(lines "$WORK/unique.ndjson")" "repeated key dropped"
transform "$WORK/unique.ndjson" >"$WORK/unique-out" 2>/dev/null
assert_files_equal "$WORK/first" "$WORK/unique-out" "same output without the replaced line"

tac "$WORK/unique.ndjson" >"$WORK/reversed.ndjson"
transform "$WORK/reversed.ndjson" >"$WORK/reversed-out" 2>/dev/null
assert_files_equal "$WORK/first" "$WORK/reversed-out" "reversed input"

sort "$WORK/unique.ndjson" >"$WORK/sorted.ndjson"
transform "$WORK/sorted.ndjson" >"$WORK/sorted-out" 2>/dev/null
assert_files_equal "$WORK/first" "$WORK/sorted-out" "input sorted by text"

# A fixed random source makes the shuffle itself repeatable.
for seed in 1 2 3; do
	yes "$seed" | head -c 4096 >"$WORK/seed"
	shuf --random-source="$WORK/seed" "$WORK/unique.ndjson" >"$WORK/shuffled.ndjson"
	transform "$WORK/shuffled.ndjson" >"$WORK/shuffled-out" 2>/dev/null
	assert_files_equal "$WORK/first" "$WORK/shuffled-out" "shuffled input, seed $seed"
done

# With the repeated key, the later line wins: the restated 200 after 180
# gives growth 250 / 200 - 1 = 0.25; reversed, 180 comes last and gives
# 250 / 180 - 1 = 70 / 180 = 0.3888888888888889.
tac "$fixtures/metrics.ndjson" >"$WORK/reversed-all.ndjson"
transform "$WORK/reversed-all.ndjson" >"$WORK/out" 2>/dev/null
assert_contains "$WORK/out" '"metric":"revenue_growth_yoy","value":0.3888888888888889,"unit":"pure","period_type":"annual","period_start":"2022-01-01"' \
	"last line of a key wins"
assert_contains "$WORK/first" '"metric":"revenue_growth_yoy","value":0.25,"unit":"pure","period_type":"annual","period_start":"2022-01-01"' \
	"restated value used in file order"

# The marts and the growth fixture: derived records, TTM sums and mart
# rows do not depend on the input order (neither fixture repeats a key).
cat "$fixtures/marts.ndjson" "$fixtures/growth.ndjson" >"$WORK/marts.ndjson"
transform --universe "$fixtures/universe.yaml" --as-of 2024-06-30 \
	"$WORK/marts.ndjson" >"$WORK/marts-first" 2>/dev/null
for seed in 4 5; do
	yes "$seed" | head -c 4096 >"$WORK/seed"
	shuf --random-source="$WORK/seed" "$WORK/marts.ndjson" >"$WORK/marts-shuffled.ndjson"
	transform --universe "$fixtures/universe.yaml" --as-of 2024-06-30 \
		"$WORK/marts-shuffled.ndjson" >"$WORK/marts-shuffled-out" 2>/dev/null
	assert_files_equal "$WORK/marts-first" "$WORK/marts-shuffled-out" \
		"marts from shuffled input, seed $seed"
done

finish
