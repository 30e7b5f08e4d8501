# An output file (--rejects, --report, --warnings) that is also an input
# would be truncated before a line of it is read: every tool refuses with
# status 64 and leaves the file as it was.

. "$TOP/tests/lib.sh"

printf '%s\n' '{"kind":"note","text":"keep me"}' '{"kind":"note","text":"and me"}' \
	>"$WORK/original.ndjson"

check_refused() {	# description option tool [args]
	description=$1 option=$2
	shift 2
	cp "$WORK/original.ndjson" "$WORK/in.ndjson"
	assert_status 64 "$description: as an argument" -- \
		"$@" "$option" "$WORK/in.ndjson" "$WORK/in.ndjson"
	assert_contains "$WORK/err" "is also an input file" "$description: reason given"
	assert_files_equal "$WORK/original.ndjson" "$WORK/in.ndjson" \
		"$description: input unchanged"

	"$@" "$option" "$WORK/in.ndjson" <"$WORK/in.ndjson" >"$WORK/out" 2>"$WORK/err"
	assert_eq 64 $? "$description: as standard input"
	assert_contains "$WORK/err" "is also the standard input" \
		"$description: standard input named"
	assert_files_equal "$WORK/original.ndjson" "$WORK/in.ndjson" \
		"$description: standard input unchanged"
}

check_refused "normalize --rejects" --rejects normalize
check_refused "validate-quality --rejects" --rejects validate-quality
check_refused "validate-quality --report" --report validate-quality
check_refused "validate-quality --warnings" --warnings validate-quality
check_refused "transform --rejects" --rejects transform

# A distinct reject file is still accepted.
assert_status 0 "a separate reject file works" -- \
	normalize --rejects "$WORK/rejects.ndjson" "$WORK/original.ndjson"
assert_eq 2 "$(lines "$WORK/out")" "both lines passed through"

finish
