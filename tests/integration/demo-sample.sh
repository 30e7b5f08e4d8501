# make demo's script on the fictional sample set: the first table it
# prints shows, per company, the values written by hand in
# tests/fixtures/demo/README.md (fiscal 2024 revenue in millions, YoY
# growth and margins, rounded to one decimal); the performance table adds
# the valuation from the sample Yahoo quotes; the HTML report is written.

. "$TOP/tests/lib.sh"

command -v psql >/dev/null || skip "psql not installed (scripts/install-deps installs it)"
eval "$(sh "$TOP/scripts/pg-start")" || skip "PostgreSQL could not be started"
PGDATABASE=demo_sample_$$
export PGDATABASE
createdb "$PGDATABASE" || { fail "createdb $PGDATABASE"; finish; }
trap 'dropdb --if-exists "$PGDATABASE" >/dev/null 2>&1; rm -rf "$WORK"' EXIT

DEMO_OUT=$WORK/demo DEMO_DATA= SEC_USER_AGENT= bash "$TOP/scripts/demo" \
	>"$WORK/table.txt" 2>"$WORK/demo.err"
assert_eq 0 $? "demo runs to the end"

# One row per company: ticker, fiscal year, revenue, YoY, gross,
# operating and net margin, with psql's column separators removed.
row() {
	awk -F'|' -v ticker="$1" '
		/^Performance/ { exit }
		{ for (i = 1; i <= NF; i++) gsub(/^ +| +$/, "", $i) }
		$1 == ticker { print $1, $3, $5, $6, $7, $8, $9 }' "$WORK/table.txt"
}

# A row of the performance table: ticker, category, market cap, P/E,
# rank in category.
performance() {
	awk -F'|' -v ticker="$1" '
		/^Performance/ { started = 1 }
		{ for (i = 1; i <= NF; i++) gsub(/^ +| +$/, "", $i) }
		started && $1 == ticker { print $1 "|" $2 "|" $6 "|" $7 "|" $8 }' "$WORK/table.txt"
}
# SLXL 2024: revenue 527.8; YoY 527.8 / 473.2 - 1 = 11.5 %;
# margins 372.5 / 527.8, 82.0 / 527.8, 61.4 / 527.8.
assert_eq "SLXL 2024 527.8 USD 11.5 % 70.6 % 15.5 % 11.6 %" "$(row SLXL)" \
	"SLXL row matches the hand-computed values"
# EXCH 2024 (June year end): 1,275.8; 1,275.8 / 1,204.3 - 1 = 5.9 %.
assert_eq "EXCH 2024 1,275.8 USD 5.9 % 53.7 % 12.0 % 8.9 %" "$(row EXCH)" \
	"EXCH row matches the hand-computed values"
# DTBR 2024: 197.5; 197.5 / 177.6 - 1 = 11.2 %; first profitable year.
assert_eq "DTBR 2024 197.5 USD 11.2 % 63.5 % 1.4 % 2.5 %" "$(row DTBR)" \
	"DTBR row matches the hand-computed values"
assert_eq 0 "$(cat "$WORK"/demo/*rejects.ndjson | wc -l | tr -d ' ')" \
	"the sample set has no rejects"

# Valuation from tests/fixtures/demo/yahoo: SLXL closes at 29.00 with
# 42,344,828 shares (market cap 1,228 M) and fiscal 2024 EPS of 1.45, so
# P/E = 29.00 / 1.45 = 20.0; its 527.8 M of revenue beats DTBR's 197.5 M
# in online learning.
assert_eq "SLXL|online learning|1,228 M|20.0|1" "$(performance SLXL)" \
	"SLXL performance row"
# EXCH: 31.05 / 2.07 = 15.0, alone in higher education.
assert_eq "EXCH|higher education|1,707 M|15.0|1" "$(performance EXCH)" \
	"EXCH performance row"
# DTBR: 4.50 / 0.05 = 90.0.
assert_eq "DTBR|online learning|450 M|90.0|2" "$(performance DTBR)" \
	"DTBR performance row"
assert_eq 15 "$(psql -X -At -c 'SELECT count(*) FROM stock_prices')" \
	"five daily bars per company stored"

# The report: online learning's concentration, shares 527.8 / 725.3 and
# 197.5 / 725.3, so HHI = 72.77^2 + 27.23^2 = 6037.
assert_contains "$WORK/demo/report.html" "HHI 6037" "report shows the HHI"
assert_contains "$WORK/demo/report.html" "Sample Lexicon Learning" \
	"report names the companies"

# A second run without Yahoo data into the same folder removes the Yahoo
# files of the first run, so none reads as its own, and keeps a file the
# demo did not write.
echo "kept" >"$WORK/demo/notes.txt"
DEMO_OUT=$WORK/demo DEMO_DATA=$TOP/tests/fixtures/demo/companyfacts \
	DEMO_UNIVERSE=$TOP/tests/fixtures/demo/universe.yaml DEMO_YAHOO= \
	bash "$TOP/scripts/demo" >"$WORK/table3.txt" 2>"$WORK/demo3.err"
assert_eq 0 $? "second demo run without Yahoo"
assert_eq 0 "$(ls "$WORK/demo" | grep -c '^yahoo-')" "no Yahoo file left from the first run"
assert_eq 1 "$(ls "$WORK/demo" | grep -c '^sec-normalized.ndjson$')" "SEC output of the second run"
assert_eq kept "$(cat "$WORK/demo/notes.txt")" "a file the demo did not write stays"

# A missing data folder stops the demo before it touches the database.
DEMO_OUT=$WORK/demo2 DEMO_DATA=$WORK/absent bash "$TOP/scripts/demo" \
	>"$WORK/table2.txt" 2>"$WORK/demo2.err"
assert_eq 66 $? "missing DEMO_DATA folder exits 66"
assert_contains "$WORK/demo2.err" "no such folder" "missing folder is named"
assert_eq 0 "$(lines "$WORK/table2.txt")" "no table for a missing folder"

finish
