#!/bin/sh
# Throughput of load-timescale against psql's \copy of the same rows as
# CSV into the same table, side by side in one run, each into a fresh
# database with the same schema and indexes.  Prints rows per second, the
# ratio and the loader's maximum resident set size at two input sizes,
# which shows whether memory grows with the input.  Asserts nothing.
#
# Input: BENCH_LOAD_RECORDS metric records (default 1000000) of 100
# companies with distinct keys, written by awk.

. "$TOP/scripts/bench-lib.inc"
records=${BENCH_LOAD_RECORDS:-1000000}
small=$((records / 5))

pg_env=$(sh "$TOP/scripts/pg-start") || { echo "bench-load: no PostgreSQL server" >&2; exit 69; }
eval "$pg_env"
unset DATABASE_URL PGSERVICE PGOPTIONS
[ -x /usr/bin/time ] || { echo "bench-load: /usr/bin/time (GNU time) not installed" >&2; exit 69; }

work=$(mktemp -d "${TMPDIR:-/tmp}/corpintel-bench-load.XXXXXX")
databases=""
cleanup() {
	for name in $databases; do
		dropdb --if-exists --force "$name" >/dev/null 2>&1 || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

# The same rows as NDJSON records and as CSV in the table's column order.
awk -v n="$records" -v dir="$work" 'BEGIN {
	for (c = 1; c <= 100; c++)
		printf "{\"kind\":\"company\",\"cik\":\"%010d\",\"ticker\":\"T%03d\",\"name\":\"Company %d\",\"category\":null,\"sic\":null,\"sic_description\":null,\"fiscal_year_end\":null,\"exchanges\":null,\"listed\":null,\"source\":\"sec\"}\n", c, c, c >(dir "/companies.ndjson")
	for (i = 0; i < n; i++) {
		cik = sprintf("%010d", i % 100 + 1)
		j = int(i / 100)
		metric = sprintf("m%02d", j % 50)
		p = int(j / 50)
		end = sprintf("%04d-%02d-28", 1000 + int(p / 12), p % 12 + 1)
		year = 1000 + int(p / 12)
		printf "{\"kind\":\"metric\",\"cik\":\"%s\",\"ticker\":null,\"metric\":\"%s\",\"value\":%d.25,\"unit\":\"USD\",\"period_type\":\"quarter\",\"period_start\":null,\"period_end\":\"%s\",\"fiscal_year\":%d,\"fiscal_period\":\"Q1\",\"source\":\"sec\",\"source_ref\":\"0000000001-24-%06d\",\"filed\":\"2024-02-20\",\"revised\":false,\"concept\":\"us-gaap:Revenues\",\"derivation\":null}\n", cik, metric, i * 3, end, year, i % 1000000 >(dir "/metrics.ndjson")
		printf "%s,%s,quarter,%s,,%d.25,USD,%d,Q1,sec,0000000001-24-%06d,2024-02-20,false,us-gaap:Revenues,\n", cik, metric, end, i * 3, year, i % 1000000 >(dir "/metrics.csv")
	}
}'
head -n "$small" "$work/metrics.ndjson" >"$work/small.ndjson"

fresh_db() {	# name
	db=corpintel_bench_$1_$$
	createdb "$db"
	databases="$databases $db"
	load-timescale -q --dsn "dbname=$db" "$work/companies.ndjson"
}

# Runs a command; sets seconds and rss (KiB, of the command itself).
timed_rss() {
	start=$(now)
	/usr/bin/time -f %M -o "$work/rss" "$@" >/dev/null
	end=$(now)
	seconds=$(echo "$end - $start" | bc -l)
	rss=$(tail -n 1 "$work/rss")
}

rate() {	# rows seconds
	echo "$1 / $2" | bc -l
}

fresh_db psql
timed_rss psql -X -q -d "$db" -c "\\copy financial_metrics (cik, metric, period_type,
	period_end, period_start, value, unit, fiscal_year, fiscal_period, source,
	source_ref, filed, revised, concept, derivation) FROM '$work/metrics.csv' WITH (FORMAT csv)"
psql_rate=$(rate "$records" "$seconds")
printf '%-36s %9d rows  %9.0f rows/s\n' "psql \\copy (CSV)" "$records" "$psql_rate"

for jobs in 1 2; do
	fresh_db jobs$jobs
	timed_rss load-timescale -q --dsn "dbname=$db" --jobs "$jobs" "$work/metrics.ndjson"
	ours=$(rate "$records" "$seconds")
	printf '%-36s %9d rows  %9.0f rows/s  ratio %4.2fx  max RSS %6d KiB\n' \
	    "load-timescale --jobs $jobs" "$records" "$ours" \
	    "$(echo "$ours / $psql_rate" | bc -l)" "$rss"
done

# Memory against input size: a fifth of the input, into a fresh database.
fresh_db small
timed_rss load-timescale -q --dsn "dbname=$db" "$work/small.ndjson"
printf '%-36s %9d rows  %9.0f rows/s               max RSS %6d KiB\n' \
    "load-timescale --jobs 1 (1/5 input)" "$small" "$(rate "$small" "$seconds")" "$rss"
