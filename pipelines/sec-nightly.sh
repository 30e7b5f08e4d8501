#!/bin/sh
# Nightly incremental SEC EDGAR run.  It finds the companies of the
# universe that filed a 10-K, 10-Q, 20-F or 40-F (or an amendment) since
# the last successful run, in EDGAR's current-filings feed.  Then it
# fetches their companyfacts and submissions documents and loads the
# normalized and checked records.  Each step writes a file in a run folder, so a failed
# night can be inspected and replayed (fetch-sec --offline reads the
# cache).  The date of the last successful run is kept in the state
# folder; without one, the run looks back LOOKBACK_DAYS days.
#
# Environment:
#   SEC_USER_AGENT   required: your name and e-mail address
#   CORPINTEL_UNIVERSE  company universe YAML
#                    (default /usr/local/share/corpintel/pipelines/universe/edtech.yaml)
#   CORPINTEL_STATE_DIR  state and run folders (default /var/lib/corpintel)
#   CORPINTEL_CACHE_DIR  raw SEC responses (default /var/cache/corpintel/sec)
#   CORPINTEL_METRICS_DIR  Prometheus textfile folder for node_exporter
#                    (default: the run folder)
#   CORPINTEL_CONFIG  YAML file given to every step with --config, when
#                    set (for example fetch-sec's base-url or feed-url)
#   LOOKBACK_DAYS    first run without state (default 3)
#   DATABASE_URL or PG*  the database load-timescale writes to
#
# Exit status: that of the first step that failed, so that systemd's
# Restart= and the timer can tell temporary failures (75) from others.

set -eu

universe=${CORPINTEL_UNIVERSE:-/usr/local/share/corpintel/pipelines/universe/edtech.yaml}
state=${CORPINTEL_STATE_DIR:-/var/lib/corpintel}
cache=${CORPINTEL_CACHE_DIR:-/var/cache/corpintel/sec}
lookback=${LOOKBACK_DAYS:-3}
config=${CORPINTEL_CONFIG:-}
last_file=$state/sec-nightly.last
export SEC_USER_AGENT

log() {
	echo "sec-nightly: $*" >&2
}

# step PROGRAM ARGS...: runs one step, with --config when one is set.
step() {
	program=$1
	shift
	if [ -n "$config" ]; then
		"$program" --config "$config" "$@"
	else
		"$program" "$@"
	fi
}

if [ -z "${SEC_USER_AGENT:-}" ]; then
	log "SEC_USER_AGENT is not set: set it to your name and e-mail address"
	exit 64
fi
[ -r "$universe" ] || { log "$universe: universe not readable"; exit 66; }
mkdir -p "$state" "$cache"

# The universe lists one company per line, with its cik as a quoted
# ten-digit string; companies without a cik are looked up by ticker.
ciks=$(sed -n 's/.*cik: *"\([0-9]\{10\}\)".*/\1/p' "$universe" | paste -sd, -)
tickers=$(grep -v 'cik:' "$universe" | sed -n 's/.*ticker: *\([A-Za-z0-9.-]*\).*/\1/p' | paste -sd, -)
[ -n "$ciks$tickers" ] || { log "$universe: no companies"; exit 65; }

today=$(date -u +%Y-%m-%d)
if [ -s "$last_file" ]; then
	since=$(cat "$last_file")
else
	since=$(date -u -d "$lookback days ago" +%Y-%m-%d)
fi
run=$state/runs/sec-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$run"
metrics=${CORPINTEL_METRICS_DIR:-$run}
log "changes since $since; run folder $run"

selection=""
[ -n "$ciks" ] && selection="--cik=$ciks"
[ -n "$tickers" ] && selection="$selection --ticker=$tickers"

# shellcheck disable=SC2086 # selection holds separate options
step fetch-sec --changed-since "$since" $selection \
    --what companyfacts,submissions --form 10-K,10-Q,20-F,40-F --amendments \
    --cache-dir "$cache" --metrics-file "$metrics/corpintel-sec-fetch.prom" >"$run/sec.ndjson" || {
	status=$?
	log "fetch-sec failed with status $status"
	exit "$status"
}
step normalize --universe "$universe" --rejects "$run/normalize-rejects.ndjson" \
    --metrics-file "$metrics/corpintel-sec-normalize.prom" <"$run/sec.ndjson" >"$run/canonical.ndjson" || {
	status=$?
	log "normalize failed with status $status"
	exit "$status"
}
step validate-quality --rejects "$run/quality-rejects.ndjson" \
    --metrics-file "$metrics/corpintel-sec-quality.prom" <"$run/canonical.ndjson" >"$run/valid.ndjson" || {
	status=$?
	log "validate-quality failed with status $status"
	exit "$status"
}
step load-timescale --metrics-file "$metrics/corpintel-sec-load.prom" <"$run/valid.ndjson" || {
	status=$?
	log "load-timescale failed with status $status"
	exit "$status"
}

# The next run starts from today: a filing accepted late today appears
# in tomorrow's feed with today's filing date, and is fetched again.
echo "$today" >"$last_file.tmp"
mv "$last_file.tmp" "$last_file"
log "done: $(wc -l <"$run/valid.ndjson") records loaded"
