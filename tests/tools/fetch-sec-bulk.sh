# fetch-sec without network on bulk input: --bulk-dir folders as SEC's
# companyfacts.zip and submissions.zip unpack, documents concatenated on
# standard input, progress on stderr, and --shard on files.
. "$TOP/tests/lib.sh"

FIXTURES=$TOP/tests/fixtures/sec
FACTS=$FIXTURES/api/xbrl/companyfacts
SUBS=$FIXTURES/submissions
unset SEC_USER_AGENT

facts_in() {
	jq '[.facts[][].units[][] | select((.val | type) == "number"
		and .end != null and .accn != null and .filed != null)] | length' "$@" \
	    | awk '{ n += $1 } END { print n }'
}

# The same records as the files given one by one, with no User-Agent.
fetch-sec "$FACTS"/CIK*.json >"$WORK/files.ndjson" 2>/dev/null
assert_status 0 "a companyfacts folder" -- fetch-sec --bulk-dir "$FACTS" --progress
assert_files_equal "$WORK/files.ndjson" "$WORK/out" "the folder gives the records of its files, in name order"
assert_eq "$(facts_in "$FACTS"/CIK*.json)" "$(lines "$WORK/out")" "one record per complete fact"
assert_contains "$WORK/err" "$FACTS: 3 company files" "the files are counted"
assert_contains "$WORK/err" "3 of 3 files" "--progress reports on a pipe"
assert_contains "$WORK/err" "companies: 3 ok, 0 failed" "the summary reconciles"

# Older pages are read through their main document, not on their own.
assert_status 0 "a submissions folder" -- fetch-sec --bulk-dir "$SUBS"
assert_eq "2 11" "$(jq -r .kind "$WORK/out" | sort | uniq -c | awk '{print $1}' | tr '\n' ' ' | sed 's/ $//')" \
    "two profiles and the eleven filings of three files"
assert_contains "$WORK/err" "$SUBS: 2 company files" "the older page is not a company file"
assert_contains "$WORK/err" "older pages: 1 read" "the page is read once, through its document"
assert_status 0 "no progress on a pipe without --progress" -- fetch-sec --bulk-dir "$SUBS"
assert_eq 0 "$(grep -c 'of 2 files' "$WORK/err")" "progress stays off"

# A saved older page takes its CIK from the file name.
assert_status 0 "an older page as a file" -- fetch-sec "$SUBS/CIK0000999001-submissions-001.json"
assert_eq "0000999001 3" "$(jq -r .cik "$WORK/out" | uniq -c | awk '{print $2, $1}')" "three filings of CIK 999001"
cp "$SUBS/CIK0000999001-submissions-001.json" "$WORK/older-page.json"
assert_status 65 "an older page without a CIK in its name" -- fetch-sec "$WORK/older-page.json"
assert_contains "$WORK/err" "a page of older filings without its company" "the problem is named"

# Concatenated documents on standard input, as `cat` writes them.
cat "$FACTS"/CIK*.json >"$WORK/all.json"
assert_status 0 "companyfacts on stdin" -- sh -c 'fetch-sec - <"$1"' sh "$WORK/all.json"
assert_files_equal "$WORK/files.ndjson" "$WORK/out" "stdin gives the same records"
{ jq -c . "$FACTS/CIK0000999001.json"; printf '\n\n'; jq . "$FACTS/CIK0000999002.json"; } >"$WORK/spaced.json"
assert_status 0 "compact and indented documents" -- sh -c 'fetch-sec - <"$1"' sh "$WORK/spaced.json"
assert_eq 15 "$(lines "$WORK/out")" "both documents read"
printf '{"cik": "0000999009", "entityName": "Brace } in \\" a string {", "facts": {}}' >"$WORK/brace.json"
assert_status 0 "braces inside strings" -- sh -c 'cat "$1" "$2" | fetch-sec -' sh "$WORK/brace.json" "$FACTS/CIK0000999002.json"
assert_eq 3 "$(lines "$WORK/out")" "the document after the tricky one is read"
assert_contains "$WORK/err" "companies: 2 ok" "both documents count"

# Submissions on stdin: the older pages have no folder to be found in.
assert_status 0 "submissions on stdin" -- sh -c 'fetch-sec - <"$1"' sh "$SUBS/CIK0000999001.json"
assert_contains "$WORK/err" "1 pages of older filings not read" "the unread page is reported"
assert_eq 7 "$(lines "$WORK/out")" "the profile and the six recent filings"

# Damaged input: an invalid document is reported and the next one read;
# a stream that no longer splits into documents ends the input.
{ cat "$FACTS/CIK0000999001.json"; echo '{"cik": 1, "facts": {"x": [1,]}}'; cat "$FACTS/CIK0000999002.json"; } >"$WORK/damaged.json"
assert_status 65 "an invalid document among valid ones" -- sh -c 'fetch-sec - <"$1"' sh "$WORK/damaged.json"
assert_eq 15 "$(lines "$WORK/out")" "the valid documents around it are read"
assert_contains "$WORK/err" "stdin: document at byte" "the document is located by its byte offset"
{ cat "$FACTS/CIK0000999002.json"; echo 'garbage'; } >"$WORK/garbage.json"
assert_status 65 "text between documents" -- sh -c 'fetch-sec - <"$1"' sh "$WORK/garbage.json"
assert_contains "$WORK/err" "expected '{' to start a document, found 'g'" "the stray text is named"
assert_eq 3 "$(lines "$WORK/out")" "the document before it is read"
{ cat "$FACTS/CIK0000999002.json"; echo '{"cik": 1, "facts": {"x": [1}]}'; cat "$FACTS/CIK0000999001.json"; } >"$WORK/mismatch.json"
assert_status 65 "a mismatched bracket" -- sh -c 'fetch-sec - <"$1"' sh "$WORK/mismatch.json"
assert_contains "$WORK/err" "mismatched bracket '}'" "the bracket is named"
assert_eq 3 "$(lines "$WORK/out")" "the documents before it are read, none after"
head -c 300 "$FACTS/CIK0000999001.json" >"$WORK/cut.json"
assert_status 65 "a document cut short" -- sh -c 'fetch-sec - <"$1"' sh "$WORK/cut.json"
assert_contains "$WORK/err" "document cut short at the end of the input" "the cut is reported"

# --shard on files: the shards split the folder without overlap.
: >"$WORK/shards.ndjson"
for k in 1 2; do
	fetch-sec --bulk-dir "$FACTS" --shard "$k/2" >>"$WORK/shards.ndjson" 2>"$WORK/shard$k.err"
done
assert_eq "$(jq -r .cik "$WORK/files.ndjson" | sort | uniq -c)" "$(jq -r .cik "$WORK/shards.ndjson" | sort | uniq -c)" \
    "two shards give every company's facts once"
assert_eq 3 "$(cat "$WORK/shard1.err" "$WORK/shard2.err" | sed -n 's/.*companies: \([0-9]*\) ok.*/\1/p' | awk '{ n += $1 } END { print n }')" \
    "each file is read by one shard"

assert_status 66 "a missing folder" -- fetch-sec --bulk-dir "$WORK/absent"
assert_contains "$WORK/err" "$WORK/absent: No such file or directory" "the folder is named"

finish
