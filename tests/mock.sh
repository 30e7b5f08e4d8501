# Starts and stops the loopback mock HTTP server (tests/helpers/mockhttp.c)
# for the fetcher tests.  Source it after tests/lib.sh:
#
#   . "$TOP/tests/lib.sh"
#   . "$TOP/tests/mock.sh"
#   mock_start "$TOP/tests/fixtures/sec" --require-user-agent-contact
#   fetch-sec --base-url "$MOCK_URL" ...
#   cut -f 3 "$MOCK_LOG"          # the request targets, in order
#   mock_stop                     # optional: the EXIT trap stops it too
#
# mock_start ROOT [MOCKHTTP-OPTIONS...] serves ROOT on 127.0.0.1, waits
# at most 10 seconds for the server to listen, and exports MOCK_URL
# (http://127.0.0.1:PORT, no trailing slash) and MOCK_LOG (the request
# log: milliseconds, method, target, status, User-Agent; tab-separated).
# It returns 1 when the server does not come up.  One server runs at a
# time; mock_start stops the previous one.  The server also stops by
# itself after 120 seconds, or after --max-seconds when given.

MOCK_PID=
MOCK_DIR=

mock_stop() {
	if [ -n "$MOCK_PID" ]; then
		kill "$MOCK_PID" 2>/dev/null
		wait "$MOCK_PID" 2>/dev/null
		MOCK_PID=
	fi
}

mock_start() {
	mock_root=$1
	shift
	mock_stop
	MOCK_DIR=$(mktemp -d "${WORK:-${TMPDIR:-/tmp}}/mock.XXXXXX") || return 1
	MOCK_LOG=$MOCK_DIR/requests.log
	: >"$MOCK_LOG"
	"$BUILD/tests/mockhttp" --root "$mock_root" \
	    --port-file "$MOCK_DIR/port" --log "$MOCK_LOG" "$@" \
	    2>"$MOCK_DIR/stderr" &
	MOCK_PID=$!

	mock_tries=0
	while [ ! -s "$MOCK_DIR/port" ]; do
		mock_tries=$((mock_tries + 1))
		if [ "$mock_tries" -gt 100 ] || ! kill -0 "$MOCK_PID" 2>/dev/null; then
			echo "mock_start: mockhttp did not start" >&2
			cat "$MOCK_DIR/stderr" >&2
			mock_stop
			return 1
		fi
		sleep 0.1
	done
	MOCK_URL=http://127.0.0.1:$(cat "$MOCK_DIR/port")
	export MOCK_URL MOCK_LOG
}

# The server's folders live in $WORK when tests/lib.sh set it.
mock_cleanup() {
	mock_stop
	if [ -n "${WORK:-}" ]; then
		rm -rf "$WORK"
	elif [ -n "$MOCK_DIR" ]; then
		rm -rf "$MOCK_DIR"
	fi
}

# Replaces the EXIT trap of tests/lib.sh, which only removed $WORK.
trap mock_cleanup EXIT
trap 'exit 130' INT TERM
