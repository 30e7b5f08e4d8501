# Shared helpers for the tool-level and integration test scripts.
# A script sources this file, calls the assertions, and ends with
# `finish`, which exits 0 when every check passed and 1 otherwise.
# Exit status 77 means the test was skipped, with the reason last.

set -u
checks=0
check_failures=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/corpintel-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

fail() {
	check_failures=$((check_failures + 1))
	echo "not ok: $*"
}

ok() {
	echo "ok: $*"
}

# assert_eq EXPECTED ACTUAL DESCRIPTION
assert_eq() {
	checks=$((checks + 1))
	if [ "$1" = "$2" ]; then
		ok "$3"
	else
		fail "$3: expected '$1', got '$2'"
	fi
}

# assert_status EXPECTED DESCRIPTION -- COMMAND...
# Runs the command with its output in $WORK/out and $WORK/err.
assert_status() {
	expected=$1 description=$2
	shift 3
	"$@" >"$WORK/out" 2>"$WORK/err"
	actual=$?
	checks=$((checks + 1))
	if [ "$actual" = "$expected" ]; then
		ok "$description"
	else
		fail "$description: exit status $actual, expected $expected"
		sed 's/^/    stderr: /' "$WORK/err" | head -n 10
	fi
}

# assert_contains FILE TEXT DESCRIPTION
assert_contains() {
	checks=$((checks + 1))
	if grep -qF -- "$2" "$1"; then
		ok "$3"
	else
		fail "$3: '$2' not found in $(basename "$1")"
		head -n 5 "$1" | sed 's/^/    /'
	fi
}

# assert_files_equal EXPECTED ACTUAL DESCRIPTION
assert_files_equal() {
	checks=$((checks + 1))
	if cmp -s "$1" "$2"; then
		ok "$3"
	else
		fail "$3: files differ"
		diff "$1" "$2" | head -n 20 | sed 's/^/    /'
	fi
}

skip() {
	echo "skipped: $*"
	exit 77
}

lines() {
	if [ -f "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi
}

finish() {
	echo "$checks checks, $check_failures failed"
	[ "$checks" -gt 0 ] || { echo "no check ran"; exit 1; }
	[ "$check_failures" -eq 0 ]
	exit $?
}
