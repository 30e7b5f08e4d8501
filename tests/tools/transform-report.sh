# transform --report: one static, self-contained HTML page with the
# performance table and SVG charts, escaped, and rendered by headless
# Chromium when it is installed.
. "$TOP/tests/lib.sh"

fixtures=$TOP/tests/fixtures/transform

assert_status 0 "report written" -- \
	transform --universe "$fixtures/universe.yaml" --as-of 2024-06-30 \
	--report "$WORK/report.html" "$fixtures/marts.ndjson"
assert_eq 10 "$(grep -c '"kind":"mart_' "$WORK/out")" "mart rows still on stdout"
report=$WORK/report.html
[ -s "$report" ] || { fail "report is empty"; finish; }
assert_eq 0 "$(ls "$WORK" | grep -c 'report.html.tmp')" "no temporary file left"

# A report that cannot be written stops the run before any record is
# written, and the message names the report's path.
assert_status 74 "report in a missing folder" -- \
	transform --universe "$fixtures/universe.yaml" --as-of 2024-06-30 \
	--report "$WORK/absent/report.html" "$fixtures/marts.ndjson"
assert_contains "$WORK/err" "$WORK/absent/report.html: cannot write the report: No such file or directory" \
	"unwritable report named"
assert_eq 0 "$(lines "$WORK/out")" "no record written before the report fails"
assert_status 64 "report path is a folder" -- \
	transform --universe "$fixtures/universe.yaml" --as-of 2024-06-30 \
	--report "$WORK" "$fixtures/marts.ndjson"
assert_contains "$WORK/err" "$WORK: is a folder: give --report a file name" \
	"folder as report named"
assert_eq 0 "$(lines "$WORK/out")" "no record written for a folder"
assert_status 64 "empty report path" -- \
	transform --universe "$fixtures/universe.yaml" --report "" "$fixtures/marts.ndjson"

# Self-contained: no script, no external resource.  The only URL is the
# SVG namespace name, which browsers never fetch.
assert_eq 0 "$(grep -ci '<script' "$report")" "no script"
assert_eq 0 "$(grep -Eci '(src|href)=' "$report")" "no external resource"
assert_eq 0 "$(grep -o 'https\?://[^"]*' "$report" | grep -vc '^http://www.w3.org/2000/svg$')" \
	"no URL but the SVG namespace"

# The content: the table with a row per company with a cik, the
# charts, the landscape, and the companies without data.
assert_contains "$report" '<title>Company performance as of 2024-06-30</title>' "title"
assert_eq 10 "$(grep -c '^<tr><td>' "$report")" \
	"seven company rows and three landscape rows"
assert_eq 2 "$(grep -c 'aria-label="Revenue shares in the category"' "$report")" \
	"a share chart for online learning and China, none for K-12"
assert_contains "$report" 'aria-label="Twelve-month revenue per company"' "revenue chart"
assert_contains "$report" 'aria-label="Revenue growth per company"' "growth chart"
assert_contains "$report" '<td>BBB</td><td>Beta Courses, Inc.</td><td>online learning</td><td>USD</td>' \
	"BBB row"
# BBB's share of online learning: 940 / 1590 = 59.1%; HHI 4533.
assert_contains "$report" 'BBB 59.1%' "share legend"
assert_contains "$report" 'HHI 4533, top three 96.9%' "concentration line"
assert_contains "$report" '<li>NOC (No Cik Limited): no cik in the universe file, so no row; no longer listed</li>' \
	"company without cik listed"
assert_contains "$report" '<li>DDD (Delta Academy, Inc.): no data in the input</li>' \
	"company without data listed"

# Amounts in millions: OLD's annual revenue of 50 dollars is 0.000050 M,
# in fixed notation rather than 5e-05.
assert_contains "$report" '<td>OLD</td><td>Old School, Inc.</td><td>online learning</td><td>USD</td><td class="n">n/a</td><td class="n">0.000050</td>' \
	"small amount in fixed notation"
assert_eq 0 "$(grep -c '[0-9]e[-+][0-9]' "$report")" "no exponent notation"

# The ranks rank revenue, and the wide table scrolls in its own box.
assert_contains "$report" '<th>Revenue rank in category</th><th>Revenue rank overall</th>' \
	"rank headings name revenue"
assert_contains "$report" '<div class="wide">' "table in a scrolling box"

# Escaping: the name "Alpha Learning & Co. <AAA>" is text, not markup.
assert_contains "$report" 'Alpha Learning &amp; Co. &lt;AAA&gt;' "name escaped"
assert_eq 0 "$(grep -c '<AAA>' "$report")" "no raw markup from the data"

# A hostile name stays text.
sed 's/name: "Beta Courses, Inc."/name: "<\/td><script>alert(\x27x\x27)<\/script>"/' \
	"$fixtures/universe.yaml" >"$WORK/hostile.yaml"
assert_status 0 "hostile name" -- \
	transform --universe "$WORK/hostile.yaml" --as-of 2024-06-30 \
	--report "$WORK/hostile.html" "$fixtures/marts.ndjson"
assert_eq 0 "$(grep -ci '<script' "$WORK/hostile.html")" "hostile name escaped"
assert_contains "$WORK/hostile.html" '&lt;/td&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;' \
	"hostile name as text"

# Well-formed as XML, and valid HTML apart from the SVG elements, which
# libxml2's HTML 4 parser does not know.
if command -v xmllint >/dev/null; then
	xmllint --noout "$report" 2>"$WORK/xml.err"
	assert_eq 0 $? "report is well-formed XML"
	xmllint --html --noout "$report" 2>&1 | grep 'error' |
		grep -v 'Tag \(svg\|text\|rect\|line\) invalid' >"$WORK/html.err"
	assert_eq 0 "$(lines "$WORK/html.err")" "no HTML errors but SVG tags"
else
	echo "note: xmllint not installed: HTML not checked"
fi

chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
	echo "note: chromium not installed (scripts/install-deps installs it): rendering not checked"
	finish
fi

# Rendering: Chromium draws the page offline (network features off, a
# throwaway profile) and its DOM has the table.
render() {
	profile=$(mktemp -d "$WORK/chromium.XXXXXX")
	timeout 120 "$chromium" --headless --no-sandbox --disable-gpu \
		--disable-quic --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync \
		--user-data-dir="$profile" --window-size=1400,1800 "$@"
}
render --screenshot="$WORK/report.png" "file://$report" >/dev/null 2>"$WORK/shot.err"
assert_eq 0 $? "chromium screenshot"
[ -s "$WORK/report.png" ]
assert_eq 0 $? "screenshot not empty"
assert_eq '89504e47' "$(od -An -tx1 -N4 "$WORK/report.png" | tr -d ' \n')" \
	"screenshot is a PNG"

render --dump-dom "file://$report" >"$WORK/dom.html" 2>"$WORK/dom.err"
assert_eq 0 $? "chromium dump-dom"
assert_contains "$WORK/dom.html" '<h2 id="performance">Company performance</h2>' \
	"DOM has the performance heading"
assert_contains "$WORK/dom.html" '<td>AAA</td><td>Alpha Learning &amp; Co. &lt;AAA&gt;</td>' \
	"DOM has the table rows"
assert_eq 0 "$(grep -ci 'uncaught\|console' "$WORK/dom.err" "$WORK/shot.err" | awk -F: '{ s += $2 } END { print s + 0 }')" \
	"no page errors"

finish
