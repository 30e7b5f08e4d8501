# make install into a staging folder: the six programs, the schemas and
# migrations, and man pages that man(1) renders without warnings.

. "$TOP/tests/lib.sh"

stage=$WORK/stage
make -s -C "$TOP" BUILD="$BUILD" install DESTDIR="$stage" PREFIX=/usr/local \
	>"$WORK/install.out" 2>&1
assert_eq 0 $? "make install DESTDIR succeeds"

for tool in fetch-sec fetch-yahoo normalize validate-quality load-timescale transform; do
	program=$stage/usr/local/bin/$tool
	checks=$((checks + 1))
	if [ -x "$program" ]; then ok "$tool installed"; else fail "$tool not installed"; continue; fi
	version=$("$program" --version)
	assert_eq "$tool (corpintel) " "${version%[0-9]*.[0-9]*.[0-9]*}" "$tool --version names the tool"
	checks=$((checks + 1))
	if [ -f "$stage/usr/local/share/man/man1/$tool.1" ]; then
		ok "$tool.1 installed"
	else
		fail "$tool.1 not installed"
	fi
done

for file in metrics.yaml quality.yaml metric.schema.json migrations/0001_init.up.sql \
    pipelines/sec-nightly.sh pipelines/universe/edtech.yaml \
    pipelines/systemd/corpintel-sec-nightly.service; do
	checks=$((checks + 1))
	if [ -f "$stage/usr/local/share/corpintel/$file" ]; then
		ok "$file installed"
	else
		fail "$file not installed"
	fi
done

command -v man >/dev/null || skip "man not installed (scripts/install-deps installs man-db)"
for page in "$stage"/usr/local/share/man/man*/*; do
	MANWIDTH=80 man -l "$page" >"$WORK/page.txt" 2>"$WORK/page.err"
	assert_eq "0 0" "$? $(wc -c <"$WORK/page.err" | tr -d ' ')" \
		"$(basename "$page") renders without warnings"
	assert_contains "$WORK/page.txt" "NAME" "$(basename "$page") has a NAME section"
done

finish
