#!/bin/sh
# Throughput of fetch-sec on saved SEC documents against the jq programs
# a user would otherwise write, side by side in one run: companyfacts to
# sec_fact (files, then the same documents concatenated on stdin), and
# submissions to sec_filing.  Also prints fetch-sec's peak resident
# memory on the largest document.  Prints rates and ratios; asserts
# nothing.
#
# Input: the recorded documents in ../shared/data when present, else
# the project's fixtures, repeated to a measurable size.

. "$TOP/scripts/bench-lib.inc"
require_jq
make_work

facts="$TOP/../shared/data/sec/companyfacts"
[ -d "$facts" ] || facts="$TOP/tests/fixtures/sec/api/xbrl/companyfacts"
subs="$TOP/../shared/data/sec/submissions"
[ -d "$subs" ] || subs="$TOP/tests/fixtures/sec/submissions"
repeat=${BENCH_REPEAT:-5}

# Each document repeated, as files and as one concatenated stream.
files=""
: >"$work/facts.json"
for f in "$facts"/CIK*.json; do
	i=0
	while [ "$i" -lt "$repeat" ]; do
		files="$files $f"
		cat "$f" >>"$work/facts.json"
		i=$((i + 1))
	done
done
flatten='.cik as $cik | .entityName as $entity
	| .facts | to_entries[] | .key as $taxonomy | .value | to_entries[]
	| .key as $concept | .value.units | to_entries[] | .key as $unit
	| .value[] | {kind: "sec_fact", cik: $cik, entity: $entity,
	  taxonomy: $taxonomy, concept: $concept, unit: $unit, value: .val,
	  start, end: .end, fy, fp, form, filed, accn, frame}'
ours=$(timed /dev/null "$work/facts.ndjson" sh -c "fetch-sec -q $files")
theirs=$(timed "$work/facts.json" "$work/facts-jq.ndjson" jq -c "$flatten")
report "companyfacts files -> sec_fact" "$(wc -l <"$work/facts.ndjson")" "$ours" "$theirs" fetch-sec
ours=$(timed "$work/facts.json" "$work/stdin.ndjson" fetch-sec -q -)
report "companyfacts on stdin -> sec_fact" "$(wc -l <"$work/stdin.ndjson")" "$ours" "$theirs" fetch-sec

: >"$work/subs.json"
for f in "$subs"/CIK*.json; do
	jq -e '.filings.recent' "$f" >/dev/null 2>&1 || continue
	i=0
	while [ "$i" -lt $((repeat * 4)) ]; do
		cat "$f" >>"$work/subs.json"
		i=$((i + 1))
	done
done
ours=$(timed "$work/subs.json" "$work/filings.ndjson" fetch-sec -q -)
theirs=$(timed "$work/subs.json" "$work/filings-jq.ndjson" jq -c '
	.cik as $cik | .filings.recent as $c
	| range(0; $c.accessionNumber | length) as $i
	| {kind: "sec_filing", cik: $cik, accession: $c.accessionNumber[$i],
	  form: $c.form[$i], filed: $c.filingDate[$i],
	  report_date: $c.reportDate[$i], accepted: $c.acceptanceDateTime[$i],
	  primary_document: $c.primaryDocument[$i],
	  primary_doc_description: $c.primaryDocDescription[$i],
	  items: $c.items[$i], size: $c.size[$i], is_xbrl: ($c.isXBRL[$i] == 1)}')
report "submissions -> sec_filing" "$(grep -c sec_filing "$work/filings.ndjson")" "$ours" "$theirs" fetch-sec

# Peak memory on the largest document, which bounds the memory of a
# bulk run: one document is held at a time.
largest=$(ls -S "$facts"/CIK*.json | head -n 1)
if command -v /usr/bin/time >/dev/null; then
	/usr/bin/time -f '%M' -o "$work/rss" fetch-sec -q "$largest" >/dev/null
	printf '%-34s %9s KiB peak resident memory for %s (%s bytes)\n' \
	    "fetch-sec, largest document" "$(cat "$work/rss")" \
	    "$(basename "$largest")" "$(wc -c <"$largest" | tr -d ' ')"
fi
